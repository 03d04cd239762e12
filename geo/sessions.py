"""Sign-in sessions and password resets for the accounts of geo/accounts.py (ARCHITECTURE §13).

A session is a random token in the signed cookie; the database keeps only its SHA-256, so
logging out, disabling an account or resetting its password ends sessions at once, and a
session idle for longer than the idle timeout is over. A reset token is single-use and
valid for ``RESET_HOURS``.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from geo.accounts import (
    GEBRUIKER,
    RESET_HOURS,
    USER_COLUMNS,
    AccountError,
    User,
    end_all_sessions,
    get_user,
    hash_password,
    normalise_email,
    token_hash,
    user_from_row,
)

# -------------------------------------------------------------------------- sessions


def start_session(conn: sa.Connection, user_id: int) -> str:
    """A new session for ``user_id``: a fresh random token (renewed at every login)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        sa.text("INSERT INTO sessie (token_hash, gebruiker_id) VALUES (:h, :id)"),
        {"h": token_hash(token), "id": user_id},
    )
    return token


# Every signed-in request reads its session; the activity time is written at most once a
# minute, so a busy editor or a map full of requests is not a write each.
LOAD_SESSION = sa.text(
    """
    WITH live AS (
        SELECT s.token_hash, s.laatst_actief,
               g.id, g.email, g.naam, g.rol, g.gemeenten, g.gebieden, g.actief
        FROM sessie s JOIN gebruiker g ON g.id = s.gebruiker_id
        WHERE s.token_hash = :h AND g.actief AND s.beeindigd_op IS NULL
          AND s.laatst_actief > now() - make_interval(mins => :idle)
    ), touched AS (
        UPDATE sessie t SET laatst_actief = now() FROM live
        WHERE t.token_hash = live.token_hash
          AND live.laatst_actief < now() - interval '60 seconds'
    )
    SELECT id, email, naam, rol, gemeenten, gebieden, actief FROM live
    """
)


def load_session(conn: sa.Connection, token: str, idle_minutes: int) -> User | None:
    """The account of a live session (and mark it active), or None when over or unknown."""
    row = conn.execute(LOAD_SESSION, {"h": token_hash(token), "idle": idle_minutes}).one_or_none()
    return None if row is None else user_from_row(row)


def end_session(conn: sa.Connection, token: str) -> None:
    """End one session (logout)."""
    conn.execute(
        sa.text("UPDATE sessie SET beeindigd_op = now() WHERE token_hash = :h"),
        {"h": token_hash(token)},
    )


# -------------------------------------------------------------------- password reset


def create_reset(conn: sa.Connection, email: str) -> tuple[User, str] | None:
    """A single-use reset token for an active account (None for unknown addresses)."""
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    row = conn.execute(
        sa.select(*USER_COLUMNS).where(GEBRUIKER.c.email == email, GEBRUIKER.c.actief)
    ).one_or_none()
    if row is None:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(
        sa.text(
            "INSERT INTO wachtwoord_herstel (token_hash, gebruiker_id, verloopt_op) "
            "VALUES (:h, :id, now() + make_interval(hours => :u))"
        ),
        {"h": token_hash(token), "id": row.id, "u": RESET_HOURS},
    )
    return user_from_row(row), token


def reset_valid(conn: sa.Connection, token: str) -> bool:
    """Whether a reset token is unused and not expired."""
    return bool(
        conn.execute(
            sa.text(
                "SELECT 1 FROM wachtwoord_herstel WHERE token_hash = :h "
                "AND gebruikt_op IS NULL AND verloopt_op > now()"
            ),
            {"h": token_hash(token)},
        ).scalar()
    )


def use_reset(conn: sa.Connection, token: str, password: str) -> User | None:
    """Set a new password with a reset token (once); ends every session of the account."""
    hashed = hash_password(password)
    user_id = conn.execute(
        sa.text(
            "UPDATE wachtwoord_herstel SET gebruikt_op = now() WHERE token_hash = :h "
            "AND gebruikt_op IS NULL AND verloopt_op > now() RETURNING gebruiker_id"
        ),
        {"h": token_hash(token)},
    ).scalar()
    if user_id is None:
        return None
    conn.execute(
        sa.text(
            "UPDATE gebruiker SET wachtwoord_hash = :h, wachtwoord_gewijzigd_op = now() "
            "WHERE id = :id"
        ),
        {"h": hashed, "id": user_id},
    )
    conn.execute(
        sa.text(
            "DELETE FROM inlogpoging WHERE email = (SELECT email FROM gebruiker WHERE id = :id)"
        ),
        {"id": user_id},
    )
    end_all_sessions(conn, user_id)
    return get_user(conn, user_id)

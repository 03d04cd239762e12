"""Personal API tokens for QGIS and scripts (table ``api_token``, migration 0017).

A token is 32 random bytes shown once; the database keeps its SHA-256 (like sessions).
It stands for its account on the OGC API only (server/api_auth.py); revoking it, or
disabling the account, ends it at once.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from geo.accounts import USER_COLUMNS, AccountError, User, token_hash, user_from_row
from geo.records.models import Gebruiker

PREFIX = "sk_"
MAX_TOKENS = 20
GEBRUIKER: sa.Table = Gebruiker.__table__  # type: ignore[assignment]


def create_token(conn: sa.Connection, user_id: int, naam: str) -> str:
    """A new token for an account (returned once); :class:`AccountError` for a bad name."""
    naam = " ".join((naam or "").split())
    if not naam or len(naam) > 100:
        raise AccountError("Geef de sleutel een naam van 1 tot 100 tekens, zoals 'QGIS werk'.")
    active = conn.execute(
        sa.text(
            "SELECT count(*) FROM api_token WHERE gebruiker_id = :u AND ingetrokken_op IS NULL"
        ),
        {"u": user_id},
    ).scalar_one()
    if active >= MAX_TOKENS:
        raise AccountError(f"U heeft al {MAX_TOKENS} sleutels. Trek er eerst een in.")
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        sa.text("INSERT INTO api_token (gebruiker_id, naam, token_hash) VALUES (:u, :n, :h)"),
        {"u": user_id, "n": naam, "h": token_hash(token)},
    )
    return token


def list_tokens(conn: sa.Connection, user_id: int) -> list[dict]:
    """An account's tokens (never the token itself), newest first."""
    rows = conn.execute(
        sa.text(
            "SELECT id, naam, aangemaakt_op, laatst_gebruikt_op, ingetrokken_op FROM api_token "
            "WHERE gebruiker_id = :u ORDER BY aangemaakt_op DESC, id DESC"
        ),
        {"u": user_id},
    ).mappings()
    return [dict(r) for r in rows]


def revoke_token(conn: sa.Connection, user_id: int, token_id: int) -> bool:
    """Revoke one of the account's own tokens; False when there is no such live token."""
    return (
        conn.execute(
            sa.text(
                "UPDATE api_token SET ingetrokken_op = now() WHERE id = :id "
                "AND gebruiker_id = :u AND ingetrokken_op IS NULL"
            ),
            {"id": token_id, "u": user_id},
        ).rowcount
        == 1
    )


def user_for_token(conn: sa.Connection, token: str) -> User | None:
    """The active account of a live token (and mark the token used), or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    # Read on every GIS request (tiles!); "last used" is written at most once a minute.
    user_id = conn.execute(
        sa.text(
            """
            WITH live AS (
                SELECT id, gebruiker_id, laatst_gebruikt_op FROM api_token
                WHERE token_hash = :h AND ingetrokken_op IS NULL
            ), touched AS (
                UPDATE api_token t SET laatst_gebruikt_op = now() FROM live
                WHERE t.id = live.id AND (live.laatst_gebruikt_op IS NULL
                      OR live.laatst_gebruikt_op < now() - interval '60 seconds')
            )
            SELECT gebruiker_id FROM live
            """
        ),
        {"h": token_hash(token)},
    ).scalar()
    if user_id is None:
        return None
    row = conn.execute(
        sa.select(*USER_COLUMNS).where(GEBRUIKER.c.id == user_id, GEBRUIKER.c.actief)
    ).one_or_none()
    return None if row is None else user_from_row(row)

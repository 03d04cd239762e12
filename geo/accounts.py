"""Accounts and login lockout (docs/ARCHITECTURE.md §13); sessions and resets: geo/sessions.py.

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed when they change).
A session is a random token in the signed cookie; the database keeps only its SHA-256, so
logging out, disabling an account or resetting its password ends sessions at once, and a
session idle for longer than the idle timeout is over.

Lockout is per (e-mail address, client network): after ``MAX_FAILURES`` failed logins
within ``LOCK_MINUTES`` that pair waits ``LOCK_MINUTES``. Another client (the editor at
work) is never locked out by someone guessing elsewhere; the per-client rate limit on the
login form (server/ratelimit.py) bounds guessing across addresses.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert as pg_insert

from geo.errors import GeoError
from geo.records.fields import EMAIL
from geo.records.models import Gebruiker

ROLES = ("beheerder", "redacteur", "professional")
# What each role may see (zichtbaarheid values); anonymous visitors are 'publiek'.
ROLE_VISIBILITY: dict[str, tuple[str, ...]] = {
    "publiek": ("openbaar",),
    "professional": ("openbaar", "professional"),
    "redacteur": ("openbaar", "professional", "intern"),
    "beheerder": ("openbaar", "professional", "intern"),
}
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
RESET_HOURS = 1
GEMEENTE = re.compile(r"^GM[0-9]{4}$")
GEBIED = re.compile(r"^(WK[0-9]{6}|BU[0-9]{8})$")

_hasher = PasswordHasher()


class AccountError(GeoError, ValueError):
    """An account cannot be created or changed; the message is Dutch for the user."""


@dataclass(frozen=True)
class User:
    """A signed-in or listed account (no password hash)."""

    id: int
    email: str
    naam: str | None
    rol: str
    gemeenten: tuple[str, ...]
    gebieden: tuple[str, ...]
    actief: bool

    @property
    def visibility(self) -> tuple[str, ...]:
        """The zichtbaarheid values this role may see."""
        return ROLE_VISIBILITY[self.rol]

    @property
    def is_editor(self) -> bool:
        """Beheerders and redacteuren edit records."""
        return self.rol in ("beheerder", "redacteur")

    def may_edit_gemeente(self, gemeentecode: str | None) -> bool:
        """Whether this account may edit a record in ``gemeentecode`` (None: no location)."""
        if self.rol == "beheerder" or (self.rol == "redacteur" and not self.gemeenten):
            return True
        return self.rol == "redacteur" and gemeentecode in self.gemeenten


GEBRUIKER: sa.Table = Gebruiker.__table__  # type: ignore[assignment]
USER_COLUMNS = (
    GEBRUIKER.c.id,
    GEBRUIKER.c.email,
    GEBRUIKER.c.naam,
    GEBRUIKER.c.rol,
    GEBRUIKER.c.gemeenten,
    GEBRUIKER.c.gebieden,
    GEBRUIKER.c.actief,
)


def user_from_row(row) -> User:
    """An account read with ``USER_COLUMNS``."""
    return User(
        id=row.id,
        email=row.email,
        naam=row.naam,
        rol=row.rol,
        gemeenten=tuple(row.gemeenten or ()),
        gebieden=tuple(row.gebieden or ()),
        actief=row.actief,
    )


def token_hash(token: str) -> str:
    """SHA-256 of a random token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash; :class:`AccountError` for a password that is too short."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens.")
    return _hasher.hash(password)


def generate_password() -> str:
    """A random password to print once (about 120 bits)."""
    return secrets.token_urlsafe(15)


def normalise_email(email: str) -> str:
    """Lower-case, trimmed address; :class:`AccountError` when it is not one."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise AccountError(f"Dit is geen geldig e-mailadres: {email!r}.")
    return email


def _check_scope(conn: sa.Connection, rol: str, gemeenten, gebieden) -> None:
    if rol not in ROLES:
        raise AccountError(f"Onbekende rol {rol!r}; kies uit {', '.join(ROLES)}.")
    for code in gemeenten:
        if not GEMEENTE.match(code):
            raise AccountError(f"{code!r} is geen gemeentecode (zoals GM0935).")
    for code in gebieden:
        if not GEBIED.match(code):
            raise AccountError(f"{code!r} is geen wijk- of buurtcode (zoals WK093501).")
    if gebieden and rol != "professional":
        raise AccountError("Alleen een professional heeft wijken of buurten als werkgebied.")
    codes = list(gemeenten) + list(gebieden)
    if codes:
        known = set(
            conn.execute(
                sa.text("SELECT code FROM gebied WHERE code = ANY(:codes)"), {"codes": codes}
            ).scalars()
        )
        missing = [c for c in codes if c not in known]
        if missing:
            raise AccountError(f"Onbekend gebied: {', '.join(missing)}.")


def create_user(
    conn: sa.Connection,
    email: str,
    rol: str,
    password: str,
    *,
    naam: str | None = None,
    gemeenten: tuple[str, ...] = (),
    gebieden: tuple[str, ...] = (),
) -> User:
    """Create an account; :class:`AccountError` (Dutch) for a bad value or a taken address."""
    email = normalise_email(email)
    _check_scope(conn, rol, gemeenten, gebieden)
    hashed = hash_password(password)
    row = conn.execute(
        pg_insert(GEBRUIKER)
        .values(
            email=email,
            naam=naam,
            rol=rol,
            gemeenten=list(gemeenten),
            gebieden=list(gebieden),
            wachtwoord_hash=hashed,
        )
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(*USER_COLUMNS)
    ).one_or_none()
    if row is None:
        raise AccountError(f"Er is al een account met e-mailadres {email}.")
    return user_from_row(row)


def update_user(
    conn: sa.Connection,
    user_id: int,
    *,
    rol: str,
    gemeenten: tuple[str, ...],
    gebieden: tuple[str, ...],
    naam: str | None,
    actief: bool,
) -> User:
    """Change an account's role, scope, name or active flag (ends its sessions if disabled)."""
    _check_scope(conn, rol, gemeenten, gebieden)
    row = conn.execute(
        sa.update(GEBRUIKER)
        .where(GEBRUIKER.c.id == user_id)
        .values(
            rol=rol, gemeenten=list(gemeenten), gebieden=list(gebieden), naam=naam, actief=actief
        )
        .returning(*USER_COLUMNS)
    ).one_or_none()
    if row is None:
        raise AccountError("Dit account bestaat niet.")
    if not actief:
        end_all_sessions(conn, user_id)
    return user_from_row(row)


def list_users(conn: sa.Connection) -> list[User]:
    """Every account, by e-mail address."""
    rows = conn.execute(sa.select(*USER_COLUMNS).order_by(GEBRUIKER.c.email))
    return [user_from_row(r) for r in rows]


def get_user(conn: sa.Connection, user_id: int) -> User | None:
    """One account by id, or None."""
    row = conn.execute(sa.select(*USER_COLUMNS).where(GEBRUIKER.c.id == user_id)).one_or_none()
    return None if row is None else user_from_row(row)


def set_active(conn: sa.Connection, email: str, actief: bool) -> User:
    """Enable or disable an account by e-mail address; disabling ends its sessions."""
    row = conn.execute(
        sa.update(GEBRUIKER)
        .where(GEBRUIKER.c.email == normalise_email(email))
        .values(actief=actief)
        .returning(*USER_COLUMNS)
    ).one_or_none()
    if row is None:
        raise AccountError(f"Er is geen account met e-mailadres {email}.")
    if not actief:
        end_all_sessions(conn, row.id)
    return user_from_row(row)


# ----------------------------------------------------------------------------- login


def _client_lock(conn: sa.Connection, email: str, client: str) -> int:
    """Seconds this (address, client) pair still has to wait; 0 when it may try."""
    wait = conn.execute(
        sa.text(
            "SELECT ceil(extract(epoch FROM geblokkeerd_tot - now())) FROM inlogpoging "
            "WHERE email = :e AND client = :c AND geblokkeerd_tot > now()"
        ),
        {"e": email, "c": client},
    ).scalar()
    return int(wait or 0)


def authenticate(
    conn: sa.Connection, email: str, password: str, client: str
) -> tuple[User | None, int]:
    """Check a login. Returns (user, 0) on success, (None, wait_seconds) otherwise.

    A locked pair gets (None, seconds) without the password being checked; unknown
    addresses cost the same argon2 work as known ones.
    """
    email = (email or "").strip().lower()[:254]
    wait = _client_lock(conn, email, client)
    if wait:
        return None, wait
    row = conn.execute(
        sa.select(*USER_COLUMNS, GEBRUIKER.c.wachtwoord_hash).where(
            GEBRUIKER.c.email == email, GEBRUIKER.c.actief
        )
    ).one_or_none()
    ok = False
    try:
        ok = _hasher.verify(row.wachtwoord_hash if row else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        _failed(conn, email, client)
        return None, _client_lock(conn, email, client)
    conn.execute(
        sa.text("DELETE FROM inlogpoging WHERE email = :e AND client = :c"),
        {"e": email, "c": client},
    )
    if _hasher.check_needs_rehash(row.wachtwoord_hash):
        conn.execute(
            sa.text("UPDATE gebruiker SET wachtwoord_hash = :h WHERE id = :id"),
            {"h": _hasher.hash(password), "id": row.id},
        )
    conn.execute(
        sa.text("UPDATE gebruiker SET laatst_ingelogd_op = now() WHERE id = :id"), {"id": row.id}
    )
    return user_from_row(row), 0


def password_hash(conn: sa.Connection, user_id: int) -> str | None:
    """The stored password hash of an active account (to notice a later change), or None."""
    return conn.execute(
        sa.select(GEBRUIKER.c.wachtwoord_hash).where(GEBRUIKER.c.id == user_id, GEBRUIKER.c.actief)
    ).scalar()


def still_valid(conn: sa.Connection, user_id: int, hashed: str) -> User | None:
    """The account, read afresh, if it is still active and its password is still ``hashed``.

    One primary-key read: what a remembered credential check (server/api_auth.py) costs
    instead of the argon2 work, so disabling an account or a new password applies at once.
    """
    row = conn.execute(
        sa.select(*USER_COLUMNS, GEBRUIKER.c.wachtwoord_hash).where(
            GEBRUIKER.c.id == user_id, GEBRUIKER.c.actief
        )
    ).one_or_none()
    return user_from_row(row) if row is not None and row.wachtwoord_hash == hashed else None


_DUMMY_HASH = _hasher.hash("niet-een-echt-wachtwoord")


def _failed(conn: sa.Connection, email: str, client: str) -> None:
    conn.execute(
        sa.text(
            """
            INSERT INTO inlogpoging AS p (email, client, mislukt) VALUES (:e, :c, 1)
            ON CONFLICT (email, client) DO UPDATE SET
                mislukt = CASE WHEN p.eerste_op < now() - make_interval(mins => :m)
                               THEN 1 ELSE p.mislukt + 1 END,
                eerste_op = CASE WHEN p.eerste_op < now() - make_interval(mins => :m)
                                 THEN now() ELSE p.eerste_op END,
                geblokkeerd_tot = CASE
                    WHEN p.eerste_op >= now() - make_interval(mins => :m)
                         AND p.mislukt + 1 >= :max
                    THEN now() + make_interval(mins => :m) END
            """
        ),
        {"e": email, "c": client, "m": LOCK_MINUTES, "max": MAX_FAILURES},
    )


def end_all_sessions(conn: sa.Connection, user_id: int) -> None:
    """End every session of an account (disabled, password reset)."""
    conn.execute(
        sa.text(
            "UPDATE sessie SET beeindigd_op = now() "
            "WHERE gebruiker_id = :id AND beeindigd_op IS NULL"
        ),
        {"id": user_id},
    )

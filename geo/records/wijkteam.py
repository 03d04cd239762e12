"""Wijkteams and internal notes (migration 0017): the writes behind the wijkteam pages.

- :func:`set_wijkteam` marks an organisation as the wijkteam or buurtteam of CBS areas (or
  switches the mark off; editors never delete). Audited (table ``wijkteam``).
- :func:`add_note` stores a dated note of a professional about an organisation; it carries
  the author's areas, so only professionals of an overlapping scope read it
  (layers/pages/wijk.py). Audited (table ``notitie``).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from geo.accounts import AccountError, User
from geo.codes import is_area_code
from geo.records.audit import set_writer

SOORTEN = ("wijkteam", "buurtteam")
NOTE_MAX = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WijkteamError(AccountError):
    """A wijkteam mark or note that cannot be stored; the message is Dutch for the user."""


def parse_codes(raw: str) -> tuple[str, ...]:
    """CBS codes from free text (commas, semicolons or spaces between them), upper case."""
    return tuple(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", raw or "") if c))


def get_wijkteam(conn: sa.Connection, organisatie_id: int) -> dict | None:
    """The wijkteam mark of an organisation (soort, gebieden, actief), or None."""
    row = conn.execute(
        sa.text("SELECT soort, gebieden, actief FROM wijkteam WHERE organisatie_id = :o"),
        {"o": organisatie_id},
    ).one_or_none()
    return None if row is None else row._asdict()


def set_wijkteam(
    conn: sa.Connection,
    organisatie_id: int,
    *,
    actief: bool,
    soort: str,
    gebieden: tuple[str, ...],
    writer: str,
) -> None:
    """Mark (or unmark) an organisation as wijkteam of ``gebieden``; Dutch errors."""
    if soort not in SOORTEN:
        raise WijkteamError("Kies wijkteam of buurtteam.")
    bad = [c for c in gebieden if not is_area_code(c)]
    if bad:
        raise WijkteamError(
            f"Dit is geen CBS-code: {', '.join(bad)}. Gebruik bijvoorbeeld WK091700."
        )
    if actief and not gebieden:
        raise WijkteamError("Vul het werkgebied in: een of meer CBS-codes.")
    if len(gebieden) > 200:
        raise WijkteamError("Vul hoogstens 200 gebieden in.")
    known = set(
        conn.execute(
            sa.text("SELECT code FROM gebied WHERE code = ANY(:c)"), {"c": list(gebieden)}
        ).scalars()
    )
    missing = [c for c in gebieden if c not in known]
    if missing:
        raise WijkteamError(f"Dit gebied kennen we niet: {', '.join(missing)}.")
    set_writer(conn, writer)
    current = get_wijkteam(conn, organisatie_id)
    if current is None and not actief:
        return
    if current is None:
        conn.execute(
            sa.text("INSERT INTO wijkteam (organisatie_id, soort, gebieden) VALUES (:o, :s, :g)"),
            {"o": organisatie_id, "s": soort, "g": list(gebieden)},
        )
        return
    conn.execute(
        sa.text(
            "UPDATE wijkteam SET soort = :s, gebieden = :g, actief = :a, gewijzigd_op = now() "
            "WHERE organisatie_id = :o"
        ),
        {"o": organisatie_id, "s": soort, "g": list(gebieden or current["gebieden"]), "a": actief},
    )


def clean_note(tekst: str | None) -> str:
    """A note's text without control characters; :class:`WijkteamError` when empty or long."""
    tekst = CONTROL.sub("", (tekst or "").replace("\r\n", "\n")).strip()
    if not tekst:
        raise WijkteamError("Schrijf eerst een notitie. Het tekstvak is nog leeg.")
    if len(tekst) > NOTE_MAX:
        raise WijkteamError(f"De notitie is te lang: gebruik niet meer dan {NOTE_MAX} tekens.")
    return tekst


def add_note(conn: sa.Connection, user: User, organisatie_id: int, tekst: str) -> int:
    """Store a note of ``user`` about an organisation, scoped to the user's areas."""
    tekst = clean_note(tekst)
    set_writer(conn, user.email)
    return conn.execute(
        sa.text(
            "INSERT INTO notitie (organisatie_id, tekst, gebieden, gebruiker_id, auteur) "
            "VALUES (:o, :t, :g, :u, :a) RETURNING id"
        ),
        {
            "o": organisatie_id,
            "t": tekst,
            "g": list(user.gemeenten) + list(user.gebieden),
            "u": user.id,
            "a": user.naam or user.email,
        },
    ).scalar_one()

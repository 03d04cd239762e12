"""'Meld een fout': a resident reports what is wrong on an organisation's page.

The one write of the public pages, so it lives with the records: validation in plain Dutch
(:func:`clean_melding`) and the insert (:func:`add_melding`), which only reaches an
organisation the caller may see (published, visible). No IP address is stored.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from geo.errors import GeoError
from geo.records.fields import EMAIL

MELDING_MAX = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # PostgreSQL text takes no NUL
MELDING_SQL = sa.text(
    "INSERT INTO melding (organisatie_id, tekst, email, taal) "
    "SELECT id, :tekst, :email, :taal FROM organisatie "
    "WHERE id = :id AND status = 'gepubliceerd' AND zichtbaarheid::text = ANY(:visibility) "
    "RETURNING id"
)


class MeldingError(GeoError, ValueError):
    """A reported error that cannot be stored; the message is plain Dutch for the resident."""


def clean_melding(tekst: str | None, email: str | None) -> tuple[str, str | None]:
    """Validate a reported error; raise :class:`MeldingError` with a B1 message."""
    tekst = CONTROL.sub("", (tekst or "").replace("\r\n", "\n")).strip()
    email = CONTROL.sub("", email or "").strip() or None
    if not tekst:
        raise MeldingError("Schrijf wat er niet klopt. Het tekstvak is nog leeg.")
    if len(tekst) > MELDING_MAX:
        raise MeldingError(
            f"Uw tekst is te lang: {len(tekst)} tekens. Gebruik niet meer dan {MELDING_MAX} tekens."
        )
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise MeldingError("Dit e-mailadres klopt niet. Kijk het na of laat het leeg.")
    return tekst, email


def add_melding(
    conn: sa.Connection,
    organisatie_id: int,
    tekst: str,
    email: str | None,
    visibility: tuple[str, ...],
    taal: str = "nl",
) -> int | None:
    """Store a reported error (status ``nieuw``); None when the organisation is not visible.

    ``tekst`` and ``email`` must have passed :func:`clean_melding`. No IP address is stored.
    ``taal``: the language of the page (the editors' answer by e-mail goes out in it).
    """
    if not 0 < organisatie_id < 2**63:
        return None
    return conn.execute(
        MELDING_SQL,
        {
            "id": organisatie_id,
            "tekst": tekst,
            "email": email,
            "visibility": list(visibility),
            "taal": taal,
        },
    ).scalar_one_or_none()

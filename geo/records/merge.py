"""Merging two duplicate organisations (queue ``dubbel``), field by field, through the ORM.

The editor keeps one of the two organisations and chooses per field which organisation's
value it gets (:data:`MERGE_FIELDS`). The services, locations and contact persons of the
other organisation move to the kept one, the other is archived (``status='gearchiveerd'``,
never deleted) and the ``mogelijk_dubbel`` row becomes ``samengevoegd``. Every write goes
through the models of geo/records/models.py with the editor named in the audit trail.
"Geen dubbel" closes the row as ``geen_dubbel`` (geo/records/inbox.py ``close``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from geo.accounts import User
from geo.records import inbox
from geo.records.audit import set_writer
from geo.records.models import Organisatie

# (field, Dutch label) an editor chooses between.
MERGE_FIELDS = (
    ("naam", "Naam"),
    ("omschrijving", "Omschrijving"),
    ("telefoon", "Telefoon"),
    ("email", "E-mailadres"),
    ("website", "Website"),
    ("kvk_nummer", "KvK-nummer"),
    ("zichtbaarheid", "Zichtbaarheid"),
)


class MergeError(inbox.InboxError):
    """A merge that cannot be done; the message is Dutch for the editor."""


def side_by_side(conn: sa.Connection, item: dict) -> dict[str, Any]:
    """Both organisations of a duplicate pair with their fields, services and locations."""
    with Session(bind=conn) as session:
        pair = [session.get(Organisatie, item[k]) for k in ("organisatie_a", "organisatie_b")]
        if any(org is None for org in pair):
            raise MergeError("Een van de twee organisaties bestaat niet meer.")
        return {
            "velden": [
                {
                    "veld": field,
                    "label": label,
                    "a": getattr(pair[0], field),
                    "b": getattr(pair[1], field),
                    "verschil": getattr(pair[0], field) != getattr(pair[1], field),
                }
                for field, label in MERGE_FIELDS
            ],
            "organisaties": [_summary(org) for org in pair if org is not None],
        }


def _summary(org: Organisatie) -> dict:
    return {
        "id": org.id,
        "naam": org.naam,
        "status": org.status,
        "aanbod": [a.naam for a in org.aanbod if a.status == "gepubliceerd"],
        "locaties": [
            " ".join(
                str(p)
                for p in (
                    loc.straat,
                    f"{loc.huisnummer or ''}{loc.huisletter or ''}",
                    loc.postcode,
                    loc.woonplaats,
                )
                if p
            )
            for loc in org.locaties
            if loc.status == "gepubliceerd"
        ],
    }


def merge_duplicates(
    conn: sa.Connection,
    user: User,
    item_id: int,
    keep: str,
    choices: dict[str, str],
    bericht: str | None = None,
) -> int:
    """Merge the pair of ``mogelijk_dubbel`` row ``item_id``; returns the kept organisation id.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a transaction (the caller commits).
    user : User
        The editor (audit trail, scope, ``afgehandeld_door``).
    item_id : int
        The ``mogelijk_dubbel`` row; it must be open and within the editor's scope.
    keep : str
        ``"a"`` or ``"b"``: the organisation that stays.
    choices : dict
        Field -> ``"a"`` or ``"b"``: whose value the kept organisation gets; fields not
        named keep the kept organisation's value.

    Raises
    ------
    MergeError
        For an item that is not open or not visible, a bad choice, or an organisation that
        no longer exists.
    """
    item = inbox.get_item(conn, user, "dubbel", item_id)
    if item is None or item["status"] != "open":
        raise MergeError("Deze mogelijke dubbeling is al afgehandeld of bestaat niet.")
    _check_choices(keep, choices)
    set_writer(conn, user.email)
    with Session(bind=conn, autoflush=False) as session:
        orgs = {
            "a": session.get(Organisatie, item["organisatie_a"]),
            "b": session.get(Organisatie, item["organisatie_b"]),
        }
        kept, other = orgs[keep], orgs["b" if keep == "a" else "a"]
        if kept is None or other is None:
            raise MergeError("Een van de twee organisaties bestaat niet meer.")
        for field, side in choices.items():
            value = getattr(orgs[side], field)
            if getattr(kept, field) != value:
                setattr(kept, field, value)
        _move(other, kept)
        session.flush()
        kept_id = kept.id
        session.commit()  # the caller's connection transaction stays open
    closed = inbox.close(
        conn, user, "dubbel", item_id, "samengevoegd", bericht, allowed=("samengevoegd",)
    )
    if closed is None:
        raise MergeError("Deze mogelijke dubbeling is al afgehandeld of bestaat niet.")
    return kept_id


def _check_choices(keep: str, choices: dict[str, str]) -> None:
    if keep not in ("a", "b") or any(v not in ("a", "b") for v in choices.values()):
        raise MergeError("Kies per veld organisatie A of B.")
    if set(choices) - {field for field, _ in MERGE_FIELDS}:
        raise MergeError("Onbekend veld in de keuze.")


def _move(other: Organisatie, kept: Organisatie) -> None:
    """Services, locations and contact persons of ``other`` move over; ``other`` is archived."""
    for service in list(other.aanbod):
        service.organisatie = kept
    for location in list(other.locaties):
        location.organisatie = kept
    for person in list(other.contactpersonen):
        person.organisatie = kept
    other.status = "gearchiveerd"


__all__ = ["MERGE_FIELDS", "MergeError", "merge_duplicates", "side_by_side"]

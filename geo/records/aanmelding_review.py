"""The review of a proposal: side by side, approval through the ORM, rejection, the answer.

Queues ``aanmeldingen`` and ``verificatie`` (geo/records/inbox.py).

Approval writes with the editor named in the audit trail (geo/records/audit.py): a new
organisation gets its services and locations (addresses geocoded with the project's
cascade, geo/geocode.py); a change updates the organisation and changes or adds locations
and services. The editor may edit the proposed values first (the same form keys as
/aanmelden, checked by ``aanmelding.parse_form``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import WKTElement
from sqlalchemy.orm import Session

from geo.accounts import User
from geo.records import fields as f
from geo.records import inbox, queues
from geo.records.aanmelding import (
    BRON,
    LOCATION_FIELDS,
    ORG_FIELDS,
    SERVICE_FIELDS,
    AanmeldingError,
    geocode_location,
)
from geo.records.audit import set_writer
from geo.records.models import Aanbod, AanbodLocatie, Locatie, Organisatie
from geo.records.models import aanbod_doelgroep as doelgroep_links
from geo.records.models import aanbod_thema as thema_links


def queue_of(soort: str) -> str:
    """The inbox queue of an aanmelding of ``soort``."""
    return "verificatie" if soort == "verificatie" else "aanmeldingen"


def _as_text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    return ", ".join(value) if isinstance(value, list) else str(value)


def _current(org: Organisatie | None) -> dict[str, Any]:
    """The organisation as ``gegevens`` (every location and service an editor may see)."""
    if org is None:
        return {"locaties": [], "aanbod": []}
    data: dict[str, Any] = {k: getattr(org, k) for k, _ in ORG_FIELDS}
    data["locaties"] = [
        {
            "id": loc.id,
            "straat": loc.straat,
            "huisnummer": f"{loc.huisnummer or ''}{loc.huisletter or ''}"
            + (f"-{loc.toevoeging}" if loc.toevoeging else "")
            or None,
            "postcode": loc.postcode,
            "woonplaats": loc.woonplaats,
        }
        for loc in org.locaties
        if loc.status == "gepubliceerd"
    ]
    data["aanbod"] = [
        {
            "id": a.id,
            "naam": a.naam,
            "omschrijving": a.omschrijving,
            "openingstijden": (a.openingstijden or {}).get("tekst"),
            "kosten": a.kosten,
            "aanmelden": a.aanmelden,
        }
        for a in org.aanbod
        if a.status == "gepubliceerd"
    ]
    return data


def _themes(conn: sa.Connection, service_id: int) -> dict[str, list[str]]:
    return {
        "themas": list(
            conn.execute(
                sa.select(thema_links.c.thema_slug).where(thema_links.c.aanbod_id == service_id)
            ).scalars()
        ),
        "doelgroepen": list(
            conn.execute(
                sa.select(doelgroep_links.c.doelgroep_slug).where(
                    doelgroep_links.c.aanbod_id == service_id
                )
            ).scalars()
        ),
    }


def compare(conn: sa.Connection, item: dict) -> list[dict]:
    """The proposal next to the current record, field by field, per part.

    Returns
    -------
    list of dict
        One dict per part (``titel``, ``prefix`` of its form keys, ``rijen``); each row has
        ``sleutel`` (form key), ``label``, ``huidig``, ``voorstel`` and ``verschil``.
    """
    proposal = item["gegevens"]
    with Session(bind=conn) as session:
        org = session.get(Organisatie, item["organisatie_id"]) if item["organisatie_id"] else None
        current = _current(org)
    for service in current["aanbod"]:
        service |= _themes(conn, service["id"])

    def rows(prefix: str, fields: tuple, now: dict, new: dict) -> list[dict]:
        return [
            {
                "sleutel": prefix + k,
                "veld": k,
                "label": label,
                "huidig": _as_text(now.get(k)),
                "voorstel": _as_text(new.get(k)),
                "waarde": new.get(k),
                "verschil": _as_text(now.get(k)) != _as_text(new.get(k)),
            }
            for k, label in fields
        ]

    parts: list[dict[str, Any]] = [
        {"titel": "Organisatie", "prefix": "", "rijen": rows("", ORG_FIELDS, current, proposal)}
    ]
    for part, title, fields in (
        ("locaties", "Adres", LOCATION_FIELDS),
        ("aanbod", "Aanbod", SERVICE_FIELDS),
    ):
        by_id = {x["id"]: x for x in current[part]}
        for i, new in enumerate(proposal.get(part) or []):
            now = by_id.get(new.get("id"), {})
            prefix = f"{part}-{i}-"
            parts.append(
                {
                    "titel": f"{title} {i + 1}" + ("" if now else " (nieuw)"),
                    "prefix": prefix,
                    "id": new.get("id") if now else None,
                    "soort": part,
                    "rijen": rows(prefix, fields, now, new),
                }
            )
    return parts


def approve(
    conn: sa.Connection, user: User, item_id: int, soort: str, data: dict, bericht: str | None
) -> dict:
    """Apply an (edited) proposal through the ORM and close it as ``goedgekeurd``.

    A new organisation gets its services and locations (addresses geocoded with the
    project's cascade); a change updates the organisation, changes or adds locations and
    services. Returns the closed item (with ``organisatie_id``).

    Raises
    ------
    AanmeldingError
        When the item is not open, an address cannot be found, or the proposal names a
        location or service of another organisation.
    """
    name = queue_of(soort)
    item = inbox.get_item(conn, user, name, item_id)
    if item is None or item["status"] not in queues.QUEUES[name].open_statuses:
        raise AanmeldingError({"": "Deze aanmelding is al afgehandeld of bestaat niet."})
    points = {}
    for i, loc in enumerate(data["locaties"]):
        found = geocode_location(conn, loc)
        if found is None:
            raise AanmeldingError(
                {f"locaties-{i}-postcode": "Dit adres is niet gevonden in het gebied."}
            )
        points[i] = found
    set_writer(conn, user.email)
    with Session(bind=conn, autoflush=False) as session:
        org = _organisation(session, item, data)
        _apply(session, org, data, points)
        session.flush()
        org_id = org.id
        session.commit()  # the caller's transaction stays open
    conn.execute(
        sa.text(
            "UPDATE aanmelding SET gegevens = CAST(:g AS jsonb), organisatie_id = :org "
            "WHERE id = :id"
        ),
        {"g": json.dumps(data, ensure_ascii=False), "org": org_id, "id": item_id},
    )
    closed = inbox.close(
        conn, user, name, item_id, "goedgekeurd", bericht, allowed=("goedgekeurd",)
    )
    if closed is None:
        raise AanmeldingError({"": "Deze aanmelding is al afgehandeld of bestaat niet."})
    return closed


def _organisation(session: Session, item: dict, data: dict) -> Organisatie:
    if item["organisatie_id"] is None:
        org = Organisatie(bron=BRON, bron_id=f"{item['id']}-{uuid.uuid4().hex[:8]}")
        session.add(org)
    else:
        found = session.get(Organisatie, item["organisatie_id"])
        if found is None:
            raise AanmeldingError({"": "Deze organisatie bestaat niet meer."})
        org = found
    for k, _ in ORG_FIELDS:
        if getattr(org, k, None) != data.get(k):
            setattr(org, k, data.get(k))
    org.laatst_geverifieerd_op = dt.date.today()
    return org


def _apply(session: Session, org: Organisatie, data: dict, points: dict) -> None:
    """Locations and services of the proposal onto ``org`` (new ones added)."""
    locations = [
        _apply_location(session, org, i, loc, points[i]) for i, loc in enumerate(data["locaties"])
    ]
    session.flush()
    for i, new in enumerate(data["aanbod"]):
        _apply_service(session, org, i, new, locations)


def _apply_location(session: Session, org: Organisatie, i: int, loc: dict, point: dict) -> Locatie:
    row = next((x for x in org.locaties if x.id == loc["id"]), None) if loc["id"] else None
    if loc["id"] and row is None:
        raise AanmeldingError({f"locaties-{i}-id": "Dit adres hoort niet bij deze organisatie."})
    if row is None:
        row = Locatie(organisatie=org, bron=BRON, bron_id=uuid.uuid4().hex)
        session.add(row)
    number, letter, addition = f.house(str(loc["huisnummer"]))
    values = {
        "straat": loc["straat"],
        "huisnummer": number,
        "huisletter": letter or None,
        "toevoeging": addition or None,
        "postcode": loc["postcode"],
        "woonplaats": loc["woonplaats"],
    }
    moved = any(getattr(row, k) != v for k, v in values.items())
    for k, v in values.items():
        if getattr(row, k) != v:
            setattr(row, k, v)
    if moved or row.geom is None:
        row.geom = WKTElement(f"POINT({point['x']} {point['y']})", srid=28992)
        row.geocode_precisie, row.geocode_bron = point["precisie"], point["bron"]
    row.laatst_geverifieerd_op = dt.date.today()
    return row


def _apply_service(
    session: Session, org: Organisatie, i: int, new: dict, locations: list[Locatie]
) -> None:
    service = next((a for a in org.aanbod if a.id == new["id"]), None) if new["id"] else None
    if new["id"] and service is None:
        raise AanmeldingError({f"aanbod-{i}-id": "Dit aanbod hoort niet bij deze organisatie."})
    if service is None:
        service = Aanbod(organisatie=org, bron=BRON, bron_id=uuid.uuid4().hex)
        session.add(service)
    values = {k: new.get(k) for k in ("omschrijving", "kosten", "aanmelden")}
    values["naam"] = new.get("naam") or org.naam
    values["openingstijden"] = (
        f.opening_hours(new["openingstijden"]) if new.get("openingstijden") else None
    )
    for k, v in values.items():
        if getattr(service, k) != v:
            setattr(service, k, v)
    service.laatst_geverifieerd_op = dt.date.today()
    session.flush()
    _links(session, service.id, new)
    if not new["id"]:
        for loc in locations or [x for x in org.locaties if x.status == "gepubliceerd"]:
            session.add(AanbodLocatie(aanbod_id=service.id, locatie_id=loc.id, bron=BRON))


def _links(session: Session, service_id: int, new: dict) -> None:
    """Replace a service's themes and doelgroepen when the proposal names them."""
    for table, column, slugs in (
        (thema_links, "thema_slug", new.get("themas")),
        (doelgroep_links, "doelgroep_slug", new.get("doelgroepen")),
    ):
        if not slugs:
            continue
        session.execute(sa.delete(table).where(table.c.aanbod_id == service_id))
        session.execute(sa.insert(table), [{"aanbod_id": service_id, column: s} for s in slugs])


def reject(conn: sa.Connection, user: User, item_id: int, soort: str, bericht: str | None) -> dict:
    """Close a proposal as ``afgewezen`` with a message; nothing is published.

    Raises
    ------
    AanmeldingError
        When the item is not open or not within the editor's scope.
    """
    closed = inbox.close(conn, user, queue_of(soort), item_id, "afgewezen", bericht)
    if closed is None:
        raise AanmeldingError({"": "Deze aanmelding is al afgehandeld of bestaat niet."})
    return closed

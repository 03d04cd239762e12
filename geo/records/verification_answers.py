"""Answers to a verification link: show the record, "Alles klopt", "Er is iets veranderd".

The rules (single use, expiry, the shape of the proposal in ``aanmelding.gegevens``) are
described in geo/records/verification.py; this module reads and writes one request.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from geo.records.audit import set_writer
from geo.records.fields import EMAIL
from geo.records.models import Organisatie
from geo.records.verification import (
    LOCATION_FIELDS,
    MAX_TEXT,
    ORG_FIELDS,
    SERVICE_FIELDS,
    LinkGone,
    LinkUnknown,
    VerificationError,
)


def _load(conn: sa.Connection, verzoek_id: int, lock: bool = False):
    row = conn.execute(
        sa.text(
            "SELECT v.id, v.organisatie_id, v.email, v.beantwoord_op, v.geopend_op, "
            "v.verloopt_op <= now() AS verlopen, r.gemeentecode "
            "FROM verificatie_verzoek v JOIN verificatie_ronde r ON r.id = v.ronde_id "
            "WHERE v.id = :id" + (" FOR UPDATE OF v" if lock else "")
        ),
        {"id": verzoek_id},
    ).one_or_none()
    if row is None:
        raise LinkUnknown("Deze link kennen we niet.")
    if row.beantwoord_op is not None:
        raise LinkGone("Deze link is al gebruikt.")
    if row.verlopen:
        raise LinkGone("Deze link is verlopen.")
    return row


def open_request(conn: sa.Connection, verzoek_id: int) -> dict:
    """The organisation's current record for the answer page; marks the link opened once.

    Returns ``{"verzoek_id", "organisatie": {...}, "locaties": [...], "aanbod": [...]}``
    (published records only). Raises :class:`LinkUnknown` or :class:`LinkGone`.
    """
    row = _load(conn, verzoek_id)
    if row.geopend_op is None:
        conn.execute(
            sa.text(
                "UPDATE verificatie_verzoek SET geopend_op = now() "
                "WHERE id = :id AND geopend_op IS NULL"
            ),
            {"id": verzoek_id},
        )
    org = Session(bind=conn).get(Organisatie, row.organisatie_id)
    if org is None:
        raise LinkUnknown("Deze organisatie staat niet meer op de sociale kaart.")
    return {
        "verzoek_id": verzoek_id,
        "organisatie": {f: getattr(org, f) for f in (*ORG_FIELDS, "id")}
        | {"laatst_geverifieerd_op": org.laatst_geverifieerd_op},
        "locaties": [
            {
                "id": loc.id,
                "straat": loc.straat,
                "huisnummer": "".join(
                    p
                    for p in (
                        str(loc.huisnummer or ""),
                        loc.huisletter or "",
                        f"-{loc.toevoeging}" if loc.toevoeging else "",
                    )
                )
                or None,
                "postcode": loc.postcode,
                "woonplaats": loc.woonplaats,
            }
            for loc in org.locaties
            if loc.status == "gepubliceerd"
        ],
        "aanbod": [
            {
                "id": svc.id,
                "naam": svc.naam,
                "omschrijving": svc.omschrijving,
                "openingstijden": (svc.openingstijden or {}).get("tekst"),
            }
            for svc in org.aanbod
            if svc.status == "gepubliceerd"
        ],
    }


def confirm(conn: sa.Connection, verzoek_id: int) -> None:
    """'Alles klopt': verified today on the organisation, its services and locations (once)."""
    row = _load(conn, verzoek_id, lock=True)
    session = Session(bind=conn)
    org = session.get(Organisatie, row.organisatie_id)
    if org is None:
        raise LinkUnknown("Deze organisatie staat niet meer op de sociale kaart.")
    set_writer(session, f"verificatie: {row.email or org.email or 'brief'}")
    today = dt.date.today()
    org.laatst_geverifieerd_op = today
    for svc in org.aanbod:
        if svc.status == "gepubliceerd":
            svc.laatst_geverifieerd_op = today
    for loc in org.locaties:
        if loc.status == "gepubliceerd":
            loc.laatst_geverifieerd_op = today
    session.flush()
    _answer(conn, verzoek_id, "klopt")


def _answer(conn: sa.Connection, verzoek_id: int, antwoord: str) -> None:
    conn.execute(
        sa.text(
            "UPDATE verificatie_verzoek SET beantwoord_op = now(), antwoord = :a, "
            "geopend_op = coalesce(geopend_op, now()) WHERE id = :id"
        ),
        {"a": antwoord, "id": verzoek_id},
    )


def _clean(value: object, label: str) -> str | None:
    text = " ".join(str(value or "").split()) if label != "omschrijving" else str(value or "")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise VerificationError(f"{label.capitalize()} is te lang (meer dan {MAX_TEXT} tekens).")
    return text or None


def proposal(current: dict, form: dict[str, str]) -> dict:
    """The proposed record from the answer form (keys ``org-naam``, ``loc-<id>-straat``, ...).

    Only ids of the current record are read; raises :class:`VerificationError` for a bad
    e-mail address or website, or an empty name.
    """
    org = {f: _clean(form.get(f"org-{f}"), f) for f in ORG_FIELDS}
    if not org["naam"]:
        raise VerificationError("Vul de naam van de organisatie in.")
    if org["email"] and not EMAIL.match(org["email"]):
        raise VerificationError("Het e-mailadres klopt niet (zoals info@voorbeeld.nl).")
    if org["website"] and not org["website"].lower().startswith(("http://", "https://")):
        org["website"] = "https://" + org["website"]
    return org | {
        "locaties": [
            {"id": loc["id"]}
            | {f: _clean(form.get(f"loc-{loc['id']}-{f}"), f) for f in LOCATION_FIELDS}
            for loc in current["locaties"]
        ],
        "aanbod": [
            {"id": svc["id"]}
            | {f: _clean(form.get(f"aanbod-{svc['id']}-{f}"), f) for f in SERVICE_FIELDS}
            for svc in current["aanbod"]
        ],
        "toelichting": _clean(form.get("opmerking"), "opmerking"),
    }


def propose_changes(
    conn: sa.Connection, verzoek_id: int, gegevens: dict, email: str, naam: str | None
) -> int:
    """'Er is iets veranderd': store the proposal for the editors; returns the aanmelding id."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise VerificationError("Vul uw e-mailadres in, zodat wij u kunnen antwoorden.")
    row = _load(conn, verzoek_id, lock=True)
    aanmelding = conn.execute(
        sa.text(
            "INSERT INTO aanmelding (soort, organisatie_id, gegevens, naam, email, gemeentecode) "
            "VALUES ('verificatie', :org, :gegevens, :naam, :email, :gm) RETURNING id"
        ).bindparams(sa.bindparam("gegevens", type_=JSONB)),
        {
            "org": row.organisatie_id,
            "gegevens": gegevens,
            "naam": (naam or "").strip()[:200] or None,
            "email": email,
            "gm": row.gemeentecode,
        },
    ).scalar_one()
    _answer(conn, verzoek_id, "gewijzigd")
    return aanmelding

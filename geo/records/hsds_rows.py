"""HSDS 3.0 tables -> flat import rows (one per service at a location), keeping every HSDS field.

Fields with a column of their own go to the flat columns the validator reads. Everything else
that matters for a social map travels in JSON passthrough values (``hsds_organisatie``,
``hsds_aanbod``, ``hsds_locatie``, ``hsds_koppeling``, ``contactpersonen``, ...), stored as
they came (``organisatie.hsds`` etc.) so the export writes them back (the ``hsds_*`` ones are
built in ``hsds_kept``; the indexed tables are ``hsds_index.Tables``). ``notities`` are
warnings for the editors (a postal address used, unmapped taxonomy terms).
"""

from __future__ import annotations

import json
import re

from geo.records import fields as f
from geo.records.address import split_street
from geo.records.hsds_index import PRECISION_TRAIT, SOURCE_TRAIT, TRAITS, Tables
from geo.records.hsds_kept import KVK_SCHEME, kept_fields
from geo.records.hsds_schedule import opening_hours
from geo.records.hsds_taxonomy import OWN, age_groups, map_terms
from geo.records.readers import RawRow

DUTCH = {"", "nl", "nld", "nederland", "netherlands", "the netherlands", "holland"}
CBS_CODE = re.compile(r"\b(?:GM\d{4}|WK\d{6}|BU\d{8})\b")


def _number(value) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _phone_number(phone: dict) -> str:
    return str(phone.get("number") or "").strip().strip("\"'").strip()


def build_rows(t: dict[str, list[dict]]) -> list[RawRow]:
    """One flat row per service at a location.

    A service without any ``service_at_location`` is offered at every location of its
    organisation (or gets one row without a place, which the validator rejects).
    """
    tables = Tables(t)
    sals = list(t.get("service_at_location", []))
    headers = [f"service_at_location[{i}]" for i in range(len(sals))]
    linked = {str(s.get("service_id")) for s in sals}
    for i, service in enumerate(t.get("service", [])):
        if str(service["id"]) in linked:
            continue
        places = tables.of("location", "organization_id", service.get("organization_id"))
        for location in places or [{}]:
            sals.append(
                {
                    "id": f"{service['id']}@{location.get('id', '')}".rstrip("@"),
                    "service_id": service["id"],
                    "location_id": location.get("id", ""),
                }
            )
            headers.append(f"service[{i}]")
    rows = []
    for number, (sal, where) in enumerate(zip(sals, headers, strict=True), start=2):
        values = _flat(tables, sal)
        rows.append(RawRow(number, values, {c: f"{where}.{c}" for c in values}))
    return rows


def _pick_address(tables: Tables, location: dict, notes: list) -> dict:
    addresses = tables.of("address", "location_id", location.get("id"))
    physical = [a for a in addresses if str(a.get("address_type") or "physical") == "physical"]
    if physical:
        return physical[0]
    postal = [a for a in addresses if a.get("address_type") == "postal"]
    if postal:
        line = ", ".join(filter(None, (postal[0].get(k) for k in ("address_1", "city"))))
        notes.append(
            [
                "adres",
                "de locatie heeft alleen een postadres; ze staat op de kaart op dat adres",
                line,
            ]
        )
        return postal[0]
    return {}


def _flat(tables: Tables, sal: dict) -> dict[str, str]:
    service = tables.get("service", sal.get("service_id"))
    location = tables.get("location", sal.get("location_id"))
    org = tables.get("organization", service.get("organization_id")) or tables.get(
        "organization", location.get("organization_id")
    )
    notes: list[list[str]] = []
    address = _pick_address(tables, location, notes)
    country = str(address.get("country") or "").strip()
    foreign = country.lower() not in DUTCH
    street, number = split_street(str(address.get("address_1") or ""))
    traits = tables.traits(sal.get("id"))
    precision = tables.traits(location.get("id")).get(PRECISION_TRAIT, "")
    use_point = not foreign and precision in ("", "handmatig")
    themes, groups, terms, note = _taxonomy(tables, service)
    notes.extend(note)
    org_phones = tables.of("phone", "organization_id", org.get("id"))
    # The location's own number: a phone of the location, else of this service there.
    place_phones = tables.of("phone", "location_id", location.get("id")) + tables.of(
        "phone", "service_at_location_id", sal.get("id")
    )
    phones = (
        org_phones
        + tables.of("phone", "service_at_location_id", sal.get("id"))
        + tables.of("phone", "service_id", service.get("id"))
        + tables.of("phone", "location_id", location.get("id"))
    )
    schedules = (
        tables.of("schedule", "service_at_location_id", sal.get("id"))
        or tables.of("schedule", "service_id", service.get("id"))
        or tables.of("schedule", "location_id", location.get("id"))
    )
    hours = opening_hours(schedules)
    kvk = next(
        (
            i.get("identifier", "")
            for i in tables.of("organization_identifier", "organization_id", org.get("id"))
            if i.get("identifier_scheme") == KVK_SCHEME
        ),
        "",
    )
    values = {
        "id": tables.key("service_at_location", sal) if sal.get("id") else "",
        "organisatie": org.get("name", ""),
        "organisatie_id": tables.key("organization", org) if org else "",
        "kvk": kvk,
        "omschrijving": org.get("description", ""),
        "aanbod": service.get("name", ""),
        "aanbod_id": tables.key("service", service) if service else "",
        "aanbod_omschrijving": service.get("description", ""),
        "thema": "; ".join(themes),
        "doelgroep": "; ".join(groups),
        "locatie_naam": location.get("name", ""),
        "locatie_id": tables.key("location", location) if location else "",
        "straat": "" if foreign else street,
        "huisnummer": "" if foreign else number,
        "postcode": "" if foreign else address.get("postal_code", ""),
        "plaats": address.get("city", ""),
        "land": country if foreign else "",
        "lat": location.get("latitude", "") if use_point else "",
        "lon": location.get("longitude", "") if use_point else "",
        "organisatie_telefoon": next((_phone_number(p) for p in phones if _phone_number(p)), ""),
        "telefoon": next((_phone_number(p) for p in place_phones if _phone_number(p)), ""),
        "bron": traits.get(SOURCE_TRAIT) or tables.traits(org.get("id")).get(SOURCE_TRAIT, ""),
        "email": org.get("email", "") or service.get("email", ""),
        "website": org.get("website", "") or service.get("url", ""),
        "openingstijden_json": json.dumps(hours, ensure_ascii=False) if hours else "",
        "kosten": _costs(tables, service),
        "aanmelden": service.get("application_process", ""),
        "voorwaarden": _eligibility(service),
        "toegankelijkheid": _accessibility(tables, location),
        "talen": "; ".join(
            str(x.get("code") or x.get("name") or "")
            for x in tables.of("language", "service_id", service.get("id"))
        ),
        "laatst_geverifieerd": service.get("assured_date", ""),
        "werkgebied": "; ".join(_areas(tables, service)),
        "contactpersonen": json.dumps(_contacts(tables, org, service, sal, location)),
        "notities": json.dumps(notes, ensure_ascii=False) if notes else "",
    } | {k: traits.get(k, "") for k in TRAITS}
    values |= kept_fields(tables, org, service, location, sal, terms, org_phones)
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _taxonomy(tables: Tables, service: dict) -> tuple[list, list, list, list]:
    terms = tables.terms(service.get("id"))
    foreign = [t for t in terms if t.get("taxonomy") not in OWN]
    themes, groups, unmapped = map_terms(terms, tables.mapping)
    groups = groups or age_groups(
        _number(service.get("minimum_age", "")), _number(service.get("maximum_age", ""))
    )
    notes = []
    if not themes and service:
        themes = [tables.mapping.default_theme]
        names = ", ".join(str(t.get("name") or t.get("code") or "") for t in unmapped)
        notes.append(
            [
                "thema",
                "geen term hoort bij een thema van de sociale kaart; het aanbod staat "
                f"voorlopig onder '{themes[0]}' (kies een thema bij het aanbod)",
                names,
            ]
        )
    return themes, groups, foreign, notes


def _costs(tables: Tables, service: dict) -> str:
    text = service.get("fees_description") or service.get("fees") or ""
    if text:
        return text
    parts = []
    for option in tables.of("cost_option", "service_id", service.get("id")):
        amount = " ".join(
            str(option.get(k) or "") for k in ("amount", "currency", "amount_description")
        )
        parts.append(": ".join(filter(None, (option.get("option"), " ".join(amount.split())))))
    return "; ".join(filter(None, parts))


def _eligibility(service: dict) -> str:
    text = service.get("eligibility_description") or ""
    low, high = _number(service.get("minimum_age", "")), _number(service.get("maximum_age", ""))
    if text or (low is None and high is None):
        return text
    if low is not None and high is not None:
        return f"Leeftijd: {low:g} tot en met {high:g} jaar"
    return f"Leeftijd: vanaf {low:g} jaar" if low is not None else f"Leeftijd: tot {high:g} jaar"


def _accessibility(tables: Tables, location: dict) -> str:
    parts = []
    for item in tables.of("accessibility", "location_id", location.get("id")):
        parts.append(" ".join(filter(None, (item.get("description"), item.get("details")))))
    return "; ".join(filter(None, parts))


def _areas(tables: Tables, service: dict) -> list[str]:
    """CBS codes named in the service areas, and their names (matched to gemeenten later)."""
    out: list[str] = []
    for area in tables.of("service_area", "service_id", service.get("id")):
        text = " ".join(str(area.get(k) or "") for k in ("name", "description", "extent", "uri"))
        out.extend(CBS_CODE.findall(text))
        if area.get("name") and len(str(area["name"])) <= 100:
            out.append(str(area["name"]).strip())
    return list(dict.fromkeys(out))


def _contacts(tables: Tables, org: dict, service: dict, sal: dict, location: dict) -> list:
    found: dict[str, dict] = {}
    for field, obj in (
        ("organization_id", org),
        ("service_id", service),
        ("service_at_location_id", sal),
        ("location_id", location),
    ):
        for contact in tables.of("contact", field, obj.get("id")):
            found.setdefault(str(contact["id"]), contact)
    out = []
    for key, contact in found.items():
        name = contact.get("name") or contact.get("title") or contact.get("department")
        if not name:
            continue
        try:
            email = f.email(contact.get("email") or "") if contact.get("email") else None
        except f.FieldError:
            email = None
        phone = next(
            (_phone_number(p) for p in tables.of("phone", "contact_id", key) if _phone_number(p)),
            None,
        )
        role = ", ".join(filter(None, (contact.get("title"), contact.get("department"))))
        out.append(
            {"id": key, "naam": name[:200], "functie": role or None, "email": email}
            | {"telefoon": phone[:50] if phone else None}
        )
    return out


__all__ = ["build_rows"]

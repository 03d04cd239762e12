"""HSDS 3.0 tables -> flat import rows (one per service at a location), keeping every HSDS field.

Fields with a column of their own go to the flat columns the validator reads. Everything else
that matters for a social map travels in JSON passthrough values (``hsds_organisatie``,
``hsds_aanbod``, ``hsds_locatie``, ``hsds_koppeling``, ``contactpersonen``, ...), stored as
they came (``organisatie.hsds`` etc.) so the export writes them back. ``notities`` are warnings
for the editors (a postal address used, unmapped taxonomy terms).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from geo.records import fields as f
from geo.records.address import split_street
from geo.records.hsds_schedule import opening_hours
from geo.records.hsds_taxonomy import GROUP, OWN, THEME, TRAIT, age_groups, load_mapping, map_terms
from geo.records.readers import RawRow

KVK_SCHEME = "NL-KVK"
TRAITS = ("vertrouwelijk", "zichtbaarheid", "synthetisch", "capaciteit")
KEY_TRAIT, PRECISION_TRAIT = "bron_id", "geocode_precisie"
SOURCE_TRAIT = "bron"  # the source (import_run.bron) our own export wrote for each record
DUTCH = {"", "nl", "nld", "nederland", "netherlands", "the netherlands", "holland"}
CBS_CODE = re.compile(r"\b(?:GM\d{4}|WK\d{6}|BU\d{8})\b")
# Extra fields kept per object (besides the nested lists named in _objects below).
KEEP = {
    "organization": (
        "alternate_name",
        "parent_organization_id",
        "legal_status",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "logo",
        "uri",
    ),
    "service": (
        "alternate_name",
        "status",
        "url",
        "email",
        "interpretation_services",
        "minimum_age",
        "maximum_age",
        "alert",
        "accreditations",
        "licenses",
        "fees_description",
        "eligibility_description",
    ),
    "location": (
        "location_type",
        "alternate_name",
        "description",
        "transportation",
        "url",
        "external_identifier",
        "external_identifier_type",
    ),
    "service_at_location": ("description",),
}


def _clean(obj: dict, drop: tuple[str, ...] = ()) -> dict:
    """An HSDS object without empty fields and without the references in ``drop``."""
    return {k: v for k, v in obj.items() if v not in (None, "") and k not in drop}


def _number(value) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _phone_number(phone: dict) -> str:
    return str(phone.get("number") or "").strip().strip("\"'").strip()


class Tables:
    """The tables of one file with the indexes the rows need."""

    def __init__(self, t: dict[str, list[dict]]):
        self.t = t
        self.by_id = {name: {str(r["id"]): r for r in rows} for name, rows in t.items()}
        self._ix: dict[tuple[str, str], dict[str, list[dict]]] = {}
        taxonomies = self.by_id.get("taxonomy", {})
        for term in t.get("taxonomy_term", []):
            if not term.get("taxonomy") and term.get("taxonomy_id") in taxonomies:
                term["taxonomy"] = taxonomies[term["taxonomy_id"]].get("name", "")
        self.mapping = load_mapping()
        self.keys = {name: self._keys(name) for name in t}

    def get(self, table: str, key) -> dict:
        """The row of ``table`` with id ``key`` ({} when there is none)."""
        return self.by_id.get(table, {}).get(str(key or ""), {})

    def of(self, table: str, field: str, key) -> list[dict]:
        """Rows of ``table`` whose ``field`` is ``key``."""
        if (table, field) not in self._ix:
            index = defaultdict(list)
            for row in self.t.get(table, []):
                if row.get(field):
                    index[str(row[field])].append(row)
            self._ix[(table, field)] = index
        return self._ix[(table, field)].get(str(key or ""), []) if key else []

    def terms(self, link_id) -> list[dict]:
        """The taxonomy terms attached to an object, each with the attribute's value."""
        out = []
        for attribute in self.of("attribute", "link_id", link_id):
            term = self.get("taxonomy_term", attribute.get("taxonomy_term_id"))
            if term:
                out.append(_clean(term) | _clean({"value": attribute.get("value")}))
        return out

    def traits(self, link_id) -> dict[str, str]:
        """Our own attributes of an object (taxonomy ``sociale-kaart-kenmerk``)."""
        return {
            t.get("code", ""): t.get("value", "")
            for t in self.terms(link_id)
            if t.get("taxonomy") == TRAIT
        }

    def _keys(self, table: str) -> dict[str, str]:
        """HSDS id -> our stable key: the key our own export wrote, else the HSDS id.

        Keys are unique per source: an export of several sources may hold the same key
        once in each (records are stored under their own source again).
        """
        out: dict[str, str] = {}
        used: set[tuple[str, str]] = set()
        for row in self.t.get(table, []):
            key = str(row["id"])
            traits = self.traits(key) if "attribute" in self.t else {}
            restored, source = traits.get(KEY_TRAIT, ""), traits.get(SOURCE_TRAIT, "")
            if restored and (source, restored) not in used:
                key = restored
            out[str(row["id"])] = key
            used.add((source, key))
        return out

    def key(self, table: str, row: dict) -> str:
        """Our stable key of a row (see ``_keys``)."""
        return self.keys.get(table, {}).get(str(row.get("id", "")), str(row.get("id", "")))


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
    values |= _objects(tables, org, service, location, sal, terms, org_phones)
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


def _objects(tables, org, service, location, sal, terms, org_phones) -> dict[str, str]:
    """The HSDS fields without a column, per object, as JSON (stored in ``*.hsds``)."""

    def own(table: str, obj: dict, **lists) -> str:
        if not obj:
            return ""
        data = {"id": str(obj["id"])} | _clean({k: obj.get(k) for k in KEEP[table]})
        data |= {k: v for k, v in lists.items() if v}
        return json.dumps(data, ensure_ascii=False)

    def phones(field: str, obj: dict) -> list[dict]:
        return [_clean(p) for p in tables.of("phone", field, obj.get("id"))]

    def listed(table: str, field: str, obj: dict) -> list[dict]:
        return [_clean(x) for x in tables.of(table, field, obj.get("id"))]

    identifiers = [
        _clean(i)
        for i in tables.of("organization_identifier", "organization_id", org.get("id"))
        if i.get("identifier_scheme") != KVK_SCHEME
    ]
    service_only = [k for k in ("email", "website") if not org.get(k)]
    return {
        "hsds_organisatie": own(
            "organization",
            org,
            phones=[_clean(p) for p in org_phones],
            identifiers=identifiers,
            terms=[t for t in tables.terms(org.get("id")) if t.get("taxonomy") not in OWN],
            leeg=service_only if org else [],
        )
        if org
        else "",
        "hsds_aanbod": own(
            "service",
            service,
            phones=phones("service_id", service),
            schedules=listed("schedule", "service_id", service),
            languages=listed("language", "service_id", service),
            cost_options=listed("cost_option", "service_id", service),
            required_documents=listed("required_document", "service_id", service),
            service_areas=listed("service_area", "service_id", service),
            terms=terms,
        ),
        "hsds_locatie": own(
            "location",
            location,
            phones=phones("location_id", location),
            schedules=listed("schedule", "location_id", location),
            languages=listed("language", "location_id", location),
            addresses=listed("address", "location_id", location),
            accessibility=listed("accessibility", "location_id", location),
        ),
        "hsds_koppeling": own(
            "service_at_location",
            sal,
            phones=phones("service_at_location_id", sal),
            schedules=listed("schedule", "service_at_location_id", sal),
        ),
    }


__all__ = ["GROUP", "KVK_SCHEME", "SOURCE_TRAIT", "THEME", "TRAIT", "TRAITS", "build_rows"]

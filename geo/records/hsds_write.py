"""Write exported rows as HSDS 3 tabular JSON (one array per table)."""

from __future__ import annotations

import json
from pathlib import Path

from geo.records import fields as f
from geo.records.hsds import DAY_CODES, GROUP, KVK_SCHEME, THEME, TRAIT, TRAITS


def _address_line(row: dict) -> str:
    number = row["huisnummer"] + row["huisletter"]
    number += f"-{row['toevoeging']}" if row["toevoeging"] else ""
    return f"{row['straat']} {number}".strip()


def _schedules(service_id: str, text: str) -> list[dict]:
    if not text:
        return []
    try:
        hours = f.opening_hours(text)
    except f.FieldError:
        return [{"id": f"{service_id}#0", "service_id": service_id, "description": text}]
    out = [
        {
            "id": f"{service_id}#{day}{i}",
            "service_id": service_id,
            "freq": "WEEKLY",
            "byday": DAY_CODES[day],
            "opens_at": opens,
            "closes_at": closes,
            "description": text,
        }
        for day, ranges in hours["dagen"].items()
        for i, (opens, closes) in enumerate(ranges)
    ]
    return out or [{"id": f"{service_id}#0", "service_id": service_id, "description": text}]


class _Tables(dict):
    def add(self, table: str, row: dict, key: str = "id") -> None:
        bucket = self.setdefault(table, {})
        bucket.setdefault(row[key], row)


def _attribute(
    tables: _Tables, link_id: str, entity: str, taxonomy: str, code: str, value: str = ""
) -> None:
    term_id = f"{taxonomy}:{code}"
    tables.add(
        "taxonomy_term",
        {"id": term_id, "code": code, "name": code, "taxonomy": taxonomy, "description": ""},
    )
    tables.add(
        "attribute",
        {
            "id": f"{link_id}|{term_id}",
            "link_id": link_id,
            "link_entity": entity,
            "taxonomy_term_id": term_id,
            "value": value,
        },
    )


def _add_row(t: _Tables, row: dict) -> None:
    org, svc, loc = row["organisatie_id"], row["aanbod_key"], row["loc_key"]
    t.add(
        "organization",
        {
            "id": org,
            "name": row["organisatie"],
            "description": row["omschrijving"],
            "email": row["email"],
            "website": row["website"],
        },
    )
    if row["kvk"]:
        t.add(
            "organization_identifier",
            {
                "id": f"{org}|kvk",
                "organization_id": org,
                "identifier_scheme": KVK_SCHEME,
                "identifier_type": "KvK-nummer",
                "identifier": row["kvk"],
            },
        )
    if row["telefoon"]:
        t.add("phone", {"id": f"{org}|tel", "organization_id": org, "number": row["telefoon"]})
    t.add(
        "service",
        {
            "id": svc,
            "organization_id": org,
            "name": row["aanbod"],
            "description": row["aanbod_omschrijving"],
            "status": "active",
            "fees_description": row["kosten"],
            "application_process": row["aanmelden"],
            "eligibility_description": row["voorwaarden"],
            "assured_date": row["laatst_geverifieerd"],
        },
    )
    for schedule in _schedules(svc, row["openingstijden"]):
        t.add("schedule", schedule)
    for code in filter(None, (c.strip() for c in row["talen"].split(";"))):
        t.add("language", {"id": f"{svc}|{code}", "service_id": svc, "code": code, "name": code})
    for code in filter(None, (c.strip() for c in row["thema"].split(";"))):
        _attribute(t, svc, "service", THEME, code)
    for code in filter(None, (c.strip() for c in row["doelgroep"].split(";"))):
        _attribute(t, svc, "service", GROUP, code)
    t.add(
        "location",
        {
            "id": loc,
            "organization_id": org,
            "location_type": "physical",
            "name": row["locatie_naam"],
            "latitude": row["lat"],
            "longitude": row["lon"],
        },
    )
    t.add(
        "address",
        {
            "id": f"{loc}|adres",
            "location_id": loc,
            "address_1": _address_line(row),
            "city": row["plaats"],
            "postal_code": row["postcode"],
            "country": "NL",
            "address_type": "physical",
        },
    )
    if row["toegankelijkheid"]:
        t.add(
            "accessibility",
            {"id": f"{loc}|toegang", "location_id": loc, "description": row["toegankelijkheid"]},
        )
    t.add("service_at_location", {"id": row["id"], "service_id": svc, "location_id": loc})
    for trait in TRAITS:
        if row[trait]:
            _attribute(t, row["id"], "service_at_location", TRAIT, trait, row[trait])


def write_hsds(rows: list[dict], path: Path) -> None:
    """Write HSDS 3 tabular JSON; ids are our stable source ids."""
    tables = _Tables()
    for row in rows:
        _add_row(tables, row)
    data = {"hsds_version": "3.0"} | {name: list(rows.values()) for name, rows in tables.items()}
    data.setdefault("service_at_location", [])
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

"""Open Referral HSDS 3 (tabular form): read into flat rows, write from exported rows.

Accepted input: a JSON object with one array per HSDS table (``organization``, ``service``,
``location``, ``address``, ``service_at_location``, ``phone``, ``schedule``, ``language``,
``accessibility``, ``organization_identifier``, ``taxonomy_term``, ``attribute``), or a
folder / ``.zip`` with ``datapackage.json`` and one CSV per table. Themes and doelgroepen
are taxonomy terms of the taxonomies ``sociale-kaart-thema`` / ``sociale-kaart-doelgroep``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path

from geo.records import fields as f
from geo.records.columns import RecordFileError
from geo.records.readers import RawRow

THEME, GROUP, TRAIT = "sociale-kaart-thema", "sociale-kaart-doelgroep", "sociale-kaart-kenmerk"
KVK_SCHEME = "NL-KVK"
DAY_CODES = dict(zip(f.DAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
TRAITS = ("vertrouwelijk", "zichtbaarheid", "synthetisch", "capaciteit")
ADDRESS = re.compile(r"^(.*\S)\s+(\d{1,5}\s*[A-Za-z]?(?:\s*[-/ ]\s*[A-Za-z0-9]{1,4})?)$")


def is_hsds(path: Path) -> bool:
    """True for an HSDS JSON file, a datapackage folder or a datapackage zip."""
    path = Path(path)
    if path.is_dir():
        return (path / "datapackage.json").exists()
    if path.suffix.lower() == ".zip":
        return True
    return path.suffix.lower() == ".json"


def _load_tables(path: Path) -> dict[str, list[dict]]:
    try:
        if path.is_dir() or path.suffix.lower() == ".zip":
            return _datapackage(path)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, zipfile.BadZipFile, csv.Error) as exc:
        raise RecordFileError(f"{path.name} is not a readable HSDS file: {exc}") from exc
    if not isinstance(data, dict) or "service_at_location" not in data:
        raise RecordFileError(f"{path.name} has no HSDS table 'service_at_location'")
    return data


def _datapackage(path: Path) -> dict[str, list[dict]]:
    if path.is_dir():
        names = {p.name: p.read_text(encoding="utf-8-sig") for p in path.glob("*.csv")}
    else:
        with zipfile.ZipFile(path) as archive:
            names = {
                Path(n).name: archive.read(n).decode("utf-8-sig")
                for n in archive.namelist()
                if n.endswith(".csv")
            }
    if "service_at_location.csv" not in names:
        raise RecordFileError(f"{path.name} has no service_at_location.csv")
    return {name[:-4]: list(csv.DictReader(io.StringIO(text))) for name, text in names.items()}


def _index(rows, key) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in rows:
        if row.get(key):
            out[str(row[key])].append(row)
    return out


def read_hsds(path: Path) -> list[RawRow]:
    """One flat row per ``service_at_location``; line = its position in that table (+1)."""
    t = _load_tables(Path(path))
    orgs = {str(o["id"]): o for o in t.get("organization", [])}
    services = {str(s["id"]): s for s in t.get("service", [])}
    locations = {str(loc["id"]): loc for loc in t.get("location", [])}
    ix = {
        name: _index(t.get(name, []), key)
        for name, key in (
            ("address", "location_id"),
            ("schedule", "service_id"),
            ("language", "service_id"),
            ("accessibility", "location_id"),
            ("organization_identifier", "organization_id"),
            ("attribute", "link_id"),
        )
    }
    phones = t.get("phone", [])
    terms = {str(term["id"]): term for term in t.get("taxonomy_term", [])}
    rows = []
    for number, sal in enumerate(t["service_at_location"], start=2):
        service = services.get(str(sal.get("service_id")), {})
        location = locations.get(str(sal.get("location_id")), {})
        org = orgs.get(str(service.get("organization_id")), {})
        values = _flat(sal, service, location, org, ix, phones, terms)
        rows.append(
            RawRow(number, values, {c: f"service_at_location[{number - 2}].{c}" for c in values})
        )
    return rows


def _terms(link_id, ix, terms, taxonomy) -> list[dict]:
    out = []
    for attribute in ix["attribute"].get(str(link_id), []):
        term = terms.get(str(attribute.get("taxonomy_term_id")), {})
        if term.get("taxonomy") == taxonomy:
            out.append({"code": term.get("code", ""), "value": attribute.get("value", "")})
    return out


def _flat(sal, service, location, org, ix, phones, terms) -> dict[str, str]:
    address = next(iter(ix["address"].get(str(location.get("id")), [])), {})
    street, number = _split_address(address.get("address_1", ""))
    kvk = next(
        (
            i["identifier"]
            for i in ix["organization_identifier"].get(str(org.get("id")), [])
            if i.get("identifier_scheme") == KVK_SCHEME
        ),
        "",
    )
    traits = {x["code"]: x["value"] for x in _terms(sal.get("id"), ix, terms, TRAIT)}
    phone = next(
        (
            p.get("number", "")
            for p in phones
            if str(p.get("service_id")) == str(service.get("id"))
            or str(p.get("organization_id")) == str(org.get("id"))
        ),
        "",
    )
    values = {
        "id": sal.get("id", ""),
        "organisatie": org.get("name", ""),
        "organisatie_id": org.get("id", ""),
        "kvk": kvk,
        "omschrijving": org.get("description", ""),
        "aanbod": service.get("name", ""),
        "aanbod_omschrijving": service.get("description", ""),
        "thema": "; ".join(x["code"] for x in _terms(service.get("id"), ix, terms, THEME)),
        "doelgroep": "; ".join(x["code"] for x in _terms(service.get("id"), ix, terms, GROUP)),
        "locatie_naam": location.get("name", ""),
        "straat": street,
        "huisnummer": number,
        "postcode": address.get("postal_code", ""),
        "plaats": address.get("city", ""),
        "lat": location.get("latitude", ""),
        "lon": location.get("longitude", ""),
        "telefoon": phone,
        "email": org.get("email", "") or service.get("email", ""),
        "website": org.get("website", "") or service.get("url", ""),
        "openingstijden": _hours_text(ix["schedule"].get(str(service.get("id")), [])),
        "kosten": service.get("fees_description", ""),
        "aanmelden": service.get("application_process", ""),
        "voorwaarden": service.get("eligibility_description", ""),
        "toegankelijkheid": next(
            (
                a.get("description", "")
                for a in ix["accessibility"].get(str(location.get("id")), [])
            ),
            "",
        ),
        "talen": "; ".join(
            x.get("code", "") for x in ix["language"].get(str(service.get("id")), [])
        ),
        "laatst_geverifieerd": service.get("assured_date", ""),
    } | {k: traits.get(k, "") for k in TRAITS}
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _split_address(line: str) -> tuple[str, str]:
    match = ADDRESS.match(line.strip())
    return (match[1], match[2]) if match else (line.strip(), "")


def _hours_text(schedules: list[dict]) -> str:
    if not schedules:
        return ""
    if schedules[0].get("description"):
        return schedules[0]["description"]  # our own export keeps the editor's text here
    codes = {v: k for k, v in DAY_CODES.items()}
    parts = [
        f"{codes.get(s.get('byday', ''), s.get('byday', '').lower())} "
        f"{str(s.get('opens_at', ''))[:5]}-{str(s.get('closes_at', ''))[:5]}"
        for s in schedules
    ]
    return "; ".join(parts)

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
import zlib
from collections import defaultdict
from pathlib import Path, PurePosixPath

from geo.records import fields as f
from geo.records.columns import RecordFileError
from geo.records.limits import DATAPACKAGE, check_json_depth, check_zip, size_text
from geo.records.readers import RawRow, decode, refuse_nul

THEME, GROUP, TRAIT = "sociale-kaart-thema", "sociale-kaart-doelgroep", "sociale-kaart-kenmerk"
KVK_SCHEME = "NL-KVK"
DAY_CODES = dict(zip(f.DAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
TRAITS = ("vertrouwelijk", "zichtbaarheid", "synthetisch", "capaciteit")
ADDRESS = re.compile(r"^(.*\S)\s+(\d{1,5}\s*[A-Za-z]?(?:\s*[-/ ]\s*[A-Za-z0-9]{1,4})?)$")


# The fields we read from each HSDS table. ``id`` is required in every table; the other
# id fields are references. Everything we read must be text (numbers are accepted for ids
# and coordinates); fields we do not read are left alone.
FIELDS = {
    "organization": ("id", "name", "description", "email", "website"),
    "service": (
        "id",
        "organization_id",
        "name",
        "description",
        "email",
        "url",
        "fees_description",
        "application_process",
        "eligibility_description",
        "assured_date",
    ),
    "location": ("id", "name", "latitude", "longitude"),
    "address": ("id", "location_id", "address_1", "postal_code", "city"),
    "service_at_location": ("id", "service_id", "location_id"),
    "phone": ("id", "service_id", "organization_id", "number"),
    "schedule": ("id", "service_id", "description", "byday", "opens_at", "closes_at"),
    "language": ("id", "service_id", "code"),
    "accessibility": ("id", "location_id", "description"),
    "organization_identifier": ("id", "organization_id", "identifier_scheme", "identifier"),
    "taxonomy_term": ("id", "taxonomy", "code"),
    "attribute": ("id", "link_id", "taxonomy_term_id", "value"),
}
ID_FIELDS = {"id", "organization_id", "service_id", "location_id", "link_id", "taxonomy_term_id"}
NUMBER_FIELDS = {"latitude", "longitude"}
MAX_JSON_BYTES = 500 * 1024 * 1024


def is_hsds(path: Path) -> bool:
    """True for an HSDS JSON file, a datapackage folder or a datapackage zip."""
    path = Path(path)
    if path.is_dir():
        return (path / "datapackage.json").exists()
    if path.suffix.lower() == ".zip":
        return True
    return path.suffix.lower() == ".json"


def _kind(value) -> str:
    """The Dutch name of a JSON value's type, for error messages."""
    if value is None:
        return "leeg (null)"
    if isinstance(value, bool):
        return "ja/nee (true/false)"
    if isinstance(value, (int, float)):
        return "een getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "een lijst"
    return "een object"


def _clean_value(value, field: str, where: str, name: str) -> str:
    """A field we read as text: None becomes "", numbers only where numbers make sense."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\x00" in value:
            raise RecordFileError(f"{name}: {where}.{field} bevat een NUL-teken.")
        return value
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and field in NUMBER_FIELDS:
        return str(value)
    if numeric and field in ID_FIELDS and isinstance(value, int):
        return str(value)
    raise RecordFileError(f"{name}: {where}.{field} moet tekst zijn, maar is {_kind(value)}.")


def check_tables(data, name: str) -> dict[str, list[dict]]:
    """Check the tables we read and normalise their fields to text.

    Every table must be a list of objects; every object needs a unique, non-empty ``id``;
    the fields we read must be text (see ``FIELDS``).

    Raises
    ------
    RecordFileError
        On the first problem, naming the table, position and field (nothing is imported).
    """
    if not isinstance(data, dict):
        raise RecordFileError(
            f"{name} is geen HSDS-bestand: verwacht een JSON-object met tabellen, "
            f"maar het is {_kind(data)}."
        )
    if "service_at_location" not in data:
        raise RecordFileError(f"{name} heeft geen HSDS-tabel 'service_at_location'.")
    tables: dict[str, list[dict]] = {}
    for table, fields in FIELDS.items():
        if data.get(table) is not None:
            tables[table] = _check_table(data[table], table, fields, name)
    return tables


def _check_table(rows, table: str, fields: tuple[str, ...], name: str) -> list[dict]:
    if not isinstance(rows, list):
        raise RecordFileError(
            f"{name}: de tabel '{table}' moet een lijst zijn, maar is {_kind(rows)}."
        )
    seen: dict[str, int] = {}
    clean = []
    for i, row in enumerate(rows):
        where = f"{table}[{i}]"
        if not isinstance(row, dict):
            raise RecordFileError(f"{name}: {where} moet een object zijn, maar is {_kind(row)}.")
        out = dict(row)
        for field in fields:
            if field in row:
                out[field] = _clean_value(row[field], field, where, name)
        key = out.get("id", "")
        if not key.strip():
            raise RecordFileError(f"{name}: {where} heeft geen id.")
        if key in seen:
            raise RecordFileError(
                f"{name}: de tabel '{table}' heeft id '{key[:80]}' twee keer "
                f"({table}[{seen[key]}] en {where}); ids moeten uniek zijn."
            )
        seen[key] = i
        clean.append(out)
    return clean


def _load_tables(path: Path, encoding: str | None = None) -> dict[str, list[dict]]:
    if path.is_dir() or path.suffix.lower() == ".zip":
        return check_tables(_datapackage(path, encoding), path.name)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise RecordFileError(
                f"{path.name} is te groot (meer dan {size_text(MAX_JSON_BYTES)})."
            )
        text = decode(path.read_bytes(), path.name, encoding)
    except OSError as exc:
        raise RecordFileError(f"{path.name} kan niet gelezen worden.") from exc
    check_json_depth(text, path.name)
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (regel {line})" if line else ""
        raise RecordFileError(f"{path.name} is geen geldige JSON{where}.") from exc
    return check_tables(data, path.name)


def _csv_table(text: str, label: str) -> list[dict]:
    refuse_nul(text, label)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise RecordFileError(
            f"{label} is geen geldig CSV-bestand: regel {reader.line_num} klopt niet."
        ) from exc


def _datapackage(path: Path, encoding: str | None = None) -> dict[str, list[dict]]:
    texts: dict[str, str] = {}
    if path.is_dir():
        files = [p for p in sorted(path.glob("*.csv")) if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        if total > DATAPACKAGE.max_total_bytes:
            raise RecordFileError(
                f"{path.name} is te groot: {size_text(total)} aan tabellen, de grens is "
                f"{size_text(DATAPACKAGE.max_total_bytes)}."
            )
        for p in files:
            texts[p.name] = decode(p.read_bytes(), f"{path.name}/{p.name}", encoding)
    else:
        members = check_zip(path, DATAPACKAGE, "zip-archief")  # before anything is unpacked
        try:
            with zipfile.ZipFile(path) as archive:
                for info in members:
                    if info.is_dir() or not info.filename.lower().endswith(".csv"):
                        continue
                    base = PurePosixPath(info.filename).name
                    if base in texts:
                        raise RecordFileError(
                            f"{path.name} bevat twee tabellen met de naam {base}."
                        )
                    texts[base] = decode(archive.read(info), f"{path.name}/{base}", encoding)
        except (
            OSError,
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            NotImplementedError,
            EOFError,
        ) as exc:
            raise RecordFileError(
                f"{path.name} kan niet uitgepakt worden (beschadigd of versleuteld)."
            ) from exc
    if "service_at_location.csv" not in texts:
        raise RecordFileError(f"{path.name} heeft geen service_at_location.csv.")
    return {base[:-4]: _csv_table(text, f"{path.name}/{base}") for base, text in texts.items()}


def _index(rows, key) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in rows:
        if row.get(key):
            out[str(row[key])].append(row)
    return out


def read_hsds(path: Path, encoding: str | None = None) -> list[RawRow]:
    """One flat row per ``service_at_location``; line = its position in that table (+1).

    Raises
    ------
    RecordFileError
        When the file is unreadable, nested too deep, too large as an archive, or its
        tables have wrong types, missing or duplicate ids (nothing is imported).
    """
    t = _load_tables(Path(path), encoding)
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
    address: dict = next(iter(ix["address"].get(str(location.get("id")), [])), {})
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

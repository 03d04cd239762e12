"""Open Referral HSDS 3.0 in: any published shape -> flat rows, one per service at a location.

Accepted input (see ``hsds_tables``): tabular JSON (tables named by table, plural or file
name), nested documents (``service_full``, ``organization_full``, ``service_at_location_full``,
``location``, taxonomies) and list pages of them, or a CSV datapackage as folder or ``.zip``
(resources found by their names in ``datapackage.json``). Themes and doelgroepen come from
taxonomy terms: ours (``sociale-kaart-thema`` / ``-doelgroep``) directly, others through the
mapping table (``hsds_taxonomy``); every term is kept with its service.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from geo.records.columns import RecordFileError
from geo.records.hsds_rows import build_rows
from geo.records.hsds_schedule import DAY_CODES
from geo.records.hsds_tables import is_tabular, kind_of, nested_tables, table_name
from geo.records.hsds_taxonomy import GROUP, THEME, TRAIT
from geo.records.limits import DATAPACKAGE, check_json_depth, check_zip, size_text
from geo.records.readers import RawRow, decode, refuse_nul

KVK_SCHEME = "NL-KVK"
TRAITS = ("vertrouwelijk", "zichtbaarheid", "synthetisch", "capaciteit")
__all__ = ["DAY_CODES", "GROUP", "KVK_SCHEME", "THEME", "TRAIT", "TRAITS", "read_hsds"]

_ID = ("id",)
# The fields we read from each table: they must be text (numbers are accepted where the
# specification has numbers, and for ids). Fields we do not read are left alone.
FIELDS = {
    "organization": _ID
    + ("name", "alternate_name", "description", "email", "website", "parent_organization_id")
    + ("legal_status", "tax_status", "tax_id", "logo", "uri", "year_incorporated"),
    "service": _ID
    + ("organization_id", "name", "alternate_name", "description", "email", "url", "status")
    + ("interpretation_services", "application_process", "fees_description", "fees")
    + ("eligibility_description", "minimum_age", "maximum_age", "assured_date", "alert")
    + ("accreditations", "licenses", "wait_time"),
    "location": _ID
    + ("organization_id", "location_type", "name", "alternate_name", "description", "url")
    + ("transportation", "latitude", "longitude", "external_identifier")
    + ("external_identifier_type",),
    "address": _ID
    + ("location_id", "attention", "address_1", "address_2", "city", "region")
    + ("state_province", "postal_code", "country", "address_type"),
    "service_at_location": _ID + ("service_id", "location_id", "description"),
    "phone": _ID
    + ("location_id", "service_id", "organization_id", "contact_id")
    + ("service_at_location_id", "number", "extension", "type", "description"),
    "schedule": _ID
    + ("service_id", "location_id", "service_at_location_id", "valid_from", "valid_to")
    + ("dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday")
    + ("byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at")
    + ("schedule_link", "attending_type", "notes"),
    "language": _ID + ("service_id", "location_id", "phone_id", "name", "code", "note"),
    "accessibility": _ID + ("location_id", "description", "details", "url"),
    "organization_identifier": _ID
    + ("organization_id", "identifier_scheme", "identifier_type", "identifier"),
    "taxonomy_term": _ID
    + ("code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language")
    + ("term_uri",),
    "taxonomy": _ID + ("name", "description", "uri", "version"),
    "attribute": _ID + ("link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "contact": _ID
    + ("organization_id", "service_id", "service_at_location_id", "location_id", "name")
    + ("title", "department", "email"),
    "cost_option": _ID
    + ("service_id", "valid_from", "valid_to", "option", "currency", "amount")
    + ("amount_description",),
    "required_document": _ID + ("service_id", "document", "uri"),
    "service_area": _ID + ("service_id", "name", "description", "extent", "extent_type", "uri"),
}
ID_FIELDS = {"id", "external_identifier", "identifier"} | {
    f for fields in FIELDS.values() for f in fields if f.endswith("_id")
}
NUMBER_FIELDS = {"latitude", "longitude", "extension", "minimum_age", "maximum_age", "amount"}
NUMBER_FIELDS |= {"year_incorporated", "timezone", "count", "interval"}
MAX_JSON_BYTES = 500 * 1024 * 1024


def is_hsds(path: Path) -> bool:
    """True for an HSDS JSON file, a datapackage folder or a datapackage zip."""
    path = Path(path)
    if path.is_dir():
        return (path / "datapackage.json").exists()
    return path.suffix.lower() in {".zip", ".json"}


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
    """Normalise a JSON document to tables, check them and make the fields we read text.

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
    if is_tabular(data):
        tables = {}
        for key, rows in data.items():
            table = table_name(key)
            if table is None:
                continue
            if table in tables:
                raise RecordFileError(f"{name} bevat de tabel '{table}' twee keer ({key}).")
            tables[table] = rows
        if not ({"service_at_location", "service"} & set(tables)):
            raise RecordFileError(f"{name} heeft geen HSDS-tabel 'service_at_location'.")
    elif kind_of(data) is None and "contents" not in data:
        raise RecordFileError(
            f"{name} is geen HSDS-bestand: geen tabellen en geen bekend HSDS-object."
        )
    else:
        tables = nested_tables(data, name)
    return {
        table: _check_table(tables[table], table, fields, name)
        for table, fields in FIELDS.items()
        if tables.get(table) is not None
    }


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


def _resources(text: str | None, label: str) -> dict[str, str]:
    """File name -> resource name, from a datapackage.json (``{}`` when there is none)."""
    if not text:
        return {}
    check_json_depth(text, label)
    try:
        package = json.loads(text)
    except ValueError as exc:
        raise RecordFileError(f"{label} is geen geldige JSON.") from exc
    resources = package.get("resources") if isinstance(package, dict) else None
    out = {}
    for resource in resources if isinstance(resources, list) else []:
        if isinstance(resource, dict) and isinstance(resource.get("path"), str):
            name = resource.get("name")
            if isinstance(name, str) and table_name(name):
                out[PurePosixPath(resource["path"]).name] = name
    return out


def _folder_texts(path: Path, encoding: str | None) -> tuple[dict[str, str], str | None]:
    """The CSV texts of a datapackage folder and its datapackage.json."""
    files = [p for p in sorted(path.glob("*.csv")) if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    if total > DATAPACKAGE.max_total_bytes:
        raise RecordFileError(
            f"{path.name} is te groot: {size_text(total)} aan tabellen, de grens is "
            f"{size_text(DATAPACKAGE.max_total_bytes)}."
        )
    texts = {p.name: decode(p.read_bytes(), f"{path.name}/{p.name}", encoding) for p in files}
    package = None
    if (path / "datapackage.json").is_file():
        package = decode((path / "datapackage.json").read_bytes(), path.name, encoding)
    return texts, package


def _zip_texts(path: Path, encoding: str | None) -> tuple[dict[str, str], str | None]:
    """The CSV texts of a datapackage zip (any folder inside) and its datapackage.json."""
    members = check_zip(path, DATAPACKAGE, "zip-archief")  # before anything is unpacked
    texts: dict[str, str] = {}
    package = None
    try:
        with zipfile.ZipFile(path) as archive:
            for info in members:
                base = PurePosixPath(info.filename).name
                if info.is_dir() or not (base == "datapackage.json" or base.endswith(".csv")):
                    continue
                text = decode(archive.read(info), f"{path.name}/{base}", encoding)
                if base == "datapackage.json":
                    package = text
                elif base in texts:
                    raise RecordFileError(f"{path.name} bevat twee tabellen met de naam {base}.")
                else:
                    texts[base] = text
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
    return texts, package


def _datapackage(path: Path, encoding: str | None = None) -> dict[str, list[dict]]:
    texts, package = (_folder_texts if path.is_dir() else _zip_texts)(path, encoding)
    resources = _resources(package, f"{path.name}/datapackage.json")
    tables: dict[str, list[dict]] = {}
    for base, text in texts.items():
        table = table_name(base, resources)
        if table is None:
            continue
        if table in tables:
            raise RecordFileError(f"{path.name} bevat de tabel '{table}' twee keer ({base}).")
        tables[table] = _csv_table(text, f"{path.name}/{base}")
    if not ({"service_at_location", "service"} & set(tables)):
        raise RecordFileError(f"{path.name} heeft geen service_at_location.csv.")
    return tables


def read_hsds(path: Path, encoding: str | None = None) -> list[RawRow]:
    """One flat row per service at a location; ``line`` is its position in that table (+2).

    Raises
    ------
    RecordFileError
        When the file is unreadable, nested too deep, too large as an archive, or its
        tables have wrong types, missing or duplicate ids (nothing is imported).
    """
    return build_rows(_load_tables(Path(path), encoding))

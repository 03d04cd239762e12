"""Exported rows -> HSDS 3.0 tabular JSON that validates against the official schemas.

Ids are UUIDs, as the schemas ask: the HSDS id a record came in with (kept in ``*.hsds``),
else our key when it is a UUID, else a name-based UUID (v5) of kind, source and key, so
the same record gets the same id in every export and after export -> import -> export.
Our own keys travel as attributes (taxonomy ``sociale-kaart-kenmerk``, code ``bron_id``),
so a re-import restores them. Phones stay with the object they belong to; every placed
location gets numeric coordinates with their precision (code ``geocode_precisie``).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from geo.records.hsds_objects import Builder

NAMESPACE = uuid.UUID("6f1c2f44-6f0a-5b1e-9c55-3c0d2b5a7e01")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TABLE_ORDER = (
    "organization",
    "organization_identifier",
    "service",
    "location",
    "address",
    "accessibility",
    "service_at_location",
    "phone",
    "schedule",
    "language",
    "cost_option",
    "required_document",
    "service_area",
    "taxonomy",
    "taxonomy_term",
    "attribute",
)


def is_uuid(value) -> bool:
    """True for a UUID written in the usual 8-4-4-4-12 form."""
    return bool(UUID.match(str(value or "")))


def name_id(*parts: str) -> str:
    """A stable UUID (v5) for the given parts."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def hsds_document(rows: list[dict]) -> dict[str, list[dict]]:
    """The HSDS tables of exported rows (see ``geo.records.export.export_rows``)."""
    builder = Builder(name_id, is_uuid)
    for row in rows:
        builder.add_row(row)
    tables = builder.tables()
    return {name: tables[name] for name in TABLE_ORDER if tables.get(name)}


def write_hsds(rows: list[dict], path: Path) -> None:
    """Write HSDS 3.0 tabular JSON (one array per table, named by the table)."""
    data = {"hsds_version": "3.0"} | hsds_document(rows)
    data.setdefault("service_at_location", [])
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

"""The catalogue of published collections, read from the database (views named ``laag_*``).

The database is the catalogue (pg_featureserv's lesson): each published layer is a view
whose ``COMMENT`` holds ``title|description``; its columns become the properties. Every
identifier that later reaches SQL comes from here, never from a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

HIDDEN = {"geom", "themas", "doelgroepen", "zichtbaarheid"}
JSON_TYPES = {
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "numeric": "number",
    "double precision": "number",
    "real": "number",
    "boolean": "boolean",
    "date": "string",
    "text": "string",
    "character varying": "string",
}
# Part 1 property filters per kind of layer; array filters test membership of a list.
SIMPLE_FILTERS = (
    "gemeentecode",
    "wijkcode",
    "buurtcode",
    "bron",
    "synthetisch",
    "geocode_precisie",
    "postcode",
    "plaats",
    "organisatie_id",
    "code",
    "run",
    "niveau",
    "actueel",
)
ARRAY_FILTERS = {"thema": "themas", "doelgroep": "doelgroepen"}

CATALOG_SQL = sa.text("""
SELECT c.relname AS view, obj_description(c.oid, 'pg_class') AS comment,
       a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
       col_description(c.oid, a.attnum) AS column_comment, laag_tabellen(c.oid) AS tables,
       (SELECT b.bron FROM laag_geojson_bron b WHERE b.laag = c.relname) AS stored
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind = 'v' AND c.relname LIKE 'laag\\_%'
ORDER BY c.relname, a.attnum
""")


@dataclass(frozen=True)
class Property:
    """One published column: name, JSON Schema type and (for dates) format."""

    name: str
    sql_type: str
    json_type: str
    format: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Collection:
    """A published layer: a view, its properties and what can be filtered."""

    id: str
    view: str
    title: str
    description: str
    properties: tuple[Property, ...]
    geometry_type: str
    id_type: str
    temporal: str | None = None
    filters: tuple[str, ...] = ()
    array_filters: dict[str, str] = field(default_factory=dict)
    has_visibility: bool = False
    tables: tuple[str, ...] = ()  # the tables the view reads; their data_versie keys caches
    stored: str | None = None  # the view whose stored CRS84 Feature text (laag_geojson) it shares

    def property(self, name: str) -> Property | None:
        """The property called ``name``, or None when the collection has none by that name."""
        return next((p for p in self.properties if p.name == name), None)


def q(name: str) -> str:
    """Quote an identifier that came from the catalogue (the one quoting helper of layers)."""
    return '"' + name.replace('"', '""') + '"'


def collection_id(view: str) -> str:
    """``laag_thema_zorg_ondersteuning`` -> ``zorg-ondersteuning``; ids use [a-z0-9-]."""
    name = re.sub(r"^laag_(thema_)?", "", view)
    return name.replace("_", "-")


def _geometry_type(sql_type: str) -> str:
    match = re.search(r"geometry\((\w+)", sql_type, re.I)
    return {"point": "Point", "multipolygon": "MultiPolygon"}.get(
        match[1].lower() if match else "", "Geometry"
    )


def _collection(view: str, comment: str | None, columns: list) -> Collection:
    """A collection from its view's comment and ``CATALOG_SQL`` rows (one per column)."""
    title, _, description = (comment or view).partition("|")
    names = {c.column for c in columns}
    props = tuple(
        Property(
            c.column,
            c.type,
            JSON_TYPES.get(c.type, "string"),
            "date" if c.type == "date" else None,
            c.column_comment,
        )
        for c in columns
        if c.column not in HIDDEN and c.column != "id"
    )
    geom = next((c.type for c in columns if c.column == "geom"), "")
    return Collection(
        id=collection_id(view),
        view=view,
        title=title.strip(),
        description=description.strip(),
        properties=props,
        geometry_type=_geometry_type(geom),
        id_type="integer"
        if next(c.type for c in columns if c.column == "id") == "bigint"
        else "string",
        temporal="laatst_geverifieerd_op" if "laatst_geverifieerd_op" in names else None,
        filters=tuple(f for f in SIMPLE_FILTERS if f in names),
        array_filters={k: v for k, v in ARRAY_FILTERS.items() if v in names},
        has_visibility="zichtbaarheid" in names,
        tables=tuple(columns[0].tables),
        stored=columns[0].stored,
    )


def load_catalog(conn: sa.Connection) -> dict[str, Collection]:
    """All published collections, keyed by id, in a stable order (voorzieningen first)."""
    by_view: dict[str, tuple[str | None, list]] = {}
    for row in conn.execute(CATALOG_SQL):
        by_view.setdefault(row.view, (row.comment, []))[1].append(row)
    collections = [_collection(v, comment, cols) for v, (comment, cols) in by_view.items()]
    order = {"voorzieningen": 0, "gemeenten": 2, "wijken": 3, "buurten": 4}
    collections.sort(key=lambda c: (order.get(c.id, 1), c.id))
    return {c.id: c for c in collections}

"""Feature queries for published collections: GeoJSON built in PostGIS, returned as text.

One SQL statement per page returns the features already serialised (joined with commas),
the exact ``numberMatched`` and whether pages exist before and after, so Python never
builds a per-feature object on the hot path (``feature_cache`` reuses the same text while
the data is unchanged). Paging is keyset (``id > last``) with ``offset`` accepted too.
All values are bound parameters; identifiers come from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from geo.crs import STORAGE_SRID
from layers.catalog import Collection, q
from layers.crs import CRS84, Crs
from layers.errors import FeatureNotFound, InvalidParameter
from layers.paging import page_ids_sql, page_params
from layers.visibility import CODE_COLUMNS, Visibility, VisibilityLike, as_visibility

# Outside this window (lon/lat) RD New is meaningless; clip boxes before transforming.
CLIP_4326 = "ST_MakeEnvelope(-10, 40, 25, 65, 4326)"


@dataclass
class ItemsQuery:
    """A validated items request (the server parses HTTP into this)."""

    collection: Collection
    visibility: Visibility  # a tuple of levels is accepted and converted
    limit: int = 100
    offset: int = 0
    after: object | None = None
    before: object | None = None
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: Crs = CRS84
    crs: Crs = CRS84
    interval: tuple[date | None, date | None] | None = None
    properties: dict[str, str] = field(default_factory=dict)
    cql: tuple[str, dict] | None = None

    def __post_init__(self) -> None:
        """Accept a plain tuple of visibility levels (no scope)."""
        self.visibility = as_visibility(self.visibility)


@dataclass
class Page:
    """One page: ``features`` is the comma-joined GeoJSON Feature text."""

    features: str
    number_matched: int
    number_returned: int
    first_id: object
    last_id: object
    more_after: bool
    more_before: bool
    version: int | None = None  # the collection's data version, when read through the cache


def geometry_sql(crs: Crs) -> str:
    """The geometry expression in the output CRS, in the CRS's authority axis order."""
    if crs.srid == STORAGE_SRID:
        return "geom"
    moved = f"ST_Transform(geom, {int(crs.srid)})"
    return f"ST_FlipCoordinates({moved})" if crs.latlon else moved


def feature_sql(collection: Collection, crs: Crs) -> str:
    """``json_build_object`` text of one Feature; ``options => 0`` omits a legacy crs member."""
    props = ", ".join(f"'{p.name}', {q(p.name)}" for p in collection.properties)
    return (
        f"json_build_object('type', 'Feature', 'id', id, 'geometry', "
        f"ST_AsGeoJSON({geometry_sql(crs)}, {int(crs.digits)}, 0)::json, "
        f"'properties', json_build_object({props}))::text"
    )


def _bbox_sql(query: ItemsQuery, bbox: tuple[float, float, float, float], params: dict) -> str:
    x0, y0, x1, y1 = bbox
    if query.bbox_crs.latlon:
        x0, y0, x1, y1 = y0, x0, y1, x1
    if x0 > x1 or y0 > y1:
        raise InvalidParameter("bbox: the lower corner must come before the upper corner")
    if query.bbox_crs.geographic and not (-180 <= x0 <= 180 and -90 <= y0 <= y1 <= 90):
        raise InvalidParameter("bbox: longitude must be within ±180 and latitude within ±90")
    params.update(bx0=x0, by0=y0, bx1=x1, by1=y1)
    envelope = f"ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, {int(query.bbox_crs.srid)})"
    if query.bbox_crs.srid == STORAGE_SRID:
        return envelope
    return (
        f"ST_Transform(ST_ClipByBox2D(ST_Segmentize(ST_Transform({envelope}, 4326), 0.05), "
        f"{CLIP_4326}), {STORAGE_SRID})"
    )


def _typed(collection: Collection, name: str, value: str):
    prop = collection.property(name)
    kind = prop.json_type if prop else "string"
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError as exc:
        raise InvalidParameter(f"{name}: '{value}' is not a number") from exc
    if kind == "boolean":
        if value.lower() not in {"true", "false"}:
            raise InvalidParameter(f"{name}: use true or false")
        return value.lower() == "true"
    return value


def scope_columns(collection: Collection) -> tuple[str, ...] | None:
    """The area code columns of a collection (all three, or None: levels alone apply)."""
    if all(collection.property(c) for c in CODE_COLUMNS):
        return CODE_COLUMNS
    return None


def where_sql(query: ItemsQuery) -> tuple[str, dict]:
    """The WHERE clause (without keyset/offset) and its parameters."""
    c = query.collection
    parts: list[str] = []
    params: dict[str, object] = {}
    if c.has_visibility:
        parts.append(query.visibility.sql(codes=scope_columns(c)))
        params.update(query.visibility.params())
    if query.bbox:
        parts.append(f"ST_Intersects(geom, {_bbox_sql(query, query.bbox, params)})")
    if query.interval and c.temporal:
        start, end = query.interval
        if start:
            parts.append(f"{q(c.temporal)} >= :dt_start")
            params["dt_start"] = start
        if end:
            parts.append(f"{q(c.temporal)} <= :dt_end")
            params["dt_end"] = end
    for i, (name, value) in enumerate(sorted(query.properties.items())):
        params[f"p{i}"] = _typed(c, name, value)
        parts.append(
            f":p{i} = ANY({q(c.array_filters[name])})"
            if name in c.array_filters
            else f"{q(name)} = :p{i}"
        )
    if query.cql:
        parts.append(f"({query.cql[0]})")
        params.update(query.cql[1])
    return " AND ".join(parts) or "TRUE", params


def _page_sql(query: ItemsQuery, where: str) -> str:
    """Ids of the page first, JSON only for those ids.

    Building the Feature JSON under ``LIMIT … OFFSET`` made PostgreSQL serialise every
    skipped row (26,000 features for offset 25,000). Neighbouring pages are tested with
    min/max index scans instead of EXISTS, which scanned everything on the first page.
    """
    view = q(query.collection.view)
    return f"""
WITH ids AS MATERIALIZED (
    {page_ids_sql(view, where, query)}
), page AS MATERIALIZED (
    SELECT id, {feature_sql(query.collection, query.crs)} AS feature
    FROM {view} WHERE {where} AND id IN (SELECT id FROM ids)
), bounds AS (
    SELECT min(id) AS lo, max(id) AS hi FROM {view} WHERE {where}
)
SELECT (SELECT count(*) FROM {view} WHERE {where}) AS matched,
       (SELECT coalesce(string_agg(feature, ',' ORDER BY id), '') FROM page) AS features,
       (SELECT count(*) FROM page) AS returned,
       (SELECT min(id) FROM page) AS first_id,
       (SELECT max(id) FROM page) AS last_id,
       coalesce((SELECT hi FROM bounds) > (SELECT max(id) FROM page), false) AS after,
       coalesce((SELECT lo FROM bounds) < (SELECT min(id) FROM page), false) AS before
"""


def items_page(conn: sa.Connection, query: ItemsQuery) -> Page:
    """One page of features with exact counts, in one SQL statement (no cache)."""
    where, params = where_sql(query)
    params.update(page_params(query))
    row = conn.execute(sa.text(_page_sql(query, where)), params).one()
    return Page(
        row.features,
        row.matched,
        row.returned,
        row.first_id,
        row.last_id,
        row.after,
        row.before or (query.offset > 0 and row.returned > 0),
    )


def item(
    conn: sa.Connection, collection: Collection, fid: str, crs: Crs, visibility: VisibilityLike
) -> str:
    """One Feature as GeoJSON text, or FeatureNotFound."""
    query = ItemsQuery(collection, as_visibility(visibility))
    where, params = where_sql(query)
    if collection.id_type == "integer":
        if not fid.isdigit() or len(fid) > 18:
            raise FeatureNotFound(f"No feature '{fid}' in {collection.id}")
        params["fid"] = int(fid)
    else:
        params["fid"] = fid
    text = conn.execute(
        sa.text(
            f"SELECT {feature_sql(collection, crs)} FROM {q(collection.view)} "
            f"WHERE {where} AND id = :fid"
        ),
        params,
    ).scalar_one_or_none()
    if text is None:
        raise FeatureNotFound(f"No feature '{fid}' in {collection.id}")
    return text


def extent(
    conn: sa.Connection, collection: Collection, visibility: VisibilityLike
) -> tuple[list[float] | None, int]:
    """Bounding box in CRS84 and the number of features the caller may see."""
    where, params = where_sql(ItemsQuery(collection, as_visibility(visibility)))
    row = conn.execute(
        sa.text(
            f"SELECT ST_Extent(ST_Transform(geom, 4326)), count(*) FROM {q(collection.view)} "
            f"WHERE {where}"
        ),
        params,
    ).one()
    if row[0] is None:
        return None, row[1]
    box = row[0].removeprefix("BOX(").removesuffix(")").replace(",", " ").split()
    return [round(float(v), 6) for v in box], row[1]

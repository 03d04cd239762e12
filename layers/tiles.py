"""Mapbox vector tiles (MVT) of the published collections, in the WebMercatorQuad matrix set.

One SQL statement per tile (``sql/tile.sql``, the pg_tileserv pattern): the tile envelope is
transformed to the storage CRS so the spatial index is used;
polygons are cut to the tile and simplified in RD metres before they are transformed;
every feature carries an integer id (QGIS needs it to identify and label features).
The tile matrix set is OGC WebMercatorQuad: z/x/y as in XYZ tiles, origin top left.

Point tiles are thinned up to zoom ``THIN_MAX_ZOOM``: one feature per cell of ``THIN_CELL``
tile units (a few screen pixels), the one with the lowest id, with its own id, position and
properties. Every point feature, thinned or not, carries the integer property ``aantal``:
the number of points it stands for (1 above ``THIN_MAX_ZOOM``), so a client can size or
label symbols by it at every zoom. The sum of ``aantal`` over a tile is the number of
points in it (the caller's visibility and filters applied).

The cells of ``laag_voorzieningen`` are also kept at write time (migration 0025) for zooms
``STORED_ZOOMS`` and each role's visibility levels: a tile without filters for a caller
without an area scope reads its whole cells from there and counts only the cells on its
edge (``sql/tile_stored.sql``), with the same answer.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from importlib.resources import files

import sqlalchemy as sa

from geo.accounts import ROLE_VISIBILITY
from layers.cache import LayerCache, data_version
from layers.catalog import Collection, q
from layers.errors import InvalidParameter
from layers.features import scope_columns
from layers.visibility import VisibilityLike, as_visibility

MAX_ZOOM = 22
EXTENT = 4096  # tile grid units per tile side
BUFFER = 64  # grid units drawn beyond the tile edge, so symbols and strokes join up
ORIGIN = 20037508.342789244  # half the width of the EPSG:3857 world, metres
TILE_PIXELS = 256
SIMPLIFY_BELOW_ZOOM = 14
# Web Mercator stretches distances by 1/cos(latitude); in Zuid-Limburg (about 51°N) one
# map metre is this many ground (RD) metres.
GROUND_PER_MAP_METRE = math.cos(math.radians(51.0))
# The compact set of properties in point tiles (the full record is one GeoJSON call away).
POINT_PROPERTIES = (
    "organisatie",
    "aanbod",
    "thema",
    "gemeentecode",
    "buurtcode",
    "geocode_precisie",
    "synthetisch",
)
# Point tiles up to this zoom keep one point per cell (a dense z12 tile holds 6,000 points,
# a z10 tile 30,000); from z13 a tile spans a few km and every point is kept.
THIN_MAX_ZOOM = 12
# Cell side in tile grid units: 4 px of a 256-px tile. No wider than BUFFER, so a cell on
# the edge between two tiles lies inside both tiles' buffers and both keep the same point.
THIN_CELL = 64
COUNT_PROPERTY = "aantal"  # in point tiles: how many points a feature stands for
# Placeholders of sql/tile.sql when every feature found is drawn (the CTE cells is then
# not referenced, so PostgreSQL never computes it and its cell size is a dummy).
_EVERY_FEATURE = {
    "found": "NOT MATERIALIZED",
    "cell": "1.0",
    "kept": "",
    "aantal": "",
    "geom": "found.geom",
}

TILE_SQL = (files("layers") / "sql" / "tile.sql").read_text()
STORED_TILE_SQL = (files("layers") / "sql" / "tile_stored.sql").read_text()
# Thinning cells kept at write time (migration 0025, table tegel_zoom): for this view, these
# zooms and the visibility levels of each role (tegel_zicht: the levels sorted, joined by
# ","). Zooms 11 and 12 count the narrow copy tegel_punt instead (see reads_copy).
STORED_VIEW = "laag_voorzieningen"
STORED_ZOOMS = range(7, 11)
STORED_LEVELS = frozenset(",".join(sorted(set(v))) for v in ROLE_VISIBILITY.values())
# The properties tegel_punt holds besides the position and visibility (its view
# tegel_punt_bron); a tile asking for others reads its kept features from the view.
STORED_PROPERTIES = ("id", *POINT_PROPERTIES)
# MVT feature ids are integers. CBS codes (GM0917, BU09170001) keep their digits, unique
# within a level; other text ids get a 53-bit hash (exact in JavaScript numbers), since
# joining their digits made different ids equal ('1-…-1-12' and '1-…-11-2').
TEXT_FID_SQL = (
    "CASE WHEN {id} ~ '^[A-Z]{{2}}[0-9]+$' THEN CAST(substr({id}, 3) AS bigint) "
    "ELSE hashtextextended({id}, 0) & 9007199254740991 END"
)
# Planner settings for tile statements (see _run for why); the reset restores the defaults.
_SETTINGS = sa.text(
    "SELECT set_config('jit', 'off', :local), "
    "set_config('max_parallel_workers_per_gather', '0', :local)"
)
_RESET_SETTINGS = sa.text(
    "SELECT set_config(name, reset_val, false) FROM pg_settings "
    "WHERE name IN ('jit', 'max_parallel_workers_per_gather')"
)
TILE_MATRIX_SET_ID = "WebMercatorQuad"
TILE_MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def validate_tile(z: int, x: int, y: int) -> None:
    """Raise InvalidParameter unless ``0 <= z <= MAX_ZOOM`` and ``0 <= x, y < 2**z``."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidParameter(f"Tile matrix (zoom) {z} is outside 0..{MAX_ZOOM}")
    size = 2**z
    if not (0 <= x < size and 0 <= y < size):
        raise InvalidParameter(
            f"Tile column {x} / row {y} is outside 0..{size - 1} at tile matrix {z}"
        )


def simplify_tolerance(z: int) -> float:
    """Simplification tolerance in RD metres: half a screen pixel at zoom ``z``, 0 from z14."""
    if z >= SIMPLIFY_BELOW_ZOOM:
        return 0.0
    pixel = 2 * ORIGIN / (TILE_PIXELS * 2**z)
    return pixel / 2 * GROUND_PER_MAP_METRE


def thinning_cell(z: int) -> float | None:
    """Side of a thinning cell in RD metres at zoom ``z``; None above ``THIN_MAX_ZOOM``."""
    if z > THIN_MAX_ZOOM:
        return None
    unit = 2 * ORIGIN / (EXTENT * 2**z)  # one tile grid unit in map metres
    return THIN_CELL * unit * GROUND_PER_MAP_METRE


def tile(
    conn: sa.Connection,
    collection: Collection,
    z: int,
    x: int,
    y: int,
    visibility: VisibilityLike,
    filters: Mapping[str, str] | None = None,
    properties: Sequence[str] | None = None,
) -> bytes:
    """One MVT tile of ``collection``: a single layer named after the collection id.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    collection : Collection
        From the catalogue; its view and column names are the only identifiers used.
    z, x, y : int
        Tile matrix (zoom), column and row in WebMercatorQuad (XYZ, origin top left).
    visibility : Visibility
        What the caller may see (levels and area scope); applied when the collection has it.
    filters : mapping of str to str, optional
        Property filters such as ``{"gemeentecode": "GM0935", "thema": "vervoer"}``;
        only the collection's ``filters`` and ``array_filters`` are allowed.
    properties : sequence of str, optional
        Properties to include; default ``tile_properties(collection)``.

    Returns
    -------
    bytes
        The encoded tile; empty (``b""``) when no feature falls in the tile. Point features
        also carry ``aantal`` (see the module docstring: thinned up to ``THIN_MAX_ZOOM``).

    Raises
    ------
    InvalidParameter
        For a tile outside the matrix set, an unknown property or an unknown or badly
        typed filter.
    """
    validate_tile(z, x, y)
    visibility = as_visibility(visibility)
    names = tile_properties(collection, properties)
    zicht = stored_levels(collection, z, visibility, filters)
    if zicht is not None:
        stored = {"layer": collection.id, "zicht": zicht, "levels": list(visibility.levels)}
        return bytes(_run(conn, _stored_statement(collection, (z, x, y), names), stored) or b"")
    clauses, params = _filter_clauses(collection, filters or {})
    source = "tegel_punt" if reads_copy(collection, visibility, filters, names) else None
    if source is not None:  # the copy has no wijkcode; without a scope none is needed
        clauses.append(visibility.sql("t.zichtbaarheid", None))
        params.update(visibility.params())
    elif collection.has_visibility:
        codes = scope_columns(collection)
        clauses.append(
            visibility.sql("t.zichtbaarheid", tuple(f"t.{c}" for c in codes) if codes else None)
        )
        params.update(visibility.params())
    params["layer"] = collection.id
    statement = _statement(collection, (z, x, y), [q(n) for n in names], clauses, source)
    return bytes(_run(conn, statement, params) or b"")


def stored_levels(
    collection: Collection, z: int, visibility: VisibilityLike, filters: Mapping[str, str] | None
) -> str | None:
    """The key (``tegel_cel.zicht``) of the kept cells this tile is read from, or None.

    None means the tile is counted live: another view or zoom, filters or an area scope.
    """
    visibility = as_visibility(visibility)
    if collection.view != STORED_VIEW or z not in STORED_ZOOMS or filters or visibility.scope:
        return None
    if thinning_cell(z) is None:  # thinning switched off below this zoom
        return None
    return stored_key(visibility)


def reads_copy(
    collection: Collection,
    visibility: VisibilityLike,
    filters: Mapping[str, str] | None,
    names: Sequence[str],
) -> bool:
    """Whether a tile counted by ``sql/tile.sql`` can read ``tegel_punt`` instead of the view.

    The copy (migration 0025) holds the same rows, positions and compact properties, so a
    tile of the services without filters, for a caller without an area scope, asking only
    for ``STORED_PROPERTIES``, is the same from either (unthinned zooms, and zooms below
    ``STORED_ZOOMS``), without the view's joins.
    """
    return (
        collection.view == STORED_VIEW
        and not filters
        and stored_key(visibility) is not None
        and set(names) <= set(STORED_PROPERTIES)
    )


def stored_key(visibility: VisibilityLike) -> str | None:
    """The key (``tegel_zicht.zicht``) of a role's levels; None with an area scope."""
    visibility = as_visibility(visibility)
    key = ",".join(sorted(set(visibility.levels)))
    return key if key in STORED_LEVELS and not visibility.scope else None


def _stored_statement(
    collection: Collection, zxy: tuple[int, int, int], names: Sequence[str]
) -> sa.TextClause:
    """``sql/tile_stored.sql`` for this tile (integer ids; levels without scope)."""
    z = int(zxy[0])
    return sa.text(
        STORED_TILE_SQL.format(
            columns="".join(f", t.{q(name)}" for name in names),
            view="tegel_punt" if set(names) <= set(STORED_PROPERTIES) else q(collection.view),
            visible="t.zichtbaarheid::text = ANY(CAST(:levels AS text[]))",
            count=COUNT_PROPERTY,
            cell=repr(thinning_cell(z)),
            **_envelope(zxy),
        )
    )


def _envelope(zxy: tuple[int, int, int]) -> dict[str, object]:
    """The tile numbers and envelope literals both tile statements share."""
    z, x, y = (int(v) for v in zxy)
    return {
        "z": z,
        "x": x,
        "y": y,
        "margin": repr(BUFFER / EXTENT),
        "extent": EXTENT,
        "buffer": BUFFER,
        "segment": repr(min(2 * ORIGIN / 2**z / 16, 10_000.0)),  # densify the envelope edges
    }


def _run(conn: sa.Connection, statement: sa.TextClause, params: dict) -> bytes | None:
    """Run a tile statement without JIT and without parallel workers.

    Both are meant for long analytic queries and cost a tile far more than they save:

    * JIT: PostGIS declares ST_Intersects and ST_Transform with cost 10000, so a tile over
      a few thousand points passes ``jit_above_cost`` (over 20,000 also the inlining and
      optimising thresholds) and PostgreSQL compiles for 0.1-1 s a query that then runs in
      10-100 ms.
    * Parallel workers: starting them and passing the rows found through their queues took
      longer than the scan they share (a z12 tile of 6,800 points: 35 ms alone, 160 ms and
      more with two workers on a busy 2-core machine), and a tile server already runs
      many tiles side by side.

    In a transaction the settings are local to it (``SET LOCAL``). An AUTOCOMMIT connection
    ends a transaction after every statement, so there they are set for the session and
    put back afterwards (two more round trips).
    """
    if not getattr(conn.connection.dbapi_connection, "autocommit", False):
        conn.execute(_SETTINGS, {"local": True})
        return conn.execute(statement, params).scalar()
    conn.execute(_SETTINGS, {"local": False})
    try:
        return conn.execute(statement, params).scalar()
    finally:
        conn.execute(_RESET_SETTINGS)


def tile_properties(
    collection: Collection, requested: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The properties a tile carries: ``requested`` (checked) or a compact default.

    Points default to ``id`` and ``POINT_PROPERTIES``; areas to all catalogue properties
    except the ``aantal_*`` counts, which the area views aggregate over every service on
    each query (about 30 ms per tile): ask for them with ``requested`` when needed.
    Point tiles always carry ``COUNT_PROPERTY`` as well: computed per tile, not a column,
    so it is not listed here, and asking for it is allowed.
    """
    points = collection.geometry_type == "Point"
    if requested is None:
        if points:
            return ("id", *(p for p in POINT_PROPERTIES if collection.property(p)))
        return tuple(p.name for p in collection.properties if not p.name.startswith("aantal_"))
    if points:
        requested = [n for n in requested if n != COUNT_PROPERTY]
    unknown = [n for n in requested if n != "id" and collection.property(n) is None]
    if unknown:
        raise InvalidParameter(
            f"Unknown properties for collection '{collection.id}': {', '.join(unknown)}"
        )
    return tuple(dict.fromkeys(requested))


def _statement(
    collection: Collection,
    zxy: tuple[int, int, int],
    quoted: list[str],
    clauses: list[str],
    source: str | None = None,
) -> sa.TextClause:
    """The tile query; numbers are inlined as literals (see ``sql/tile.sql`` for why)."""
    z = int(zxy[0])
    fid = "t.id" if collection.id_type == "integer" else TEXT_FID_SQL.format(id="t.id")
    return sa.text(
        TILE_SQL.format(
            fid=fid,
            columns="".join(f", t.{name}" for name in quoted),
            found_columns="".join(f", found.{name}" for name in quoted),
            view=q(source or collection.view),
            where="WHERE " + " AND ".join(clauses) if clauses else "",
            **_envelope(zxy),
            **_parts(collection, z),
        )
    )


def _parts(collection: Collection, z: int) -> dict[str, str]:
    """The placeholders that differ between polygons, points and thinned points."""
    if collection.geometry_type != "Point":
        return {**_EVERY_FEATURE, "geom": _polygon_geom(simplify_tolerance(z))}
    cell = thinning_cell(z)
    if cell is None:
        return {**_EVERY_FEATURE, "aantal": f", 1 AS {COUNT_PROPERTY}"}
    return {
        "found": "MATERIALIZED",
        "cell": repr(cell),
        "kept": " JOIN cells USING (fid)",
        "aantal": f", cells.aantal AS {COUNT_PROPERTY}",
        "geom": "found.geom",
    }


def _polygon_geom(tolerance: float) -> str:
    clipped = "ST_ClipByBox2D(found.geom, Box2D(bounds.query))"
    return f"ST_Simplify({clipped}, {tolerance!r}, true)" if tolerance > 0 else clipped


def _filter_clauses(
    collection: Collection, filters: Mapping[str, str]
) -> tuple[list[str], dict[str, object]]:
    """SQL conditions (identifiers from the catalogue) and their bound values."""
    clauses: list[str] = []
    params: dict[str, object] = {}
    for i, (name, value) in enumerate(sorted(filters.items())):
        key = f"filter_{i}"
        if name in collection.array_filters:
            column = collection.array_filters[name]
            clauses.append(f"CAST(:{key} AS text) = ANY(t.{q(column)})")
            params[key] = value
        elif name in collection.filters:
            prop = collection.property(name)
            clauses.append(f"t.{q(name)} = :{key}")
            params[key] = _typed(name, value, prop.json_type if prop else "string")
        else:
            allowed = ", ".join(sorted([*collection.filters, *collection.array_filters]))
            raise InvalidParameter(
                f"Unknown parameter {name!r} for collection '{collection.id}'; "
                f"filters: {allowed or 'none'}"
            )
    return clauses, params


def _typed(name: str, value: str, json_type: str) -> object:
    if json_type == "boolean":
        lowered = value.strip().lower()
        if lowered not in {"true", "false"}:
            raise InvalidParameter(f"{name} must be true or false, not {value!r}")
        return lowered == "true"
    if json_type == "integer":
        try:
            return int(value)
        except ValueError:
            raise InvalidParameter(f"{name} must be an integer, not {value!r}") from None
    return value


def tile_matrix_set() -> dict:
    """The OGC WebMercatorQuad tile matrix set (OGC 17-083r4 JSON), tile matrices 0..22."""
    matrices = []
    for z in range(MAX_ZOOM + 1):
        cell = 2 * ORIGIN / (TILE_PIXELS * 2**z)
        matrices.append(
            {
                "id": str(z),
                "scaleDenominator": cell / 0.00028,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-ORIGIN, ORIGIN],
                "tileWidth": TILE_PIXELS,
                "tileHeight": TILE_PIXELS,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
        )
    return {
        "id": TILE_MATRIX_SET_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TILE_MATRIX_SET_URI,
        "crs": CRS_3857,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "boundingBox": {
            "lowerLeft": [-ORIGIN, -ORIGIN],
            "upperRight": [ORIGIN, ORIGIN],
            "crs": CRS_3857,
            "orderedAxes": ["E", "N"],
        },
        "tileMatrices": matrices,
    }


def cached_tile(
    conn: sa.Connection,
    collection: Collection,
    z: int,
    x: int,
    y: int,
    visibility: VisibilityLike,
    filters: Mapping[str, str] | None,
    properties: Sequence[str] | None,
    cache: LayerCache | None,
) -> tuple[bytes, str]:
    """``tile`` and its ETag (SHA-1 of the body), kept under the collection's data version.

    The version is read before the tile, so a write changes the key and the next request
    builds the tile anew; inside a transaction that has written nothing is cached.
    """
    filters = dict(filters or {})
    visibility = as_visibility(visibility)
    enabled = cache is not None and cache.enabled
    version = data_version(conn, collection) if enabled else None
    key = (
        "tile",
        collection.view,
        z,
        x,
        y,
        visibility,
        tuple(sorted(filters.items())),
        tuple(properties or ()),
        properties is None,
        version,
    )
    found = cache.get(key) if cache is not None and version is not None else None
    if found is not None:
        return found
    body = tile(conn, collection, z, x, y, visibility, filters, properties)
    found = (body, hashlib.sha1(body).hexdigest())
    if cache is not None and version is not None:
        cache.put(key, found)
    return found

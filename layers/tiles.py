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
edge, with the same answer (``layers/tile_cells.py``). The grid numbers and the tile matrix
set are in ``layers/tile_grid.py``; their names are importable from here as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from importlib.resources import files

import sqlalchemy as sa

from layers.cache import LayerCache, data_version
from layers.catalog import Collection, q
from layers.errors import InvalidParameter
from layers.features import scope_columns
from layers.tile_cells import (  # noqa: F401 (re-exported)
    OVERVIEW_ZOOMS,
    STORED_LEVELS,
    STORED_PROPERTIES,
    STORED_VIEW,
    STORED_ZOOMS,
    reads_copy,
    stored_key,
    stored_levels,
    stored_statement,
)
from layers.tile_grid import (  # noqa: F401 (re-exported)
    BUFFER,
    COUNT_PROPERTY,
    CRS_3857,
    EXTENT,
    GROUND_PER_MAP_METRE,
    MAX_ZOOM,
    ORIGIN,
    POINT_PROPERTIES,
    SIMPLIFY_BELOW_ZOOM,
    THIN_CELL,
    THIN_MAX_ZOOM,
    TILE_MATRIX_SET_ID,
    TILE_MATRIX_SET_URI,
    TILE_PIXELS,
    envelope,
    simplify_tolerance,
    thinning_cell,
    tile_matrix_set,
    validate_tile,
)
from layers.visibility import VisibilityLike, as_visibility

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
        return bytes(_run(conn, stored_statement(collection, (z, x, y), names), stored) or b"")
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
            **envelope(zxy),
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

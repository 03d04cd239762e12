"""Mapbox vector tiles (MVT) of the published collections, in the WebMercatorQuad matrix set.

One SQL statement per tile (``sql/tile.sql``, the pg_tileserv pattern of design §3.1 and
D12): the tile envelope is transformed to the storage CRS so the spatial index is used;
polygons are cut to the tile and simplified in RD metres before they are transformed;
every feature carries an integer id (QGIS needs it to identify and label features).
The tile matrix set is OGC WebMercatorQuad: z/x/y as in XYZ tiles, origin top left.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files

import sqlalchemy as sa

from layers.catalog import Collection
from layers.errors import InvalidParameter

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
POINT_PROPERTIES = ("organisatie", "aanbod", "thema", "gemeentecode", "buurtcode",
                    "geocode_precisie", "synthetisch")

TILE_SQL = (files("layers") / "sql" / "tile.sql").read_text()
TILE_MATRIX_SET_ID = "WebMercatorQuad"
TILE_MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def validate_tile(z: int, x: int, y: int) -> None:
    """Raise InvalidParameter unless ``0 <= z <= MAX_ZOOM`` and ``0 <= x, y < 2**z``."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidParameter(f"Tile matrix (zoom) {z} is outside 0..{MAX_ZOOM}")
    size = 2 ** z
    if not (0 <= x < size and 0 <= y < size):
        raise InvalidParameter(
            f"Tile column {x} / row {y} is outside 0..{size - 1} at tile matrix {z}")


def simplify_tolerance(z: int) -> float:
    """Simplification tolerance in RD metres: half a screen pixel at zoom ``z``, 0 from z14."""
    if z >= SIMPLIFY_BELOW_ZOOM:
        return 0.0
    pixel = 2 * ORIGIN / (TILE_PIXELS * 2 ** z)
    return pixel / 2 * GROUND_PER_MAP_METRE


def tile(conn: sa.Connection, collection: Collection, z: int, x: int, y: int,
         visibility: tuple[str, ...], filters: Mapping[str, str] | None = None,
         properties: Sequence[str] | None = None) -> bytes:
    """One MVT tile of ``collection``: a single layer named after the collection id.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    collection : Collection
        From the catalogue; its view and column names are the only identifiers used.
    z, x, y : int
        Tile matrix (zoom), column and row in WebMercatorQuad (XYZ, origin top left).
    visibility : tuple of str
        Visibility levels the caller may see; applied when the collection has them.
    filters : mapping of str to str, optional
        Property filters such as ``{"gemeentecode": "GM0935", "thema": "vervoer"}``;
        only the collection's ``filters`` and ``array_filters`` are allowed.
    properties : sequence of str, optional
        Properties to include; default ``tile_properties(collection)``.

    Returns
    -------
    bytes
        The encoded tile; empty (``b""``) when no feature falls in the tile.

    Raises
    ------
    InvalidParameter
        For a tile outside the matrix set, an unknown property or an unknown or badly
        typed filter.
    """
    validate_tile(z, x, y)
    names = tile_properties(collection, properties)
    quote = conn.dialect.identifier_preparer.quote
    clauses, params = _filter_clauses(collection, filters or {}, quote)
    if collection.has_visibility:
        clauses.append("t.zichtbaarheid = ANY(CAST(:visibility AS text[]))")
        params["visibility"] = list(visibility)
    params["layer"] = collection.id
    statement = _statement(collection, (z, x, y), [quote(n) for n in names], clauses, quote)
    body = conn.execute(statement, params).scalar()
    return bytes(body or b"")


def tile_properties(collection: Collection,
                    requested: Sequence[str] | None = None) -> tuple[str, ...]:
    """The properties a tile carries: ``requested`` (checked) or a compact default.

    Points default to ``id`` and ``POINT_PROPERTIES``; areas to all catalogue properties
    except the ``aantal_*`` counts, which the area views aggregate over every service on
    each query (about 30 ms per tile): ask for them with ``requested`` when needed.
    """
    if requested is None:
        if collection.geometry_type == "Point":
            return ("id", *(p for p in POINT_PROPERTIES if collection.property(p)))
        return tuple(p.name for p in collection.properties if not p.name.startswith("aantal_"))
    unknown = [n for n in requested if n != "id" and collection.property(n) is None]
    if unknown:
        raise InvalidParameter(
            f"Unknown properties for collection '{collection.id}': {', '.join(unknown)}")
    return tuple(dict.fromkeys(requested))


def _statement(collection: Collection, zxy: tuple[int, int, int], quoted: list[str],
               clauses: list[str], quote: Callable[[str], str]) -> sa.TextClause:
    """The tile query; numbers are inlined as literals (see ``sql/tile.sql`` for why)."""
    z, x, y = (int(v) for v in zxy)
    points = collection.geometry_type == "Point"
    tolerance = 0.0 if points else simplify_tolerance(z)
    fid = ("t.id" if collection.id_type == "integer"
           else "CAST(nullif(regexp_replace(t.id, '[^0-9]', '', 'g'), '') AS bigint)")
    return sa.text(TILE_SQL.format(
        fid=fid,
        columns="".join(f", t.{name}" for name in quoted),
        src_columns="".join(f", src.{name}" for name in quoted),
        geom=_polygon_geom(tolerance) if not points else "src.geom",
        view=quote(collection.view),
        where="WHERE " + " AND ".join(clauses) if clauses else "",
        z=z, x=x, y=y, margin=repr(BUFFER / EXTENT), extent=EXTENT, buffer=BUFFER,
        segment=repr(min(2 * ORIGIN / 2 ** z / 16, 10_000.0)),  # densify the envelope edges
    ))


def _polygon_geom(tolerance: float) -> str:
    clipped = "ST_ClipByBox2D(src.geom, Box2D(bounds.query))"
    return f"ST_Simplify({clipped}, {tolerance!r}, true)" if tolerance > 0 else clipped


def _filter_clauses(collection: Collection, filters: Mapping[str, str],
                    quote: Callable[[str], str]) -> tuple[list[str], dict[str, object]]:
    """SQL conditions (identifiers from the catalogue) and their bound values."""
    clauses: list[str] = []
    params: dict[str, object] = {}
    for i, (name, value) in enumerate(sorted(filters.items())):
        key = f"filter_{i}"
        if name in collection.array_filters:
            column = collection.array_filters[name]
            clauses.append(f"CAST(:{key} AS text) = ANY(t.{quote(column)})")
            params[key] = value
        elif name in collection.filters:
            prop = collection.property(name)
            clauses.append(f"t.{quote(name)} = :{key}")
            params[key] = _typed(name, value, prop.json_type if prop else "string")
        else:
            allowed = ", ".join(sorted([*collection.filters, *collection.array_filters]))
            raise InvalidParameter(
                f"Unknown parameter {name!r} for collection '{collection.id}'; "
                f"filters: {allowed or 'none'}")
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
        cell = 2 * ORIGIN / (TILE_PIXELS * 2 ** z)
        matrices.append({
            "id": str(z), "scaleDenominator": cell / 0.00028, "cellSize": cell,
            "cornerOfOrigin": "topLeft", "pointOfOrigin": [-ORIGIN, ORIGIN],
            "tileWidth": TILE_PIXELS, "tileHeight": TILE_PIXELS,
            "matrixWidth": 2 ** z, "matrixHeight": 2 ** z,
        })
    return {
        "id": TILE_MATRIX_SET_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TILE_MATRIX_SET_URI,
        "crs": CRS_3857,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "boundingBox": {"lowerLeft": [-ORIGIN, -ORIGIN], "upperRight": [ORIGIN, ORIGIN],
                        "crs": CRS_3857, "orderedAxes": ["E", "N"]},
        "tileMatrices": matrices,
    }

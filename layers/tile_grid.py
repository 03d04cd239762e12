"""The WebMercatorQuad tile grid and the thinning grid both point-tile statements share.

The tile matrix set is OGC WebMercatorQuad: z/x/y as in XYZ tiles, origin top left. Point
tiles are thinned up to ``THIN_MAX_ZOOM`` in square cells of ``THIN_CELL`` tile units,
measured in RD metres from the RD origin (``thinning_cell``), so the grid is the same in
every tile of a zoom and each cell of zoom z+1 lies in one cell of zoom z.
"""

from __future__ import annotations

import math

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


def envelope(zxy: tuple[int, int, int]) -> dict[str, object]:
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

"""CQL2 geometry literals: checked, clipped to the national grid's area and densified.

A literal in a filter CRS other than EPSG:28992 is clipped to the area of the Dutch
national grid and densified in its own CRS before PostGIS transforms it to EPSG:28992,
so that a world-wide BBOX still means "everything" after the transform.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import shape

from geo.crs import STORAGE_SRID
from layers.errors import FilterError

MAX_VERTICES = 1000
MAX_DENSIFIED_VERTICES = 20_000
# Axis-aware CRSs: EPSG:4326/4258 are lat/lon by authority, CRS84 (also 4326 here) lon/lat.
LATLON_SRIDS = (4326, 4258)
# Per filter CRS: (minx, miny, maxx, maxy) of the national grid's area with a margin, in
# that CRS's x/y, and the densification step in its units (~5 km).
CLIP = {
    4326: ((2.0, 50.0, 8.0, 56.0), 0.05),
    4258: ((2.0, 50.0, 8.0, 56.0), 0.05),
    3857: ((222638.98, 6446275.84, 890555.93, 7558415.66), 5000.0),
}
ALLOWED_SRIDS = (*CLIP, STORAGE_SRID)


def count_vertices(geojson: Any) -> int:
    """Count (and type-check) the positions of a GeoJSON geometry, without recursion."""
    if not isinstance(geojson, dict):
        raise FilterError("Invalid geometry literal.")
    if "crs" in geojson:
        raise FilterError("SRID=...; prefixes are not CQL2; use the filter-crs parameter.")
    total, stack = 0, [geojson.get("coordinates", geojson.get("geometries"))]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.append(item.get("coordinates", item.get("geometries")))
        elif (
            isinstance(item, list | tuple)
            and item
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in item)
        ):
            if not 2 <= len(item) <= 4 or not all(math.isfinite(c) for c in item):
                raise FilterError("Invalid position in geometry literal.")
            total += 1
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            raise FilterError("Invalid geometry literal.")
        if total > MAX_VERTICES:
            break
    return total


def geometry_wkt(geojson: dict, srid: int, latlon: bool) -> str:
    """Validate a literal, clip and densify it (unless in EPSG:28992), return 2D WKT."""
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises many kinds for malformed input
        raise FilterError(f"Invalid geometry literal: {exc}") from exc
    if geom.is_empty:
        raise FilterError("Empty geometry literals are not supported.")
    if not geom.is_valid:
        raise FilterError(f"Invalid geometry literal: {shapely.is_valid_reason(geom)}.")
    if srid in LATLON_SRIDS:
        minx, miny, maxx, maxy = geom.bounds
        lon, lat = ((miny, maxy), (minx, maxx)) if latlon else ((minx, maxx), (miny, maxy))
        if lon[0] < -180 or lon[1] > 180 or lat[0] < -90 or lat[1] > 90:
            raise FilterError(
                "Coordinates outside the range of longitude/latitude; check "
                "the axis order for filter-crs."
            )
    if srid in CLIP:
        geom = _clip_and_densify(geom, srid, latlon)
    return shapely.to_wkt(geom, rounding_precision=-1, output_dimension=2)


def _clip_and_densify(geom: Any, srid: int, latlon: bool) -> Any:
    (x1, y1, x2, y2), step = CLIP[srid]
    area = shapely.box(y1, x1, y2, x2) if latlon else shapely.box(x1, y1, x2, y2)
    if not area.contains(geom):
        parts = geom.geoms if isinstance(geom, shapely.GeometryCollection) else [geom]
        clipped = [shapely.intersection(part, area) for part in parts]
        clipped = [part for part in clipped if not part.is_empty]
        if not clipped:
            return shapely.Point()
        geom = clipped[0] if len(clipped) == 1 else shapely.GeometryCollection(clipped)
    dense = shapely.segmentize(geom, step)
    if dense.geom_type != geom.geom_type:  # GEOS returns a one-part Multi* as single
        dense = type(geom)([dense])
    if shapely.get_num_coordinates(dense) > MAX_DENSIFIED_VERTICES:
        raise FilterError("Geometry literal too detailed over the area of this service.")
    return dense

"""Area outlines (gemeente, wijk, buurt) for the map's offline basemap."""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa

from layers.errors import UnknownLevel

LEVELS = ("gemeente", "wijk", "buurt")
# Simplification per level, in metres: the basemap never needs more detail than this.
TOLERANCE_M = {"gemeente": 20.0, "wijk": 10.0, "buurt": 5.0}
OUTLINES_SQL = sa.text((files("layers.pages") / "sql" / "outlines.sql").read_text())
EXTENT_SQL = sa.text(
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
    "FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom), 28992), 4326) AS e "
    "      FROM gebied WHERE niveau = 'gemeente') s"
)


def outlines_geojson(conn: sa.Connection, niveau: str, gemeentecode: str | None = None) -> bytes:
    """GeoJSON FeatureCollection (CRS84) of all areas of one level, as UTF-8 bytes.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    niveau : str
        ``gemeente``, ``wijk`` or ``buurt``.
    gemeentecode : str, optional
        Only the areas of this gemeente.
    """
    if niveau not in LEVELS:
        raise UnknownLevel(f"Unknown area level {niveau!r}: use gemeente, wijk or buurt")
    text = conn.execute(
        OUTLINES_SQL,
        {
            "niveau": niveau,
            "gemeentecode": gemeentecode,
            "tolerance": TOLERANCE_M[niveau],
        },
    ).scalar_one()
    return text.encode("utf-8")


def extent(conn: sa.Connection) -> list[float] | None:
    """Bounding box ``[minlon, minlat, maxlon, maxlat]`` of all loaded gemeenten, or None."""
    row = conn.execute(EXTENT_SQL).one()
    return None if row[0] is None else [round(v, 5) for v in row]

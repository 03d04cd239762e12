"""Names on the residents' map: gemeenten, woonplaatsen, wijken, buurten and streets.

The map draws them as MapLibre symbol layers. The style has no ``glyphs`` URL, so MapLibre
draws every letter in the browser from the device's own sans-serif font (TinySDF): no
glyph files, no font server, nothing from the internet, and every accent of a Dutch place
name works. The map page picks which level shows at which zoom.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.sqlfiles import named

SQL = named("kaart.sql", package="layers.pages")


def place_names_geojson(conn: sa.Connection) -> bytes:
    """GeoJSON points (CRS84) with ``naam`` and ``niveau`` (gemeente, woonplaats, wijk, buurt)."""
    return conn.execute(SQL["namen"]).scalar_one().encode("utf-8")


def street_names_geojson(conn: sa.Connection) -> bytes:
    """GeoJSON points (CRS84) with ``naam``: one per street, from the loaded BAG addresses.

    An empty FeatureCollection when no addresses are loaded.
    """
    return conn.execute(SQL["straten"]).scalar_one().encode("utf-8")

"""The geocoder's test for points outside the region of the loaded gemeenten.

Points of ``geocode_stage`` further than a buffer from every loaded gemeente (table
``gebied``) are refused. There are two statements for the same test. ``OUTSIDE_REGION``
is the exact one: for each point it asks the gemeente index for an outline within the
buffer. It is used for small stages (fewer than ``REGION_PARTS_FROM`` points, where
cutting the parts would cost more than it saves) and for a buffer under 1 m. For stages
of ``REGION_PARTS_FROM`` (5000) points or more, the outlines near the stage are first cut
into small parts (``REGION_PARTS``) and ``OUTSIDE_REGION_PARTS`` tests those parts
first, so most points never decompress a whole outline. Both refuse exactly the same
points (tests/geo/test_geocode.py checks it, also half a metre either side of the buffer).
"""

from __future__ import annotations

import sqlalchemy as sa

# Distance to the nearest gemeente equals distance to their union, and can use the index.
OUTSIDE_REGION = """
UPDATE geocode_stage s SET geom = NULL, geocode_precisie = NULL, geocode_bron = NULL,
    geocode_fout = :fout
WHERE s.geom IS NOT NULL
  AND EXISTS (SELECT 1 FROM gebied WHERE niveau = 'gemeente')
  AND NOT EXISTS (SELECT 1 FROM gebied g
                  WHERE g.niveau = 'gemeente' AND ST_DWithin(g.geom, s.geom, :buffer))
"""
# The same test for a large stage (issue 12): each gemeente's outline is stored TOASTed
# (thousands of vertices), so every probe above decompresses whole outlines. The
# gemeenten near the stage are cut into parts of at most 64 vertices (ST_Subdivide; their
# union is the gemeente) in a temporary table; a point within :binnen (the buffer less
# 1 m, far more than the parts' rounding) of a part is within the buffer, and only the
# other points get the exact test above. The CASE keeps that order (two NOT EXISTS become
# anti-joins in the planner's order). Same rows refused; for 100,000 points 2.4 -> 1.3 s.
REGION_PARTS = (
    "DROP TABLE IF EXISTS pg_temp.gemeente_deel",
    """
CREATE TEMP TABLE gemeente_deel ON COMMIT DROP AS
SELECT ST_Subdivide(g.geom, 64) AS geom FROM gebied g
WHERE g.niveau = 'gemeente'
  AND g.geom && (SELECT ST_Expand(ST_Extent(geom)::geometry, :buffer) FROM geocode_stage)
""",
    "CREATE INDEX ON gemeente_deel USING gist (geom)",
    "ANALYZE gemeente_deel",
)
OUTSIDE_REGION_PARTS = """
UPDATE geocode_stage s SET geom = NULL, geocode_precisie = NULL, geocode_bron = NULL,
    geocode_fout = :fout
WHERE s.geom IS NOT NULL
  AND EXISTS (SELECT 1 FROM gebied WHERE niveau = 'gemeente')
  AND CASE WHEN EXISTS (SELECT 1 FROM gemeente_deel d WHERE ST_DWithin(d.geom, s.geom, :binnen))
           THEN false
           ELSE NOT EXISTS (SELECT 1 FROM gebied g
                            WHERE g.niveau = 'gemeente' AND ST_DWithin(g.geom, s.geom, :buffer))
      END
"""
# Stages with fewer points are tested directly (the parts cost a few milliseconds).
REGION_PARTS_FROM = 5000


def refuse_outside_region(conn: sa.Connection, buffer: float, fout: str) -> None:
    """Refuse the points further than ``buffer`` metres from every loaded gemeente.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The connection (and transaction) that holds ``geocode_stage``.
    buffer : float
        Distance in metres (RD New) from the nearest loaded gemeente.
    fout : str
        The reason set in ``geocode_fout`` of every refused row.
    """
    params = {"fout": fout, "buffer": buffer}
    points = conn.execute(
        sa.text("SELECT count(*) FROM geocode_stage WHERE geom IS NOT NULL")
    ).scalar_one()
    if points < REGION_PARTS_FROM or buffer < 1:
        conn.execute(sa.text(OUTSIDE_REGION), params)
        return
    for step in REGION_PARTS:
        conn.execute(sa.text(step), params if ":buffer" in step else {})
    conn.execute(sa.text(OUTSIDE_REGION_PARTS), params | {"binnen": buffer - 1})

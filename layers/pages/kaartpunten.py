"""The residents' map's own points: every visible service as id, position and themes only.

The map draws its first frame from this compact list (about 15 KB gzipped for the demo),
not from the full OGC collection; details (name, address, ...) are read per point when it
is clicked. It reads the published view ``laag_voorzieningen``, so privacy rules stay in
one place (confidential addresses are already moved to their buurt there).
"""

from __future__ import annotations

import sqlalchemy as sa

from layers.visibility import VisibilityLike, as_visibility

POINTS_SQL = sa.text("""
SELECT coalesce(json_agg(json_build_array(
           id, round(ST_X(p)::numeric, 6), round(ST_Y(p)::numeric, 6), themas) ORDER BY id),
       '[]'::json)::text
FROM (SELECT id, themas, ST_Transform(geom, 4326) AS p FROM laag_voorzieningen
      WHERE zichtbaarheid = ANY(CAST(:visibility AS text[]))
         OR (zichtbaarheid = 'professional'
             AND (gemeentecode = ANY(CAST(:visibility_scope AS text[]))
                  OR wijkcode = ANY(CAST(:visibility_scope AS text[]))
                  OR buurtcode = ANY(CAST(:visibility_scope AS text[]))))) v
""")


def map_points_json(conn: sa.Connection, visibility: VisibilityLike) -> str:
    """JSON text ``[[id, lon, lat, [theme slug, ...]], ...]`` of the services the user may see.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    visibility : Visibility
        What the user may see (levels and area scope).
    """
    return conn.execute(POINTS_SQL, as_visibility(visibility).params()).scalar_one()

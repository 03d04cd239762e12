"""The study area: its areas, the contiguity of its buurten, and the data vintages.

Also the SQL pieces that select rows "within the buffer of the study area", shared by the
demand points (:mod:`analysis.demand`) and the services (:mod:`analysis.indicators`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

# "Within the buffer of the study area" without ST_Union (minutes for a whole country): a
# row whose gemeente is in the study area is in it; other rows are tested against each
# study gemeente (the distance to a union is the least distance to its members). Needs the
# CTE STUDY_GEMEENTEN; {code} may be NULL (no gemeente known).
STUDY_GEMEENTEN = """studie AS MATERIALIZED (
    SELECT geom FROM gebied
    WHERE niveau = 'gemeente' AND (cardinality(CAST(:gemeenten AS text[])) = 0
                                   OR code = ANY(CAST(:gemeenten AS text[]))))"""
NEAR_STUDY = """({code} = ANY(CAST(:gemeenten AS text[]))
    OR (cardinality(CAST(:gemeenten AS text[])) = 0 AND {code} IS NOT NULL)
    OR EXISTS (SELECT 1 FROM studie g WHERE ST_DWithin(g.geom, {geom}, :buffer)))"""

VINTAGES_SQL = sa.text("""
SELECT (SELECT jsonb_object_agg(niveau, jaren) FROM (
            SELECT niveau, jsonb_agg(DISTINCT jaar) AS jaren FROM gebied GROUP BY niveau) g)
           AS gebied,
       (SELECT jsonb_agg(DISTINCT jaar) FROM bevolking) AS bevolking,
       (SELECT jsonb_build_object('jaar', max(jaar), 'bron', max(bron), 'punten', count(*))
          FROM postcode6) AS postcode6,
       (SELECT jsonb_build_object('jaar', max(jaar), 'bron', max(bron), 'punten', count(*))
          FROM postcode4) AS postcode4,
       (SELECT jsonb_build_object('aanbod', count(*), 'laatst_gewijzigd', max(gewijzigd_op),
                                  'laatst_geverifieerd', max(laatst_geverifieerd_op))
          FROM aanbod WHERE status = 'gepubliceerd') AS aanbod
""")


def data_vintages(engine: sa.Engine) -> dict:
    """Years and sources of the areas, population, postcode points and services."""
    with engine.connect() as conn:
        row = conn.execute(VINTAGES_SQL).mappings().one()
    return {k: v for k, v in row.items()}


AREAS_SQL = sa.text("""
SELECT code, niveau, naam, gemeentecode,
       coalesce(wijkcode, CASE WHEN niveau = 'wijk' THEN code END) AS wijkcode,
       ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y
FROM gebied
WHERE cardinality(CAST(:gemeenten AS text[])) = 0 OR gemeentecode = ANY(CAST(:gemeenten AS text[]))
ORDER BY niveau, code
""")

NEIGHBOURS_SQL = sa.text("""
SELECT a.code AS a, b.code AS b
FROM gebied a JOIN gebied b
  ON b.niveau = 'buurt' AND a.code < b.code AND ST_DWithin(a.geom, b.geom, :tolerance)
WHERE a.niveau = 'buurt'
  AND (cardinality(CAST(:gemeenten AS text[])) = 0
       OR (a.gemeentecode = ANY(CAST(:gemeenten AS text[]))
           AND b.gemeentecode = ANY(CAST(:gemeenten AS text[]))))
""")


def study_areas(engine: sa.Engine, gemeenten: Sequence[str] = ()) -> pd.DataFrame:
    """Gemeenten, wijken and buurten of the study area with an interior point each.

    Columns ``code, niveau, naam, gemeentecode, wijkcode, x, y``, indexed by ``code``.
    """
    with engine.connect() as conn:
        rows = conn.execute(AREAS_SQL, {"gemeenten": list(gemeenten)}).mappings().all()
    columns = ["code", "niveau", "naam", "gemeentecode", "wijkcode", "x", "y"]
    return pd.DataFrame(rows, columns=columns).set_index("code", drop=False)


def buurt_neighbours(
    engine: sa.Engine, gemeenten: Sequence[str] = (), tolerance_m: float = 5.0
) -> dict[str, set[str]]:
    """Queen-style contiguity of the study buurten: touching or within ``tolerance_m``.

    The tolerance bridges the slivers of generalised CBS boundaries.
    """
    neighbours: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for a, b in conn.execute(
            NEIGHBOURS_SQL, {"gemeenten": list(gemeenten), "tolerance": tolerance_m}
        ):
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    return neighbours

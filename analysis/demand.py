"""Demand points from the database: PC6 where shipped, else PC4 pieces, else the buurt.

Per buurt the finest available level is used (docs/ANALYSIS.md §2):

* ``pc6``: the CBS PC6 points in the buurt, when their population adds up to at least
  half of the buurt's (otherwise too much is suppressed to trust them);
* ``pc4``: the buurt cut by the PC4 areas; each piece (≥ 1 % of the buurt) gets the PC4
  population in proportion to its area and a point on its surface;
* ``buurt``: one point on the buurt's surface.

Within a buurt the points are scaled so that they add up to the buurt's CBS population
(the published number); 65+ follows the point's own 65+ share. A PC6 point outside every
buurt is joined to the nearest buurt within ``snap_m`` metres, or dropped and reported.
The level used is recorded per buurt (``vraagniveau``) and per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analysis.demand_weights import choose_level, scale_to_buurt, spread_over_addresses
from analysis.study_area import NEAR_STUDY, STUDY_GEMEENTEN

LEVELS = ("pc6", "pc4", "buurt")

STUDY = (
    """
WITH """
    + STUDY_GEMEENTEN
    + """,
buurt AS (
    SELECT b.code, b.wijkcode, b.gemeentecode, b.geom,
           (cardinality(CAST(:gemeenten AS text[])) = 0
            OR b.gemeentecode = ANY(CAST(:gemeenten AS text[]))) AS in_studie,
           p.inwoners AS officieel, p.inwoners_65plus AS officieel_65
    FROM gebied b
    LEFT JOIN LATERAL (SELECT inwoners, inwoners_65plus FROM bevolking
                       WHERE gebiedcode = b.code AND inwoners IS NOT NULL
                       ORDER BY jaar DESC LIMIT 1) p ON true
    WHERE b.niveau = 'buurt' AND """
    + NEAR_STUDY.format(code="b.gemeentecode", geom="b.geom")
    + """
)"""
)
# STUDY is a constant of this module (no request text), so composing it is safe.
POINTS_SQL = sa.text(
    STUDY
    + """,
pc6_alle AS MATERIALIZED (
    SELECT nb.code AS buurtcode, p.geom, p.inwoners::float8 AS w,
           p.inwoners_65plus::float8 AS w65
    FROM postcode6 p
    CROSS JOIN LATERAL (SELECT b.code FROM gebied b
                        WHERE b.niveau = 'buurt' AND ST_DWithin(b.geom, p.geom, :snap)
                        ORDER BY ST_Distance(b.geom, p.geom), b.code LIMIT 1) nb
    WHERE p.inwoners > 0
),
pc6 AS (SELECT * FROM pc6_alle WHERE buurtcode IN (SELECT code FROM buurt)),
pc6_ok AS (
    SELECT b.code FROM buurt b JOIN pc6 ON pc6.buurtcode = b.code
    GROUP BY b.code, b.officieel HAVING b.officieel IS NULL OR sum(pc6.w) >= 0.5 * b.officieel
),
pc4 AS (
    SELECT b.code AS buurtcode, p.pc4, x.piece,
           p.inwoners * ST_Area(x.piece) / ST_Area(p.vlak) AS w,
           p.inwoners_65plus * ST_Area(x.piece) / ST_Area(p.vlak) AS w65
    FROM buurt b
    JOIN postcode4 p ON p.vlak && b.geom AND ST_Intersects(p.vlak, b.geom) AND p.inwoners > 0
    CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(b.geom, p.vlak), 3)
                        AS piece) x
    WHERE b.code NOT IN (SELECT code FROM pc6_ok) AND NOT ST_IsEmpty(x.piece)
      AND ST_Area(x.piece) >= 0.01 * ST_Area(b.geom)
)
SELECT 'pc6' AS bron, buurtcode, NULL AS pc4, ST_X(geom) AS x, ST_Y(geom) AS y, w, w65
FROM pc6 WHERE buurtcode IN (SELECT code FROM pc6_ok)
UNION ALL
SELECT 'pc4', buurtcode, pc4, ST_X(ST_PointOnSurface(piece)), ST_Y(ST_PointOnSurface(piece)),
       w, w65 FROM pc4
UNION ALL
SELECT 'buurt', code, NULL, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)),
       NULL, NULL FROM buurt
"""
)

# BAG addresses with their buurt and PC4 area: the residents of a PC4 piece (or of a
# buurt without PC4 pieces) are spread evenly over its addresses (docs/ANALYSIS.md §2).
# The PC4 area of an address is the first four characters of its postcode.
ADDRESSES_SQL = sa.text("""
SELECT b.code AS buurtcode, left(a.postcode, 4) AS pc4, ST_X(a.geom) AS x, ST_Y(a.geom) AS y
FROM adres a
JOIN gebied b ON b.niveau = 'buurt' AND ST_Intersects(b.geom, a.geom)
""")

# The 65+ share per gemeente (and, last row, of all) from the PC4 figures, which CBS does
# not suppress: for points whose own 65+ figure is missing or suppressed (docs/ANALYSIS.md §2).
SHARE65_SQL = sa.text("""
SELECT coalesce(gemeentecode, '*') AS gemeentecode,
       sum(inwoners_65plus)::float8 / nullif(sum(inwoners), 0) AS aandeel
FROM postcode4 WHERE inwoners > 0 AND inwoners_65plus IS NOT NULL
GROUP BY ROLLUP (gemeentecode)
""")

# The edge of the loaded region: no services beyond it are loaded (docs/ANALYSIS.md §6).
EDGE_SQL = sa.text("""
SELECT ST_AsBinary(ST_Boundary(ST_Union(geom))) FROM gebied WHERE niveau = 'gemeente'
""")

BUURTEN_SQL = sa.text(
    STUDY
    + """
SELECT code, wijkcode, gemeentecode, in_studie, officieel, officieel_65 FROM buurt
"""
)

OUTSIDE_SQL = sa.text(
    STUDY
    + """
SELECT count(*) FILTER (WHERE NOT binnen AND gekoppeld) AS gekoppeld,
       count(*) FILTER (WHERE NOT gekoppeld) AS weggelaten,
       coalesce(sum(inwoners) FILTER (WHERE NOT gekoppeld), 0) AS inwoners_weggelaten
FROM (SELECT p.inwoners, binnen.gemeentecode IS NOT NULL AS binnen,
             EXISTS (SELECT 1 FROM gebied b WHERE b.niveau = 'buurt'
                     AND ST_DWithin(b.geom, p.geom, :snap)) AS gekoppeld
      FROM postcode6 p
      LEFT JOIN LATERAL (SELECT b.gemeentecode FROM gebied b WHERE b.niveau = 'buurt'
                         AND ST_Intersects(b.geom, p.geom) LIMIT 1) binnen ON true
      WHERE p.inwoners > 0 AND """
    + NEAR_STUDY.format(code="binnen.gemeentecode", geom="p.geom")
    + """) x
"""
)


@dataclass
class DemandPoints:
    """Demand locations (RD New metres) with population, in the study area plus a buffer.

    Attributes
    ----------
    x, y : ndarray
        Coordinates (EPSG:28992).
    pop : ndarray
        Residents per point (> 0).
    pop65 : ndarray
        Residents aged 65 and over; ``nan`` where the level has no age band.
    buurt, wijk, gemeente : ndarray of str
        Area codes of each point.
    level : ndarray of str
        ``pc6``, ``pc4`` or ``buurt`` per point.
    in_study : ndarray of bool
        Whether the point's gemeente is in the study area (the rest is the buffer).
    buurt_level : dict
        Demand level per buurt code (``pc6``, ``pc4``, ``buurt``); buurten without
        population are absent.
    notes : list of dict
        Messages about the data (``{"code": ..., "tekst": ...}``), in Dutch.
    on_address : ndarray of bool, optional
        Whether the point is a BAG address that carries a share of its PC4 piece or buurt.
    estimated65 : ndarray of bool, optional
        Whether the point's 65+ count is estimated (missing or suppressed by CBS).
    edge_m : ndarray, optional
        Straight-line distance to the edge of the loaded region (no services beyond it).
    """

    x: np.ndarray
    y: np.ndarray
    pop: np.ndarray
    pop65: np.ndarray
    buurt: np.ndarray
    wijk: np.ndarray
    gemeente: np.ndarray
    level: np.ndarray
    in_study: np.ndarray
    buurt_level: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    on_address: np.ndarray | None = None
    estimated65: np.ndarray | None = None
    edge_m: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pop)

    def summary_level(self) -> str:
        """The levels used in the study area, finest first, e.g. ``pc6+pc4``."""
        used = set(self.level[self.in_study])
        return "+".join(lv for lv in LEVELS if lv in used) or "geen"


def load_demand(
    engine: sa.Engine,
    gemeenten: Sequence[str] = (),
    buffer_m: float = 10_000,
    snap_m: float = 250.0,
    addresses: bool = True,
) -> DemandPoints:
    """Demand points for the study area (``gemeenten``; empty = all) plus a buffer.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    gemeenten : sequence of str
        CBS gemeente codes of the study area; empty means every loaded gemeente.
    buffer_m : float
        Buurten within this distance of the study area are included as competing demand
        (use twice the largest catchment size).
    snap_m : float
        A PC6 point outside every buurt joins the nearest buurt within this distance.
    addresses : bool
        Spread PC4 pieces and buurten over their BAG addresses (default); ``False`` keeps
        one point per piece or buurt (the method before, for comparisons).

    Returns
    -------
    DemandPoints
    """
    params = {"gemeenten": list(gemeenten), "buffer": buffer_m, "snap": snap_m}
    with engine.connect() as conn:
        raw = pd.DataFrame(
            conn.execute(POINTS_SQL, params).mappings().all(),
            columns=["bron", "buurtcode", "pc4", "x", "y", "w", "w65"],
        )
        addresses = pd.DataFrame(
            conn.execute(ADDRESSES_SQL, params).mappings().all() if addresses else [],
            columns=["buurtcode", "pc4", "x", "y"],
        )
        share65 = {r.gemeentecode: r.aandeel for r in conn.execute(SHARE65_SQL)}
        edge = conn.execute(EDGE_SQL).scalar()
        buurten = pd.DataFrame(
            conn.execute(BUURTEN_SQL, params).mappings().all(),
            columns=["code", "wijkcode", "gemeentecode", "in_studie", "officieel", "officieel_65"],
        )
        outside = conn.execute(OUTSIDE_SQL, params).mappings().one()
    points = scale_to_buurt(spread_over_addresses(choose_level(raw), addresses), buurten, share65)
    notes = _notes(points, buurten, outside)
    x, y = points["x"].to_numpy(float), points["y"].to_numpy(float)
    return DemandPoints(
        x=points["x"].to_numpy(float),
        y=points["y"].to_numpy(float),
        pop=points["pop"].to_numpy(float),
        pop65=points["pop65"].to_numpy(float),
        buurt=points["buurtcode"].to_numpy(str),
        wijk=points["wijkcode"].to_numpy(str),
        gemeente=points["gemeentecode"].to_numpy(str),
        level=points["bron"].to_numpy(str),
        in_study=points["in_studie"].to_numpy(bool),
        buurt_level=dict(zip(points["buurtcode"], points["bron"], strict=True)),
        notes=notes,
        on_address=points["adres"].to_numpy(bool),
        estimated65=points["geschat65"].to_numpy(bool),
        edge_m=_edge_distance(x, y, edge),
    )


def _edge_distance(x: np.ndarray, y: np.ndarray, edge) -> np.ndarray:
    """Distance of each point to the edge of the loaded region (inf without an edge).

    The edge is cut into its segments in an STRtree, so each point costs a tree query
    instead of a pass over every vertex of the region's outline (a country's outline has
    millions). The distance to a line is the least distance to its segments: the same
    numbers as ``shapely.distance`` against the whole outline.
    """
    if edge is None or len(x) == 0:
        return np.full(len(x), np.inf)
    import shapely

    outline = shapely.from_wkb(bytes(edge))
    points = shapely.points(x, y)
    coords, part = shapely.get_coordinates(shapely.get_parts(outline), return_index=True)
    inside = part[:-1] == part[1:]
    if not inside.any():
        return shapely.distance(points, outline)
    segments = shapely.linestrings(np.stack([coords[:-1][inside], coords[1:][inside]], axis=1))
    (point, _), distance = shapely.STRtree(segments).query_nearest(
        points, return_distance=True, all_matches=False
    )
    out = np.full(len(x), np.inf)
    out[point] = distance
    return out


def _notes(points: pd.DataFrame, buurten: pd.DataFrame, outside) -> list[dict]:
    notes: list[dict] = []
    study = buurten[buurten["in_studie"]]
    empty = sorted(set(study["code"]) - set(points["buurtcode"]))
    if empty:
        notes.append(
            {
                "code": "buurten_zonder_inwoners",
                "buurten": empty,
                "tekst": f"{len(empty)} buurt(en) zonder inwoners of zonder "
                "bevolkingscijfer: hun indicatoren blijven leeg.",
            }
        )
    if outside["gekoppeld"]:
        notes.append(
            {
                "code": "pc6_gekoppeld",
                "aantal": int(outside["gekoppeld"]),
                "tekst": f"{outside['gekoppeld']} PC6-punt(en) lagen net buiten de "
                "buurtgrenzen en zijn bij de dichtstbijzijnde buurt geteld.",
            }
        )
    if outside["weggelaten"]:
        notes.append(
            {
                "code": "pc6_buiten_gebieden",
                "aantal": int(outside["weggelaten"]),
                "inwoners": int(outside["inwoners_weggelaten"]),
                "tekst": f"{outside['weggelaten']} PC6-punt(en) met "
                f"{outside['inwoners_weggelaten']} inwoners liggen buiten alle "
                "buurten en tellen niet mee.",
            }
        )
    return notes

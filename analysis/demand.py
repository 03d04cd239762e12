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

LEVELS = ("pc6", "pc4", "buurt")

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


def _spread(points: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Replace each PC4 piece, and each buurt-level point, by the BAG addresses in it.

    A piece's weights are divided evenly over its addresses; a buurt-level address keeps
    no weight of its own (:func:`_scale` spreads the buurt's population evenly). A piece or
    buurt without addresses keeps its single point. Column ``adres`` marks address points.
    """
    points = points.assign(adres=False)
    addresses = addresses.assign(adres=True)
    pieces = points[points["bron"] == "pc4"]
    on_piece = pieces.drop(columns=["x", "y", "adres"]).merge(
        addresses, on=["buurtcode", "pc4"], how="inner"
    )
    n = on_piece.groupby(["buurtcode", "pc4"])["x"].transform("size")
    on_piece = on_piece.assign(w=on_piece["w"] / n, w65=on_piece["w65"] / n)
    spread = set(zip(on_piece["buurtcode"], on_piece["pc4"], strict=True))
    kept = pieces[
        [(b, c) not in spread for b, c in zip(pieces["buurtcode"], pieces["pc4"], strict=True)]
    ]
    whole = points[points["bron"] == "buurt"]
    in_whole = addresses[addresses["buurtcode"].isin(whole["buurtcode"])].assign(
        bron="buurt", w=np.nan, w65=np.nan
    )
    whole = whole[~whole["buurtcode"].isin(in_whole["buurtcode"])]
    columns = ["bron", "buurtcode", "pc4", "x", "y", "w", "w65", "adres"]
    parts = [points[points["bron"] == "pc6"], on_piece, kept, in_whole, whole]
    return pd.concat([part[columns] for part in parts if len(part)], ignore_index=True)


def _choose_level(points: pd.DataFrame) -> pd.DataFrame:
    """Per buurt keep the finest level that has population: pc6, then pc4, then buurt."""
    rank = {"pc6": 0, "pc4": 1, "buurt": 2}
    points = points.assign(rank=points["bron"].map(rank))
    usable = points[(points["bron"] == "buurt") | (points["w"].fillna(0) > 0)]
    best = usable.groupby("buurtcode")["rank"].transform("min")
    return usable[usable["rank"] == best].drop(columns="rank")


# CBS rounds PC6 counts to fives and publishes fewer than 5 as 0: a published 0 of 65+
# at a PC6 point with residents is "0 to 4", estimated (docs/ANALYSIS.md §2).
PC6_SUPPRESSED_MAX = 4.0


def _scale(
    points: pd.DataFrame, buurten: pd.DataFrame, share65: dict | None = None
) -> pd.DataFrame:
    """Scale point weights to the buurt's CBS population; 65+ by each point's own share.

    A buurt-level point (one per BAG address, or one on the buurt's surface) has weight 1,
    so the buurt's residents are spread evenly over its addresses. Where a point's own 65+
    figure is missing (no figure) or suppressed (a PC6 zero), the 65+ share of the
    gemeente (from the PC4 figures; ``share65``, key ``'*'`` = all) is used instead, capped
    at 4 people for a suppressed PC6 point; such points are marked ``geschat65``.
    """
    share65 = share65 or {}
    points = points.merge(buurten, left_on="buurtcode", right_on="code", how="inner")
    is_buurt = points["bron"] == "buurt"
    w = points["w"].where(~is_buurt, 1.0).where(~is_buurt | points["officieel"].notna())
    w = w.astype(float)
    total = w.groupby(points["buurtcode"]).transform("sum")
    factor = (points["officieel"].astype(float) / total).where(points["officieel"].notna(), 1.0)
    pop = w * factor
    w65 = points["w65"].astype(float)
    own = (w65 / points["w"].astype(float)).where(~is_buurt)
    own = own.where(
        ~is_buurt, points["officieel_65"].astype(float) / points["officieel"].astype(float)
    )
    fallback = points["gemeentecode"].map(share65).astype(float).fillna(share65.get("*", np.nan))
    suppressed = (points["bron"] == "pc6") & ~(w65 > 0)
    missing = own.isna() & ~suppressed
    estimate = pop * fallback
    pop65 = (pop * own.clip(0, 1)).where(~missing, estimate)
    pop65 = pop65.where(~suppressed, np.minimum(estimate, PC6_SUPPRESSED_MAX))
    points = points.assign(pop=pop, pop65=pop65, geschat65=(missing | suppressed) & pop65.notna())
    return points[points["pop"].fillna(0) > 0]


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
    points = _scale(_spread(_choose_level(raw), addresses), buurten, share65)
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

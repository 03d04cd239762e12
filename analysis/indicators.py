"""Indicators per theme and target group, at demand points and aggregated to areas.

Per demand point: travel cost to the nearest provider, providers within 1/3/5 km, whether
the point is beyond the theme's threshold T (docs/ANALYSIS.md §4), and E2SFCA
accessibility at three catchment sizes with the truncated Gaussian decay
(docs/ANALYSIS.md §5). Travel cost is the straight-line distance times a detour factor
(1.3) — there is no road network in the database — and that is recorded as
``cost_method``. Areas get population-weighted means (docs/ANALYSIS.md §6).

Supply is every public service of the theme within a wide buffer around the study area,
so providers just across a municipal border count (CBS does the same). Co-located services
form one supply point whose capacity is the sum of ``aanbod.capaciteit``; when the theme
has no capacities at all the measure is count-based, when some are missing those get the
theme's median capacity (``capaciteit_basis`` says which).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy.spatial import cKDTree

from analysis import decay as decays
from analysis.coords import check_xy
from analysis.fca import CostPairs, e2sfca
from analysis.study_area import NEAR_STUDY, STUDY_GEMEENTEN

DETOUR = 1.3
RADII = (1000.0, 3000.0, 5000.0)
SIZES = ("klein", "midden", "groot")

# Services within the buffer of the study area (analysis.study_area.NEAR_STUDY: no ST_Union).
SUPPLY_SQL = sa.text(
    "WITH "
    + STUDY_GEMEENTEN
    + """
SELECT ST_X(v.geom) AS x, ST_Y(v.geom) AS y, a.capaciteit::float8 AS capaciteit,
       (cardinality(v.doelgroepen) = 0 OR v.doelgroepen && ARRAY['ouderen', 'iedereen'])
           AS voor_ouderen
FROM laag_voorzieningen v
JOIN aanbod_locatie al ON al.id = v.id
JOIN aanbod a ON a.id = al.aanbod_id
WHERE :thema = ANY(v.themas) AND v.zichtbaarheid = ANY(CAST(:zichtbaarheid AS text[]))
  AND """
    + NEAR_STUDY.format(code="v.gemeentecode", geom="v.geom")
)


@dataclass(frozen=True)
class Theme:
    """A theme with its distance threshold T (``thema.afstand_m``)."""

    slug: str
    naam: str
    drempel_m: int

    @property
    def catchments(self) -> tuple[float, float, float]:
        """Catchment sizes d0 (small, main, large), see :func:`catchment_sizes`."""
        return catchment_sizes(self.drempel_m)


def catchment_sizes(drempel_m: float) -> tuple[float, float, float]:
    """Three catchment sizes around threshold T for the sensitivity rule (docs/ANALYSIS.md §5).

    Cycling/GP-scale themes (T ≥ 2 km): (2/3 T, T, 5/3 T), e.g. 2, 3, 5 km for 3 km.
    Walking-scale themes: (0.8 T, T, 1.5 T), e.g. 0.8, 1, 1.5 km for 1 km.
    """
    t = float(drempel_m)
    small, large = (2 * t / 3, 5 * t / 3) if t >= 2000 else (0.8 * t, 1.5 * t)
    return (round(small), t, round(large))


@dataclass(frozen=True)
class Supply:
    """Supply points: co-located services merged; capacity per point and service count."""

    x: np.ndarray
    y: np.ndarray
    capacity: np.ndarray
    count: np.ndarray
    basis: str
    imputed: float | None = None

    def __len__(self) -> int:
        return len(self.x)


def build_supply(services: pd.DataFrame) -> Supply:
    """Merge services (columns ``x, y, capaciteit``) into supply points.

    ``basis`` is ``capaciteit`` (all known), ``aantal`` (none known: 1 per service) or
    ``gemengd`` (missing capacities get the median of the known ones, ``imputed``).
    """
    known = services["capaciteit"].dropna()
    known = known[known > 0]
    if services.empty or known.empty:
        basis, imputed, cap = "aantal", None, pd.Series(1.0, index=services.index)
    elif len(known) == len(services):
        basis, imputed, cap = "capaciteit", None, services["capaciteit"].astype(float)
    else:
        imputed = float(known.median())
        cap = services["capaciteit"].where(services["capaciteit"] > 0, imputed).astype(float)
        basis = "gemengd"
    grouped = services.assign(cap=cap, n=1).groupby(["x", "y"], sort=True)[["cap", "n"]].sum()
    xy = grouped.index.to_frame(index=False)
    return Supply(
        xy["x"].to_numpy(float),
        xy["y"].to_numpy(float),
        grouped["cap"].to_numpy(float),
        grouped["n"].to_numpy(float),
        basis,
        imputed,
    )


def load_services(
    engine: sa.Engine,
    thema: str,
    gemeenten=(),
    buffer_m: float = 30_000,
    ouderen: bool = False,
    zichtbaarheid=("openbaar",),
) -> pd.DataFrame:
    """Services of ``thema`` within ``buffer_m`` of the study area (``x, y, capaciteit``).

    With ``ouderen`` only services for everyone, for older people or without target group.
    Only services with one of the ``zichtbaarheid`` levels count: by default the public
    ones, because the results are published (as the public area layers count them).
    Confidential locations count at their buurt's inner point, as ``laag_voorzieningen``
    publishes them.
    """
    params = {
        "thema": thema,
        "gemeenten": list(gemeenten),
        "buffer": buffer_m,
        "zichtbaarheid": list(zichtbaarheid),
    }
    with engine.connect() as conn:
        rows = conn.execute(SUPPLY_SQL, params).mappings().all()
    frame = pd.DataFrame(rows, columns=["x", "y", "capaciteit", "voor_ouderen"])
    if ouderen:
        frame = frame[frame["voor_ouderen"].astype(bool)]
    return frame[["x", "y", "capaciteit"]].reset_index(drop=True)


@dataclass(frozen=True)
class PointIndicators:
    """Indicators per demand point for one theme and one population column."""

    nearest: np.ndarray  # (n) cost to the nearest supply point; inf when none
    counts: np.ndarray  # (n, 3) services within RADII
    access: np.ndarray  # (n, 3) E2SFCA A_i at the three catchment sizes
    regional: np.ndarray  # (3) R0 per catchment size (0 when nothing in reach)
    catchments: tuple  # the three d0 values (metres)


def cost_pairs(dx, dy, supply: Supply, max_cost: float, detour: float = DETOUR) -> CostPairs:
    """Demand→supply pairs with ``cost = detour × straight-line distance <= max_cost``."""
    n = len(dx)
    if n == 0 or len(supply) == 0:
        empty = np.zeros(0, int)
        return CostPairs(empty, empty, np.zeros(0), (n, len(supply)))
    demand_tree = cKDTree(np.column_stack([dx, dy]))
    supply_tree = cKDTree(np.column_stack([supply.x, supply.y]))
    found = demand_tree.sparse_distance_matrix(
        supply_tree, max_cost / detour, output_type="ndarray"
    )
    return CostPairs(
        found["i"].astype(int), found["j"].astype(int), found["v"] * detour, (n, len(supply))
    )


def point_indicators(
    dx, dy, pop, supply: Supply, theme: Theme, decay: str = "gaussian_dai", detour: float = DETOUR
) -> PointIndicators:
    """Nearest cost, counts within 1/3/5 km and E2SFCA at three sizes per demand point.

    Parameters
    ----------
    dx, dy, pop : array (n)
        Demand coordinates (RD New) and population (≥ 0).
    supply : Supply
    theme : Theme
    decay : str
        ``gaussian_dai`` (default), ``step`` or ``binary``; see :func:`analysis.decay.by_name`.
    detour : float
        Network-to-straight-line factor.

    Returns
    -------
    PointIndicators
    """
    check_xy(dx, dy, "Vraagpunten")
    check_xy(supply.x, supply.y, "Aanbodpunten")
    n, sizes = len(dx), theme.catchments
    pairs = cost_pairs(dx, dy, supply, max(max(sizes), max(RADII)), detour)
    nearest = np.full(n, np.inf)
    if len(supply) and n:
        tree = cKDTree(np.column_stack([supply.x, supply.y]))
        nearest = tree.query(np.column_stack([dx, dy]), k=1)[0] * detour
    counts = (
        np.column_stack(
            [
                np.bincount(
                    pairs.origin[pairs.cost <= r],
                    weights=supply.count[pairs.dest[pairs.cost <= r]],
                    minlength=n,
                )
                for r in RADII
            ]
        )
        if n
        else np.zeros((0, 3))
    )
    results = [e2sfca(pop, supply.capacity, pairs, decays.by_name(decay, d0)) for d0 in sizes]
    access = np.column_stack([r.access for r in results]) if n else np.zeros((0, 3))
    return PointIndicators(nearest, counts, access, np.array([r.regional for r in results]), sizes)


def _weighted(codes: np.ndarray, pop: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Population and population-weighted means per code (values: (n, k))."""
    frame = pd.DataFrame(values * pop[:, None]).assign(code=codes, pop=pop)
    sums = frame.groupby("code").sum()
    means = sums.drop(columns="pop").div(sums["pop"].where(sums["pop"] > 0), axis=0)
    return means.assign(inwoners=sums["pop"])


def aggregate(
    points: PointIndicators,
    pop: np.ndarray,
    codes: np.ndarray,
    drempel_m: float,
    edge_cost: np.ndarray | None = None,
    estimated: np.ndarray | None = None,
) -> pd.DataFrame:
    """Population-weighted area values from point indicators (one row per code).

    Columns: ``inwoners, afstand_m, aantal_1km, aantal_3km, aantal_5km, pct_verder,
    a_klein, a_midden, a_groot, spar_klein, spar, spar_groot`` and ``onbereikbaar`` (share
    of residents with no provider in the buffer at all) and ``pct_rand``: the share of
    residents for whom a service just outside the loaded region could be nearer than the
    nearest loaded one and within T (``edge_cost``: travel cost to the region's edge;
    docs/ANALYSIS.md §6), and ``pct_geschat``: the share of the population that is
    estimated (``estimated``, e.g. suppressed 65+ figures). Values are ``nan`` where
    undefined; :func:`area_frame` turns them into explicit nulls with a reason.
    """
    finite = np.isfinite(points.nearest)
    edge = np.full(len(pop), np.inf) if edge_cost is None else np.asarray(edge_cost, float)
    at_edge = (edge < np.minimum(points.nearest, drempel_m)).astype(float)
    values = np.column_stack(
        [
            np.where(finite, points.nearest, 0.0),
            points.counts,
            100.0 * (points.nearest > drempel_m),
            points.access,
            (~finite).astype(float),
            100.0 * at_edge,
            100.0 * (np.zeros(len(pop)) if estimated is None else np.asarray(estimated, float)),
        ]
    )
    names = [
        "afstand_m",
        "aantal_1km",
        "aantal_3km",
        "aantal_5km",
        "pct_verder",
        "a_klein",
        "a_midden",
        "a_groot",
        "onbereikbaar",
        "pct_rand",
        "pct_geschat",
    ]
    frame = _weighted(codes, pop, values).set_axis([*names, "inwoners"], axis=1)
    frame.loc[frame["onbereikbaar"] > 0, "afstand_m"] = np.nan
    for column in ("pct_verder", "pct_rand", "pct_geschat"):
        frame[column] = frame[column].clip(0.0, 100.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for size, r0 in zip(SIZES, points.regional, strict=True):
            spar_name = "spar" if size == "midden" else f"spar_{size}"
            frame[spar_name] = frame[f"a_{size}"] / r0 if r0 > 0 else np.nan
    return frame


def demand_level(levels: np.ndarray, codes: np.ndarray) -> pd.Series:
    """The demand level per area: the one used, or ``gemengd`` when several were."""
    frame = pd.DataFrame({"code": codes, "level": levels})
    return frame.groupby("code")["level"].agg(
        lambda s: s.iloc[0] if s.nunique() == 1 else "gemengd"
    )


INDICATORS = (
    "afstand_m",
    "aantal_1km",
    "aantal_3km",
    "aantal_5km",
    "pct_verder",
    "a_klein",
    "a_midden",
    "a_groot",
    "spar_klein",
    "spar",
    "spar_groot",
    "pct_rand",
    "pct_geschat",
)


def null_reason(row, supply: Supply, doelgroep: str) -> str | None:
    """Why an area's indicators are (partly) missing, in plain Dutch; None when complete."""
    if not row["inwoners"] > 0:
        return (
            "Geen 65-plussers bekend in dit gebied (geen leeftijdscijfers, of er woont niemand)."
            if doelgroep == "ouderen"
            else "Geen inwoners in dit gebied."
        )
    if len(supply) == 0:
        return (
            "Er is geen aanbod voor dit thema in of rond het studiegebied; afstand en "
            "het aanbod per inwoner zijn daarom leeg."
        )
    if np.isnan(row["afstand_m"]):
        group = "de 65-plussers" if doelgroep == "ouderen" else "de inwoners"
        return f"Een deel van {group} heeft geen aanbod binnen de zoekafstand."
    if np.isnan(row["spar"]):
        group = "65-plussers" if doelgroep == "ouderen" else "inwoners"
        return (
            f"Het aanbod ligt buiten bereik van alle {group}; het aanbod per {group[:-1]} "
            "is niet te berekenen."
        )
    return None


def area_frame(
    areas: pd.DataFrame, agg: pd.DataFrame, levels: pd.Series, supply: Supply, doelgroep: str
) -> pd.DataFrame:
    """One row per study area of one level with indicators, demand level and null reason.

    Parameters
    ----------
    areas : pandas.DataFrame
        The study areas of one level (index ``code``; ``niveau, naam, gemeentecode,
        wijkcode``), from :func:`analysis.study_area.study_areas`.
    agg : pandas.DataFrame
        :func:`aggregate` output (may hold areas outside the study area: ignored).
    levels : pandas.Series
        Demand level per area code.
    supply : Supply
    doelgroep : str
        ``iedereen`` or ``ouderen`` (only changes the wording of reasons).

    Returns
    -------
    pandas.DataFrame
        Areas without population keep ``inwoners = 0`` and ``nan`` indicators; the
        ``null_reden`` column says why any indicator is missing.
    """
    frame = areas[["code", "niveau", "naam", "gemeentecode", "wijkcode"]].join(
        agg.drop(columns="onbereikbaar", errors="ignore"), how="left"
    )
    frame["inwoners"] = frame["inwoners"].fillna(0.0)
    for column in INDICATORS:
        if column not in frame:
            frame[column] = np.nan
    frame.loc[~(frame["inwoners"] > 0), list(INDICATORS)] = np.nan
    frame["vraagniveau"] = levels.reindex(frame.index)
    frame["capaciteit_basis"] = supply.basis
    needed = frame[["inwoners", "afstand_m", "spar"]].to_dict("records")  # not iterrows: slow
    frame["null_reden"] = [null_reason(row, supply, doelgroep) for row in needed]
    return frame

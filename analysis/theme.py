"""One theme of a run: indicators, cold spots, flags and location suggestions.

A theme is done in two halves so that a run can keep the workers busy
(docs/ANALYSIS.md §15):

* :func:`start_theme` (in the client): per target group the supply (SQL), the point
  indicators (in tiles on Dask when a tiling is given) and the area frames; then per
  target group one task :func:`flag_group` (cold spots, the region's cut-offs, the flags)
  and the location suggestions (gemeenten in at most :data:`SITE_TASKS` tasks) are handed
  to the runner;
* :meth:`PendingTheme.finish`: collects those tasks' results.

Without a cluster the tasks run at once in this process (``scheduler.INLINE``). Either
way the same functions get the same inputs, so a run stores the same results (the cold
spots' permutations are seeded per call): tests/analysis/test_parallel_run.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from analysis import demand as dem
from analysis import indicators as ind
from analysis.coldspots import cold_spots
from analysis.flags import Context, flag_areas, regional_cutoffs
from analysis.scheduler import INLINE, Runner
from analysis.siting import suggest_sites_from_costs
from analysis.wording import sentence_site

if TYPE_CHECKING:
    from analysis.run import RunParams

LEVELS = ("buurt", "wijk", "gemeente")
SITE_TASKS = 16  # location suggestions of a theme in at most this many tasks


def group_input(engine, theme: ind.Theme, demand: dem.DemandPoints, params, doelgroep: str):
    """The supply of ``theme`` for ``doelgroep`` and the population it serves."""
    services = ind.load_services(
        engine,
        theme.slug,
        params.gemeenten,
        params.supply_buffer_m,
        ouderen=doelgroep == "ouderen",
        zichtbaarheid=params.zichtbaarheid,
    )
    pop = demand.pop if doelgroep == "iedereen" else np.nan_to_num(demand.pop65, nan=0.0)
    return ind.build_supply(services), pop


def level_frame(
    demand, areas, points, pop, supply, doelgroep, level, theme, edge=None, estimated=None
) -> pd.DataFrame:
    """The indicators of one level's areas (buurt, wijk or gemeente)."""
    codes = {"buurt": demand.buurt, "wijk": demand.wijk, "gemeente": demand.gemeente}[level]
    agg = ind.aggregate(points, pop, codes, theme.drempel_m, edge, estimated)
    levels = (
        pd.Series(demand.buurt_level) if level == "buurt" else ind.demand_level(demand.level, codes)
    )
    return ind.area_frame(areas[areas["niveau"] == level], agg, levels, supply, doelgroep)


@dataclass
class RunShared:
    """What every theme of a run uses: demand, areas, neighbours (shared with workers)."""

    demand: dem.DemandPoints
    areas: pd.DataFrame
    neighbours: Any  # dict, or a future of it on a cluster
    runner: Runner = INLINE
    by_gemeente: dict = field(default_factory=dict)  # gemeente -> demand point indices

    @classmethod
    def make(cls, demand, areas, neighbours, runner: Runner | None = None) -> RunShared:
        """Shares ``neighbours`` with the workers and groups demand points by gemeente."""
        runner = runner or INLINE
        index = pd.Series(np.arange(len(demand.gemeente))).groupby(np.asarray(demand.gemeente))
        return cls(demand, areas, runner.share(neighbours), runner, dict(index.indices))


@dataclass
class PendingTheme:
    """A started theme: its area frames and the tasks still to come back."""

    theme: ind.Theme
    params: Any
    groups: list = field(default_factory=list)  # (doelgroep, flag_group task)
    site_tasks: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def finish(self):
        """Flags (after the cold spots) and suggestions: ``(rows, sites, notes)``."""
        frames, cutoffs = [], {}
        for doelgroep, task in self.groups:
            flagged, cutoffs[doelgroep] = task.result()
            frames.extend(flagged)
        rows = pd.concat(frames, ignore_index=True)
        rows.attrs["grenzen"] = cutoffs
        sites = [row for task in self.site_tasks for row in task.result()]
        return rows, sites, self.notes


def flag_group(by_level: dict, ctx: Context, rule, neighbours, cold: tuple) -> tuple:
    """Cold spots, the region's cut-offs and the flags of one target group (a task).

    ``cold`` holds the other arguments of :func:`analysis.coldspots.cold_spots`. Returns
    the flagged frames (buurt, wijk, gemeente) and the cut-offs as stored.
    """
    codes, values, xy, permutations, alpha, seed = cold
    frames = []
    for level in LEVELS:  # buurt first: its buurten give the region's cut-offs
        frame = by_level[level]
        if level == "buurt":
            frame = frame.join(cold_spots(codes, values, neighbours, xy, permutations, alpha, seed))
            grenzen = regional_cutoffs(frame, rule)
            ctx = replace(ctx, grenzen=grenzen)
        frames.append(frame.join(flag_areas(frame, ctx, rule)).assign(doelgroep=ctx.doelgroep))
    return frames, grenzen.describe()


def start_theme(engine, theme: ind.Theme, shared: RunShared, params: RunParams, tiles=None):
    """The client's half of a theme; see the module docstring."""
    demand, areas = shared.demand, shared.areas
    pending = PendingTheme(theme, params)
    for doelgroep in params.doelgroepen:
        supply, pop = group_input(engine, theme, demand, params, doelgroep)
        if len(supply) == 0:
            pending.notes.append(
                {
                    "code": "geen_aanbod",
                    "thema": theme.slug,
                    "doelgroep": doelgroep,
                    "tekst": f"Geen aanbod voor '{theme.naam}' ({doelgroep}) in of rond "
                    "het studiegebied.",
                }
            )
        points = (tiles.point_indicators if tiles else ind.point_indicators)(
            demand.x, demand.y, pop, supply, theme, params.decay, params.detour
        )
        ctx = Context(
            theme.naam, doelgroep, theme.drempel_m, theme.catchments, supply.basis, params.decay
        )
        edge = None if demand.edge_m is None else demand.edge_m * params.detour
        estimated = (
            demand.estimated65
            if doelgroep == "ouderen" and demand.estimated65 is not None
            else None
        )
        by_level = {
            level: level_frame(
                demand, areas, points, pop, supply, doelgroep, level, theme, edge, estimated
            )
            for level in LEVELS
        }
        task = shared.runner.submit(
            flag_group,
            by_level,
            ctx,
            params.rule,
            shared.neighbours,
            _cold_input(shared, by_level["buurt"], params),
        )
        pending.groups.append((doelgroep, task))
        if doelgroep == "iedereen" and params.locatievoorstellen:
            pending.site_tasks = submit_sites(shared, supply, theme, params)
    return pending


def analyse_theme(engine, theme, demand, areas, neighbours, params, tiles=None):
    """Indicators, flags and location suggestions for one theme, in this process.

    ``tiles`` (an :class:`analysis.tiled.Tiling`) computes the point indicators in tiles
    on Dask, with the same result.

    Returns
    -------
    tuple
        ``(rows, sites, notes)``: a DataFrame with one row per study area × target group,
        a list of site-suggestion dicts and a list of notes (dicts with ``tekst``).
    """
    shared = RunShared.make(demand, areas, neighbours)
    return start_theme(engine, theme, shared, params, tiles).finish()


def _cold_input(shared: RunShared, frame: pd.DataFrame, params) -> tuple:
    """The buurten with residents and a SPAR value, for :func:`flag_group`."""
    valid = frame[frame["spar"].notna() & (frame["inwoners"] > 0)]
    xy = shared.areas.loc[valid.index, ["x", "y"]].to_numpy(float)
    return (
        list(valid.index),
        valid["spar"].to_numpy(float),
        xy,
        params.permutations,
        params.fdr_alpha,
        params.seed,
    )


def submit_sites(shared: RunShared, supply: ind.Supply, theme: ind.Theme, params) -> list:
    """Location suggestions of every gemeente, in chunks of gemeenten (in their order)."""
    demand, areas = shared.demand, shared.areas
    buurten = areas[areas["niveau"] == "buurt"]
    cand_of = dict(list(buurten.groupby("gemeentecode", sort=False)))
    items = []
    for gemeente in areas.loc[areas["niveau"] == "gemeente", "code"]:
        idx = shared.by_gemeente.get(gemeente)
        cand = cand_of.get(gemeente)
        if idx is None or not len(idx) or cand is None or cand.empty:
            continue
        items.append(
            (
                gemeente,
                areas.loc[gemeente, "naam"],
                np.column_stack([demand.x[idx], demand.y[idx]]),
                demand.pop[idx],
                cand[["code", "naam", "x", "y"]],
            )
        )
    existing = np.column_stack([supply.x, supply.y])
    chunks = [c for c in np.array_split(np.arange(len(items)), SITE_TASKS) if len(c)]
    return [
        shared.runner.submit(
            site_rows,
            [items[i] for i in chunk],
            existing,
            theme,
            params.max_extra,
            params.detour,
        )
        for chunk in chunks
    ]


def site_rows(items, existing_xy, theme: ind.Theme, max_extra: int, detour: float) -> list:
    """Location suggestions (as stored rows) for some gemeenten.

    ``items`` are (gemeente, naam, client xy, population, candidate buurten); the answer is
    that of :func:`analysis.siting.suggest_sites` for each, with one tree of ``existing_xy``.
    """
    tree = cKDTree(existing_xy) if len(existing_xy) else None
    rows = []
    for gemeente, naam, xy, pop, cand in items:
        cand_xy = cand[["x", "y"]].to_numpy(float)
        existing = np.full(len(xy), np.inf) if tree is None else tree.query(xy, k=1)[0] * detour
        to_cand = cdist(xy, cand_xy) * detour
        solutions = suggest_sites_from_costs(pop, existing, to_cand, theme.drempel_m, max_extra)
        rows.extend(_site_rows(solutions, cand, gemeente, theme, naam))
    return rows


def _site_rows(
    solutions, cand: pd.DataFrame, gemeente: str, theme: ind.Theme, naam: str
) -> list[dict]:
    rows = []
    for s in solutions:
        used = len(s.chosen)
        for order, j in enumerate(s.chosen, start=1):
            buurt = cand.iloc[j]
            rows.append(
                {
                    "gemeentecode": gemeente,
                    "extra": s.extra,
                    "volgnummer": order,
                    "buurtcode": buurt["code"],
                    "x": float(buurt["x"]),
                    "y": float(buurt["y"]),
                    "nieuw_bereikt": s.newly_covered,
                    "al_bereikt": s.already_covered,
                    "inwoners": s.population,
                    "drempel_m": theme.drempel_m,
                    "zin": sentence_site(
                        used,
                        s.extra,
                        order,
                        theme.naam,
                        naam,
                        s.newly_covered,
                        theme.drempel_m,
                        buurt["naam"],
                    ),
                }
            )
    return rows

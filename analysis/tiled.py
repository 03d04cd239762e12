"""The E2SFCA accessibility in tiles with a halo, scheduled on Dask (docs/ANALYSIS.md §15).

The study region is cut into a grid of tiles (``tiles=k²`` cells, or square cells of
``tile_m`` metres — 20 km by default), visited in Hilbert order so that tiles that share a
halo are computed close together. A point belongs to exactly one tile. The halo is the
largest catchment as a straight-line distance (``max_cost / detour``): every pair within
reach of a tile's points lies inside the tile's points' bounding box grown by the halo.

Two passes of tasks, one task per tile:

1. per **supply tile**: the demand points inside its halo, the pairs within reach
   (``scipy.spatial.cKDTree``, as :func:`analysis.indicators.cost_pairs`), the weights
   (:func:`analysis.fca.weight_matrix`) and ``R_j = S_j / Σ_i P_i W_ij`` for each
   catchment size;
2. per **demand tile**: the supply points (with their ``R_j`` from the pass-1 tasks of the
   neighbouring tiles) inside its halo, ``A_i = Σ_j W_ij R_j`` and the provider counts
   within the radii.

Dask only schedules and moves data (:mod:`analysis.scheduler`); the pair step is numpy and
scipy per tile, because dask-geopandas' spatial joins have neither a halo nor a distance
join. A task holds one tile and its halo, so a worker's memory is bounded by the densest
tile, not by the region. The result equals the single-process one (``analysis.fca``) to
rounding: tests/analysis/test_tiled.py requires ≤ 1e-12 for 1 to 64 tiles.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import dask
import numpy as np
from scipy.spatial import cKDTree

from analysis import decay as decays
from analysis import indicators as ind
from analysis.coords import check_xy
from analysis.errors import InvalidInput
from analysis.fca import FcaResult, weight_matrix
from analysis.scheduler import OnProgress, Runner, open_runner

TILE_M = 20_000.0
SLACK_M = 1.0  # extra halo width against rounding at the edge; extra points change nothing


@dataclass(frozen=True)
class Grid:
    """A regular grid of tiles: origin, cell size and number of columns and rows."""

    x0: float
    y0: float
    width: float
    height: float
    cols: int
    rows: int

    def tile_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The tile number (``col + row × cols``) of each point; edge points go inside."""
        col = np.clip(np.floor((np.asarray(x) - self.x0) / self.width), 0, self.cols - 1)
        row = np.clip(np.floor((np.asarray(y) - self.y0) / self.height), 0, self.rows - 1)
        return (col + row * self.cols).astype(np.int64)

    def hilbert_order(self) -> list[tuple[int, int]]:
        """All ``(col, row)`` cells sorted along a Hilbert curve."""
        side = 1 << max(0, math.ceil(math.log2(max(self.cols, self.rows))))
        cells = [(c, r) for r in range(self.rows) for c in range(self.cols)]
        return sorted(cells, key=lambda cell: hilbert_index(side, *cell))

    def neighbours(self, col: int, row: int, halo: float) -> list[int]:
        """Tile numbers within ``halo`` metres of cell ``(col, row)`` (itself included)."""
        kx, ky = math.ceil(halo / self.width) + 1, math.ceil(halo / self.height) + 1
        return [
            c + r * self.cols
            for r in range(max(0, row - ky), min(self.rows, row + ky + 1))
            for c in range(max(0, col - kx), min(self.cols, col + kx + 1))
        ]


def hilbert_index(side: int, x: int, y: int) -> int:
    """Position of cell ``(x, y)`` on the Hilbert curve through a ``side × side`` grid."""
    d, s = 0, side // 2
    while s > 0:
        rx, ry = int(x & s > 0), int(y & s > 0)
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = side - 1 - x, side - 1 - y
            x, y = y, x
        s //= 2
    return d


def make_grid(x: np.ndarray, y: np.ndarray, tiles: int | None = None, tile_m: float | None = None):
    """The grid over points ``x, y``: ``tiles`` (rounded up to k × k) or ``tile_m`` cells.

    Raises
    ------
    InvalidInput
        For a tile count below 1 or a tile size of 0 m or less.
    """
    xmin, xmax = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    ymin, ymax = (float(y.min()), float(y.max())) if len(y) else (0.0, 1.0)
    w, h = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    if tiles is not None:
        if tiles < 1:
            raise InvalidInput("Het aantal tegels moet 1 of meer zijn.")
        k = math.ceil(math.sqrt(tiles) - 1e-9)
        return Grid(xmin, ymin, w / k, h / k, k, k)
    size = TILE_M if tile_m is None else float(tile_m)
    if size <= 0:
        raise InvalidInput("De tegelgrootte moet groter dan 0 m zijn.")
    return Grid(xmin, ymin, size, size, math.ceil(w / size), math.ceil(h / size))


class _Members:
    """The points of each tile, as ascending indices, and their halo."""

    def __init__(self, grid: Grid, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y
        tile = grid.tile_of(x, y)
        self.order = np.argsort(tile, kind="stable")
        self.starts = np.searchsorted(tile[self.order], np.arange(grid.cols * grid.rows + 1))

    def of(self, tiles: Sequence[int]) -> np.ndarray:
        """Indices of the points in ``tiles``, ascending."""
        parts = [self.order[self.starts[t] : self.starts[t + 1]] for t in tiles]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def near(self, tiles: Sequence[int], box: tuple, halo: float) -> np.ndarray:
        """Indices of the points of ``tiles`` within ``box`` grown by ``halo``, ascending."""
        idx = self.of(tiles)
        x0, y0, x1, y1 = box
        keep = (
            (self.x[idx] >= x0 - halo)
            & (self.x[idx] <= x1 + halo)
            & (self.y[idx] >= y0 - halo)
            & (self.y[idx] <= y1 + halo)
        )
        return idx[keep]


def _box(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def _pairs(ax, ay, bx, by, max_cost: float, detour: float):
    """Pairs demand (a) → supply (b) within reach, exactly as the single-process run."""
    local = ind.Supply(np.asarray(bx), np.asarray(by), np.zeros(len(bx)), np.zeros(len(bx)), "")
    return ind.cost_pairs(ax, ay, local, max_cost, detour)


def _ratios(sup, sx, sy, cap, count, dx, dy, pop, weights, max_cost, detour) -> dict:
    """Pass 1 for one supply tile: ``R_j`` per catchment size (columns) and reach."""
    pairs = _pairs(dx, dy, sx, sy, max_cost, detour)
    ratio = np.zeros((len(sup), len(weights)))
    reached = np.zeros((len(sup), len(weights)), bool)
    for k, weight in enumerate(weights):
        demand = weight_matrix(pairs, weight).T @ pop
        np.divide(cap, demand, out=ratio[:, k], where=demand > 0)
        reached[:, k] = demand > 0
    return {"idx": sup, "x": sx, "y": sy, "count": count, "ratio": ratio, "reached": reached}


def _access(dem, dx, dy, parts, halo, weights, radii, max_cost, detour) -> tuple:
    """Pass 2 for one demand tile: ``A_i`` per catchment size and counts within ``radii``."""
    found = [p for p in parts if len(p["idx"])]
    n = len(dem)
    if not found:
        return dem, np.zeros((n, len(weights))), np.zeros((n, len(radii)))
    s = {key: np.concatenate([p[key] for p in found]) for key in found[0]}
    x0, y0, x1, y1 = _box(dx, dy)
    keep = (s["x"] >= x0 - halo) & (s["x"] <= x1 + halo)
    keep &= (s["y"] >= y0 - halo) & (s["y"] <= y1 + halo)
    order = np.argsort(s["idx"][keep], kind="stable")
    s = {key: value[keep][order] for key, value in s.items()}
    pairs = _pairs(dx, dy, s["x"], s["y"], max_cost, detour)
    access = np.zeros((n, len(weights)))
    for k, weight in enumerate(weights):
        access[:, k] = weight_matrix(pairs, weight) @ s["ratio"][:, k]
    counts = np.zeros((n, len(radii)))
    for k, r in enumerate(radii):
        near = pairs.cost <= r
        counts[:, k] = np.bincount(
            pairs.origin[near], weights=s["count"][pairs.dest[near]], minlength=n
        )
    return dem, access, counts


@dataclass
class TiledResult:
    """Per demand point ``access`` (n, k) and ``counts`` (n, radii); per supply ``ratio``."""

    access: np.ndarray
    counts: np.ndarray
    ratio: np.ndarray
    reached: np.ndarray


@dataclass
class Tiling:
    """How to tile and where to compute (see the module docstring).

    Attributes
    ----------
    runner : Runner
        From :func:`analysis.scheduler.open_runner`.
    tiles : int, optional
        Number of tiles (rounded up to k × k); default: cells of ``tile_m``.
    tile_m : float
        Tile size in metres when ``tiles`` is not given.
    halo_m : float, optional
        Override of the halo (straight-line metres); only to prove in tests that a too
        small halo changes the answer.
    progress : callable, optional
        ``progress(done, total)`` for a progress bar.
    """

    runner: Runner
    tiles: int | None = None
    tile_m: float = TILE_M
    halo_m: float | None = None
    progress: OnProgress | None = None

    def compute(self, dx, dy, pop, supply: ind.Supply, weights, detour, radii=()) -> TiledResult:
        """Accessibility for each decay in ``weights`` and counts within ``radii``."""
        dx, dy = np.asarray(dx, float), np.asarray(dy, float)
        pop = np.asarray(pop, float)
        if any(w.cutoff is None for w in weights):
            raise InvalidInput("Tegels vragen een vanggebied met een grens (cutoff).")
        n, m, k = len(dx), len(supply), len(weights)
        out = TiledResult(
            np.zeros((n, k)), np.zeros((n, len(radii))), np.zeros((m, k)), np.zeros((m, k), bool)
        )
        if n == 0 or m == 0:
            return out
        max_cost = max([w.cutoff for w in weights] + list(radii))
        halo = (max_cost / detour if self.halo_m is None else self.halo_m) + SLACK_M
        grid = make_grid(
            np.concatenate([dx, supply.x]), np.concatenate([dy, supply.y]), self.tiles, self.tile_m
        )
        first, second = _graph(grid, dx, dy, pop, supply, weights, radii, max_cost, detour, halo)

        def collect(i: int, result) -> None:
            if i < len(first):
                out.ratio[result["idx"]] = result["ratio"]
                out.reached[result["idx"]] = result["reached"]
            else:
                dem, access, counts = result
                out.access[dem], out.counts[dem] = access, counts

        self.runner.run(first + second, collect, self.progress)
        return out

    def point_indicators(
        self,
        dx,
        dy,
        pop,
        supply: ind.Supply,
        theme: ind.Theme,
        decay="gaussian_dai",
        detour=ind.DETOUR,
    ) -> ind.PointIndicators:
        """The same as :func:`analysis.indicators.point_indicators`, computed in tiles."""
        check_xy(dx, dy, "Vraagpunten")
        check_xy(supply.x, supply.y, "Aanbodpunten")
        sizes = theme.catchments
        weights = [decays.by_name(decay, d0) for d0 in sizes]
        result = self.compute(dx, dy, pop, supply, weights, detour, ind.RADII)
        nearest = np.full(len(dx), np.inf)
        if len(supply) and len(dx):
            tree = cKDTree(np.column_stack([supply.x, supply.y]))
            nearest = tree.query(np.column_stack([dx, dy]), k=1)[0] * detour
        total = float(np.sum(pop))
        regional = np.array(
            [float(pop @ result.access[:, k] / total) if total > 0 else 0.0 for k in range(3)]
        )
        return ind.PointIndicators(nearest, result.counts, result.access, regional, sizes)

    def e2sfca(self, pop, sx, sy, capacity, dx, dy, weight, detour=1.0) -> FcaResult:
        """E2SFCA as :func:`analysis.fca.e2sfca` on straight-line distance × ``detour``."""
        supply = ind.Supply(
            np.asarray(sx, float),
            np.asarray(sy, float),
            np.asarray(capacity, float),
            np.ones(len(sx)),
            "",
        )
        result = self.compute(dx, dy, pop, supply, [weight], detour)
        p, access = np.asarray(pop, float), result.access[:, 0]
        regional = float(p @ access / p.sum()) if p.sum() > 0 else 0.0
        spar = access / regional if regional > 0 else np.full_like(access, np.nan)
        return FcaResult(access, result.ratio[:, 0], regional, spar, result.reached[:, 0])


def _graph(grid, dx, dy, pop, supply, weights, radii, max_cost, detour, halo) -> tuple:
    """Pass-1 and pass-2 tasks, each in Hilbert order; empty tiles get no task."""
    demand, sites = _Members(grid, dx, dy), _Members(grid, supply.x, supply.y)
    cells = grid.hilbert_order()
    ratio_task, access_task = dask.delayed(_ratios), dask.delayed(_access)
    pass1: dict[int, object] = {}
    for col, row in cells:
        t = col + row * grid.cols
        sup = sites.of([t])
        if len(sup):
            box = _box(supply.x[sup], supply.y[sup])
            near = demand.near(grid.neighbours(col, row, halo), box, halo)
            pass1[t] = ratio_task(
                sup,
                supply.x[sup],
                supply.y[sup],
                supply.capacity[sup],
                supply.count[sup],
                dx[near],
                dy[near],
                pop[near],
                weights,
                max_cost,
                detour,
            )
    pass2 = []
    for col, row in cells:
        dem = demand.of([col + row * grid.cols])
        if len(dem):
            parts = [pass1[t] for t in grid.neighbours(col, row, halo) if t in pass1]
            pass2.append(
                access_task(dem, dx[dem], dy[dem], parts, halo, weights, radii, max_cost, detour)
            )
    return list(pass1.values()), pass2


@contextmanager
def tiling(
    scheduler: str = "sync",
    tiles: int | None = None,
    tile_m: float = TILE_M,
    n_workers: int = 2,
    progress: OnProgress | None = None,
) -> Iterator[Tiling]:
    """A :class:`Tiling` on a scheduler opened for the duration of the ``with`` block."""
    with open_runner(scheduler, n_workers) as runner:
        yield Tiling(runner, tiles, tile_m, progress=progress)

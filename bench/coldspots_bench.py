"""Benchmark: the cold-spot permutation test, esda's own loop against analysis.permutation.

Local Moran and Gi* with 999 permutations (``analysis.coldspots.cold_spots``) on a seeded
Delaunay graph of N points in the Netherlands' box (the synthetic nation has 14,314
buurten), 30 % tied zero values. Side by side, each ``--repeat`` times after one warm-up
(imports), with the load average; checks that both give the same table.

    .venv/bin/python bench/coldspots_bench.py [--buurten 14314] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from common import ROOT  # noqa: F401 - puts the repository on sys.path
from scipy.spatial import Delaunay

import analysis.permutation as perm
from analysis.coldspots import cold_spots


def graph(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([10_000, 305_000], [290_000, 620_000], size=(n, 2))
    ptr, nb = Delaunay(xy).vertex_neighbor_vertices
    codes = [f"BU{i:08d}" for i in range(n)]
    neighbours = {codes[i]: [codes[j] for j in nb[ptr[i] : ptr[i + 1]]] for i in range(n)}
    values = np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2, 1, n) + xy[:, 0] / 1e5)
    return codes, values, neighbours, xy


def esda_own(*args):
    """cold_spots with esda's own conditional randomisation (its constructors' own test)."""
    from esda.getisord import G_Local
    from esda.moran import Moran_Local

    def moran(y, w, permutations, seed):
        return Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed)

    def g(y, w, permutations, seed):
        return G_Local(y, w, transform="R", permutations=permutations, star=None, seed=seed)

    saved = perm.moran_local, perm.g_local
    perm.moran_local, perm.g_local = moran, g
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # esda's note on "directed"
            return cold_spots(*args)
    finally:
        perm.moran_local, perm.g_local = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buurten", type=int, default=14_314)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = graph(args.buurten)
    cold_spots(*graph(200))  # warm-up: imports
    times: dict[str, list[float]] = {"esda": [], "permutation": []}
    results = {}
    print(f"load before {os.getloadavg()}")
    for _ in range(args.repeat):
        for name, fn in (("esda", esda_own), ("permutation", cold_spots)):
            started = time.perf_counter()
            results[name] = fn(*data)
            times[name].append(time.perf_counter() - started)
    print(f"load after {os.getloadavg()}")
    same = results["esda"].equals(results["permutation"])
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.2f} s of {values}")
    ratio = statistics.median(times["esda"]) / statistics.median(times["permutation"])
    print(f"{args.buurten} buurten: esda / permutation = {ratio:.2f}x; same table: {same}")


if __name__ == "__main__":
    main()

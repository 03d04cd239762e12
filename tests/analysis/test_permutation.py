"""analysis.permutation.crand gives esda's conditional permutation test bit for bit.

Local Moran (row-standardised) and Gi* / Gi (with and without self-weight) on a Delaunay
graph of 3,000 seeded points, with many tied values (zeros, as areas without supply have)
and an island; every array esda keeps must be equal, not merely close.
"""

import warnings

import numpy as np
import pytest
from esda.getisord import G_Local
from esda.moran import Moran_Local
from libpysal.weights import W, fill_diagonal
from scipy.spatial import Delaunay

from analysis.permutation import fast_crand

N = 3000


@pytest.fixture(scope="module")
def graph():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 100_000, size=(N, 2))
    ptr, nb = Delaunay(xy).vertex_neighbor_vertices
    links = {i: sorted(int(j) for j in nb[ptr[i] : ptr[i + 1]]) for i in range(N)}
    values = np.where(rng.random(N) < 0.3, 0.0, rng.gamma(2.0, 1.0, N) + xy[:, 0] / 50_000)
    return xy, links, values


def both(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = make()
        with fast_crand():
            got = make()
    return want, got


def same(a, b, names):
    for name in names:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name


def test_local_moran_is_identical(graph):
    _, links, y = graph
    want, got = both(lambda: Moran_Local(y, W(links), transformation="r", seed=20240101))
    same(want, got, ("p_sim", "sim", "Is", "q", "EI_sim", "z_sim"))
    assert (want.p_sim <= 0.01).sum() > 20  # the test is not empty


@pytest.mark.parametrize("star", [True, False])
def test_local_g_is_identical(graph, star):
    _, links, y = graph

    def make():
        w = fill_diagonal(W(links), 1.0) if star else W(links)
        return G_Local(y, w, transform="R", permutations=999, star=None, seed=20240101)

    want, got = both(make)
    same(want, got, ("p_sim", "rGs", "Gs", "Zs", "z_sim"))


def test_an_island_is_handled_as_esda_does(graph):
    _, links, y = graph
    links = {i: [j for j in nb if j != 0] for i, nb in links.items()} | {0: []}
    want, got = both(lambda: Moran_Local(y, W(links, silence_warnings=True), seed=3))
    same(want, got, ("p_sim", "sim"))

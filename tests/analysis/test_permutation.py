"""analysis.permutation gives esda 2.9's own conditional permutation test bit for bit.

Local Moran (row-standardised) and Gi* / Gi (with and without self-weight) on a Delaunay
graph of 3,000 seeded points, with many tied values (zeros, as areas without supply have)
and an island; esda's constructors with their own permutation test are the reference, and
every array compared must be equal (values and dtype), not merely close.
"""

import warnings

import numpy as np
import pytest
from esda.getisord import G_Local
from esda.moran import Moran_Local
from libpysal.weights import W, fill_diagonal
from scipy.spatial import Delaunay

from analysis.coldspots import cold_spots
from analysis.permutation import g_local, moran_local, simulations

N = 3000
SEED = 20240101


@pytest.fixture(scope="module")
def graph():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 100_000, size=(N, 2))
    ptr, nb = Delaunay(xy).vertex_neighbor_vertices
    links = {i: sorted(int(j) for j in nb[ptr[i] : ptr[i + 1]]) for i in range(N)}
    values = np.where(rng.random(N) < 0.3, 0.0, rng.gamma(2.0, 1.0, N) + xy[:, 0] / 50_000)
    return xy, links, values


def esda_itself(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's note on "directed"; z_sim of an island
        return make()


def same(x, y, name):
    assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name


def test_local_moran_is_identical(graph):
    _, links, y = graph
    want = esda_itself(lambda: Moran_Local(y, W(links), transformation="r", seed=SEED))
    got = moran_local(y, W(links), 999, SEED)
    for name in ("p_sim", "Is", "q"):
        same(getattr(want, name), getattr(got, name), name)
    same(want.rlisas, simulations("moran", got.z, got.w.sparse, 999, SEED), "rlisas")
    assert (want.p_sim <= 0.01).sum() > 20  # the test is not empty


@pytest.mark.parametrize("star", [True, False])
def test_local_g_is_identical(graph, star):
    _, links, y = graph

    def weights():
        return fill_diagonal(W(links), 1.0) if star else W(links)

    want = esda_itself(
        lambda: G_Local(y, weights(), transform="R", permutations=999, star=None, seed=SEED)
    )
    got = g_local(y, weights(), 999, SEED)
    assert got.star == star
    for name in ("p_sim", "Gs", "Zs"):
        same(getattr(want, name), getattr(got, name), name)
    kind = "g_star" if star else "g"
    same(want.rGs, simulations(kind, got.y, got.w.sparse, 999, SEED, got.y.sum()), "rGs")


def test_an_island_is_handled_as_esda_does(graph):
    _, links, y = graph
    links = {i: [j for j in nb if j != 0] for i, nb in links.items()} | {0: []}
    want = esda_itself(lambda: Moran_Local(y, W(links, silence_warnings=True), seed=3))
    got = moran_local(y, W(links, silence_warnings=True), 999, 3)
    same(want.p_sim, got.p_sim, "p_sim")


def test_numpys_global_generator_is_left_alone(graph):
    _, links, y = graph
    np.random.seed(5)
    before = np.random.random(3)
    np.random.seed(5)
    moran_local(y, W(links), 99, SEED)
    assert np.array_equal(np.random.random(3), before)


def test_cold_spots_match_esdas_own_statistics(graph):
    xy, links, y = graph
    codes = [f"A{i}" for i in range(N)]
    neighbours = {codes[i]: {codes[j] for j in nb} for i, nb in links.items()}
    out = cold_spots(codes, y, neighbours, xy, permutations=999, seed=SEED)

    def reference():
        lm = Moran_Local(y, W(links), transformation="r", permutations=999, seed=SEED)
        gi = G_Local(y, fill_diagonal(W(links), 1.0), permutations=999, star=None, seed=SEED)
        return lm, gi

    lm, gi = esda_itself(reference)
    same(out["p_lisa"].to_numpy(), lm.p_sim, "p_lisa")
    same(out["p_gi"].to_numpy(), gi.p_sim, "p_gi")
    same(out["gi_z"].to_numpy(), gi.Zs, "gi_z")
    assert (out["p_lisa"] <= 0.01).sum() > 20 and (out["p_gi"] <= 0.01).sum() > 20

"""FCA core: worked examples T1, T2, T3, T5 of docs/ANALYSIS.md §13 to 1e-6, invariants, and a
cross-check against PySAL ``access`` on the T1 inputs."""

import numpy as np
import pandas as pd
import pytest

from analysis import decay, fca

TOL = {"abs": 1e-6}
P = np.array([100.0, 50.0, 10.0])
S = np.array([15.0, 20.0, 100.0])
GRAVITY = decay.gravity(1, -1)


def scenario(inb, outb, cross):
    """The 3-zone hospital example's cost matrix (rows = demand, columns = supply)."""
    return np.array([[1, cross, inb], [cross, 1, inb], [outb, outb, 1.0]])


SCENARIOS = [scenario(40, 40, 80), scenario(20, 40, 80), scenario(40, 20, 80), scenario(20, 20, 40)]
T1_2SFCA = [
    [0.331444, 0.579828, 7.286418],
    [0.43534, 0.683724, 5.727977],
    [0.331072, 0.577858, 7.299992],
    [0.442568, 0.666758, 5.740525],
]


@pytest.mark.parametrize("n", range(4))
def test_t1_two_step_gravity(n):
    result = fca.e2sfca(P, S, SCENARIOS[n], GRAVITY, max_cost=61)
    assert result.access == pytest.approx(T1_2SFCA[n], **TOL)


def test_t1_three_step_as_access_computes_it():
    result = fca.three_step(P, S, SCENARIOS[0], GRAVITY, 61, selection="all")
    assert result.access == pytest.approx([0.156257, 0.406216, 9.906352], **TOL)


def test_t1_three_step_with_selection_inside_the_catchment():
    result = fca.three_step(P, S, SCENARIOS[0], GRAVITY, 61)
    assert result.access == pytest.approx([0.156332, 0.406293, 9.905212], **TOL)


def test_t1_plain_two_step_binary():
    assert fca.e2sfca(P, S, SCENARIOS[0], decay.binary(61)).access == pytest.approx(
        [0.761364, 0.958333, 1.094697], **TOL
    )
    assert fca.e2sfca(P, S, SCENARIOS[3], decay.binary(61)).access == pytest.approx(
        [0.84375] * 3, **TOL
    )


def test_t2_e2sfca_steps():
    weight = decay.step({20: 1, 40: 0.68, 60: 0.22})
    assert fca.e2sfca(P, S, SCENARIOS[0], weight).access == pytest.approx(
        [0.747592, 0.959256, 1.227799], **TOL
    )


@pytest.mark.parametrize("method", ["binary", "gravity", "step", "three"])
def test_t3_supply_is_conserved(method):
    cost = SCENARIOS[0]
    if method == "binary":
        result = fca.e2sfca(P, S, cost, decay.binary(61))
    elif method == "gravity":
        result = fca.e2sfca(P, S, cost, GRAVITY, 61)
    elif method == "step":
        result = fca.e2sfca(P, S, cost, decay.step({20: 1, 40: 0.68, 60: 0.22}))
    else:
        result = fca.three_step(P, S, cost, GRAVITY, 61)
    assert P @ result.access == pytest.approx(135.0, rel=1e-12)
    assert result.regional == pytest.approx(135 / 160, rel=1e-12)
    assert P @ result.spar / P.sum() == pytest.approx(1.0, rel=1e-12)


def test_t3_full_reach_gives_the_regional_ratio_everywhere():
    everywhere = np.ones((3, 3))
    result = fca.e2sfca(P, S, everywhere, decay.binary(10))
    assert result.access == pytest.approx([0.84375] * 3, **TOL)
    assert fca.full_reach_level(P, S) == pytest.approx(0.84375)
    # access's grid test: 25 units of supply for 5 residents.
    grid = fca.e2sfca(np.ones(5), np.full(5, 5.0), np.zeros((5, 5)), decay.binary(1))
    assert grid.access == pytest.approx([5.0] * 5, **TOL)


def test_t5_balanced_fca():
    result = fca.balanced(P, S, SCENARIOS[0], GRAVITY, 61)
    assert result.access == pytest.approx([0.330252, 0.578674, 7.238362], **TOL)
    assert result.access.sum() == pytest.approx(8.147287, **TOL)
    assert result.ratio.sum() == pytest.approx(8.147287, **TOL)


def test_huff_three_step_full_reach_gives_the_regional_ratio():
    result = fca.huff_three_step(P, S, np.ones((3, 3)), decay.binary(10))
    assert result.access == pytest.approx([0.84375] * 3, **TOL)
    partial = fca.huff_three_step(P, S, SCENARIOS[0], GRAVITY, 61)
    assert np.all(partial.access > 0) and np.all(np.isfinite(partial.access))


def random_problem(seed, n=60, m=12):
    rng = np.random.default_rng(seed)
    demand, supply = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    cost = np.linalg.norm(demand[:, None] - supply[None], axis=2)
    return rng.integers(1, 500, n).astype(float), rng.uniform(1, 10, m), cost


@pytest.mark.parametrize("seed", range(5))
def test_conservation_and_sparse_equals_dense_on_random_data(seed):
    pop, sup, cost = random_problem(seed)
    weight = decay.gaussian_dai(3000)
    dense = fca.e2sfca(pop, sup, cost, weight)
    far = np.where(cost <= 3000, cost, np.inf)
    sparse = fca.e2sfca(pop, sup, fca.CostPairs.from_dense(far), weight)
    assert sparse.access == pytest.approx(dense.access, rel=1e-12)
    assert pop @ dense.access == pytest.approx(sup[dense.supply_reached].sum(), rel=1e-9)


def test_no_supply_in_reach_gives_zero_access_and_undefined_spar():
    result = fca.e2sfca(P, S, np.full((3, 3), 500.0), decay.binary(61))
    assert result.access.tolist() == [0, 0, 0]
    assert result.regional == 0
    assert np.isnan(result.spar).all()
    assert not result.supply_reached.any()


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="passen niet"):
        fca.e2sfca(P[:2], S, SCENARIOS[0], GRAVITY, 61)
    with pytest.raises(ValueError, match="≥ 0"):
        fca.e2sfca(-P, S, SCENARIOS[0], GRAVITY, 61)
    with pytest.raises(ValueError, match="oneindig gewicht"):
        fca.e2sfca(P, S, np.zeros((3, 3)), decay.gravity(1, -1), 61)
    with pytest.raises(ValueError, match="selection"):
        fca.three_step(P, S, SCENARIOS[0], GRAVITY, 61, selection="nearest")


# ---------------------------------------------------------------- PySAL access cross-check

access_lib = pytest.importorskip("access")


def access_frames(cost):
    zones = pd.DataFrame({"geoid": [1, 2, 3], "pop": P, "doc": S})
    rows = [(i + 1, j + 1, cost[i, j]) for i in range(3) for j in range(3)]
    return zones, pd.DataFrame(rows, columns=["origin", "dest", "cost"])


def run_access(cost, method, weight_fn, max_cost, normalize=False):
    zones, costs = access_frames(cost)
    a = access_lib.Access(
        demand_df=zones.copy(),
        demand_index="geoid",
        demand_value="pop",
        supply_df=zones.copy(),
        supply_index="geoid",
        supply_value="doc",
        cost_df=costs,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    out = getattr(a, method)(name="x", weight_fn=weight_fn, max_cost=max_cost, normalize=normalize)
    # access_df keeps the raw values; the method returns the normalised ones when asked.
    return (out if normalize else a.access_df)["x_doc"].sort_index().to_numpy()


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("n", range(4))
def test_same_numbers_as_access_on_t1(n):
    from access.access import weights

    ours = fca.e2sfca(P, S, SCENARIOS[n], GRAVITY, 61)
    theirs = run_access(SCENARIOS[n], "two_stage_fca", weights.gravity(1, -1), 61)
    assert ours.access == pytest.approx(theirs, abs=1e-9)
    three = fca.three_step(P, S, SCENARIOS[n], GRAVITY, 61, selection="all")
    theirs3 = run_access(SCENARIOS[n], "three_stage_fca", weights.gravity(1, -1), 61)
    assert three.access == pytest.approx(theirs3, abs=1e-9)
    normalised = run_access(SCENARIOS[n], "two_stage_fca", weights.gravity(1, -1), 61, True)
    assert ours.spar == pytest.approx(normalised, abs=1e-9)

"""Maximal-covering location suggestions with the existing services fixed (spopt MCLP)."""

from itertools import combinations

import numpy as np
import pulp
import pytest
from spopt.locate import MCLP

from analysis.siting import suggest_sites


def line_problem():
    # Clients every 500 m along a line; an existing service at 0; candidates every 1 km.
    clients = np.array([(x, 0.0) for x in range(0, 10_001, 500)])
    pop = np.arange(1, len(clients) + 1, dtype=float) * 10
    existing = np.array([(0.0, 0.0)])
    candidates = np.array([(x, 0.0) for x in range(1000, 10_001, 1000)])
    return clients, pop, existing, candidates


def brute_force(clients, pop, existing, candidates, radius, k, detour):
    covered = np.linalg.norm(clients - existing[0], axis=1) * detour <= radius
    reach = np.linalg.norm(clients[:, None] - candidates[None], axis=2) * detour <= radius
    best = 0.0
    for chosen in combinations(range(len(candidates)), k):
        new = ~covered & reach[:, list(chosen)].any(axis=1)
        best = max(best, pop[new].sum())
    return best, pop[covered].sum()


@pytest.mark.parametrize("detour", [1.0, 1.3])
def test_newly_covered_population_matches_brute_force(detour):
    clients, pop, existing, candidates = line_problem()
    solutions = suggest_sites(clients, pop, existing, candidates, 1000, 3, detour)
    assert [s.extra for s in solutions] == [1, 2, 3]
    for s in solutions:
        best, already = brute_force(clients, pop, existing, candidates, 1000, s.extra, detour)
        assert s.newly_covered == pytest.approx(best)
        assert s.already_covered == pytest.approx(already)
        assert s.population == pytest.approx(pop.sum())
        assert len(s.chosen) == s.extra
    gains = [s.newly_covered for s in solutions]
    assert gains == sorted(gains)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_equals_the_literal_model_with_every_existing_service_fixed():
    rng = np.random.default_rng(3)
    clients = rng.uniform(0, 6000, (120, 2))
    pop = rng.integers(5, 200, 120).astype(float)
    existing = rng.uniform(0, 6000, (4, 2))
    candidates = rng.uniform(0, 6000, (15, 2))
    ours = suggest_sites(clients, pop, existing, candidates, 1200, 3, 1.3)
    cost = np.linalg.norm(clients[:, None] - np.vstack([existing, candidates])[None], axis=2) * 1.3
    fixed = np.r_[np.ones(4, int), np.zeros(15, int)]
    covered_now = pop[(cost[:, :4] <= 1200).any(axis=1)].sum()
    for s in ours:
        model = MCLP.from_cost_matrix(
            cost, pop, 1200, p_facilities=4 + s.extra, predefined_facilities_arr=fixed
        )
        model.solve(pulp.PULP_CBC_CMD(msg=False))
        literal = pulp.value(model.problem.objective) - covered_now
        assert s.newly_covered == pytest.approx(literal)


def test_no_gain_when_everyone_is_covered_and_no_existing_services():
    clients, pop, existing, candidates = line_problem()
    full = suggest_sites(clients, pop, clients, candidates, 1000, 3)
    assert [s.newly_covered for s in full] == [0.0, 0.0, 0.0]
    assert all(s.chosen == () for s in full)
    none = suggest_sites(clients, pop, np.empty((0, 2)), candidates, 1000, 2)
    assert none[0].already_covered == 0 and none[0].newly_covered > 0


def test_fewer_candidates_than_extra_sites():
    clients, pop, existing, _ = line_problem()
    one = suggest_sites(clients, pop, existing, np.array([(5000.0, 0.0)]), 1000, 3)
    assert [s.extra for s in one] == [1]
    assert one[0].chosen == (0,)


def test_more_sites_than_needed_keep_the_sites_that_suffice():
    clients = np.array([(0.0, 0.0), (5000.0, 0.0), (5200.0, 0.0)])
    pop = np.array([10.0, 20.0, 30.0])
    candidates = np.array([(5100.0, 0.0), (9000.0, 0.0), (12000.0, 0.0)])
    out = suggest_sites(clients, pop, np.array([(0.0, 0.0)]), candidates, 1000, 3)
    assert [s.newly_covered for s in out] == [50.0, 50.0, 50.0]
    assert [s.chosen for s in out] == [(0,), (0,), (0,)]

"""Public functions are safe to call (docs/ANALYSIS.md §4 and §9): RD New metres only, lon/lat
refused with a clear message; local Moran and MCLP siting are in the public API, and siting
takes a ready cost matrix."""

import numpy as np
import pytest

import analysis
from analysis import InvalidInput
from analysis.indicators import Supply, Theme, point_indicators

LONLAT = np.array([[5.69, 50.85], [5.98, 50.89]])
RD = np.array([[176000.0, 318000.0], [197000.0, 322000.0]])


def test_public_api_has_local_moran_and_siting():
    for name in (
        "cold_spots",
        "suggest_sites",
        "suggest_sites_from_costs",
        "SiteSolution",
        "check_projected",
    ):
        assert name in analysis.__all__ and callable(getattr(analysis, name))


def test_lon_lat_is_refused_with_a_clear_message():
    with pytest.raises(InvalidInput, match="lengte- en breedtegraden.*EPSG:28992"):
        analysis.check_projected(LONLAT)
    with pytest.raises(InvalidInput, match="niet in Nederland"):
        analysis.check_projected([[1e6, 1e6]], strict=True)
    assert analysis.check_projected(RD).shape == (2, 2)


def test_point_indicators_refuse_lon_lat():
    supply = Supply(RD[:, 0], RD[:, 1], np.ones(2), np.ones(2), "aantal")
    theme = Theme("t", "T", 1000)
    with pytest.raises(InvalidInput, match="Vraagpunten"):
        point_indicators(LONLAT[:, 0], LONLAT[:, 1], np.ones(2), supply, theme)
    lonlat_supply = Supply(LONLAT[:, 0], LONLAT[:, 1], np.ones(2), np.ones(2), "aantal")
    with pytest.raises(InvalidInput, match="Aanbodpunten"):
        point_indicators(RD[:, 0], RD[:, 1], np.ones(2), lonlat_supply, theme)


def test_siting_and_cold_spots_refuse_lon_lat():
    with pytest.raises(InvalidInput, match="Vraagpunten"):
        analysis.suggest_sites(LONLAT, [1, 1], RD, RD, 1000)
    with pytest.raises(InvalidInput, match="Kandidaatlocaties"):
        analysis.suggest_sites(RD, [1, 1], RD, LONLAT, 1000)
    xy = np.column_stack([np.linspace(0.1, 0.5, 6), np.linspace(50.8, 50.9, 6)])
    with pytest.raises(InvalidInput, match="Gebiedspunten"):
        analysis.cold_spots([f"B{i}" for i in range(6)], np.arange(6.0), {}, xy)


def test_siting_on_a_ready_cost_matrix_equals_siting_on_coordinates():
    # docs/ANALYSIS.md §12.4: clients at 0..4 km, a service at 0, candidates at 2 and 4 km.
    x = np.array([0.0, 1000, 2000, 3000, 4000])
    pop = np.array([10.0, 20, 30, 40, 50])
    cand = np.array([2000.0, 4000])
    by_xy = analysis.suggest_sites(
        np.column_stack([x + 150000, np.full(5, 400000.0)]),
        pop,
        [[150000.0, 400000.0]],
        np.column_stack([cand + 150000, np.full(2, 400000.0)]),
        1000,
        max_extra=2,
        detour=1.0,
    )
    cost = np.abs(x[:, None] - cand[None, :])
    by_cost = analysis.suggest_sites_from_costs(pop, np.abs(x), cost, 1000, max_extra=2)
    assert by_cost == by_xy
    assert [s.newly_covered for s in by_cost] == [90.0, 120.0]
    # A network cost matrix: a river makes candidate 4 km unreachable for everyone.
    network = cost.copy()
    network[:, 1] = np.inf
    (one,) = analysis.suggest_sites_from_costs(pop, np.abs(x), network, 1000, max_extra=1)
    assert one.chosen == (0,) and one.newly_covered == 70.0
    with pytest.raises(InvalidInput, match="kostentabellen"):
        analysis.suggest_sites_from_costs(pop, np.abs(x), cost[:3], 1000)

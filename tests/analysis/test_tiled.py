"""The tiled analysis on Dask equals the single-process one (issue 17, points 3 and 4).

E2SFCA and 2SFCA on the Zuid-Limburg demo (real demand points and services, read only)
and on seeded synthetic points in the same region, with 1, 4, 16 and 64 tiles on the
synchronous scheduler, on a 2-process LocalCluster (started offline) and on an existing
cluster by address: max abs difference ≤ 1e-12 against analysis/fca.py. A halo that is
too small must change the answer, so these tests can fail.
"""

import itertools
import time

import numpy as np
import pytest
import sqlalchemy as sa

from analysis import decay as decays
from analysis import demand as dem
from analysis import indicators as ind
from analysis.errors import InvalidInput
from analysis.fca import e2sfca
from analysis.run import RunParams, run_analysis
from analysis.scheduler import describe, open_runner
from analysis.tiled import Tiling, hilbert_index, make_grid, tiling

TOL = 1e-12
TILES = (1, 4, 16, 64)
THEME = ind.Theme("zorg-ondersteuning", "Zorg en ondersteuning", 3000)
BOX = (170_000, 300_000, 210_000, 345_000)  # Zuid-Limburg in RD New


@pytest.fixture(scope="module")
def zuid_limburg(demo_engine):
    """Demand points and the theme's supply of the demo, as a run loads them."""
    demand = dem.load_demand(demo_engine, (), 2 * max(THEME.catchments))
    supply = ind.build_supply(ind.load_services(demo_engine, THEME.slug))
    assert len(demand.x) > 1000 and len(supply) > 20
    return demand.x, demand.y, demand.pop, supply


@pytest.fixture(scope="module")
def synthetic():
    """Clustered demand (towns) and supply in the Zuid-Limburg box, fixed seed."""
    rng = np.random.default_rng(20240101)
    towns = rng.uniform(BOX[:2], BOX[2:], size=(25, 2))
    xy = towns[rng.integers(0, 25, 20_000)] + rng.normal(0, 1500, size=(20_000, 2))
    pop = rng.integers(0, 80, 20_000).astype(float)
    sxy = towns[rng.integers(0, 25, 300)] + rng.normal(0, 2500, size=(300, 2))
    supply = ind.Supply(sxy[:, 0], sxy[:, 1], rng.uniform(0.5, 4, 300), np.ones(300), "capaciteit")
    return xy[:, 0], xy[:, 1], pop, supply


def single(data, weight, detour=ind.DETOUR):
    x, y, pop, supply = data
    pairs = ind.cost_pairs(x, y, supply, weight.cutoff, detour)
    return e2sfca(pop, supply.capacity, pairs, weight)


def tiled(data, weight, runner, tiles, halo_m=None, detour=ind.DETOUR):
    x, y, pop, supply = data
    tl = Tiling(runner, tiles=tiles, halo_m=halo_m)
    return tl.e2sfca(pop, supply.x, supply.y, supply.capacity, x, y, weight, detour)


def assert_same(got, want):
    assert np.max(np.abs(got.access - want.access)) <= TOL
    assert np.max(np.abs(got.ratio - want.ratio)) <= TOL
    assert abs(got.regional - want.regional) <= TOL
    assert np.array_equal(got.supply_reached, want.supply_reached)


WEIGHTS = {
    "e2sfca": decays.by_name("gaussian_dai", 3000),
    "2sfca": decays.binary(3000),
    "e2sfca-groot": decays.by_name("gaussian_dai", 5000),
}


@pytest.mark.parametrize("tiles", TILES)
@pytest.mark.parametrize("measure", sorted(WEIGHTS))
def test_zuid_limburg_every_tile_count_equals_single_process(zuid_limburg, measure, tiles):
    weight = WEIGHTS[measure]
    want = single(zuid_limburg, weight)
    assert want.access.max() > 0 and want.supply_reached.any()
    with open_runner("sync") as runner:
        assert_same(tiled(zuid_limburg, weight, runner, tiles), want)


@pytest.mark.parametrize("tiles", TILES)
def test_synthetic_every_tile_count_equals_single_process(synthetic, tiles):
    for weight in WEIGHTS.values():
        with open_runner("sync") as runner:
            assert_same(tiled(synthetic, weight, runner, tiles), single(synthetic, weight))


@pytest.mark.parametrize("data", ["zuid_limburg", "synthetic"])
def test_too_small_halo_changes_the_answer(request, data):
    """The test can fail: half the catchment as halo loses pairs across tile edges."""
    points = request.getfixturevalue(data)
    weight = WEIGHTS["e2sfca"]
    want = single(points, weight)
    with open_runner("sync") as runner:
        assert_same(tiled(points, weight, runner, 16), want)  # the full halo: equal
        wrong = tiled(points, weight, runner, 16, halo_m=1000)
    assert np.max(np.abs(wrong.access - want.access)) > 1e-6


def test_point_indicators_in_tiles_equal_the_run(zuid_limburg):
    """What analysis/run.py uses: A at three catchment sizes, counts, nearest, R0."""
    x, y, pop, supply = zuid_limburg
    want = ind.point_indicators(x, y, pop, supply, THEME)
    for tiles in TILES:
        with tiling("sync", tiles=tiles) as tl:
            got = tl.point_indicators(x, y, pop, supply, THEME)
        assert np.max(np.abs(got.access - want.access)) <= TOL
        assert np.max(np.abs(got.regional - want.regional)) <= TOL
        assert np.array_equal(got.counts, want.counts)
        assert np.array_equal(got.nearest, want.nearest)
        assert got.catchments == want.catchments


def test_local_cluster_of_two_processes_equals_single_process(zuid_limburg):
    started = time.perf_counter()
    seen = []
    with tiling("local", tiles=16, progress=lambda done, total: seen.append((done, total))) as tl:
        assert len(tl.runner.client.scheduler_info()["workers"]) == 2
        weight = WEIGHTS["e2sfca"]
        x, y, pop, supply = zuid_limburg
        got = tl.e2sfca(pop, supply.x, supply.y, supply.capacity, x, y, weight, ind.DETOUR)
    assert_same(got, single(zuid_limburg, weight))
    assert seen[-1][0] == seen[-1][1] > 1  # the progress bar reached the end
    assert time.perf_counter() - started < 60


def test_existing_cluster_by_address(synthetic):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        with open_runner(cluster.scheduler_address) as runner:
            weight = WEIGHTS["2sfca"]
            assert_same(tiled(synthetic, weight, runner, 4), single(synthetic, weight))


def test_sync_progress_and_tile_size_in_metres(synthetic):
    seen = []
    with tiling("sync", tile_m=20_000, progress=lambda d, t: seen.append((d, t))) as tl:
        x, y, pop, supply = synthetic
        weight = WEIGHTS["e2sfca"]
        got = tl.e2sfca(pop, supply.x, supply.y, supply.capacity, x, y, weight, ind.DETOUR)
    assert_same(got, single(synthetic, weight))
    assert seen and seen[-1][0] == seen[-1][1]


def test_grid_and_hilbert_order():
    grid = make_grid(np.array([0.0, 100_000.0]), np.array([0.0, 50_000.0]), tile_m=20_000)
    assert (grid.cols, grid.rows) == (5, 3)
    cells = grid.hilbert_order()
    assert len(cells) == 15 and len(set(cells)) == 15
    # Consecutive cells of a full Hilbert curve are neighbours.
    full = make_grid(np.array([0.0, 4.0]), np.array([0.0, 4.0]), tiles=16).hilbert_order()
    assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in itertools.pairwise(full))
    assert sorted(hilbert_index(4, c, r) for c in range(4) for r in range(4)) == list(range(16))
    # Every point in exactly one tile, edge points inside.
    tiles = grid.tile_of(np.array([0.0, 100_000.0, 40_000.0]), np.array([0.0, 50_000.0, 0.0]))
    assert list(tiles) == [0, 14, 2]


def test_bad_scheduler_and_tiles_are_clear_errors():
    assert describe("sync") == "sync" and describe("tcp://10.0.0.5:8786") == "address"
    with pytest.raises(InvalidInput, match="scheduler"):
        describe("snel")
    with pytest.raises(InvalidInput, match="tegels"):
        make_grid(np.zeros(2), np.zeros(2), tiles=0)
    with pytest.raises(InvalidInput, match="tegelgrootte"):
        make_grid(np.zeros(2), np.zeros(2), tile_m=0)


def _stored(engine, run_id):
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.text(
                    "SELECT gebiedcode, niveau, doelgroep, a_klein, a_midden, a_groot, spar, "
                    "aantal_1km, aantal_5km, afstand_m, flagged, koude_plek FROM analyse_resultaat "
                    "WHERE run_id = :id ORDER BY gebiedcode, niveau, doelgroep"
                ),
                {"id": run_id},
            )
            .mappings()
            .all()
        )


def test_cli_tiled_run_stores_the_same_results(demo_app, demo_engine):
    """End to end: `analyse --scheduler sync --tegels 4` stores what an untiled run stores."""
    params = RunParams(themas=("vervoer",), gemeenten=("GM0981",))
    untiled = run_analysis(demo_engine, params).run_id
    want = _stored(demo_engine, untiled)
    result = demo_app.test_cli_runner().invoke(
        args=["analyse", "--thema", "vervoer", "--gemeente", "GM0981",
              "--scheduler", "sync", "--tegels", "4"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with demo_engine.connect() as conn:
        latest, how = conn.execute(
            sa.text(
                "SELECT id, parameters -> 'rekenwijze' FROM analyse_run ORDER BY id DESC LIMIT 1"
            )
        ).one()
    assert how == {"scheduler": "sync", "tegels": 4}
    got = _stored(demo_engine, latest)
    assert len(got) == len(want) > 10
    for a, b in zip(got, want, strict=True):
        for key, value in b.items():
            if isinstance(value, float):
                assert abs(a[key] - value) <= TOL, key
            else:
                assert a[key] == value, key
    sites = "SELECT buurtcode, extra, volgnummer FROM analyse_locatievoorstel WHERE run_id = :id"
    with demo_engine.connect() as conn:
        both = [sorted(conn.execute(sa.text(sites), {"id": i}).all()) for i in (untiled, latest)]
    assert both[0] == both[1]


def test_cli_refuses_an_unknown_scheduler_before_storing(demo_app, demo_engine):
    count = "SELECT count(*) FROM analyse_run"
    with demo_engine.connect() as conn:
        before = conn.execute(sa.text(count)).scalar_one()
    bad = demo_app.test_cli_runner().invoke(
        args=["analyse", "--thema", "vervoer", "--scheduler", "snel"]
    )
    assert bad.exit_code != 0 and "Onbekende scheduler 'snel'" in bad.output
    bad = demo_app.test_cli_runner().invoke(args=["analyse", "--tegels", "0"])
    assert bad.exit_code != 0 and "--tegels" in bad.output
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text(count)).scalar_one() == before

"""A run whose cold spots and location suggestions run as tasks on a cluster stores exactly
what a run that computes them in its own process stores (issue 17, point 5).

Zuid-Limburg demo, two themes, both target groups: the same tiling (4 tiles) once on the
synchronous scheduler (every task in this process) and once on a 2-process LocalCluster
reached by its address (cold spots, suggestions and tiles on the workers). Every stored
column must be equal, floats bitwise. The suggestions of the chunked task equal
``suggest_sites`` called per gemeente, as the run did before.
"""

import os

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import demand as dem
from analysis import indicators as ind
from analysis import study_area
from analysis.flags import FLAG_COLUMNS, Context, flag_areas, flag_row, regional_cutoffs
from analysis.run import RunParams, run_analysis
from analysis.scheduler import INLINE, open_runner
from analysis.siting import suggest_sites
from analysis.theme import RunShared, group_input, start_theme, submit_sites

THEMES = ("meedoen-ontmoeten", "zorg-ondersteuning")
RESULTS = """
SELECT thema_slug, gebiedcode, niveau, doelgroep, drempel_m, inwoners, vraagniveau,
       capaciteit_basis, afstand_m, aantal_1km, aantal_3km, aantal_5km, pct_verder, a_klein,
       a_midden, a_groot, spar_klein, spar, spar_groot, lisa, gi_z, koude_plek, flagged,
       flag_level, redenen, zin, null_reden, pct_rand, pct_geschat, beoordeling, randeffect,
       geschat
FROM analyse_resultaat WHERE run_id = :id ORDER BY thema_slug, gebiedcode, niveau, doelgroep
"""
SITES = """
SELECT thema_slug, gemeentecode, extra, volgnummer, buurtcode, nieuw_bereikt, al_bereikt,
       inwoners, drempel_m, zin, ST_AsText(geom) AS geom
FROM analyse_locatievoorstel WHERE run_id = :id
ORDER BY thema_slug, gemeentecode, extra, volgnummer
"""


def stored(engine, sql, run_id):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), {"id": run_id}).mappings()]


@pytest.fixture(scope="module")
def cluster():
    with open_runner("local") as runner:
        yield runner


def test_tasks_run_on_the_workers_or_here(cluster):
    assert INLINE.submit(os.getpid).result() == os.getpid()
    assert cluster.submit(os.getpid).result() != os.getpid()
    shared = cluster.share({"a": [1, 2]})
    assert cluster.submit(len, shared).result() == 1


def test_cluster_run_stores_exactly_the_in_process_results(demo_engine, cluster):
    params = RunParams(themas=THEMES)
    here = run_analysis(demo_engine, params, scheduler="sync", tegels=4)
    address = cluster.client.scheduler.address
    there = run_analysis(demo_engine, params, scheduler=address, tegels=4)
    want, got = (stored(demo_engine, RESULTS, s.run_id) for s in (here, there))
    assert len(want) == len(got) == here.rows == there.rows > 100
    assert any(r["koude_plek"] for r in want) and any(r["flagged"] for r in want)
    assert got == want
    want, got = (stored(demo_engine, SITES, s.run_id) for s in (here, there))
    assert len(want) > 20 and got == want
    assert here.flagged == there.flagged and here.meldingen == there.meldingen


def test_chunked_suggestions_equal_suggest_sites_per_gemeente(demo_engine):
    params = RunParams()
    theme = ind.Theme("zorg-ondersteuning", "Zorg en ondersteuning", 3000)
    demand = dem.load_demand(demo_engine, (), 10_000)
    areas = study_area.study_areas(demo_engine)
    supply, _ = group_input(demo_engine, theme, demand, params, "iedereen")
    shared = RunShared.make(demand, areas, {})
    tasks = submit_sites(shared, supply, theme, params)
    rows = [row for task in tasks for row in task.result()]
    want = []
    buurten = areas[areas["niveau"] == "buurt"]
    for gemeente in areas.loc[areas["niveau"] == "gemeente", "code"]:  # as the run did
        mask = demand.gemeente == gemeente
        cand = buurten[buurten["gemeentecode"] == gemeente]
        if not mask.any() or cand.empty:
            continue
        for s in suggest_sites(
            np.column_stack([demand.x[mask], demand.y[mask]]),
            demand.pop[mask],
            np.column_stack([supply.x, supply.y]),
            cand[["x", "y"]].to_numpy(float),
            theme.drempel_m,
            params.max_extra,
            params.detour,
        ):
            want += [
                (gemeente, s.extra, k, cand.iloc[j]["code"], s.newly_covered, s.already_covered)
                for k, j in enumerate(s.chosen, start=1)
            ]
    got = [
        (r["gemeentecode"], r["extra"], r["volgnummer"], r["buurtcode"], r["nieuw_bereikt"],
         r["al_bereikt"])
        for r in rows
    ]  # fmt: skip
    assert len(want) > 20 and got == want


def test_flags_from_records_equal_flags_per_row(demo_engine):
    """flag_areas reads plain records; the judgement equals flag_row on each pandas row."""
    params = RunParams(themas=("zorg-ondersteuning",), locatievoorstellen=False)
    theme = ind.Theme("zorg-ondersteuning", "Zorg en ondersteuning", 3000)
    demand = dem.load_demand(demo_engine, (), 10_000)
    areas = study_area.study_areas(demo_engine)
    shared = RunShared.make(demand, areas, study_area.buurt_neighbours(demo_engine, ()))
    rows, _, _ = start_theme(demo_engine, theme, shared, params).finish()
    for level in ("buurt", "wijk"):
        frame = rows[(rows["niveau"] == level) & (rows["doelgroep"] == "iedereen")]
        frame = frame.drop(columns=list(FLAG_COLUMNS))
        basis = frame["capaciteit_basis"].iloc[0]
        grenzen = regional_cutoffs(rows[rows["niveau"] == "buurt"], params.rule)
        ctx = Context(theme.naam, "iedereen", 3000, theme.catchments, basis, params.decay, grenzen)
        got = flag_areas(frame, ctx, params.rule)
        want = [flag_row(row, ctx, params.rule) for _, row in frame.iterrows()]
        want = pd.DataFrame(want, index=frame.index, columns=FLAG_COLUMNS)
        assert len(got) > 10 and got["flagged"].any()
        pd.testing.assert_frame_equal(got, want)

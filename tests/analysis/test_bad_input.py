"""Bad input never gives NaN or a crash: areas without population, a theme without supply,
a single-buurt gemeente, points outside all areas, nothing loaded at all."""

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import indicators as ind
from analysis.errors import AnalysisError
from analysis.run import RunParams, run_analysis
from geo.db import make_engine

FLOATS = (
    "inwoners",
    "afstand_m",
    "aantal_1km",
    "aantal_3km",
    "aantal_5km",
    "pct_verder",
    "a_klein",
    "a_midden",
    "a_groot",
    "spar_klein",
    "spar",
    "spar_groot",
    "gi_z",
)


def square(x0, y0, x1, y1):
    return f"ST_Multi(ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 28992))"


AREAS = [  # code, niveau, naam, geometry (RD New metres, in Zuid-Limburg)
    ("GM9901", "gemeente", "Eenbuurt", square(190000, 320000, 192000, 322000)),
    ("WK990100", "wijk", "Dorp", square(190000, 320000, 192000, 322000)),
    ("BU99010000", "buurt", "Kern", square(190000, 320000, 192000, 322000)),
    ("GM9902", "gemeente", "Leegdorp", square(192000, 320000, 198000, 322000)),
    ("WK990200", "wijk", "Veld", square(192000, 320000, 198000, 322000)),
    ("BU99020000", "buurt", "Bedrijventerrein", square(192000, 320000, 193500, 322000)),
    ("BU99020001", "buurt", "Geheim", square(193500, 320000, 195000, 322000)),
    ("BU99020002", "buurt", "Gehucht", square(195000, 320000, 196500, 322000)),
    ("BU99020003", "buurt", "Centrum", square(196500, 320000, 198000, 322000)),
]
POPULATION = {
    "BU99010000": 500,
    "BU99020000": 0,
    "BU99020002": 50,
    "BU99020003": 2000,
    "WK990100": 500,
    "WK990200": 2050,
    "GM9901": 500,
    "GM9902": 2050,
}
SERVICES = [  # bron_id, thema, x, y: one inside, one just outside every area (border)
    ("binnen", "zorg-ondersteuning", 197200, 321000),
    ("grens", "zorg-ondersteuning", 189700, 321000),
]


def load_region(engine):
    with engine.begin() as conn:
        for code, niveau, naam, geom in AREAS:
            gm, wk = "GM" + code[2:6], ("WK" + code[2:8] if niveau == "buurt" else None)
            conn.execute(
                sa.text(
                    f"INSERT INTO gebied (code, niveau, naam, gemeentecode, wijkcode, jaar, bron, "
                    f"geom) VALUES (:c, :n, :naam, :gm, :wk, 2024, 'test', {geom})"
                ),
                {"c": code, "n": niveau, "naam": naam, "gm": gm, "wk": wk},
            )
        for code, inwoners in POPULATION.items():
            conn.execute(
                sa.text(
                    "INSERT INTO bevolking (gebiedcode, jaar, inwoners, bron) "
                    "VALUES (:c, 2024, :i, 'test')"
                ),
                {"c": code, "i": inwoners},
            )
        # A PC6 point inside the single buurt and one 5 km outside every area.
        conn.execute(
            sa.text("""
            INSERT INTO postcode6 (pc6, geom, inwoners, inwoners_65plus, jaar, bron) VALUES
            ('9901AA', ST_SetSRID(ST_MakePoint(191000, 321000), 28992), 400, 100, 2021, 't'),
            ('9901AB', ST_SetSRID(ST_MakePoint(185000, 321000), 28992), 40, 5, 2021, 't')""")
        )
        for bron_id, thema, x, y in SERVICES:
            org = conn.execute(
                sa.text(
                    "INSERT INTO organisatie (naam, bron, bron_id) VALUES (:n, 'test', :b) "
                    "RETURNING id"
                ),
                {"n": f"Org {bron_id}", "b": bron_id},
            ).scalar_one()
            aanbod = conn.execute(
                sa.text(
                    "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id) VALUES "
                    "(:o, 'Hulp', 'test', :b) RETURNING id"
                ),
                {"o": org, "b": bron_id},
            ).scalar_one()
            conn.execute(
                sa.text("INSERT INTO aanbod_thema VALUES (:a, :t)"), {"a": aanbod, "t": thema}
            )
            loc = conn.execute(
                sa.text(
                    "INSERT INTO locatie (organisatie_id, geom, geocode_precisie, bron, bron_id) "
                    "VALUES (:o, ST_SetSRID(ST_MakePoint(:x, :y), 28992), 'handmatig', 'test', :b) "
                    "RETURNING id"
                ),
                {"o": org, "x": x, "y": y, "b": bron_id},
            ).scalar_one()
            conn.execute(
                sa.text("INSERT INTO aanbod_locatie (aanbod_id, locatie_id) VALUES (:a, :l)"),
                {"a": aanbod, "l": loc},
            )


@pytest.fixture(scope="module")
def region(databases):
    engine = make_engine(databases.create())
    load_region(engine)
    summary = run_analysis(engine, RunParams(themas=("zorg-ondersteuning", "vervoer")))
    with engine.connect() as conn:
        results = pd.DataFrame(
            conn.execute(
                sa.text("SELECT * FROM analyse_resultaat WHERE run_id = :id"),
                {"id": summary.run_id},
            )
            .mappings()
            .all()
        )
    yield engine, summary, results.set_index(["thema_slug", "doelgroep", "gebiedcode"])
    engine.dispose()


def test_no_nan_anywhere_and_every_gap_explained(region):
    engine, summary, results = region
    assert len(results) == len(AREAS) * 2 * 2
    values = results[list(FLOATS)].to_numpy(float)
    assert not np.isinf(values).any()
    missing = results[list(FLOATS[:-1])].isna().any(axis=1)
    assert results.loc[missing & results["spar"].isna(), "null_reden"].notna().all()
    with engine.connect() as conn:
        status = conn.execute(
            sa.text("SELECT status FROM analyse_run WHERE id = :id"), {"id": summary.run_id}
        ).scalar_one()
    assert status == "klaar"


def test_buurt_without_population_or_without_figures(region):
    _, summary, results = region
    for code in ("BU99020000", "BU99020001"):
        row = results.loc[("zorg-ondersteuning", "iedereen", code)]
        assert row["inwoners"] == 0 and pd.isna(row["spar"]) and pd.isna(row["afstand_m"])
        assert row["null_reden"] == "Geen inwoners in dit gebied." and not row["flagged"]
    note = next(n for n in summary.meldingen if n["code"] == "buurten_zonder_inwoners")
    assert note["buurten"] == ["BU99020000", "BU99020001"]


def test_small_buurt_is_not_flagged_on_its_own(region):
    _, _, results = region
    row = results.loc[("zorg-ondersteuning", "iedereen", "BU99020002")]
    assert row["inwoners"] == pytest.approx(50) and not row["flagged"]
    assert row["beoordeling"] == "te weinig inwoners"
    gate = [r for r in row["redenen"] if r["rule"] == "inwoners<100"]
    assert gate and "te weinig inwoners (50)" in gate[0]["zin"]


def test_theme_without_supply_gives_explicit_nulls_and_a_message(region):
    _, summary, results = region
    vervoer = results.loc["vervoer"]
    assert vervoer["afstand_m"].isna().all() and vervoer["spar"].isna().all()
    assert not vervoer["flagged"].any()
    populated = vervoer[vervoer["inwoners"] > 0]
    assert (populated["pct_verder"] == 100).all() and (populated["aantal_5km"] == 0).all()
    assert populated["null_reden"].str.contains("geen aanbod voor dit thema").all()
    assert populated["zin"].str.contains("geen aanbod").all()
    assert any(n["code"] == "geen_aanbod" and n["thema"] == "vervoer" for n in summary.meldingen)


def test_single_buurt_gemeente_and_border_supply(region):
    _, _, results = region
    zorg = results.loc[("zorg-ondersteuning", "iedereen")]
    buurt, wijk, gemeente = (zorg.loc[c] for c in ("BU99010000", "WK990100", "GM9901"))
    for column in ("inwoners", "afstand_m", "pct_verder", "spar"):
        assert buurt[column] == pytest.approx(wijk[column]) == pytest.approx(gemeente[column])
    # The service 300 m across the border is the nearest: 1300 m away, × 1.3 detour
    # (the other one is 6.2 km away).
    assert buurt["afstand_m"] == pytest.approx(1300 * 1.3, rel=1e-9)
    assert buurt["aantal_3km"] == 1
    assert buurt["vraagniveau"] == "pc6" and buurt["inwoners"] == pytest.approx(500)
    assert pd.isna(buurt["lisa"])  # fewer than 5 buurten: no spatial statistics


def test_points_outside_all_areas_are_reported(region):
    _, summary, _ = region
    note = next(n for n in summary.meldingen if n["code"] == "pc6_buiten_gebieden")
    assert note["aantal"] == 1 and note["inwoners"] == 40
    assert "liggen buiten alle buurten" in note["tekst"]


def test_target_group_without_age_figures(region):
    _, _, results = region
    # PC4 data are absent, so buurten outside the PC6 point have no 65+ figures.
    row = results.loc[("zorg-ondersteuning", "ouderen", "BU99020003")]
    assert row["inwoners"] == 0 and "65-plussers" in row["null_reden"]
    kern = results.loc[("zorg-ondersteuning", "ouderen", "BU99010000")]
    assert kern["inwoners"] == pytest.approx(125)  # 100 of 400 at the PC6 point, scaled


def test_empty_database_and_unknown_input_are_clear_errors(fresh_url, region):
    engine = make_engine(fresh_url)
    with pytest.raises(AnalysisError, match="geen gebieden geladen"):
        run_analysis(engine, RunParams())
    engine.dispose()
    with pytest.raises(AnalysisError, match="Onbekende gemeente: GM0935"):
        run_analysis(region[0], RunParams(gemeenten=("GM0935",)))


def test_pure_functions_survive_empty_inputs():
    supply = ind.build_supply(pd.DataFrame(columns=["x", "y", "capaciteit"]))
    assert len(supply) == 0 and supply.basis == "aantal"
    theme = ind.Theme("t", "T", 1000)
    points = ind.point_indicators(np.array([0.0]), np.array([0.0]), np.array([10.0]), supply, theme)
    assert np.isinf(points.nearest).all() and points.counts.sum() == 0
    assert points.regional.tolist() == [0.0, 0.0, 0.0]
    none = ind.point_indicators(np.array([]), np.array([]), np.array([]), supply, theme)
    assert none.access.shape == (0, 3)


def test_capacity_basis():
    frame = pd.DataFrame(
        {"x": [0.0, 0.0, 5.0], "y": [0.0, 0.0, 5.0], "capaciteit": [4.0, None, 10.0]}
    )
    mixed = ind.build_supply(frame)
    assert mixed.basis == "gemengd" and mixed.imputed == 7.0
    assert mixed.capacity.tolist() == [11.0, 10.0] and mixed.count.tolist() == [2.0, 1.0]
    assert ind.build_supply(frame.fillna(2.0)).basis == "capaciteit"
    assert ind.build_supply(frame.assign(capaciteit=None)).basis == "aantal"

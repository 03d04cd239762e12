"""The worked examples of docs/ANALYSIS.md §12, with the numbers the text gives."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import decay, fca
from analysis import indicators as ind
from analysis.flags import Context, Cutoffs, flag_row, regional_cutoffs
from analysis.siting import suggest_sites

TOL = {"abs": 1e-6}


def test_12_1_e2sfca_by_hand():
    population = np.array([100.0, 300.0, 200.0])
    supply = np.array([2.0, 1.0])
    cost = np.array([[0.0, 1200.0], [500.0, np.inf], [900.0, 300.0]])
    weight = decay.gaussian_dai(1000)
    assert weight([0, 500, 900, 300, 1200]) == pytest.approx(
        [1, 0.701367, 0.153624, 0.888168, 0], **TOL
    )
    result = fca.e2sfca(population, supply, cost, weight)
    assert result.ratio == pytest.approx([2 / 341.1347, 1 / 177.6336], rel=1e-6)
    assert result.ratio == pytest.approx([0.005863, 0.005630], abs=5e-7)
    assert result.access == pytest.approx([0.005863, 0.004112, 0.005901], abs=5e-7)
    assert population @ result.access == pytest.approx(3.0)
    assert result.regional == pytest.approx(0.005)
    assert result.spar == pytest.approx([1.172557, 0.822393, 1.180132], **TOL)


def two_buurten():
    theme = ind.Theme("meedoen-ontmoeten", "Meedoen en ontmoeten", 1000)
    supply = ind.build_supply(pd.DataFrame({"x": [0.0], "y": [0.0], "capaciteit": [None]}))
    pop = np.array([100.0, 300.0])
    points = ind.point_indicators(
        np.array([0.0, 0.0]), np.array([500.0, 1000.0]), pop, supply, theme
    )
    frame = ind.aggregate(points, pop, np.array(["X", "Y"]), theme.drempel_m)
    return theme, supply, points, frame


def test_12_2_points_to_areas():
    theme, supply, points, frame = two_buurten()
    assert theme.catchments == (800, 1000, 1500) and supply.basis == "aantal"
    assert points.nearest == pytest.approx([650, 1300], **TOL)
    assert points.regional == pytest.approx([0.0025] * 3, **TOL)
    assert decay.gaussian_dai(1500)([650, 1300]) == pytest.approx([0.772241, 0.204277], **TOL)
    x, y = frame.loc["X"], frame.loc["Y"]
    assert [x["afstand_m"], y["afstand_m"]] == pytest.approx([650, 1300], **TOL)
    assert [x[f"aantal_{r}km"] for r in (1, 3, 5)] == [1, 1, 1]
    assert [y[f"aantal_{r}km"] for r in (1, 3, 5)] == [0, 1, 1]
    assert (x["pct_verder"], y["pct_verder"]) == (0, 100)
    assert [x["a_klein"], x["a_midden"], x["a_groot"]] == pytest.approx(
        [0.01, 0.01, 0.005575], abs=5e-7
    )
    assert [y["a_klein"], y["a_midden"], y["a_groot"]] == pytest.approx([0, 0, 0.001475], abs=5e-7)
    assert [x["spar_klein"], x["spar"], x["spar_groot"]] == pytest.approx([4, 4, 2.230181], **TOL)
    assert [y["spar_klein"], y["spar"], y["spar_groot"]] == pytest.approx([0, 0, 0.589940], **TOL)


def test_12_2_flag():
    theme, supply, _, frame = two_buurten()
    rows = frame.assign(niveau="buurt", naam=frame.index, null_reden=None)
    cut = regional_cutoffs(rows)
    assert cut.afstand == pytest.approx(1235) and cut.afstand_ernstig == pytest.approx(1267.5)
    ctx = Context(
        theme.naam, "iedereen", theme.drempel_m, theme.catchments, supply.basis, grenzen=cut
    )
    y = flag_row(rows.loc["Y"], ctx)
    assert y["flagged"] and y["flag_level"] == "ernstig"
    far, distant = y["redenen"]  # count-based: never judged on SPAR
    assert far["rule"] == "pct_verder>=25" and far["value"] == 100.0
    assert far["zin"] == (
        "In buurt Y woont 100% van de inwoners verder dan 1 km van aanbod "
        "voor meedoen en ontmoeten."
    )
    assert distant["rule"] == "afstand>=p90" and distant["value"] == 1300
    assert distant["threshold"] == 1235
    assert distant["zin"] == (
        "De gemiddelde afstand van de inwoners tot het dichtstbijzijnde "
        "aanbod is 1,3 km. Dat is zo ver als bij de 10% buurten van de "
        "regio die het verst weg liggen (1,2 km of meer)."
    )
    x = flag_row(rows.loc["X"], ctx)
    assert not x["flagged"] and x["zin"] == (
        "In buurt X woont 0% van de inwoners verder dan 1 km van aanbod voor meedoen en "
        "ontmoeten. De gemiddelde afstand van de inwoners tot het dichtstbijzijnde aanbod is "
        "650 meter. Binnen 1 km zijn er gemiddeld 1 voorzieningen. Volgens de regel is hier "
        "geen tekort."
    )


CUT = Cutoffs(1800.0, 2500.0, (0.5, 0.5, 0.5), (0.3, 0.3, 0.3), 300)
WALK = Context(
    "Meedoen en ontmoeten", "iedereen", 1000, (800, 1000, 1500), "capaciteit", grenzen=CUT
)


@pytest.mark.parametrize(
    "pct, afstand, spars, inwoners, level",
    [
        (10, 600, (1.0, 1.0, 1.0), 1680, None),
        (31.2, 900, (1.0, 1.0, 1.0), 1680, None),
        (0, 300, (0.1, 0.1, 0.1), 1680, None),
        (31.2, 1900, (1.0, 1.0, 1.0), 1680, "matig"),
        (40, 900, (0.4, 0.45, 0.9), 1680, "matig"),
        (30, 2600, (1.0, 1.0, 1.0), 1680, "matig"),
        (55, 2600, (1.0, 1.0, 1.0), 1680, "ernstig"),
        (55, 900, (0.2, 0.25, 0.9), 1680, "ernstig"),
        (80, 3000, (1.0, 1.0, 1.0), 60, None),
    ],
)
def test_12_3_flag_rule_table(pct, afstand, spars, inwoners, level):
    row = pd.Series(
        {
            "niveau": "buurt",
            "naam": "Kakert",
            "inwoners": float(inwoners),
            "pct_verder": float(pct),
            "afstand_m": float(afstand),
            "spar_klein": spars[0],
            "spar": spars[1],
            "spar_groot": spars[2],
            "null_reden": None,
        }
    )
    out = flag_row(row, WALK)
    assert out["flagged"] is (level is not None) and out["flag_level"] == level
    if inwoners < 100:
        assert out["beoordeling"] == "te weinig inwoners"
        assert out["redenen"][-1]["rule"] == "inwoners<100"


def test_12_4_location_suggestions():
    clients = np.array([(x, 0.0) for x in (0, 1000, 2000, 3000, 4000)], dtype=float)
    pop = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    candidates = np.array([(2000.0, 0.0), (4000.0, 0.0)])
    one, two = suggest_sites(clients, pop, np.array([(0.0, 0.0)]), candidates, 1000, 3, 1.0)
    assert one.already_covered == two.already_covered == 30
    assert one.chosen == (1,) and math.isclose(one.newly_covered, 90)
    assert two.chosen == (0, 1) and math.isclose(two.newly_covered, 120)

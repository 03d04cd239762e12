"""The flag rule of docs/ANALYSIS.md §7, its reasons and Dutch sentences, and cold spots."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.coldspots import cold_spots
from analysis.flags import Context, FlagRule, flag_areas, flag_row
from analysis.wording import km, number, place

WALK = Context("Meedoen en ontmoeten", "iedereen", 1000, (800, 1000, 1500), "capaciteit")
COUNT = Context("Vervoer", "ouderen", 3000, (2000, 3000, 5000), "aantal")


def area(**values):
    row = {"niveau": "buurt", "naam": "Kakert", "inwoners": 1680.0, "pct_verder": 10.0,
           "spar_klein": 1.0, "spar": 1.0, "spar_groot": 1.0, "null_reden": None}
    row.update(values)
    return pd.Series(row)


def test_well_served_area_is_not_flagged_but_explained():
    out = flag_row(area(), WALK)
    assert out["flagged"] is False and out["flag_level"] is None and out["redenen"] == []
    assert out["zin"].startswith("In buurt Kakert woont 10% van de inwoners verder dan 1 km")
    assert "geen tekort" in out["zin"]


def test_far_share_flags_with_the_plain_sentence_of_the_issue():
    out = flag_row(area(pct_verder=31.2), WALK)
    assert out["flagged"] and out["flag_level"] == "matig"
    (reason,) = out["redenen"]
    assert reason["rule"] == "pct_verder>25" and reason["value"] == 31.2
    assert reason["drempel_m"] == 1000
    assert reason["zin"] == ("In buurt Kakert woont 31% van de inwoners verder dan 1 km van "
                             "aanbod voor meedoen en ontmoeten.")
    assert out["zin"] == reason["zin"]


def test_relative_shortage_must_hold_in_two_of_three_catchments():
    once = flag_row(area(spar_klein=0.6, spar=0.9, spar_groot=0.9), WALK)
    assert not once["flagged"]
    twice = flag_row(area(spar_klein=0.6, spar=0.7, spar_groot=0.9), WALK)
    assert twice["flagged"] and twice["flag_level"] == "matig"
    reason = twice["redenen"][0]
    assert reason["rule"] == "spar<0.75" and reason["hits"] == 2
    assert reason["values"] == [0.6, 0.7, 0.9]
    assert reason["params"] == {"decay": "gaussian_dai", "d0_m": [800, 1000, 1500],
                                "capaciteit_basis": "capaciteit"}
    assert "binnen 1 km dan gemiddeld in de regio: 70% van het gemiddelde" in reason["zin"]


def test_sentence_names_the_catchment_that_shows_the_shortage():
    out = flag_row(area(spar_klein=0.6, spar=0.9, spar_groot=0.7), WALK)
    assert out["flagged"]
    assert "binnen 800 meter" in out["redenen"][0]["zin"]
    assert "60% van het gemiddelde" in out["redenen"][0]["zin"]


def test_severe_level():
    assert flag_row(area(spar_klein=0.4, spar=0.45, spar_groot=0.8), WALK)["flag_level"] == (
        "ernstig")
    assert flag_row(area(pct_verder=55), WALK)["flag_level"] == "ernstig"


def test_small_population_is_never_flagged_on_its_own():
    out = flag_row(area(inwoners=60, pct_verder=80), WALK)
    assert not out["flagged"]
    gate = out["redenen"][-1]
    assert gate["rule"] == "inwoners<100" and gate["value"] == 60
    assert "te weinig mensen (60)" in gate["zin"] and "Kijk naar de wijk" in gate["zin"]


def test_count_based_target_group_wording():
    out = flag_row(area(niveau="wijk", naam="Wijk 00 Schaesberg", spar_klein=0.3, spar=0.3,
                        spar_groot=0.3), COUNT)
    zin = out["redenen"][0]["zin"]
    assert zin.startswith("In Wijk 00 Schaesberg is er per 65-plusser minder aanbod voor vervoer")
    assert "capaciteit is niet bekend" in zin
    far = flag_row(area(niveau="gemeente", naam="Vaals", pct_verder=40), COUNT)
    assert far["redenen"][0]["zin"].startswith(
        "In de gemeente Vaals woont 40% van de 65-plussers verder dan 3 km")


def test_areas_without_population_or_without_supply_are_not_judged():
    empty = flag_row(area(inwoners=0.0, pct_verder=math.nan, spar_klein=math.nan,
                          spar=math.nan, spar_groot=math.nan,
                          null_reden="Geen inwoners in dit gebied."), WALK)
    assert not empty["flagged"] and empty["zin"] == "In buurt Kakert: Geen inwoners in dit gebied."
    none = flag_row(area(pct_verder=100.0, spar_klein=math.nan, spar=math.nan,
                         spar_groot=math.nan, null_reden="Er is geen aanbod voor dit thema."),
                    WALK)
    assert not none["flagged"] and "geen aanbod" in none["zin"]


def test_cold_spot_is_supporting_evidence_only():
    cold = dict(koude_plek=True, lisa="LL", p_lisa=0.002, fdr_lisa=0.004, gi_z=-3.1,
                p_gi=0.001, fdr_gi=0.003)
    flagged = flag_row(area(pct_verder=30, **cold), WALK)
    assert flagged["redenen"][-1] == {
        "rule": "koude_plek", "method": "local_moran_LL", "p": 0.002, "gi_z": -3.1,
        "fdr_cutoff": 0.004, "zin": "Ook de buurten eromheen hebben weinig aanbod: dit is een "
                                   "koude plek."}
    assert not flag_row(area(**cold), WALK)["flagged"]


def test_flag_areas_keeps_the_index():
    frame = pd.DataFrame([area(), area(naam="Lichtenberg", pct_verder=40.0)],
                         index=["BU1", "BU2"])
    out = flag_areas(frame, WALK)
    assert list(out.index) == ["BU1", "BU2"]
    assert out["flagged"].tolist() == [False, True]


def test_rule_is_named_and_recorded():
    described = FlagRule().describe()
    assert described["naam"].startswith("ANALYSIS-5c")
    assert described["spar_matig"] == 0.75 and described["min_inwoners"] == 100


@pytest.mark.parametrize("metres, text", [(1000, "1 km"), (1500, "1,5 km"), (800, "800 meter"),
                                          (3000, "3 km"), (2000, "2 km")])
def test_distance_wording(metres, text):
    assert km(metres) == text


def test_place_and_number_wording():
    assert place("buurt", "Kakert") == "In buurt Kakert"
    assert place("wijk", "Heerlerheide") == "In wijk Heerlerheide"
    assert place("gemeente", "Vaals") == "In de gemeente Vaals"
    assert number(12345.4) == "12.345"


# -------------------------------------------------------------------------- cold spots

def lattice(n=8):
    codes = [f"B{r}{c}" for r in range(n) for c in range(n)]
    neighbours = {f"B{r}{c}": {f"B{r + dr}{c + dc}" for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                               if (dr or dc) and 0 <= r + dr < n and 0 <= c + dc < n}
                  for r in range(n) for c in range(n)}
    xy = np.array([(c * 1000.0, r * 1000.0) for r in range(n) for c in range(n)])
    return codes, neighbours, xy


def test_a_planted_cluster_of_low_values_is_a_cold_spot():
    codes, neighbours, xy = lattice()
    rng = np.random.default_rng(7)
    values = rng.normal(1.0, 0.05, len(codes))
    low = [i for i, c in enumerate(codes) if int(c[1]) < 3 and int(c[2]) < 3]
    values[low] = 0.2
    out = cold_spots(codes, values, neighbours, xy, permutations=999, seed=1)
    assert set(out.columns) >= {"lisa", "p_lisa", "gi_z", "p_gi", "koude_plek"}
    assert out.loc["B11", "koude_plek"] and out.loc["B11", "lisa"] == "LL"
    assert out.loc["B11", "gi_z"] < 0
    assert out.loc["B11", "p_lisa"] <= out.loc["B11", "fdr_lisa"]
    assert not out.loc["B77", "koude_plek"]
    assert out["lisa"].isin(["HH", "LH", "LL", "HL", "ns"]).all()
    again = cold_spots(codes, values, neighbours, xy, permutations=999, seed=1)
    pd.testing.assert_frame_equal(out, again)       # reproducible with the run's seed


def test_islands_get_nearest_neighbours_and_small_or_flat_inputs_are_skipped():
    codes, neighbours, xy = lattice(4)
    neighbours = {k: v for k, v in neighbours.items() if k != "B00"}
    neighbours = {k: v - {"B00"} for k, v in neighbours.items()}
    values = np.linspace(0.1, 2.0, len(codes))
    out = cold_spots(codes, values, neighbours, xy, permutations=99)
    assert len(out) == len(codes) and out["gi_z"].notna().all()
    assert cold_spots(codes[:3], values[:3], neighbours, xy[:3]).empty
    assert cold_spots(codes, np.ones(len(codes)), neighbours, xy).empty


def test_every_sentence_is_one_plain_line():
    for row in (area(pct_verder=31), area(spar_klein=0.2, spar=0.2, spar_groot=0.2)):
        for reason in flag_row(row, WALK)["redenen"]:
            assert re.fullmatch(r"In [^\n]+\.", reason["zin"]), reason["zin"]

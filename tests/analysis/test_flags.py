"""The flag rule of docs/ANALYSIS.md §7, its reasons and Dutch sentences, and cold spots."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.coldspots import cold_spots
from analysis.flags import Context, Cutoffs, FlagRule, flag_areas, flag_row, regional_cutoffs
from analysis.wording import km, number, place

# The region: the worst 10 % of buurten are 1.8 km or farther (5 %: 2.5 km) and have a
# SPAR of at most 0.5 (5 %: 0.3) in every size.
CUT = Cutoffs(1800.0, 2500.0, (0.5, 0.5, 0.5), (0.3, 0.3, 0.3), 300)
WALK = Context(
    "Meedoen en ontmoeten", "iedereen", 1000, (800, 1000, 1500), "capaciteit", grenzen=CUT
)
COUNT = Context("Vervoer", "ouderen", 3000, (2000, 3000, 5000), "aantal", grenzen=CUT)


def area(**values):
    row = {
        "niveau": "buurt",
        "naam": "Kakert",
        "inwoners": 1680.0,
        "pct_verder": 10.0,
        "afstand_m": 600.0,
        "aantal_1km": 1.4,
        "aantal_3km": 4.6,
        "aantal_5km": 9.0,
        "spar_klein": 1.0,
        "spar": 1.0,
        "spar_groot": 1.0,
        "null_reden": None,
        "pct_rand": 0.0,
        "pct_geschat": 0.0,
    }
    row.update(values)
    return pd.Series(row)


def test_well_served_area_is_not_flagged_but_explained():
    out = flag_row(area(), WALK)
    assert out["flagged"] is False and out["flag_level"] is None and out["redenen"] == []
    assert out["beoordeling"] == "geen tekort"
    assert out["zin"] == (
        "In buurt Kakert woont 10% van de inwoners verder dan 1 km van aanbod voor meedoen en "
        "ontmoeten. De gemiddelde afstand van de inwoners tot het dichtstbijzijnde aanbod is "
        "600 meter. Het aanbod binnen bereik is 100% van het gemiddelde in de regio. Volgens "
        "de regel is hier geen tekort."
    )


def test_far_but_not_relatively_poor_is_not_flagged():
    # The old rule flagged this (31 % beyond T); it is not among the region's worst.
    out = flag_row(area(pct_verder=31.2, afstand_m=900.0), WALK)
    assert not out["flagged"] and out["beoordeling"] == "geen tekort"


def test_relatively_poor_but_close_is_not_flagged():
    # Bleijerheide: low SPAR, yet nobody lives beyond T: no shortage a resident notices.
    out = flag_row(
        area(pct_verder=0.0, afstand_m=300.0, spar_klein=0.1, spar=0.1, spar_groot=0.1), WALK
    )
    assert not out["flagged"]


def test_far_and_among_the_farthest_is_flagged_with_both_reasons():
    out = flag_row(area(pct_verder=31.2, afstand_m=1900.0), WALK)
    assert out["flagged"] and out["flag_level"] == "matig" and out["beoordeling"] == "tekort"
    far, distant = out["redenen"]
    assert far["rule"] == "pct_verder>=25" and far["value"] == 31.2 and far["drempel_m"] == 1000
    assert far["zin"] == (
        "In buurt Kakert woont 31% van de inwoners verder dan 1 km van "
        "aanbod voor meedoen en ontmoeten."
    )
    assert distant["rule"] == "afstand>=p90" and distant["value"] == 1900
    assert distant["threshold"] == 1800
    assert distant["zin"] == (
        "De gemiddelde afstand van de inwoners tot het dichtstbijzijnde aanbod is 1,9 km. Dat "
        "is zo ver als bij de 10% buurten van de regio die het verst weg liggen (1,8 km of "
        "meer)."
    )
    assert out["zin"] == f"{far['zin']} {distant['zin']}"


def test_relative_shortage_must_hold_in_two_of_three_catchments():
    once = flag_row(area(pct_verder=40.0, spar_klein=0.4, spar=0.9, spar_groot=0.9), WALK)
    assert not once["flagged"]
    twice = flag_row(area(pct_verder=40.0, spar_klein=0.4, spar=0.45, spar_groot=0.9), WALK)
    assert twice["flagged"] and twice["flag_level"] == "matig"
    reason = twice["redenen"][1]
    assert reason["rule"] == "spar<=p10" and reason["hits"] == 2
    assert reason["values"] == [0.4, 0.45, 0.9] and reason["thresholds"] == [0.5, 0.5, 0.5]
    assert "gaussian" not in str(reason)
    assert reason["zin"] == (
        "Per inwoner is er binnen 1 km 45% van het gemiddelde aanbod in de regio. Dat is zo "
        "weinig als bij de 10% buurten van de regio met het minste aanbod (50% of minder)."
    )


def test_severe_only_when_both_hold_strongly():
    assert flag_row(area(pct_verder=55, afstand_m=2600.0), WALK)["flag_level"] == "ernstig"
    assert flag_row(area(pct_verder=55, afstand_m=2000.0), WALK)["flag_level"] == "matig"
    assert flag_row(area(pct_verder=30, afstand_m=2600.0), WALK)["flag_level"] == "matig"


def test_small_population_is_too_few_residents():
    out = flag_row(area(inwoners=60, pct_verder=80, afstand_m=3000.0), WALK)
    assert not out["flagged"] and out["beoordeling"] == "te weinig inwoners"
    (gate,) = out["redenen"]
    assert gate["rule"] == "inwoners<100" and gate["value"] == 60
    assert gate["zin"] == (
        "In buurt Kakert wonen te weinig inwoners (60) voor een eigen oordeel. Kijk naar de wijk."
    )
    old = flag_row(area(inwoners=60.4), COUNT)
    assert "te weinig 65-plussers (60)" in old["zin"]


def test_count_based_theme_is_never_judged_on_spar():
    low = area(
        niveau="wijk",
        naam="Wijk 00 Schaesberg",
        pct_verder=40.0,
        afstand_m=1200.0,
        spar_klein=0.0,
        spar=0.0,
        spar_groot=0.0,
    )
    assert not flag_row(low, COUNT)["flagged"]
    far = flag_row(area(niveau="gemeente", naam="Vaals", pct_verder=40, afstand_m=2000.0), COUNT)
    assert far["flagged"] and [r["rule"] for r in far["redenen"]] == [
        "pct_verder>=25",
        "afstand>=p90",
    ]
    assert far["redenen"][0]["zin"].startswith(
        "In de gemeente Vaals woont 40% van de 65-plussers verder dan 3 km"
    )
    assert "van de 65-plussers tot het dichtstbijzijnde aanbod is 2 km" in far["zin"]
    calm = flag_row(area(aantal_3km=2.37), COUNT)
    assert "Binnen 3 km zijn er gemiddeld 2 voorzieningen." in calm["zin"]
    assert "inwoners" not in calm["zin"]


def test_areas_without_population_or_without_supply_are_not_judged():
    empty = flag_row(
        area(
            inwoners=0.0,
            pct_verder=math.nan,
            afstand_m=math.nan,
            spar_klein=math.nan,
            spar=math.nan,
            spar_groot=math.nan,
            null_reden="Geen inwoners in dit gebied.",
        ),
        WALK,
    )
    assert not empty["flagged"] and empty["zin"] == "In buurt Kakert: Geen inwoners in dit gebied."
    assert empty["beoordeling"] == "geen gegevens"
    none = flag_row(
        area(
            pct_verder=100.0,
            afstand_m=math.nan,
            spar_klein=math.nan,
            spar=math.nan,
            spar_groot=math.nan,
            null_reden="Er is geen aanbod voor dit thema.",
        ),
        WALK,
    )
    assert not none["flagged"] and "geen aanbod" in none["zin"]


def test_edge_effect_and_estimated_65plus_are_marked():
    out = flag_row(area(pct_verder=40.0, afstand_m=2000.0, pct_rand=35.0), WALK)
    assert (
        out["flagged"]
        and out["randeffect"]
        and out["zin"].endswith("aanbod net daarbuiten (ook over de grens) telt niet mee.")
    )
    assert not flag_row(area(pct_rand=5.0), WALK)["randeffect"]
    estimated = flag_row(area(pct_geschat=40.0), COUNT)
    assert estimated["geschat"] and "deels geschat" in estimated["zin"]
    assert not flag_row(area(pct_geschat=40.0), WALK)["geschat"]  # only for 65-plussers


def test_cold_spot_is_supporting_evidence_only():
    cold = dict(
        koude_plek=True,
        lisa="LL",
        p_lisa=0.002,
        fdr_lisa=0.004,
        gi_z=-3.1,
        p_gi=0.001,
        fdr_gi=0.003,
    )
    flagged = flag_row(area(pct_verder=30, afstand_m=2000.0, **cold), WALK)
    assert flagged["redenen"][-1] == {
        "rule": "koude_plek",
        "method": "local_moran_LL",
        "p": 0.002,
        "gi_z": -3.1,
        "fdr_cutoff": 0.004,
        "zin": "Ook de buurten eromheen hebben weinig aanbod: dit is een koude plek.",
    }
    assert not flag_row(area(**cold), WALK)["flagged"]


def test_regional_cutoffs_select_at_most_the_worst_tenth():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "niveau": "buurt",
            "naam": "x",
            "inwoners": 500.0,
            "pct_verder": 60.0,
            "afstand_m": rng.uniform(100, 5000, 200),
            "spar_klein": 0.0,
            "spar": 0.0,
            "spar_groot": 0.0,
            "null_reden": None,
        }
    )
    frame.loc[:79, ["spar_klein", "spar", "spar_groot"]] = 1.0  # 60 % tie at SPAR 0
    cut = regional_cutoffs(frame)
    assert (frame["afstand_m"] >= cut.afstand).mean() <= 0.10
    assert all(
        (frame[c] <= v).mean() <= 0.10
        for c, v in zip(["spar_klein", "spar", "spar_groot"], cut.spar, strict=True)
    )
    out = flag_areas(frame, Context("Zorg", "iedereen", 3000, (2000, 3000, 5000), "capaciteit"))
    assert 0 < out["flagged"].mean() <= 0.10


def test_flag_areas_keeps_the_index():
    frame = pd.DataFrame(
        [area(), area(naam="Lichtenberg", pct_verder=40.0, afstand_m=2000.0)], index=["BU1", "BU2"]
    )
    out = flag_areas(frame, WALK)
    assert list(out.index) == ["BU1", "BU2"]
    assert out["flagged"].tolist() == [False, True]


def test_rule_is_named_and_recorded_without_internal_terms():
    described = FlagRule().describe()
    assert described["naam"].startswith("dekking-2")
    assert described["pct_verder"] == 25 and described["relatief"] == 10
    assert described["min_inwoners"] == 100
    assert not any(term in described["uitleg"] for term in ("spar", "e2sfca", "gaussian"))


@pytest.mark.parametrize(
    "metres, text",
    [(1000, "1 km"), (1500, "1,5 km"), (800, "800 meter"), (3000, "3 km"), (2000, "2 km")],
)
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
    neighbours = {
        f"B{r}{c}": {
            f"B{r + dr}{c + dc}"
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and 0 <= r + dr < n and 0 <= c + dc < n
        }
        for r in range(n)
        for c in range(n)
    }
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
    pd.testing.assert_frame_equal(out, again)  # reproducible with the run's seed


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
    rows = (
        area(pct_verder=31, afstand_m=2000.0),
        area(pct_verder=31, spar_klein=0.2, spar=0.2, spar_groot=0.2),
    )
    for row in rows:
        reasons = flag_row(row, WALK)["redenen"]
        assert len(reasons) == 2
        for reason in reasons:
            assert re.fullmatch(r"[A-Z][^\n]+\.", reason["zin"]), reason["zin"]

"""A real run on the Zuid-Limburg demo: stored rows, no NaN, flags with reasons, the
published ``dekking`` collection, location suggestions, reports and the CLI."""

import math
import re

import pytest
import sqlalchemy as sa

from analysis.errors import AnalysisError
from analysis.report import write_report
from analysis.run import RunParams, run_analysis

THEMES = ("meedoen-ontmoeten", "zorg-ondersteuning")
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


@pytest.fixture(scope="module")
def run(demo_engine):
    steps = []
    summary = run_analysis(
        demo_engine,
        RunParams(themas=THEMES),
        progress=lambda message, done, total: steps.append((done, total)),
    )
    return summary, steps


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).mappings().all()


def test_run_is_stored_with_parameters_vintages_and_demand_level(demo_engine, run):
    summary, steps = run
    (stored,) = rows(demo_engine, "SELECT * FROM analyse_run WHERE id = :id", id=summary.run_id)
    assert stored["status"] == "klaar" and stored["klaar_op"] is not None
    assert sorted(stored["themas"]) == sorted(THEMES)  # in taxonomy order
    assert stored["vraagniveau"] == summary.vraagniveau == "pc6+pc4"
    params = stored["parameters"]
    assert params["vanggebieden_m"] == {
        "meedoen-ontmoeten": [800, 1000, 1500],
        "zorg-ondersteuning": [2000, 3000, 5000],
    }
    assert params["decay"] == "gaussian_dai" and params["rule"]["naam"].startswith("dekking-2")
    assert "rechte lijn x 1.3" in params["cost_method"]
    assert stored["data_versies"]["postcode6"]["jaar"] == 2021
    assert stored["data_versies"]["bevolking"]
    assert steps[-1][0] == steps[-1][1] == len(THEMES) + 2


def test_one_row_per_area_theme_and_group(demo_engine, run):
    summary, _ = run
    counts = {
        r["niveau"]: r["n"]
        for r in rows(
            demo_engine,
            """
        SELECT g.niveau, count(*) AS n FROM gebied g GROUP BY g.niveau""",
        )
    }
    stored = {
        r["niveau"]: r["n"]
        for r in rows(
            demo_engine,
            """
        SELECT niveau, count(*) AS n FROM analyse_resultaat WHERE run_id = :id GROUP BY niveau""",
            id=summary.run_id,
        )
    }
    assert stored == {level: n * len(THEMES) * 2 for level, n in counts.items()}
    assert summary.rows == sum(stored.values())


def test_no_nan_or_infinity_and_every_null_has_a_reason(demo_engine, run):
    summary, _ = run
    bad = " OR ".join(
        f"{c} IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)" for c in FLOATS
    )
    assert (
        rows(
            demo_engine,
            f"SELECT count(*) AS n FROM analyse_resultaat WHERE run_id = :id AND ({bad})",
            id=summary.run_id,
        )[0]["n"]
        == 0
    )
    nulls = rows(
        demo_engine,
        """
        SELECT count(*) AS n FROM analyse_resultaat WHERE run_id = :id AND null_reden IS NULL
          AND (afstand_m IS NULL OR spar IS NULL OR pct_verder IS NULL)""",
        id=summary.run_id,
    )
    assert nulls[0]["n"] == 0
    empty = rows(
        demo_engine,
        """
        SELECT null_reden, flagged, inwoners FROM analyse_resultaat
        WHERE run_id = :id AND niveau = 'buurt' AND doelgroep = 'iedereen' AND spar IS NULL""",
        id=summary.run_id,
    )
    assert empty and all(
        r["null_reden"] == "Geen inwoners in dit gebied."
        and not r["flagged"]
        and r["inwoners"] == 0
        for r in empty
    )


def test_population_and_regional_level_add_up(demo_engine, run):
    summary, _ = run
    (totals,) = rows(
        demo_engine,
        """
        SELECT sum(inwoners) AS stored,
               (SELECT sum(b.inwoners) FROM bevolking b JOIN gebied g ON g.code = b.gebiedcode
                 WHERE g.niveau = 'buurt') AS cbs,
               sum(inwoners * spar) / sum(inwoners) AS mean_spar
        FROM analyse_resultaat WHERE run_id = :id AND niveau = 'gemeente'
          AND doelgroep = 'iedereen' AND thema_slug = 'zorg-ondersteuning'""",
        id=summary.run_id,
    )
    assert totals["stored"] == pytest.approx(float(totals["cbs"]), rel=1e-9)
    # The whole region is the study area, so the population-weighted SPAR is exactly 1.
    assert totals["mean_spar"] == pytest.approx(1.0, rel=1e-9)


def test_flags_carry_reasons_and_plain_dutch_sentences(demo_engine, run):
    summary, _ = run
    flagged = rows(
        demo_engine,
        """
        SELECT r.*, g.naam FROM analyse_resultaat r JOIN gebied g ON g.code = r.gebiedcode
        WHERE run_id = :id AND flagged""",
        id=summary.run_id,
    )
    assert flagged and summary.flagged["meedoen-ontmoeten"]["buurt"] > 0
    for r in flagged:
        assert r["flag_level"] in ("ernstig", "matig") and r["inwoners"] >= 100
        assert r["redenen"] and all({"rule", "zin"} <= set(x) for x in r["redenen"])
        assert r["zin"].startswith("In ") and r["naam"] in r["zin"]
    far = [
        x
        for r in flagged
        if r["thema_slug"] == "meedoen-ontmoeten" and r["doelgroep"] == "iedereen"
        for x in r["redenen"]
        if x["rule"] == "pct_verder>=25"
    ]
    assert far and all(
        re.fullmatch(
            r"In (buurt |wijk |de gemeente )?.+ woont \d+% van de inwoners verder dan 1 km van "
            r"aanbod voor meedoen en ontmoeten\.",
            x["zin"],
        )
        for x in far
    )
    assert all(x["value"] >= 25 for x in far)


def test_cold_spots_are_only_at_buurt_level(demo_engine, run):
    summary, _ = run
    levels = rows(
        demo_engine,
        """
        SELECT niveau, count(lisa) AS lisa, count(*) FILTER (WHERE koude_plek) AS cold
        FROM analyse_resultaat WHERE run_id = :id GROUP BY niveau""",
        id=summary.run_id,
    )
    by = {r["niveau"]: r for r in levels}
    assert by["buurt"]["lisa"] > 0 and by["wijk"]["lisa"] == by["gemeente"]["lisa"] == 0


def test_location_suggestions_grow_with_extra_sites(demo_engine, run):
    summary, _ = run
    sites = rows(
        demo_engine,
        """
        SELECT gemeentecode, thema_slug, extra, max(nieuw_bereikt) AS gain, count(*) AS n
        FROM analyse_locatievoorstel WHERE run_id = :id GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3""",
        id=summary.run_id,
    )
    assert sites
    seen = {}
    for s in sites:
        assert 1 <= s["n"] <= s["extra"] and s["gain"] > 0
        key = (s["gemeentecode"], s["thema_slug"])
        assert s["gain"] >= seen.get(key, 0) - 1e-6
        seen[key] = s["gain"]


def test_dekking_is_published_and_filters_by_theme(demo_client, run):
    summary, _ = run
    ids = [c["id"] for c in demo_client.get("/ogc/collections").json["collections"]]
    assert "dekking" in ids and "dekking-locatievoorstel" in ids
    meta = demo_client.get("/ogc/collections/dekking").json
    assert meta["title"] == "Dekking"
    page = demo_client.get(
        "/ogc/collections/dekking/items?thema=meedoen-ontmoeten&limit=10000"
        "&filter=run=" + str(summary.run_id)
    ).json
    assert page["numberMatched"] == 530 * 2
    props = [f["properties"] for f in page["features"]]
    assert {p["thema"] for p in props} == {"meedoen-ontmoeten"}
    assert all(p["run"] == summary.run_id and p["actueel"] for p in props)
    assert all(math.isfinite(p["spar"]) for p in props if p["spar"] is not None)
    gemeenten = demo_client.get(
        "/ogc/collections/dekking/items?thema=zorg-ondersteuning"
        f"&filter=niveau='gemeente' AND run={summary.run_id}"
    ).json
    assert gemeenten["numberMatched"] == 16 * 2
    feature = page["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["id"].startswith(f"{summary.run_id}-")


def test_dekking_tiles(demo_client, demo_engine, run):
    (point,) = rows(
        demo_engine,
        """SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT
        ST_Transform(ST_PointOnSurface(geom), 4326) AS p FROM gebied WHERE code = 'GM0935') x""",
    )
    z = 12
    x = int((point["lon"] + 180) / 360 * 2**z)
    lat = math.radians(point["lat"])
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * 2**z)
    response = demo_client.get(
        f"/ogc/collections/dekking/tiles/WebMercatorQuad/{z}/{y}/{x}"
        "?thema=zorg-ondersteuning&properties=spar,flag_level"
    )
    assert response.status_code == 200 and len(response.data) > 100


def test_unknown_theme_or_gemeente_is_a_clear_error(demo_engine):
    with pytest.raises(AnalysisError, match="Onbekend thema: bestaat-niet. Kies uit: "):
        run_analysis(demo_engine, RunParams(themas=("bestaat-niet",)))
    with pytest.raises(AnalysisError, match="Onbekende gemeente: GM9999"):
        run_analysis(demo_engine, RunParams(gemeenten=("GM9999",)))


def test_report_files(demo_engine, run, tmp_path):
    summary, _ = run
    paths = write_report(demo_engine, summary.run_id, tmp_path, "wijk")
    names = {p.name for p in paths}
    assert f"dekking_run{summary.run_id}_wijk.csv" in names
    assert f"dekking_run{summary.run_id}_wijk_iedereen.pdf" in names
    assert f"dekking_run{summary.run_id}_meedoen-ontmoeten_wijk_iedereen.png" in names
    csv_lines = (
        (tmp_path / f"dekking_run{summary.run_id}_wijk.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()
    )
    assert len(csv_lines) == 1 + 93 * len(THEMES) * 2 and "spar" in csv_lines[0]
    png = tmp_path / f"dekking_run{summary.run_id}_zorg-ondersteuning_wijk_iedereen.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert (tmp_path / f"dekking_run{summary.run_id}_wijk_iedereen.pdf").read_bytes()[:5] == (
        b"%PDF-"
    )


def test_cli_for_one_gemeente(demo_app, demo_engine, tmp_path):
    result = demo_app.test_cli_runner().invoke(
        args=[
            "analyse",
            "--thema",
            "vervoer",
            "--gemeente",
            "GM0981",
            "--niveau",
            "buurt",
            "--uitvoer",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "gevlagde gebieden" in result.output
    assert list(tmp_path.glob("dekking_run*_vervoer_buurt_iedereen.png"))
    assert list(tmp_path.glob("dekking_run*_buurt.csv"))
    (latest,) = rows(demo_engine, "SELECT max(id) AS id FROM analyse_run")
    (stored,) = rows(
        demo_engine, "SELECT gemeenten, status FROM analyse_run WHERE id = :id", id=latest["id"]
    )
    assert stored["gemeenten"] == ["GM0981"] and stored["status"] == "klaar"
    bad = demo_app.test_cli_runner().invoke(args=["analyse", "--thema", "onzin"])
    assert bad.exit_code != 0 and "Onbekend thema: onzin" in bad.output


def test_only_public_services_count_by_default(demo_engine):
    from analysis.indicators import load_services

    (counts,) = rows(
        demo_engine,
        """
        SELECT count(*) FILTER (WHERE v.zichtbaarheid = 'openbaar') AS public, count(*) AS alle
        FROM laag_voorzieningen v JOIN aanbod_locatie al ON al.id = v.id""",
    )
    everything = sum(
        len(
            load_services(
                demo_engine, t, buffer_m=1e6, zichtbaarheid=("openbaar", "professional", "intern")
            )
        )
        for t in THEMES + ("vervoer",)
    )
    public = sum(len(load_services(demo_engine, t, buffer_m=1e6)) for t in THEMES + ("vervoer",))
    assert counts["alle"] > counts["public"]  # the fixture made one organisation intern
    assert public <= everything
    (expected,) = rows(
        demo_engine,
        """
        SELECT count(*) AS n FROM laag_voorzieningen v, unnest(v.themas) t
        WHERE v.zichtbaarheid = 'openbaar' AND t IN ('meedoen-ontmoeten', 'zorg-ondersteuning',
                                                     'vervoer')""",
    )
    assert public == expected["n"]


# ------------------------------------------------- every sentence agrees with its figures

INTERNAL_TERMS = (
    "spar",
    "e2sfca",
    "gaussian_dai",
    "gaussian",
    "pct_verder",
    "afstand_m",
    "null",
    "nan",
)


def _stored(engine, run_id):
    import pandas as pd

    return pd.DataFrame(
        rows(
            engine,
            """
        SELECT r.*, g.naam FROM analyse_resultaat r JOIN gebied g ON g.code = r.gebiedcode
        WHERE run_id = :id""",
            id=run_id,
        )
    )


def test_every_sentence_agrees_with_the_stored_figures(demo_engine, run):  # noqa: C901, PLR0912, PLR0915
    """For every area of the run: the judgement and the rules named follow from the stored
    indicators and the region's cut-offs (recomputed from the stored buurten), and every
    number quoted in the Dutch sentence is the stored figure, rounded as written."""
    from analysis.flags import SPAR_COLUMNS, FlagRule, regional_cutoffs
    from analysis.wording import km, number, rounded_km

    summary, _ = run
    stored = _stored(demo_engine, summary.run_id)
    (params,) = rows(
        demo_engine, "SELECT parameters FROM analyse_run WHERE id = :id", id=summary.run_id
    )
    rule = FlagRule()
    checked = 0
    for (thema, doelgroep), part in stored.groupby(["thema_slug", "doelgroep"]):
        cut = regional_cutoffs(part[part["niveau"] == "buurt"], rule)
        assert params["parameters"]["grenzen"][thema][doelgroep] == cut.describe()
        for r in part.to_dict("records"):
            zin, group = r["zin"], "65-plussers" if doelgroep == "ouderen" else "inwoners"
            assert not any(re.search(rf"\b{t}\b", zin.lower()) for t in INTERNAL_TERMS), zin
            if doelgroep == "ouderen":
                assert "inwoners" not in zin.replace("te weinig inwoners", ""), zin
            judged = (
                r["inwoners"] > 0
                and r["pct_verder"] is not None
                and not (
                    r["null_reden"]
                    and r["afstand_m"] is None
                    and all(r[c] is None for c in SPAR_COLUMNS)
                )
            )
            rules = [x["rule"] for x in r["redenen"]]
            if not judged:
                assert r["beoordeling"] == "geen gegevens" and not r["flagged"]
                continue
            if r["inwoners"] < rule.min_inwoners:
                assert r["beoordeling"] == "te weinig inwoners" and rules == ["inwoners<100"]
                assert f"te weinig {group} ({number(r['inwoners'])})" in zin
                continue
            far = r["pct_verder"] >= rule.pct_verder
            afstand = math.inf if r["afstand_m"] is None else r["afstand_m"]
            distant = afstand >= cut.afstand
            count_based = r["capaciteit_basis"] == "aantal"
            low = sum(
                r[c] is not None and r[c] <= v for c, v in zip(SPAR_COLUMNS, cut.spar, strict=True)
            )
            scarce = not count_based and low >= rule.min_vanggebieden
            assert r["flagged"] is bool(far and (distant or scarce)), (r["gebiedcode"], zin)
            assert r["beoordeling"] == ("tekort" if r["flagged"] else "geen tekort")
            match = re.search(rf"woont (\d+)% van de {group} verder dan (.+?) van aanbod", zin)
            assert match and match[1] == f"{r['pct_verder']:.0f}", zin
            assert match[2] == km(r["drempel_m"])
            if r["afstand_m"] is not None:
                mean = re.search(
                    rf"gemiddelde afstand van de {group} tot het "
                    r"dichtstbijzijnde aanbod is (.+?)\. ",
                    zin + " ",
                )
                assert mean and mean[1] == rounded_km(r["afstand_m"]), zin
            if not r["flagged"]:
                assert rules == [] and zin.count("Volgens de regel is hier geen tekort.") == 1
                if count_based and r["drempel_m"] in (1000, 3000):
                    n = re.search(r"gemiddeld (\S+) voorzieningen", zin)
                    column = "aantal_1km" if r["drempel_m"] == 1000 else "aantal_3km"
                    assert n and n[1] == number(r[column]) and n[1].isdigit(), zin
                elif r["spar"] is not None and not count_based:
                    share = re.search(r"binnen bereik is (\d+)% van het gemiddelde", zin)
                    assert share and share[1] == f"{r['spar'] * 100:.0f}", zin
            else:
                severe = r["pct_verder"] >= rule.pct_ernstig and (
                    afstand >= cut.afstand_ernstig
                    or (
                        not count_based
                        and sum(
                            r[c] is not None and r[c] <= v
                            for c, v in zip(SPAR_COLUMNS, cut.spar_ernstig, strict=True)
                        )
                        >= 2
                    )
                )
                assert r["flag_level"] == ("ernstig" if severe else "matig")
                expected = [
                    "pct_verder>=25",
                    *(["afstand>=p90"] if distant else []),
                    *(["spar<=p10"] if scarce else []),
                ]
                assert rules[: len(expected)] == expected
                assert set(rules[len(expected) :]) <= {"koude_plek"}
                for x in r["redenen"]:
                    if x["rule"] == "afstand>=p90":
                        assert f"({rounded_km(cut.afstand)} of meer)" in x["zin"]
                        assert x["threshold"] == round(cut.afstand)
                    if x["rule"] == "spar<=p10":
                        k = x["size"]
                        got = re.search(
                            r"binnen (.+?) (\d+)% van het gemiddelde aanbod.*"
                            r"\((\d+)% of minder\)",
                            x["zin"],
                        )
                        assert got[1] == km(params["parameters"]["vanggebieden_m"][thema][k])
                        assert got[2] == f"{r[SPAR_COLUMNS[k]] * 100:.0f}"
                        assert got[3] == f"{cut.spar[k] * 100:.0f}"
            assert ("Randeffect mogelijk" in zin) is bool(r["randeffect"])
            assert r["randeffect"] is ((r["pct_rand"] or 0) >= rule.pct_rand)
            assert ("deels geschat" in zin) is bool(r["geschat"])
            checked += 1
    assert checked > 500


def test_demand_spreads_residents_over_addresses(demo_engine, run):
    summary, _ = run
    (params,) = rows(
        demo_engine, "SELECT parameters FROM analyse_run WHERE id = :id", id=summary.run_id
    )
    assert "BAG-adressen" in params["parameters"]["vraagpunten"]
    shares = rows(
        demo_engine,
        """
        SELECT count(*) FILTER (WHERE pct_verder > 0 AND pct_verder < 100) AS between,
               count(*) AS n
        FROM analyse_resultaat WHERE run_id = :id AND niveau = 'buurt' AND inwoners > 0
          AND doelgroep = 'iedereen'""",
        id=summary.run_id,
    )[0]
    assert shares["between"] > 0.1 * shares["n"]
    published = rows(
        demo_engine,
        """
        SELECT beoordeling, randeffect, pct_rand, geschat FROM laag_dekking WHERE run = :id
        LIMIT 5""",
        id=summary.run_id,
    )
    assert published and all(r["beoordeling"] for r in published)

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
FLOATS = ("inwoners", "afstand_m", "aantal_1km", "aantal_3km", "aantal_5km", "pct_verder",
          "a_klein", "a_midden", "a_groot", "spar_klein", "spar", "spar_groot", "gi_z")


@pytest.fixture(scope="module")
def run(demo_engine):
    steps = []
    summary = run_analysis(demo_engine, RunParams(themas=THEMES),
                           progress=lambda message, done, total: steps.append((done, total)))
    return summary, steps


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).mappings().all()


def test_run_is_stored_with_parameters_vintages_and_demand_level(demo_engine, run):
    summary, steps = run
    (stored,) = rows(demo_engine, "SELECT * FROM analyse_run WHERE id = :id", id=summary.run_id)
    assert stored["status"] == "klaar" and stored["klaar_op"] is not None
    assert sorted(stored["themas"]) == sorted(THEMES)   # in taxonomy order
    assert stored["vraagniveau"] == summary.vraagniveau == "pc6+pc4"
    params = stored["parameters"]
    assert params["vanggebieden_m"] == {"meedoen-ontmoeten": [800, 1000, 1500],
                                        "zorg-ondersteuning": [2000, 3000, 5000]}
    assert params["decay"] == "gaussian_dai" and params["rule"]["naam"].startswith("ANALYSIS-5c")
    assert "rechte lijn x 1.3" in params["cost_method"]
    assert stored["data_versies"]["postcode6"]["jaar"] == 2021
    assert stored["data_versies"]["bevolking"]
    assert steps[-1][0] == steps[-1][1] == len(THEMES) + 2


def test_one_row_per_area_theme_and_group(demo_engine, run):
    summary, _ = run
    counts = {r["niveau"]: r["n"] for r in rows(demo_engine, """
        SELECT g.niveau, count(*) AS n FROM gebied g GROUP BY g.niveau""")}
    stored = {r["niveau"]: r["n"] for r in rows(demo_engine, """
        SELECT niveau, count(*) AS n FROM analyse_resultaat WHERE run_id = :id GROUP BY niveau""",
                                                 id=summary.run_id)}
    assert stored == {level: n * len(THEMES) * 2 for level, n in counts.items()}
    assert summary.rows == sum(stored.values())


def test_no_nan_or_infinity_and_every_null_has_a_reason(demo_engine, run):
    summary, _ = run
    bad = " OR ".join(f"{c} IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"
                      for c in FLOATS)
    assert rows(demo_engine, f"SELECT count(*) AS n FROM analyse_resultaat WHERE run_id = :id "
                             f"AND ({bad})", id=summary.run_id)[0]["n"] == 0
    nulls = rows(demo_engine, """
        SELECT count(*) AS n FROM analyse_resultaat WHERE run_id = :id AND null_reden IS NULL
          AND (afstand_m IS NULL OR spar IS NULL OR pct_verder IS NULL)""", id=summary.run_id)
    assert nulls[0]["n"] == 0
    empty = rows(demo_engine, """
        SELECT null_reden, flagged, inwoners FROM analyse_resultaat
        WHERE run_id = :id AND niveau = 'buurt' AND doelgroep = 'iedereen' AND spar IS NULL""",
                 id=summary.run_id)
    assert empty and all(r["null_reden"] == "Geen inwoners in dit gebied." and not r["flagged"]
                         and r["inwoners"] == 0 for r in empty)


def test_population_and_regional_level_add_up(demo_engine, run):
    summary, _ = run
    (totals,) = rows(demo_engine, """
        SELECT sum(inwoners) AS stored,
               (SELECT sum(b.inwoners) FROM bevolking b JOIN gebied g ON g.code = b.gebiedcode
                 WHERE g.niveau = 'buurt') AS cbs,
               sum(inwoners * spar) / sum(inwoners) AS mean_spar
        FROM analyse_resultaat WHERE run_id = :id AND niveau = 'gemeente'
          AND doelgroep = 'iedereen' AND thema_slug = 'zorg-ondersteuning'""", id=summary.run_id)
    assert totals["stored"] == pytest.approx(float(totals["cbs"]), rel=1e-9)
    # The whole region is the study area, so the population-weighted SPAR is exactly 1.
    assert totals["mean_spar"] == pytest.approx(1.0, rel=1e-9)


def test_flags_carry_reasons_and_plain_dutch_sentences(demo_engine, run):
    summary, _ = run
    flagged = rows(demo_engine, """
        SELECT r.*, g.naam FROM analyse_resultaat r JOIN gebied g ON g.code = r.gebiedcode
        WHERE run_id = :id AND flagged""", id=summary.run_id)
    assert flagged and summary.flagged["meedoen-ontmoeten"]["buurt"] > 0
    for r in flagged:
        assert r["flag_level"] in ("ernstig", "matig") and r["inwoners"] >= 100
        assert r["redenen"] and all({"rule", "zin"} <= set(x) for x in r["redenen"])
        assert r["zin"].startswith("In ") and r["naam"] in r["zin"]
    far = [x for r in flagged if r["thema_slug"] == "meedoen-ontmoeten"
           and r["doelgroep"] == "iedereen" for x in r["redenen"] if x["rule"] == "pct_verder>25"]
    assert far and all(re.fullmatch(
        r"In (buurt |wijk |de gemeente )?.+ woont \d+% van de inwoners verder dan 1 km van "
        r"aanbod voor meedoen en ontmoeten\.", x["zin"]) for x in far)
    assert all(x["value"] > 25 for x in far)


def test_cold_spots_are_only_at_buurt_level(demo_engine, run):
    summary, _ = run
    levels = rows(demo_engine, """
        SELECT niveau, count(lisa) AS lisa, count(*) FILTER (WHERE koude_plek) AS cold
        FROM analyse_resultaat WHERE run_id = :id GROUP BY niveau""", id=summary.run_id)
    by = {r["niveau"]: r for r in levels}
    assert by["buurt"]["lisa"] > 0 and by["wijk"]["lisa"] == by["gemeente"]["lisa"] == 0


def test_location_suggestions_grow_with_extra_sites(demo_engine, run):
    summary, _ = run
    sites = rows(demo_engine, """
        SELECT gemeentecode, thema_slug, extra, max(nieuw_bereikt) AS gain, count(*) AS n
        FROM analyse_locatievoorstel WHERE run_id = :id GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3""", id=summary.run_id)
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
    page = demo_client.get("/ogc/collections/dekking/items?thema=meedoen-ontmoeten&limit=10000"
                           "&filter=run=" + str(summary.run_id)).json
    assert page["numberMatched"] == 530 * 2
    props = [f["properties"] for f in page["features"]]
    assert {p["thema"] for p in props} == {"meedoen-ontmoeten"}
    assert all(p["run"] == summary.run_id and p["actueel"] for p in props)
    assert all(math.isfinite(p["spar"]) for p in props if p["spar"] is not None)
    gemeenten = demo_client.get("/ogc/collections/dekking/items?thema=zorg-ondersteuning"
                                f"&filter=niveau='gemeente' AND run={summary.run_id}").json
    assert gemeenten["numberMatched"] == 16 * 2
    feature = page["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["id"].startswith(f"{summary.run_id}-")


def test_dekking_tiles(demo_client, demo_engine, run):
    (point,) = rows(demo_engine, """SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT
        ST_Transform(ST_PointOnSurface(geom), 4326) AS p FROM gebied WHERE code = 'GM0935') x""")
    z = 12
    x = int((point["lon"] + 180) / 360 * 2 ** z)
    lat = math.radians(point["lat"])
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * 2 ** z)
    response = demo_client.get(f"/ogc/collections/dekking/tiles/WebMercatorQuad/{z}/{y}/{x}"
                               "?thema=zorg-ondersteuning&properties=spar,flag_level")
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
    csv_lines = (tmp_path / f"dekking_run{summary.run_id}_wijk.csv").read_text(
        encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + 93 * len(THEMES) * 2 and "spar" in csv_lines[0]
    png = tmp_path / f"dekking_run{summary.run_id}_zorg-ondersteuning_wijk_iedereen.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert (tmp_path / f"dekking_run{summary.run_id}_wijk_iedereen.pdf").read_bytes()[:5] == (
        b"%PDF-")


def test_cli_for_one_gemeente(demo_app, demo_engine, tmp_path):
    result = demo_app.test_cli_runner().invoke(args=[
        "analyse", "--thema", "vervoer", "--gemeente", "GM0981", "--niveau", "buurt",
        "--uitvoer", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "gevlagde gebieden" in result.output
    assert list(tmp_path.glob("dekking_run*_vervoer_buurt_iedereen.png"))
    assert list(tmp_path.glob("dekking_run*_buurt.csv"))
    (latest,) = rows(demo_engine, "SELECT max(id) AS id FROM analyse_run")
    (stored,) = rows(demo_engine, "SELECT gemeenten, status FROM analyse_run WHERE id = :id",
                     id=latest["id"])
    assert stored["gemeenten"] == ["GM0981"] and stored["status"] == "klaar"
    bad = demo_app.test_cli_runner().invoke(args=["analyse", "--thema", "onzin"])
    assert bad.exit_code != 0 and "Onbekend thema: onzin" in bad.output


def test_only_public_services_count_by_default(demo_engine):
    from analysis.indicators import load_services

    (counts,) = rows(demo_engine, """
        SELECT count(*) FILTER (WHERE v.zichtbaarheid = 'openbaar') AS public, count(*) AS alle
        FROM laag_voorzieningen v JOIN aanbod_locatie al ON al.id = v.id""")
    everything = sum(len(load_services(demo_engine, t, buffer_m=1e6, zichtbaarheid=(
        "openbaar", "professional", "intern"))) for t in THEMES + ("vervoer",))
    public = sum(len(load_services(demo_engine, t, buffer_m=1e6)) for t in THEMES + ("vervoer",))
    assert counts["alle"] > counts["public"]           # the fixture made one organisation intern
    assert public <= everything
    (expected,) = rows(demo_engine, """
        SELECT count(*) AS n FROM laag_voorzieningen v, unnest(v.themas) t
        WHERE v.zichtbaarheid = 'openbaar' AND t IN ('meedoen-ontmoeten', 'zorg-ondersteuning',
                                                     'vervoer')""")
    assert public == expected["n"]

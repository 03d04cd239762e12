"""`organisations import/export` and `demo --no-serve` through the CLI runner, real PostGIS."""

import csv

import pytest
import sqlalchemy as sa

from geo.db import make_engine
from server import create_app
from tests.conftest import url_string
from tests.geo.conftest import CSV, TESTDATA


@pytest.fixture(scope="module")
def loaded(databases):
    """A database with areas, postcodes and the small BAG sample, and an app on it."""
    url = databases.create()
    app = create_app({"DATABASE_URL": url_string(url), "TESTING": True})
    runner = app.test_cli_runner()
    for args in (
        ["areas", "load"],
        ["geocode", "load-postcodes"],
        ["geocode", "load-bag", str(TESTDATA / "bag_records.csv")],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app, url


def test_import_prints_summary_and_writes_rejects_file(loaded, tmp_path):
    app, url = loaded
    rejects = tmp_path / "afgewezen.csv"
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(CSV), "--bron", "cli", "--afgewezen", str(rejects)]
    )
    assert result.exit_code == 0, result.output
    assert "Import cli" in result.output
    assert (
        "regel 7, kolom thema: thema 'zorg' bestaat niet; bedoelt u 'zorg-ondersteuning'?"
        in result.output
    )
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbf")  # Dutch Excel: BOM and ";"
    with open(rejects, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert {r["regel"] for r in rows} == {"7", "9", "10"}
    assert all(r["reden"] and r["kolom"] for r in rows)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT gelezen, nieuw, afgewezen FROM import_run WHERE bron = 'cli'")
        ).one() == (9, 6, 3)
    engine.dispose()


def test_unparseable_file_is_one_sentence_and_exit_1(loaded, tmp_path):
    app, _ = loaded
    bad = tmp_path / "kapot.csv"
    bad.write_text("thema\nx\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["organisations", "import", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Verplichte kolom(men) ontbreken: organisatie (gevonden: thema); "
        "zie docs/IMPORT.md of gebruik --mapping."
    )
    assert "Traceback" not in result.output


def test_export_csv_and_hsds(loaded, tmp_path):
    app, _ = loaded
    runner = app.test_cli_runner()
    runner.invoke(
        args=[
            "organisations",
            "import",
            str(CSV),
            "--bron",
            "cli",
            "--afgewezen",
            str(tmp_path / "r.csv"),
        ]
    )
    out = runner.invoke(
        args=["organisations", "export", str(tmp_path / "x.csv"), "--gemeente", "GM0917"]
    )
    assert out.exit_code == 0, out.output
    with open(tmp_path / "x.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["gemeentecode"] for r in rows} == {"GM0917"}
    assert {r["geocode_precisie"] for r in rows} == {"adres", "pc4"}
    out = runner.invoke(args=["organisations", "export", str(tmp_path / "x.json")])
    assert out.exit_code == 0 and (tmp_path / "x.json").stat().st_size > 1000


def test_demo_without_serving_loads_every_gemeente_theme_and_group(fresh_url):
    app = create_app({"DATABASE_URL": url_string(fresh_url), "TESTING": True})
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        locations, gemeenten = conn.execute(
            sa.text("SELECT count(*), count(DISTINCT gemeentecode) FROM locatie")
        ).one()
        themes = conn.execute(
            sa.text("SELECT count(DISTINCT thema_slug) FROM aanbod_thema")
        ).scalar()
        groups = conn.execute(
            sa.text("SELECT count(DISTINCT doelgroep_slug) FROM aanbod_doelgroep")
        ).scalar()
        synthetic = conn.execute(
            sa.text(
                "SELECT bool_and(synthetisch) FROM organisatie WHERE bron = 'synthetisch (demo)'"
            )
        ).scalar()
        real = conn.execute(
            sa.text(
                "SELECT count(*) FROM organisatie WHERE bron IN ('OpenStreetMap', "
                "'RIVM ziekenhuislocaties 2016') AND NOT synthetisch"
            )
        ).scalar()
    engine.dispose()
    assert locations >= 800 and gemeenten == 16
    assert themes == 10 and groups == 11
    assert synthetic is True and real == 37  # 35 OSM + 2 hospital organisations


def test_summary_says_in_dutch_where_rows_landed_and_what_to_do(loaded, tmp_path):
    """Acceptance 12.8: the summary names each geocode outcome in plain Dutch with advice."""
    app, _ = loaded
    path = tmp_path / "plaatsen.csv"
    path.write_text(
        "organisatie;aanbod;thema;postcode;huisnummer;plaats\n"
        "Buurthuis Noord;Koffieochtend;meedoen-ontmoeten;6411ZZ;1;Heerlen\n"
        "Buurthuis Ver;Koffieochtend;meedoen-ontmoeten;9711AB;1;Groningen\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "plaatsen"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Op de kaart gezet" in text
    assert "op de postcodewijk (PC4)" in text and "buiten het gebied" in text
    assert "laad de gebieden" in text and "controleer straat" in text
    assert "pc4:" not in text and "buiten_gebied" not in text  # no internal keys

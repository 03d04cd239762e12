"""Downloads (``f=csv`` and ``f=gpkg``): validated before the first byte, nothing left behind,
and spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
import tempfile
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from server.database import get_engine
from tests.conftest import DATA, url_string

ITEMS = "/ogc/collections/voorzieningen/items"
PROBLEM = "application/problem+json"
BAD = [
    "bbox=abc",
    "bbox=6,51,5,50",
    "synthetisch=maybe",
    "organisatie_id=abc",
    "datetime=gisteren",
    "filter=gemeentecode%20%3D",
    "crs=EPSG:1234",
    "limit=0",
    "cursor=bm9wZQ",
    "onbekend=1",
]


@pytest.mark.parametrize("fmt", ["csv", "gpkg"])
@pytest.mark.parametrize("query", BAD)
def test_bad_parameters_of_a_download_are_400_problems(demo_client, fmt, query):
    response = demo_client.get(f"{ITEMS}?f={fmt}&{query}")
    assert response.status_code == 400, response.get_data()[:300]
    assert response.mimetype == PROBLEM
    assert response.json["status"] == 400 and response.json["detail"]


@pytest.mark.parametrize("fmt", ["csv", "gpkg"])
def test_a_database_error_in_a_download_is_a_problem_not_a_broken_file(
    demo_client, fmt, monkeypatch
):
    """The statement runs before the response starts: a failure is an error answer, not a
    200 with half a file."""
    import server.routes.ogc_items as routes
    from layers.exports import Export

    def failing(query):
        return Export(
            query.collection.id, "SELECT 1 / (random() * 0)::int AS geom", {}, ["x"], 4326
        )

    monkeypatch.setattr(routes, f"prepare_{'csv' if fmt == 'csv' else 'geopackage'}", failing)
    response = demo_client.get(f"{ITEMS}?f={fmt}")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert response.json["detail"] == "Er ging iets mis aan onze kant."


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch) -> Path:
    """``tempfile`` (and so every download) works in a folder of this test only."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.fixture
def made_tempdirs(own_tempdir, monkeypatch) -> list[str]:
    """Every folder ``tempfile`` makes (so the test knows it looked in the right place)."""
    made = []
    real = tempfile.mkdtemp

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording)
    return made


def _entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _wait_until(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _full(url: str) -> requests.Response:
    response = requests.get(url, timeout=120)
    assert response.status_code in (200, 400), response.text[:300]
    return response


def _aborted(url: str, read: int) -> None:
    """Start a download, read a few bytes, and hang up."""
    with requests.get(url, stream=True, timeout=120) as response:
        assert response.status_code == 200, response.text[:300]
        chunk = response.raw.read(read)
        assert chunk
    # leaving the block closes the connection mid-download


def test_downloads_leave_no_temporary_files(demo_server, demo_app, own_tempdir, made_tempdirs):
    before = _entries(own_tempdir)
    base = demo_server + "/ogc/collections"
    done = []
    for fmt in ("csv", "gpkg"):  # complete downloads
        for query in (
            "gemeentecode=GM0917",
            "thema=vervoer",
            "limit=5",
            "crs=http://www.opengis.net/def/crs/EPSG/0/28992&gemeentecode=GM0935",
        ):
            response = _full(f"{base}/voorzieningen/items?f={fmt}&{query}")
            assert response.status_code == 200 and response.content
            done.append((fmt, query))
    for fmt in ("csv", "gpkg"):  # failing downloads
        for query in ("synthetisch=maybe", "bbox=6,51,5,50", "organisatie_id=abc"):
            response = _full(f"{base}/voorzieningen/items?f={fmt}&{query}")
            assert response.status_code == 400
            assert response.headers["Content-Type"].startswith(PROBLEM)
            done.append((fmt, query))
    # aborted downloads: large files, the client hangs up after a few bytes
    _aborted(f"{base}/dekking/items?f=gpkg", 4096)
    _aborted(f"{base}/dekking/items?f=csv", 100)
    _aborted(f"{base}/voorzieningen/items?f=gpkg", 100)
    _aborted(f"{base}/buurten/items?f=csv", 10)
    _aborted(f"{base}/voorzieningen/items?f=csv", 10)
    _aborted(f"{base}/buurten/items?f=gpkg&crs=http://www.opengis.net/def/crs/EPSG/0/28992", 10)
    done += ["aborted"] * 6
    for fmt in ("csv", "gpkg"):  # HEAD: the body is never read
        response = requests.head(f"{base}/voorzieningen/items?f={fmt}&limit=5", timeout=60)
        assert response.status_code == 200
        done.append(("HEAD", fmt))
    assert len(done) == 22
    assert len(made_tempdirs) >= 6  # every GeoPackage was written in this folder
    assert all(Path(d).parent == own_tempdir for d in made_tempdirs)
    assert _wait_until(lambda: _entries(own_tempdir) == before), (
        f"left behind: {sorted(_entries(own_tempdir) - before)}"
    )
    with demo_app.test_request_context():  # the engine the download routes use
        engine = get_engine()
    # the CSV connections went back to the pool (also after a hang-up and a HEAD)
    assert _wait_until(lambda: engine.pool.checkedout() == 0, 30), engine.pool.status()


def test_a_failing_geopackage_write_removes_its_folder(demo_client, own_tempdir, monkeypatch):
    import layers.exports

    def broken(self, *args, **kwargs):
        Path(args[0]).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(layers.exports.gpd.GeoDataFrame, "to_file", broken)
    response = demo_client.get(f"{ITEMS}?f=gpkg&limit=3")
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert _entries(own_tempdir) == set()


# --- formula injection: a name that a spreadsheet would run --------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/","klik hier")'


@pytest.fixture(scope="module")
def formula_client(databases, tmp_path_factory):
    """A database of its own holding one organisation whose name is a spreadsheet formula."""
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    path = tmp_path_factory.mktemp("formula") / "records.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "organisatie",
                "aanbod",
                "thema",
                "straat",
                "huisnummer",
                "postcode",
                "plaats",
                "lat",
                "lon",
            ]
        )
        writer.writerow(
            [
                "f1",
                HYPERLINK,
                "@SUM(1+1)",
                "zorg-ondersteuning",
                "Markt",
                "1",
                "6211 CK",
                "Maastricht",
                "50.8490",
                "5.6930",
            ]
        )
    result = import_file(engine, path, bron="formuletest")
    assert result.rejects == [] and result.inserted == 1, result.rejects
    with engine.connect() as conn:  # stored as typed: the rule is for writing CSV only
        assert conn.execute(sa.text("SELECT naam FROM organisatie")).scalar_one() == HYPERLINK
    url = url_string(engine.url)
    engine.dispose()
    return create_app({"DATABASE_URL": url, "TESTING": True}).test_client()


def test_a_formula_name_gets_a_leading_apostrophe_in_the_csv(formula_client):
    response = formula_client.get(f"{ITEMS}?f=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["organisatie"] == "'" + HYPERLINK
    assert rows[0]["aanbod"] == "'@SUM(1+1)"
    assert not rows[0]["lon"].startswith("'")  # numbers stay numbers
    # JSON is not a spreadsheet: the value is exactly as stored
    feature = formula_client.get(f"{ITEMS}?f=json").json["features"][0]
    assert feature["properties"]["organisatie"] == HYPERLINK


def test_the_apostrophe_also_in_a_filtered_csv(formula_client):
    response = formula_client.get(
        "/ogc/collections/zorg-ondersteuning/items?f=csv&gemeentecode=GM0935"
    )
    text = response.get_data(as_text=True)
    assert "'=HYPERLINK(" in text
    assert '"=HYPERLINK' not in text and ",=HYPERLINK" not in text

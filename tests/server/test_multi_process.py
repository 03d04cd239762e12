"""Two app server processes against one database stay exact after a write from elsewhere.

The caches of each process (layer cache: ids, feature GeoJSON, tiles; map points' ETag)
key on the database's data versions (``data_versie`` counters raised by statement
triggers), never on a process's own knowledge of writes. So a write through a third,
unrelated connection (plain psycopg, no app code) must show on the next request to either
server (docs/SCALING.md).
"""

import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from tests.conftest import url_string, web_url

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "tests" / "data"
ITEMS = "/ogc/collections/voorzieningen/items?limit=50"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture(scope="module")
def shared_db(databases):
    engine = databases.create_with_areas()
    load_postcodes(
        engine,
        ROOT / "data" / "pc6_maastricht_centroids_cbs2021.csv",
        ROOT / "data" / "pc4_zuid_limburg.csv",
    )
    load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
    result = import_file(engine, TESTDATA / "organisaties_test.csv", "test")
    assert result.inserted >= 3  # the file also holds rows that are meant to be rejected
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def servers(shared_db, tmp_path_factory):
    """Two gunicorn processes (one worker each) on different ports, same database."""
    env = dict(
        os.environ,
        SOCIALE_KAART_DATABASE_URL=url_string(shared_db.url),
        SOCIALE_KAART_WEB_DATABASE_URL=url_string(web_url(shared_db.url)),
        SOCIALE_KAART_SECRET_KEY="multi-process-test-" + "0" * 40,
        SOCIALE_KAART_DATA_DIR=str(tmp_path_factory.mktemp("data")),
    )
    procs, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "2"]
                    + ["-b", f"127.0.0.1:{port}", "server:create_app()"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for proc, url in zip(procs, urls, strict=True):
            _wait_ready(proc, url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _wait_ready(proc: subprocess.Popen, url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server stopped: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url + "/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"server at {url} did not answer within {timeout} s")


def _third_connection(db_url: sa.URL, sql: str, params: dict) -> None:
    """A write by someone else: plain psycopg, autocommit, no app or SQLAlchemy code."""
    conninfo = url_string(db_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql, params)


def _names(url: str) -> dict[int, str]:
    body = requests.get(url + ITEMS, timeout=30).json()
    return {f["id"]: f["properties"]["aanbod"] for f in body["features"]}


def _matched(url: str) -> int:
    return requests.get(url + ITEMS, timeout=30).json()["numberMatched"]


def test_both_servers_serve_a_write_from_a_third_connection(servers, shared_db):
    with shared_db.connect() as conn:
        first, service, lon, lat = conn.execute(
            sa.text(
                "SELECT l.id, a.id, ST_X(ST_Transform(l.geom, 4326)), "
                "ST_Y(ST_Transform(l.geom, 4326)) FROM laag_voorzieningen l "
                "JOIN aanbod_locatie al ON al.id = l.id JOIN aanbod a ON a.id = al.aanbod_id "
                "WHERE l.zichtbaarheid = 'openbaar' ORDER BY l.id LIMIT 1"
            )
        ).one()
    x, y = _tile_of(lon, lat, 14)
    tile = f"/ogc/collections/voorzieningen/tiles/WebMercatorQuad/14/{y}/{x}"
    before = {}
    for url in servers:  # warm every cache of both processes, twice
        for _ in range(2):
            names, matched = _names(url), _matched(url)
            tag = requests.get(url + tile, timeout=30).headers["ETag"]
            points = requests.get(url + "/kaart/punten.json", timeout=30)
        before[url] = (names, matched, tag, points.headers["ETag"], points.content)
    assert before[servers[0]][:2] == before[servers[1]][:2]
    assert first in before[servers[0]][0]

    _third_connection(
        shared_db.url,
        "UPDATE aanbod SET naam = %(naam)s WHERE id = %(id)s",
        {"naam": "Door een derde verbinding gewijzigd", "id": service},
    )
    for url in servers:
        assert _names(url)[first] == "Door een derde verbinding gewijzigd", url
        assert requests.get(url + tile, timeout=30).headers["ETag"] != before[url][2], url
        points = requests.get(url + "/kaart/punten.json", timeout=30)
        assert points.headers["ETag"] != before[url][3], url

    _third_connection(
        shared_db.url,
        "UPDATE aanbod SET status = 'gearchiveerd' WHERE id = %(id)s",
        {"id": service},
    )
    for url in servers:
        assert _matched(url) < before[url][1], url
        assert first not in _names(url), url
        points = requests.get(url + "/kaart/punten.json", timeout=30)
        assert points.content != before[url][4], url

"""PostGIS stops under load: every route answers 503 with Retry-After (never 500), and
service resumes by itself once the database is back.

Uses a private cluster of its own (the shared test cluster serves other tests)."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from geo import pgcluster
from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.bag_loader import load_bag
from geo.db import make_engine, upgrade
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from tests.conftest import DATA, ROOT, serve

TESTDATA = ROOT / "tests" / "data"
ROUTES = [
    "/healthz",
    "/ogc/collections/voorzieningen/items?limit=5",
    "/api/zoeken?q=welzijn",
    "/lijst?q=welzijn",
    "/organisatie/{org}",
    "/ogc/collections/buurten/tiles/WebMercatorQuad/12/1373/2112",  # Maastricht
]
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            response.read()
            return response.status, response.headers.get_content_type(), None
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, exc.headers.get_content_type(), exc.headers.get("Retry-After")


@pytest.fixture(scope="module")
def private_cluster():
    # Under var/ (not /tmp/pytest-of-root, mode 0700) so the postgres user can enter it.
    (ROOT / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="test-outage-", dir=ROOT / "var"))
    folder.chmod(0o755)
    cluster = pgcluster.Cluster(folder, _free_port())
    try:
        pgcluster.start(cluster)
        engine = make_engine(cluster.url())
        upgrade(engine)
        load_areas(engine, AreaSources.from_manifest(DATA / "gebieden.toml"))
        load_postcodes(
            engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
        )
        load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
        import_file(engine, TESTDATA / "organisaties_test.csv", "test")
        with engine.connect() as conn:
            org = conn.exec_driver_sql(
                "SELECT min(id) FROM organisatie WHERE zichtbaarheid = 'openbaar'"
            ).scalar_one()
        engine.dispose()
        yield cluster, org
    finally:
        pgcluster.stop(cluster)
        shutil.rmtree(folder, ignore_errors=True)


def _hammer(base: str, paths: list[str], stop: threading.Event):
    """Start CLIENTS threads requesting ``paths`` round-robin until ``stop``; returns a
    function that waits for them and gives every answer."""
    answers: list[tuple] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            status, ctype, retry = _get(base + path)
            with lock:
                answers.append((path, status, ctype, retry))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()

    def join() -> list[tuple]:
        for t in threads:
            t.join(timeout=30)
        return answers

    return join


def test_database_outage_is_503_and_service_resumes(private_cluster):
    cluster, org = private_cluster
    # Requests as the web role the private cluster created on start.
    app = create_app(
        {"DATABASE_URL": cluster.url(), "WEB_DATABASE_URL": cluster.web_url(), "TESTING": True}
    )
    paths = [p.format(org=org) for p in ROUTES]
    with serve(app) as base:
        baseline = {path: _get(base + path)[0] for path in paths}
        assert all(status == 200 for status in baseline.values()), baseline

        # Under load from several clients, the database stops.
        stop = threading.Event()
        join = _hammer(base, paths, stop)
        time.sleep(1.0)
        assert pgcluster.stop(cluster) == "stopped"
        time.sleep(1.5)
        stop.set()
        during = join()
        statuses = Counter(status for _, status, _, _ in during)
        assert 500 not in statuses, [a for a in during if a[1] == 500][:5]
        assert set(statuses) <= {200, 503}, statuses
        assert statuses[503] > 0
        for path, status, ctype, retry in during:
            if status == 503:
                assert retry and ctype in {"application/problem+json", "text/html"}, path

        # Down: every route is a 503 with Retry-After; JSON routes as problem+json.
        for path in paths:
            status, ctype, retry = _get(base + path)
            assert status == 503, (path, status)
            assert retry, path
            assert ctype == "application/problem+json" or (
                ctype == "text/html" and path.startswith(("/lijst", "/organisatie"))
            ), path

        # Back: service resumes by itself within a few seconds.
        assert pgcluster.start(cluster) == "started"
        deadline = time.monotonic() + 10
        while True:
            now = {path: _get(base + path)[0] for path in paths}
            if now == baseline or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert now == baseline

"""The read pool (autocommit, no ping per request) survives a dropped connection."""

import sqlalchemy as sa

from server import create_app
from server.database import get_read_engine
from tests.conftest import url_string

ITEMS = "/ogc/collections/voorzieningen/items?limit=2"


def test_reads_need_no_transaction_round_trips(demo_url):
    app = create_app({"DATABASE_URL": url_string(demo_url), "TESTING": True})
    engine = get_read_engine(app)
    assert engine.pool._pre_ping is False
    with engine.connect() as conn:
        assert conn.connection.driver_connection.autocommit is True
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        assert conn.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar() == "0"


def test_a_dropped_connection_costs_one_503_then_recovers(demo_url, demo_engine):
    app = create_app({"DATABASE_URL": url_string(demo_url), "TESTING": True})
    client = app.test_client()
    assert client.get(ITEMS).status_code == 200
    with get_read_engine(app).connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    failed = client.get(ITEMS)
    assert failed.status_code == 503 and failed.mimetype == "application/problem+json"
    assert failed.headers["Retry-After"] == "2" and "database" in failed.json["detail"]
    assert client.get(ITEMS).status_code == 200

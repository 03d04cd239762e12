"""The read pool (autocommit, no ping per request) survives a dropped connection."""

import sqlalchemy as sa

from server import create_app
from server.database import get_read_engine
from tests.conftest import app_config

ITEMS = "/ogc/collections/voorzieningen/items?limit=2"


def test_reads_need_no_transaction_round_trips(demo_url):
    app = create_app(app_config(demo_url))
    engine = get_read_engine(app)
    assert engine.pool._pre_ping is False
    with engine.connect() as conn:
        assert conn.connection.driver_connection.autocommit is True
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        assert conn.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar() == "0"


def test_a_dropped_connection_costs_one_503_then_recovers(demo_url, demo_engine):
    app = create_app(app_config(demo_url))
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


def test_a_web_query_over_the_statement_timeout_is_a_503(demo_url):
    from flask import Blueprint

    from server.database import get_engine

    app = create_app(app_config(demo_url, WEB_STATEMENT_TIMEOUT_MS=300))
    slow = Blueprint("slow", __name__)

    @slow.get("/traag/<engine>")
    def traag(engine):
        pick = get_read_engine if engine == "read" else get_engine
        with pick().connect() as conn:
            conn.execute(sa.text("SELECT pg_sleep(5)"))
        return "klaar"

    app.register_blueprint(slow)
    client = app.test_client()
    for path in ("/traag/read", "/traag/web"):
        response = client.get(path)
        assert response.status_code == 503, response.data
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == "2"
        assert "te lang" in response.json["detail"]
    with app.app_context(), get_engine().connect() as conn:  # commands: the owner, no limit
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
    assert client.get(ITEMS).status_code == 200  # the pool is fine afterwards

"""A database with the full demo loaded, an app on it, and that app on a real HTTP port."""

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from geo.db import make_engine
from server import create_app
from tests.conftest import url_string


@pytest.fixture(scope="session")
def demo_url(databases):
    url = databases.create()
    app = create_app({"DATABASE_URL": url_string(url)})
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    with engine.begin() as conn:
        # Data that must never be public: an internal record, a confidential shelter and a
        # contact person (see test_ogc_privacy.py).
        conn.execute(sa.text(
            "UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = (SELECT min(id) FROM "
            "organisatie WHERE bron = 'synthetisch (demo)')"))
        conn.execute(sa.text(
            "UPDATE locatie SET vertrouwelijk = true WHERE id = (SELECT max(id) FROM locatie "
            "WHERE bron = 'synthetisch (demo)' AND geocode_precisie = 'adres')"))
        conn.execute(sa.text(
            "INSERT INTO contactpersoon (organisatie_id, naam, functie, telefoon, email) "
            "SELECT id, 'Geheime Contactpersoon', 'coördinator', '06-99887766', "
            "'geheim.contact@intern.example' FROM organisatie"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_app(demo_url):
    return create_app({"DATABASE_URL": url_string(demo_url), "TESTING": True})


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="session")
def demo_server(demo_app):
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()

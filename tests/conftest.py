"""Shared fixtures: a real PostGIS (fresh database per run), the app, a live HTTP server.

With SOCIALE_KAART_TEST_DATABASE_URL set (an admin URL of any PostGIS server), tests
create their databases there; otherwise they start a private test cluster of their own
under var/test-cluster. A missing database is a failure, never a skip.
"""

from __future__ import annotations

import os
import threading
import uuid
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from geo import pgcluster
from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.db import make_engine, upgrade
from server import create_app

# Tests are development (README "Settings"): apps built here may use a random secret key.
# Tests of the production checks pass ENV="production" explicitly.
os.environ.setdefault("SOCIALE_KAART_ENV", "development")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Port derived from the checkout's path, so two checkouts on one machine never collide.
TEST_PORT = 55000 + zlib.crc32(str(ROOT).encode()) % 900
TEST_CLUSTER = pgcluster.Cluster(ROOT / "var" / "test-cluster", TEST_PORT)
# The web role's password on the test server (ignored by the embedded cluster's trust auth).
WEB_PASSWORD = "sociale_kaart_web_test"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("SOCIALE_KAART_CI") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (skips are failures): {report.longrepr}"


def _admin_url() -> sa.URL:
    configured = os.environ.get("SOCIALE_KAART_TEST_DATABASE_URL")
    if configured:
        return sa.make_url(configured)
    try:
        pgcluster.start(TEST_CLUSTER)
    except Exception as exc:  # noqa: BLE001 - any failure here must fail loudly
        pytest.fail(f"No PostGIS for the tests: {exc}", pytrace=False)
    return sa.make_url(TEST_CLUSTER.url("postgres"))


class DatabaseFactory:
    """Creates (and later drops) throw-away databases with PostGIS on the test server."""

    def __init__(self, admin_url: sa.URL):
        self.admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.admin_url = admin_url
        self.created: list[str] = []
        # The web app's login role (cluster-wide): every test app's requests connect as it.
        with self.admin.connect() as conn:
            conn.exec_driver_sql(pgcluster.web_roles_sql(WEB_PASSWORD))

    def create(self, migrate: bool = True) -> sa.URL:
        name = f"sk_test_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        url = self.admin_url.set(database=name)
        if migrate:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        return url

    def create_with_areas(self) -> sa.Engine:
        """A new migrated database with the shipped Zuid-Limburg areas; the caller disposes."""
        engine = make_engine(self.create())
        load_areas(engine, AreaSources.from_manifest(DATA / "gebieden.toml"))
        return engine

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases():
    factory = DatabaseFactory(_admin_url())
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases) -> sa.URL:
    """The session database: migrated, with the shipped Zuid-Limburg areas loaded."""
    engine = databases.create_with_areas()
    engine.dispose()
    return engine.url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_url(databases) -> sa.URL:
    """A new, migrated, empty database for tests that change areas or the schema."""
    return databases.create()


def url_string(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


def web_url(url: sa.URL) -> sa.URL:
    """``url`` as the web role (owner URL in, same database and server out)."""
    return url.set(username=pgcluster.WEB_LOGIN, password=WEB_PASSWORD)


def app_config(url: sa.URL, **extra) -> dict:
    """Settings of a test app: commands as the owner, every request as the web role."""
    return {
        "DATABASE_URL": url_string(url),
        "WEB_DATABASE_URL": url_string(web_url(url)),
        "TESTING": True,
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_url):
    return create_app(app_config(database_url))


@pytest.fixture
def client(app):
    return app.test_client()


@contextmanager
def serve(app):
    """The app on a real HTTP port (threaded werkzeug server); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_server(app):
    with serve(app) as url:
        yield url


# --- the full Zuid-Limburg demo (areas, postcodes, addresses, organisations) ---


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
        conn.execute(
            sa.text(
                "UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = (SELECT min(id) FROM "
                "organisatie WHERE bron = 'synthetisch (demo)')"
            )
        )
        conn.execute(
            sa.text(
                "UPDATE locatie SET vertrouwelijk = true WHERE id = (SELECT max(id) FROM locatie "
                "WHERE bron = 'synthetisch (demo)' AND geocode_precisie = 'adres')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, functie, telefoon, email) "
                "SELECT id, 'Geheime Contactpersoon', 'coördinator', '06-99887766', "
                "'geheim.contact@intern.example' FROM organisatie"
            )
        )
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_app(demo_url):
    return create_app(app_config(demo_url))


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="session")
def demo_server(demo_app):
    with serve(demo_app) as url:
        yield url


# --- a real SMTP server (aiosmtpd) for every test that sends mail ---


class SmtpInbox:
    """Messages received by the test SMTP server, parsed (email.message.EmailMessage)."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def to(self, address: str) -> list:
        """Messages addressed to ``address``."""
        return [m for m in self.messages if address in m["To"]]

    def body(self, message) -> str:
        """The plain-text body of ``message``."""
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free local port; yields (host, port, inbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, inbox
    finally:
        controller.stop()


def mail_config(smtp_server) -> dict:
    """App settings that send mail through the test SMTP server."""
    host, port, _ = smtp_server
    return {"MAIL_SERVER": host, "MAIL_PORT": port}

"""The embedded cluster: start/stop/status are idempotent; missing binaries explain themselves."""

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import pgcluster
from geo.errors import ClusterError
from tests.conftest import TEST_PORT

ROOT = Path(__file__).resolve().parents[2]


def _free_port(first: int) -> int:
    """The first port from ``first`` on that nothing on 127.0.0.1 holds: a server or a client
    of the test run may have been given ``TEST_PORT + 1000`` as its own (ephemeral) port."""
    for port in range(first, first + 50):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}..{first + 49}")


@pytest.fixture
def own_cluster():
    # Under the project (not /tmp/pytest-of-root, mode 0700) so the postgres user can enter it.
    cluster = pgcluster.Cluster(ROOT / "var" / "test-own-cluster", _free_port(TEST_PORT + 1000))
    yield cluster
    pgcluster.stop(cluster)


def test_start_stop_status_are_idempotent(own_cluster):
    assert pgcluster.start(own_cluster) in {"started", "already running"}
    assert pgcluster.start(own_cluster) == "already running"
    status = pgcluster.status(own_cluster)
    assert status["running"] is True and status["initialised"] is True
    assert status["port"] == own_cluster.port
    engine = sa.create_engine(own_cluster.url())
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == "sociale_kaart"
        assert conn.execute(sa.text("SHOW port")).scalar() == str(own_cluster.port)
    engine.dispose()
    assert pgcluster.stop(own_cluster) == "stopped"
    assert pgcluster.stop(own_cluster) == "not running"
    assert pgcluster.status(own_cluster)["running"] is False


def test_socket_lives_in_the_project_folder(own_cluster):
    pgcluster.start(own_cluster)
    assert (own_cluster.socket_dir / f".s.PGSQL.{own_cluster.port}").exists()


def test_missing_binaries_name_the_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ClusterError, match=r"install the Debian package postgresql"):
        pgcluster.find_bindir("/nonexistent/postgresql/*/bin/pg_ctl")


def test_missing_postgis_names_the_package(monkeypatch, own_cluster):
    monkeypatch.setattr(pgcluster, "postgis_available", lambda bindir: False)
    with pytest.raises(ClusterError, match=r"postgresql-\d+-postgis-3"):
        pgcluster.start(own_cluster)


def test_postgis_is_detected_on_this_machine():
    assert pgcluster.postgis_available(pgcluster.find_bindir())


def test_start_creates_the_web_login_role(own_cluster):
    pgcluster.start(own_cluster)
    engine = sa.create_engine(own_cluster.web_url())
    with engine.connect() as conn:
        assert conn.execute(
            sa.text(
                "SELECT current_user, pg_has_role(current_user, :group, 'MEMBER'), rolsuper "
                "FROM pg_roles WHERE rolname = current_user"
            ),
            {"group": pgcluster.WEB_GROUP},
        ).one() == (pgcluster.WEB_LOGIN, True, False)
    engine.dispose()
    assert pgcluster.status(own_cluster)["web_url"] == own_cluster.web_url()
    # an already running cluster started before the roles existed gets them on start
    owner = sa.create_engine(own_cluster.url(), isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(sa.text(f"DROP ROLE {pgcluster.WEB_LOGIN}"))
    owner.dispose()
    assert pgcluster.start(own_cluster) == "already running"
    engine = sa.create_engine(own_cluster.web_url())
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == pgcluster.WEB_LOGIN
    engine.dispose()


def test_web_roles_sql_refuses_unsafe_text():
    with pytest.raises(ValueError):
        pgcluster.web_roles_sql("x'; DROP ROLE postgres; --")
    with pytest.raises(ValueError):
        pgcluster.web_roles_sql(login="Robert'); --")

"""The sociale-kaart CLI, run through Flask's CLI runner against a real PostGIS."""

import pytest
import sqlalchemy as sa

from geo.db import head_revision, make_engine
from server import create_app
from tests.conftest import DATA, url_string


@pytest.fixture
def fresh_app(fresh_url):
    return create_app({"DATABASE_URL": url_string(fresh_url), "TESTING": True})


def test_db_status_reports_versions(app):
    result = app.test_cli_runner().invoke(args=["db", "status"])
    assert result.exit_code == 0, result.output
    assert "postgis: 3." in result.output and f"schema_revision: {head_revision()}" in result.output


def test_db_start_with_external_url_says_so(app):
    result = app.test_cli_runner().invoke(args=["db", "start"])
    assert result.exit_code == 0
    assert "external database is configured" in result.output


def test_downgrade_and_upgrade_via_cli(fresh_app, fresh_url):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert "Schema revision: None" in result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"Schema revision: {head_revision()}" in result.output


def test_areas_load_via_cli_prints_summary(fresh_app, fresh_url):
    result = fresh_app.test_cli_runner().invoke(
        args=["areas", "load", "--manifest", str(DATA / "gebieden.toml")]
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM gebied")).scalar() == 16 + 93 + 421
    engine.dispose()


def test_areas_load_bad_manifest_is_one_clear_error(fresh_app, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    result = fresh_app.test_cli_runner().invoke(args=["areas", "load", "--manifest", str(bad)])
    assert result.exit_code == 1
    assert "Error: Manifest" in result.output and "Traceback" not in result.output


def test_upgrade_without_database_explains_how_to_start():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "sociale-kaart db start" in result.output


def test_db_roles_sql_for_an_external_server_prints_login_role_and_url():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://owner:pw@db.example.nl/sk"})
    result = app.test_cli_runner().invoke(args=["db", "roles-sql", "--password", "abc_DEF-123"])
    assert result.exit_code == 0, result.output
    assert "CREATE ROLE sociale_kaart_web NOLOGIN" in result.output
    assert "ALTER ROLE sociale_kaart_webapp PASSWORD 'abc_DEF-123'" in result.output
    assert "GRANT sociale_kaart_web TO sociale_kaart_webapp" in result.output
    assert (
        "SOCIALE_KAART_WEB_DATABASE_URL=postgresql+psycopg://sociale_kaart_webapp:"
        "abc_DEF-123@db.example.nl/sk"
    ) in result.output
    bad = app.test_cli_runner().invoke(args=["db", "roles-sql", "--password", "x'; DROP"])
    assert bad.exit_code == 1 and "DROP ROLE" not in bad.output


def test_commands_run_as_the_owner(app, database_url):
    result = app.test_cli_runner().invoke(args=["db", "status"])
    assert result.exit_code == 0
    from server.database import get_engine

    with app.app_context(), get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == database_url.username


# --- sociale-kaart demo serves with gunicorn ---


def test_demo_secret_key_is_made_once_and_private(tmp_path):
    from server.commands.demo import demo_secret_key

    key = demo_secret_key(tmp_path)
    assert len(key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert demo_secret_key(tmp_path) == key  # reused: every worker and restart agree


def test_demo_builds_the_gunicorn_command(tmp_path):
    from server.commands.demo import gunicorn_argv, gunicorn_env, workers_for

    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://o@h/d",
            "HOST": "0.0.0.0",
            "PORT": 8123,
            "LAYER_CACHE_MB": 7,
            "ONLINE_BASEMAP": True,
        }
    )
    argv = gunicorn_argv(app, cpus=2)
    assert argv[1:] == [
        "-m",
        "gunicorn",
        "--config",
        "python:server.gunicorn_conf",
        "--bind",
        "0.0.0.0:8123",
        "--workers",
        "5",
        "--threads",
        "4",
        "--preload",
        "server:create_app()",
    ]
    assert [workers_for(n) for n in (None, 1, 2, 3, 16)] == [3, 3, 5, 7, 8]
    env = gunicorn_env(app, "k" * 64, environ={"PATH": "/usr/bin"})
    assert env["SOCIALE_KAART_SECRET_KEY"] == "k" * 64 and env["PATH"] == "/usr/bin"
    assert env["SOCIALE_KAART_DATABASE_URL"] == "postgresql+psycopg://o@h/d"
    assert env["SOCIALE_KAART_LAYER_CACHE_MB"] == "7"
    assert env["SOCIALE_KAART_ONLINE_BASEMAP"] == "true"


def test_demo_refuses_to_serve_an_external_database_without_web_role():
    import click

    from server.commands.demo import serve_with_gunicorn

    app = create_app({"DATABASE_URL": "postgresql+psycopg://o@h/d", "WEB_DATABASE_URL": ""})
    with pytest.raises(click.ClickException, match="SOCIALE_KAART_WEB_DATABASE_URL"):
        serve_with_gunicorn(app)


def _gunicorn(database_url, **settings):
    import socket
    import subprocess

    from server.commands.demo import gunicorn_argv, gunicorn_env
    from tests.conftest import app_config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app({**app_config(database_url), "ENV": "production", "PORT": port, **settings})
    env = gunicorn_env(app, settings.get("SECRET_KEY", "s" * 64))
    if "SECRET_KEY" in settings:
        env["SOCIALE_KAART_SECRET_KEY"] = settings["SECRET_KEY"]
    proc = subprocess.Popen(
        gunicorn_argv(app, cpus=1),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
    )
    return proc, port


def _healthz(proc, port) -> tuple:
    """Wait for gunicorn to answer /healthz; its status, headers and body."""
    import time
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                return response.status, response.headers, response.read()
        except OSError:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)


def test_gunicorn_serves_healthz_without_version_banner(database_url):
    proc, port = _gunicorn(database_url)
    try:
        status, headers, body = _healthz(proc, port)
        assert status == 200 and b'"status": "ok"' in body.replace(b'":"', b'": "')
        assert headers.get_all("Server") == ["sociale-kaart"]  # one header, no version
        assert "gunicorn" not in str(headers).lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ctrl_c_ends_every_worker_without_a_kill(database_url):
    """Ctrl+C reaches the whole process group, so each worker gets SIGINT from the terminal
    and again from the master (here Ctrl+C is pressed again and again while the workers
    leave): every worker takes its quick way out and says so; none is left for the master
    to SIGKILL."""
    import os
    import signal
    import time

    proc, port = _gunicorn(database_url)
    try:
        _healthz(proc, port)
        for _ in range(30):  # Ctrl+C, and again and again while the workers leave
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.02)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "SIGKILL" not in stderr
    assert stderr.count("Worker exiting") == 3, stderr  # cpus=1: three workers


def test_gunicorn_refuses_to_start_without_secret_key(database_url):
    proc, _ = _gunicorn(database_url, SECRET_KEY="")
    try:
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert "SOCIALE_KAART_SECRET_KEY ontbreekt" in stderr


def test_a_quitting_worker_ignores_further_quit_signals():
    """The race behind a slow Ctrl+C: a second SIGINT raised inside a worker's exit path
    skipped its quick exit (seen on the demo: 5 of 9 stops lost a worker's quick exit, 2
    ended in SIGKILL after 11 s).
    ``worker_int`` runs in the first signal's handler and ignores the ones after it."""
    import signal

    from server import gunicorn_conf

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGQUIT)}
    try:
        gunicorn_conf.worker_int(worker=None)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGQUIT) is signal.SIG_IGN
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)

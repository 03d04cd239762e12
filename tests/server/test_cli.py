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
        args=["areas", "load", "--manifest", str(DATA / "gebieden.toml")])
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

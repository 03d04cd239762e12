"""App factory, settings registry, /healthz over real HTTP, problem+json errors, map skeleton."""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geo.db import head_revision
from server import create_app
from server.settings import PREFIX, SETTINGS, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_readme(setting):
    assert f"`{PREFIX}{setting.name}`" in README.read_text(encoding="utf-8")


def test_settings_precedence_default_env_mapping():
    assert load_settings(environ={})["PORT"] == 5000
    assert load_settings(environ={PREFIX + "PORT": "6000"})["PORT"] == 6000
    assert load_settings({"PORT": 7000}, environ={PREFIX + "PORT": "6000"})["PORT"] == 7000
    assert load_settings(environ={PREFIX + "ONLINE_BASEMAP": "ja"})["ONLINE_BASEMAP"] is True


def test_unknown_setting_is_refused():
    with pytest.raises(KeyError, match="NOPE"):
        load_settings({"NOPE": 1}, environ={})


def test_create_app_does_not_connect():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert "sociale_kaart.engine" not in app.extensions


def test_healthz_over_http_reports_versions(live_server):
    status, headers, body = _get(live_server + "/healthz")
    data = json.loads(body)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert data["status"] == "ok"
    assert re.match(r"^\d+\.\d+", data["database"]["postgresql"])
    assert re.match(r"^3\.\d+", data["database"]["postgis"])
    assert data["database"]["schema_revision"] == head_revision()


def test_healthz_without_database_is_503_problem():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 503 and "not reachable" in response.json["detail"]


def test_unknown_path_is_404_problem(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "instance": "/bestaat-niet",
        "detail": response.json["detail"],
    }


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_area_outlines_are_geojson(client):
    response = client.get("/kaart/gebieden/wijk.geojson?gemeentecode=GM0917")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = response.json
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 23  # Heerlen has 23 wijken
    feature = data["features"][0]
    coords = feature["geometry"]["coordinates"]
    lon, lat = coords[0][0] if feature["geometry"]["type"] == "Polygon" else coords[0][0][0]
    assert 5.5 < lon < 6.3 and 50.7 < lat < 51.1  # CRS84 order
    assert feature["properties"]["gemeentecode"] == "GM0917"
    assert feature["properties"]["inwoners"] > 0


def test_unknown_level_is_404_problem(client):
    response = client.get("/kaart/gebieden/provincie.geojson")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "gemeente, wijk or buurt" in response.json["detail"]


def test_map_page_serves_maplibre_from_us(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="nl"' in html and "/vendor/maplibre-gl/maplibre-gl.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    script = client.get("/vendor/maplibre-gl/maplibre-gl.js")
    assert script.status_code == 200 and len(script.data) > 100_000
    assert client.get("/vendor/maki/home.svg").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/evil/x.js",
        "/vendor/maplibre-gl/../../package.json",
        "/vendor/maplibre-gl/%2e%2e/%2e%2e/package.json",
    ],
)
def test_vendor_route_serves_only_allow_listed_files(client, path):
    assert client.get(path).status_code == 404


# --- start-up checks: secret key and web role outside development ---

PRODUCTION = {
    "ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://owner@127.0.0.1:1/x",
    "WEB_DATABASE_URL": "postgresql+psycopg://web@127.0.0.1:1/x",
}


def test_production_refuses_to_start_without_secret_key():
    from server.settings import ConfigError

    with pytest.raises(ConfigError, match=r"^SOCIALE_KAART_SECRET_KEY ontbreekt.*is not set"):
        create_app(PRODUCTION)
    app = create_app({**PRODUCTION, "SECRET_KEY": "vast-en-geheim-" * 3})
    assert app.secret_key == "vast-en-geheim-" * 3


def test_development_gets_a_random_key_per_process():
    first = create_app({"ENV": "development"})
    second = create_app({**PRODUCTION, "TESTING": True})
    assert len(first.secret_key) == 64 and first.secret_key != second.secret_key


def test_the_command_line_is_development():
    import click

    with click.Context(click.Command("sociale-kaart")):
        app = create_app({"ENV": "production", "DATABASE_URL": PRODUCTION["DATABASE_URL"]})
    assert app.secret_key


def test_production_with_database_url_needs_the_web_role():
    from server.database import WebRoleMissing

    with pytest.raises(WebRoleMissing, match=r"^SOCIALE_KAART_WEB_DATABASE_URL ontbreekt"):
        create_app({**PRODUCTION, "WEB_DATABASE_URL": "", "SECRET_KEY": "x" * 64})


def test_embedded_cluster_derives_the_web_role(tmp_path):
    from server.database import web_database_url

    app = create_app(
        {"ENV": "production", "SECRET_KEY": "x" * 64, "DATA_DIR": str(tmp_path), "DB_PORT": 54999}
    )
    url = web_database_url(app.config)
    assert url.startswith("postgresql+psycopg://sociale_kaart_webapp@/sociale_kaart?")
    assert f"host={tmp_path / 'run'}" in url and "port=54999" in url


def test_development_without_web_url_uses_the_owner_with_a_warning(caplog):
    from server.database import web_database_url

    app = create_app({"ENV": "development", "DATABASE_URL": PRODUCTION["DATABASE_URL"]})
    assert web_database_url(app.config) == PRODUCTION["DATABASE_URL"]
    assert "OWNER" in caplog.text

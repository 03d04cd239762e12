"""Security headers on every response; a CSP without 'unsafe-inline' that the pages obey."""

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from server import create_app
from server.security import content_security_policy
from tests.conftest import url_string

TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; worker-src blob:; child-src blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# inline code or styling the CSP would block: <script> without src, <style>, style="",
# on...="" event handlers, javascript: URLs
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+\s*=|"
    r"javascript:",
    re.IGNORECASE,
)


def _org_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT id FROM organisatie WHERE zichtbaarheid = 'openbaar' "
                "AND status = 'gepubliceerd' ORDER BY id LIMIT 1"
            )
        ).scalar_one()


def _html_pages(engine) -> dict[str, int]:
    return {
        "/": 200,
        "/lijst?q=huisarts": 200,
        "/hulp": 200,
        f"/organisatie/{_org_id(engine)}": 200,
        "/print/GM0935": 200,
        "/print/WK091733": 200,
        "/dekking": 200,
        "/ogc/?f=html": 200,
        "/ogc/collections?f=html": 200,
        "/organisatie/999999999": 404,
        "/print/GM9999": 404,
    }


def _assert_html_headers(response, path):
    headers = response.headers
    assert response.mimetype == "text/html", path
    assert headers["Content-Security-Policy"] == CSP, path
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
    assert headers["Server"] == "sociale-kaart", path
    assert "Strict-Transport-Security" not in headers, path  # plain http


def test_every_html_page_has_the_security_headers(demo_client, demo_engine):
    for path, status in _html_pages(demo_engine).items():
        response = demo_client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == status, path
        _assert_html_headers(response, path)


def test_pages_have_no_inline_script_style_or_handlers(demo_client, demo_engine):
    """What the CSP forbids is not in any page (so nothing needs 'unsafe-inline')."""
    for path in _html_pages(demo_engine):
        page = demo_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert INLINE.findall(page) == [], path
    for template in TEMPLATES.glob("*.html"):
        assert INLINE.findall(template.read_text(encoding="utf-8")) == [], template.name


def test_error_pages_for_people_have_the_headers(demo_client, demo_engine):
    org_id = _org_id(demo_engine)
    response = demo_client.post(f"/organisatie/{org_id}/melding", data={"tekst": "x"})
    assert response.status_code == 400
    _assert_html_headers(response, "csrf")
    response = demo_client.post(f"/organisatie/{org_id}/melding", data={"tekst": "x" * 100_000})
    assert response.status_code == 413
    _assert_html_headers(response, "413")


@pytest.mark.parametrize(
    "path",
    [
        "/kaart/punten.json",
        "/api/zoeken?q=huisarts",
        "/ogc/",
        "/ogc/collections/gemeenten/items?limit=1",
        "/bestaat-niet",
        "/static/kaart.js",
        "/vendor/maplibre-gl/maplibre-gl.js",
    ],
)
def test_other_responses_have_nosniff_and_no_banner(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code in (200, 404), path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "sociale-kaart"
    assert "Content-Security-Policy" not in response.headers  # only pages need one


def test_hsts_only_over_https(demo_url):
    app = create_app({"DATABASE_URL": url_string(demo_url), "TESTING": True})
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/hulp").headers
    secure = client.get("/hulp", base_url="https://kaart.example.nl")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # behind a TLS proxy: the PUBLIC_BASE_URL setting says the site is https
    app = create_app(
        {
            "DATABASE_URL": url_string(demo_url),
            "TESTING": True,
            "PUBLIC_BASE_URL": "https://kaart.example.nl",
        }
    )
    assert "max-age" in app.test_client().get("/hulp").headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_online_basemap_allows_only_the_pdok_host(demo_url):
    app = create_app(
        {"DATABASE_URL": url_string(demo_url), "TESTING": True, "ONLINE_BASEMAP": True}
    )
    csp = app.test_client().get("/hulp").headers["Content-Security-Policy"]
    assert csp == content_security_policy(True)
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["connect-src"] == "'self' https://service.pdok.nl"
    assert directives["img-src"] == "'self' data: blob: https://service.pdok.nl"
    assert directives["script-src"] == "'self'"
    # the basemap script asks that very host for tiles
    basiskaart = (TEMPLATES.parent / "static" / "basiskaart.js").read_text(encoding="utf-8")
    assert "https://service.pdok.nl/" in basiskaart


def test_no_version_banner_over_real_http(live_server):
    for path in ("/healthz", "/hulp", "/bestaat-niet"):
        try:
            with urllib.request.urlopen(live_server + path, timeout=10) as response:
                headers = response.headers
        except urllib.error.HTTPError as exc:
            headers = exc.headers
        assert headers.get_all("Server") == ["sociale-kaart"], path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Werkzeug" not in str(headers) and "Python" not in str(headers)

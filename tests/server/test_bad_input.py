"""Bad input is a 400 problem+json, never a 500 (server/input_guard.py).

Walks every rule of ``app.url_map`` with every method it allows: path variables once with a
valid value and once with a NUL byte, and every query parameter a route reads with a
control character. Nothing may answer ≥ 500; every control character is a 400 problem.
"""

from __future__ import annotations

import http.client
import re
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa

PROBLEM = "application/problem+json"
# Every query parameter any route reads: OGC items and tiles, search and list, the pages.
QUERY_PARAMETERS = (
    "f",
    "limit",
    "offset",
    "cursor",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "apikey",
    "_",
    "properties",
    "v",
    "q",
    "thema",
    "doelgroep",
    "gebied",
    "dichtbij",
    "niveau",
    "gemeentecode",
    "wijkcode",
    "buurtcode",
    "organisatie_id",
    "synthetisch",
    "geocode_precisie",
    "gemeld",
    "page",
    "per_page",
)
CONTROL_VALUES = ("\x00", "GM09\x0017", "a\x1fb", "\x7f", "regel\nnieuw", "tab\t")
VARIABLE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@pytest.fixture(scope="module")
def valid_values(demo_engine) -> dict[str, str]:
    """A value that routes for real, per path-variable name."""
    with demo_engine.connect() as conn:
        organisation = conn.execute(
            sa.text("SELECT min(id) FROM organisatie WHERE zichtbaarheid = 'openbaar'")
        ).scalar_one()
        feature = conn.execute(sa.text("SELECT min(id) FROM laag_voorzieningen")).scalar_one()
    return {
        "collection_id": "voorzieningen",
        "feature_id": str(feature),
        "z": "12",
        "y": "1374",
        "x": "2113",
        "tms_id": "WebMercatorQuad",
        "niveau": "gemeente",
        "package": "maplibre-gl",
        "filename": "maplibre-gl.js",
        "organisatie_id": str(organisation),
        "code": "GM0917",
        "gemeente": "GM0928",
        "fmt": "csv",
        "naam": "meldingen",
        "kind": "aanbod",
        "token": "onbekend",
        "key": "onbekend",  # /hsds/<table>/<key>: an unknown id is a 404
        "token_id": "1",  # /beheer/api-sleutels/<token_id>/intrekken
    }


def _rules(app):
    """(rule, method) for every rule and every method it allows."""
    return sorted(
        {(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    )


def _url(rule: str, values: dict[str, str], override: dict[str, str] | None = None) -> str:
    override = override or {}

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name in override:
            return quote(override[name], safe="")
        if name == "filename" and "static" in rule:
            return "site.css"
        if name not in values and match["converter"] == "int":
            return "1"  # record ids of the editors' pages (aanbod_id, item_id, ...)
        return quote(values[name], safe="/")

    return VARIABLE.sub(fill, rule)


def _call(client, method: str, url: str, **kwargs):
    if method == "POST":
        kwargs.setdefault("data", {"tekst": "Het telefoonnummer klopt niet.", "token": "x"})
    return client.open(url, method=method, **kwargs)


def _assert_problem_400(response, what: str) -> None:
    assert response.status_code == 400, f"{what}: {response.status_code} {response.text[:200]}"
    assert response.mimetype == PROBLEM, what
    if what.startswith("HEAD "):
        return  # no body, but the same status and type
    body = response.get_json()
    assert body["status"] == 400 and "stuurteken" in body["detail"], body


def test_walk_covers_every_route(demo_app):
    """The walk below sees every route and method (so it cannot silently skip one)."""
    rules = _rules(demo_app)
    endpoints = {r.endpoint for r in demo_app.url_map.iter_rules()}
    assert {
        "ogc_items.items",
        "ogc_items.feature",
        "tiles.collection_tile",
        "zoeken.api",
        "zoeken.lijst",
        "pages.melding",
        "kaart.gebieden",
    } <= endpoints
    assert ("/organisatie/<int:organisatie_id>/melding", "POST") in rules
    get = {rule for rule, method in rules if method == "GET"}
    assert get and all((rule, "HEAD") in rules and (rule, "OPTIONS") in rules for rule in get)
    assert _collected_rules() == rules  # the parametrised walk is exactly the demo app's map


def _collected_rules():
    """The rules at collection time (an app that never connects: nothing does at create)."""
    from server import create_app

    app = create_app(
        {"DATABASE_URL": "postgresql+psycopg://unused@127.0.0.1:9/unused", "TESTING": True}
    )
    return _rules(app)


def pytest_generate_tests(metafunc):
    if "rule_method" in metafunc.fixturenames:
        pairs = _collected_rules()
        metafunc.parametrize("rule_method", pairs, ids=[f"{m} {r}" for r, m in pairs])


def test_every_route_and_method_refuses_control_characters(demo_client, valid_values, rule_method):
    rule, method = rule_method
    if rule not in {r.rule for r in demo_client.application.url_map.iter_rules()}:
        pytest.fail(f"{rule} is not a rule of the demo app")
    # A valid request: whatever it answers, never a server error.
    url = _url(rule, valid_values)
    response = _call(demo_client, method, url)
    assert response.status_code < 500, f"{method} {url}: {response.text[:300]}"
    # A NUL byte in each path variable.
    for name in VARIABLE.findall(rule):
        bad = _url(rule, valid_values, {name[1]: valid_values.get(name[1], "x") + "\x00"})
        _assert_problem_400(_call(demo_client, method, bad), f"{method} {bad}")
    # A control character in every query parameter (value and name).
    for parameter in QUERY_PARAMETERS:
        for value in CONTROL_VALUES[:2] if method != "GET" else CONTROL_VALUES:
            target = f"{url}?{quote(parameter)}={quote(value)}"
            _assert_problem_400(_call(demo_client, method, target), f"{method} {target}")
    _assert_problem_400(_call(demo_client, method, f"{url}?limit%00=1"), f"{method} name")


@pytest.mark.parametrize(
    "query",
    [
        "gemeentecode=GM0917%00",
        "thema=vervoer%00",
        "doelgroep=ouderen%00",
        "bbox=5%00,50,6,51",
        "filter=gemeentecode%3D%27GM0917%00%27",
        "f=csv%00",
        "crs=%00",
        "datetime=2024%00",
    ],
)
def test_ogc_items_with_nul_are_400_problems(demo_client, query):
    for fmt in ("", "&f=csv", "&f=gpkg", "&f=html"):
        response = demo_client.get(f"/ogc/collections/voorzieningen/items?{query}{fmt}")
        _assert_problem_400(response, query + fmt)


@pytest.mark.parametrize(
    "url",
    [
        "/api/zoeken?q=zorg%00",
        "/api/zoeken?gebied=Heerlen%00",
        "/api/zoeken?dichtbij=6211%00",
        "/lijst?thema=%00",
        "/lijst?doelgroep=%00",
        "/kaart/gebieden/gemeente.geojson?gemeentecode=%00",
        "/ogc/collections/voorzieningen/tiles/WebMercatorQuad/10/343/528?thema=%00",
        "/dekking?gebied=%00",
        "/ogc/collections/voorzieningen/items/1%00",
    ],
)
def test_named_parameters_with_nul_are_400_problems(demo_client, url):
    _assert_problem_400(demo_client.get(url), url)


def test_form_fields_allow_newlines_but_not_nul(demo_client, valid_values):
    url = f"/organisatie/{valid_values['organisatie_id']}/melding"
    ok = demo_client.post(url, data={"tekst": "Regel een\r\nregel\ttwee", "token": "x"})
    assert ok.status_code == 400 and ok.mimetype == "text/html"  # the form again: bad token
    _assert_problem_400(
        demo_client.post(url, data={"tekst": "kapot\x00", "token": "x"}), "NUL in a form field"
    )
    _assert_problem_400(
        demo_client.post(url, data={"tekst": "bel\x07", "token": "x"}), "BEL in a form field"
    )


def test_stray_percent_is_a_literal_and_valid_utf8_passes(demo_client):
    response = demo_client.get("/api/zoeken?q=100%25+zeker%20%E2%82%AC&gebied=")
    assert response.status_code == 200
    assert demo_client.get("/api/zoeken?q=100%").status_code == 200  # not an encoding: kept


def _raw_get(server: str, target: str) -> tuple[int, str, bytes]:
    """GET exactly these bytes as the request target (no client-side re-encoding)."""
    parts = urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "target",
    [
        "/api/zoeken?q=%ff%fe",
        "/lijst?q=caf%e9",
        "/ogc/collections/voorzieningen/items?gemeentecode=%c3",
        "/ogc/collections/voorzieningen/items?f=csv&thema=%80",
        "/ogc/collections/vo%ffr/items",
        "/print/GM%c30917",
        "/api/zoeken?q%ff=1",
    ],
)
def test_invalid_utf8_over_http_is_a_400_problem(demo_server, target):
    status, content_type, body = _raw_get(demo_server, target)
    assert status == 400, body[:300]
    assert content_type.startswith(PROBLEM)
    assert "UTF-8" in body.decode("utf-8")


@pytest.mark.parametrize(
    "target",
    [
        "/api/zoeken?q=%00",
        "/ogc/collections/voorzieningen/items/%00",
        "/ogc/collections/voorzieningen/items?gemeentecode=%1b",
    ],
)
def test_control_characters_over_http_are_400_problems(demo_server, target):
    status, content_type, body = _raw_get(demo_server, target)
    assert status == 400 and content_type.startswith(PROBLEM), body[:300]

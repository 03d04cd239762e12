"""OGC API Features discovery: landing, conformance, OpenAPI, collections (docs/ARCHITECTURE.md §8)."""

import re

import pytest

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_landing_is_json_for_machines(demo_client, accept):
    headers = {"Accept": accept} if accept else {}
    response = demo_client.get("/ogc/", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    rels = {link["rel"]: link for link in response.json["links"]}
    assert rels["service-desc"]["type"] == OPENAPI
    assert rels["data"]["href"] == "http://localhost/ogc/collections"
    assert {"self", "alternate", "conformance"} <= set(rels)
    assert all(link["href"].startswith("http://localhost/") for link in response.json["links"])


def test_landing_is_html_for_browsers(demo_client):
    response = demo_client.get("/ogc/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html" and "<h1>Sociale Kaart</h1>" in response.text
    assert demo_client.get("/ogc/?f=html").mimetype == "text/html"


def test_public_base_url_is_used_for_every_link(demo_url):
    from server import create_app
    from tests.conftest import url_string

    app = create_app(
        {"DATABASE_URL": url_string(demo_url), "PUBLIC_BASE_URL": "https://kaart.example.nl/sk"}
    )
    body = app.test_client().get("/ogc/collections/voorzieningen/items?limit=1").json
    assert {link["href"].split("/ogc/")[0] for link in body["links"]} == {
        "https://kaart.example.nl/sk"
    }


def test_conformance_declares_what_is_implemented(demo_client):
    response = demo_client.get("/ogc/conformance")
    classes = response.json["conformsTo"]
    assert response.mimetype == "application/json"
    for suffix in (
        "features-1/1.0/conf/core",
        "features-1/1.0/conf/oas30",
        "features-1/1.0/conf/geojson",
        "features-1/1.0/conf/html",
        "features-2/1.0/conf/crs",
        "features-3/1.0/conf/filter",
        "features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/basic-cql2",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
    ):
        assert any(c.endswith(suffix) for c in classes), suffix
    assert not any("ogcapi-features-4" in c for c in classes)  # no editing


def test_openapi_tells_clients_the_page_size(demo_client):
    response = demo_client.get("/ogc/api")
    assert response.headers["Content-Type"] == OPENAPI
    doc = response.json
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10000)
    params = doc["paths"]["/collections/zorg-ondersteuning/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/limit"} in params
    simple = {p["name"] for p in params if "name" in p}
    assert {"gemeentecode", "wijkcode", "buurtcode", "thema", "doelgroep"} <= simple
    assert all(
        p.get("style") == "form" and p.get("explode") is False for p in params if "name" in p
    )
    assert "contact" in doc["info"]


def test_collections_list_themes_areas_and_all_services(demo_client):
    body = demo_client.get("/ogc/collections").json
    ids = [c["id"] for c in body["collections"]]
    themes = {
        "wonen-huishouden",
        "zorg-ondersteuning",
        "gezond-blijven",
        "vervoer",
        "werk-dagbesteding",
        "geld-uitkering",
        "meedoen-ontmoeten",
        "opgroeien-opvoeden",
        "informatie-advies",
        "veiligheid",
    }
    assert ids[0] == "voorzieningen"
    assert themes | {"gemeenten", "wijken", "buurten", "gezocht-niet-gevonden"} <= set(ids)
    assert ids.index("gemeenten") < ids.index("wijken") < ids.index("buurten")
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    for c in body["collections"]:
        items = [lk for lk in c["links"] if lk["rel"] == "items"]
        assert any(lk["type"] == "application/geo+json" for lk in items)
        assert c["storageCrs"].endswith("/EPSG/0/28992")
        assert c["crs"][0].endswith("/OGC/1.3/CRS84")
        if c["itemCount"]:  # an empty layer (e.g. dekking before the first run) has no extent
            assert len(c["extent"]["spatial"]["bbox"][0]) == 4


def test_item_count_equals_number_matched(demo_client):
    collection = demo_client.get("/ogc/collections/buurten").json
    items = demo_client.get("/ogc/collections/buurten/items?limit=1").json
    assert collection["itemCount"] == items["numberMatched"] == 421


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/bestaat-niet",
        "/ogc/collections/bestaat-niet/items",
        "/ogc/collections/bestaat-niet/queryables",
    ],
)
def test_unknown_collection_is_404_problem(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_collection_with_trailing_slash(demo_client):
    assert demo_client.get("/ogc/collections/wijken/").json["id"] == "wijken"


def test_queryables_are_json_schema(demo_client):
    response = demo_client.get("/ogc/collections/voorzieningen/queryables")
    assert response.mimetype == "application/schema+json"
    schema = response.json
    assert schema["$id"] == "http://localhost/ogc/collections/voorzieningen/queryables"
    assert schema["properties"]["gemeentecode"]["type"] == "string"
    assert schema["properties"]["geometry"]["$ref"].endswith("Point.json")


@pytest.mark.parametrize("path", ["/ogc/", "/ogc/collections", "/ogc/conformance"])
def test_unknown_parameter_is_400(demo_client, path):
    response = demo_client.get(path + "?onbekend=1")
    assert response.status_code == 400 and "onbekend" in response.json["detail"]


def test_options_and_head(demo_client):
    response = demo_client.options("/ogc/collections/voorzieningen/items")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    head = demo_client.head("/ogc/collections/voorzieningen/items?limit=5")
    assert head.status_code == 200 and head.data == b""
    assert head.mimetype == "application/geo+json"

"""The tile endpoints over HTTP: Flask's test client and a real server (urllib).

This module brings its own app, on a database with seeded services, so ``client`` and
``live_server`` here serve that app (with the tiles blueprint, registered here if
``create_app`` does not yet).
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from server import create_app
from tests.conftest import serve, url_string
from tests.layers.test_tiles import AMSTERDAM, MARKT, features, seed_voorzieningen, tile_xy

MVT = "application/vnd.mapbox-vector-tile"
PROBLEM = "application/problem+json"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"


def tile_url(collection: str, lonlat: tuple[float, float], z: int) -> str:
    x, y = tile_xy(lonlat, z)
    return f"/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}"


@pytest.fixture(scope="module")
def seeded(databases):
    engine = databases.create_with_areas()
    seeded = seed_voorzieningen(engine)
    engine.dispose()
    return engine.url, seeded


@pytest.fixture(scope="module")
def app(seeded):
    return create_app({"DATABASE_URL": url_string(seeded[0]), "TESTING": True})


@pytest.fixture(scope="module")
def live_server(app):
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def ids(seeded):
    return seeded[1]


def test_a_tile_is_mvt_with_cache_headers_and_an_etag(client, ids):
    response = client.get(tile_url("voorzieningen", MARKT, 14))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MVT
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["ETag"]
    found = {f["id"] for f in features(response.data, "voorzieningen")}
    assert found == {*ids.markt, ids.opvang}  # never the staff-only service
    again = client.get(
        tile_url("voorzieningen", MARKT, 14), headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_gzip_tiles_keep_their_etag_and_304(client, ids):
    url, gz = tile_url("voorzieningen", MARKT, 12), {"Accept-Encoding": "gzip"}
    response = client.get(url, headers=gz)
    assert response.status_code == 200 and response.headers["Content-Type"] == MVT
    body = (
        gzip.decompress(response.data)
        if response.headers.get("Content-Encoding") == "gzip"
        else response.data
    )
    found = {f["id"]: f["properties"]["aantal"] for f in features(body, "voorzieningen")}
    assert set(found) <= {*ids.markt, ids.opvang} and sum(found.values()) == 3  # thinned
    again = client.get(url, headers={**gz, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_area_tiles_over_http(client):
    response = client.get(tile_url("buurten", MARKT, 12))
    assert response.status_code == 200 and response.headers["Content-Type"] == MVT
    codes = {f["properties"]["code"] for f in features(response.data, "buurten")}
    assert "BU09350000" in codes


def test_an_empty_tile_is_204_no_content(client):
    for url in (
        tile_url("buurten", AMSTERDAM, 10),
        tile_url("voorzieningen", AMSTERDAM, 10),
        tile_url("vervoer", MARKT, 14),
    ):
        response = client.get(url)
        assert response.status_code == 204, url
        assert response.data == b""
        assert response.headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize("path", ["23/0/0", "12/0/4096", "12/4096/0", "3/-1/0", "1/0/2"])
def test_tiles_outside_the_matrix_set_are_400_problems(client, path):
    response = client.get(f"/ogc/collections/buurten/tiles/WebMercatorQuad/{path}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["status"] == 400


def test_unknown_collection_or_matrix_set_is_404(client):
    for url in (
        "/ogc/collections/bestaat-niet/tiles/WebMercatorQuad/12/1373/2112",
        "/ogc/collections/bestaat-niet/tiles",
        "/ogc/collections/buurten/tiles/WorldCRS84Quad/1/0/0",
        "/ogc/tileMatrixSets/WorldCRS84Quad",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["Content-Type"] == PROBLEM


def test_tile_filters_and_properties_as_query_parameters(client, ids):
    base = tile_url("voorzieningen", MARKT, 8)
    only = client.get(base + "?gemeentecode=GM0917&v=3")
    assert {f["id"] for f in features(only.data, "voorzieningen")} == {ids.heerlen}
    themed = client.get(base + "?thema=informatie-advies&properties=aanbod")
    [feature] = features(themed.data, "voorzieningen")
    assert feature["id"] == ids.markt[1]
    assert feature["properties"] == {"aanbod": "Spreekuur", "aantal": 1}  # aantal: always
    counted = client.get(base + "?thema=informatie-advies&properties=aantal,aanbod")
    assert counted.data == themed.data
    for bad in (
        "?kleur=rood",
        "?synthetisch=misschien",
        "?properties=geheim",
        "?properties=",
        "?properties=aanbod,,aantal",
        "?properties=aanbod,aanbod",
    ):
        response = client.get(base + bad)
        assert response.status_code == 400 and response.headers["Content-Type"] == PROBLEM


def test_tileset_list_links_to_the_tile_template(client):
    body = client.get("/ogc/collections/buurten/tiles").json
    [tileset] = body["tilesets"]
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"] == TMS_URI
    [item] = [link for link in tileset["links"] if link["rel"] == "item"]
    assert item["type"] == MVT and item["templated"] is True
    assert item["href"] == (
        "http://localhost/ogc/collections/buurten/tiles/WebMercatorQuad"
        "/{tileMatrix}/{tileRow}/{tileCol}"
    )
    detail = client.get("/ogc/collections/buurten/tiles/WebMercatorQuad").json
    assert detail["layers"][0]["id"] == "buurten"
    assert "naam" in detail["layers"][0]["propertiesSchema"]["properties"]


def test_links_use_the_public_base_url(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://kaart.example.nl/")
    body = client.get("/ogc/collections/voorzieningen/tiles").json
    hrefs = [link["href"] for link in body["tilesets"][0]["links"]]
    assert all(h.startswith("https://kaart.example.nl/ogc/") for h in hrefs)


def test_tile_matrix_sets(client):
    listing = client.get("/ogc/tileMatrixSets").json["tileMatrixSets"]
    assert [t["id"] for t in listing] == ["WebMercatorQuad"]
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json
    assert tms["uri"] == TMS_URI and tms["crs"].endswith("/EPSG/0/3857")
    assert [m["id"] for m in tms["tileMatrices"]] == [str(z) for z in range(23)]
    assert tms["tileMatrices"][12]["matrixWidth"] == 4096


def test_tiles_through_a_real_http_server(live_server, ids):
    url = live_server + tile_url("voorzieningen", MARKT, 12)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == MVT
        etag = response.headers["ETag"]
        found = {
            f["id"]: f["properties"]["aantal"] for f in features(response.read(), "voorzieningen")
        }
    assert set(found) <= {*ids.markt, ids.opvang} and sum(found.values()) == 3  # thinned
    request = urllib.request.Request(url, headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304
    far = live_server + tile_url("buurten", AMSTERDAM, 10)
    with urllib.request.urlopen(far, timeout=10) as response:
        assert response.status == 204 and response.read() == b""
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(
            live_server + "/ogc/collections/buurten/tiles/WebMercatorQuad/23/0/0", timeout=10
        )
    assert bad.value.code == 400
    assert bad.value.headers["Content-Type"] == PROBLEM

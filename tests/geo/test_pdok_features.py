"""PDOK's OGC API – Features through OWSLib, against a local replay server (no network).

The replay serves JSON in the shape PDOK answers (landing page, conformance, collections,
items with cursor ``next`` links, at most 7 features a page): BAG verblijfsobjecten made
from the shipped real Maastricht/Heerlen addresses, CBS areas from the shipped
Zuid-Limburg files.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, jsonify, request
from pyproj import Transformer
from werkzeug.serving import make_server

from geo.db import make_engine
from geo.geocode import geocode_address
from geo.pdok_features import PdokError, fetch_addresses, fetch_areas
from server import create_app
from tests.conftest import url_string

ROOT = Path(__file__).resolve().parents[2]
MAX_PAGE = 7
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]


def _verblijfsobjecten() -> list[dict]:
    """The sample's good addresses as PDOK BAG v2 verblijfsobject features (CRS84)."""
    to_wgs84 = Transformer.from_crs("EPSG:28992", "OGC:CRS84", always_xy=True)
    features, seen = [], set()
    for i, r in enumerate(csv.DictReader((ROOT / "tests/data/bag_sample.csv").open())):
        key = (r["postcode"], r["huisnummer"], r["huisletter"], r["toevoeging"])
        good = re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", r["postcode"]) and r["huisnummer"].isdigit()
        if not good or key in seen or not r["y"] or float(r["x"] or 0) < 1000:
            continue
        seen.add(key)
        lon, lat = to_wgs84.transform(float(r["x"]), float(r["y"]))
        features.append(
            {
                "type": "Feature",
                "id": f"00000000-0000-0000-0000-{i:012d}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "identificatie": f"0935010000{i:06d}",
                    "openbare_ruimte_naam": r["straat"],
                    "huisnummer": int(r["huisnummer"]),
                    "huisletter": r["huisletter"] or None,
                    "toevoeging": r["toevoeging"] or None,
                    "postcode": r["postcode"],
                    "woonplaats_naam": r["woonplaats"],
                    "status": "Verblijfsobject in gebruik",
                },
            }
        )
    return features


def _areas(name: str) -> list[dict]:
    return json.loads((ROOT / "data" / name).read_text(encoding="utf-8"))["features"]


AREA_FILES = {
    "gemeenten": "gemeenten_limburg_2023.geojson",
    "wijken": "wijken_zuid_limburg_2023_generalised.geojson",
    "buurten": "buurten_zuid_limburg_2022_generalised.geojson",
}


def _replay_app(asked: list[dict]) -> Flask:
    """A replay of the two PDOK APIs under /bag and /cbs."""
    app = Flask("pdok-replay")
    data = {"bag": {"verblijfsobject": _verblijfsobjecten()}}
    data["cbs"] = {c: _areas(f) for c, f in AREA_FILES.items()}

    @app.get("/<api>/")
    def landing(api):
        base = request.url_root + api + "/"
        return jsonify(
            title=f"{api} (replay)",
            links=[
                {"rel": "self", "href": base, "type": "application/json"},
                {"rel": "conformance", "href": base + "conformance"},
                {"rel": "data", "href": base + "collections"},
            ],
        )

    @app.get("/<api>/conformance")
    def conformance(api):
        return jsonify(conformsTo=CONFORMANCE)

    @app.get("/<api>/collections")
    def collections(api):
        return jsonify(collections=[{"id": c, "title": c} for c in data[api]])

    @app.get("/<api>/collections/<collection>/items")
    def items(api, collection):
        asked.append({"api": api, "collection": collection, **request.args.to_dict()})
        features = data[api][collection]
        if "gemeentecode" in request.args:
            code = request.args["gemeentecode"]
            features = [f for f in features if f["properties"]["gemeentecode"] == code]
        start = int(request.args.get("cursor", "0").removeprefix("c"))
        limit = min(int(request.args.get("limit", 10)), MAX_PAGE)
        page = features[start : start + limit]
        links = [{"rel": "self", "href": request.url}]
        if start + limit < len(features):
            params = {k: v for k, v in request.args.items() if k != "cursor"}
            query = "&".join(f"{k}={v}" for k, v in params.items())
            href = f"{request.base_url}?{query}&cursor=c{start + limit}"
            links.append({"rel": "next", "href": href, "type": "application/geo+json"})
        body = {"type": "FeatureCollection", "features": page, "links": links}
        if api == "cbs":  # the CBS API counts; the BAG API does not
            body["numberMatched"] = len(features)
        body["numberReturned"] = len(page)
        return jsonify(body)

    return app


@pytest.fixture(scope="module")
def replay():
    asked: list[dict] = []
    server = make_server("127.0.0.1", 0, _replay_app(asked), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()


def test_areas_and_addresses_of_one_gemeente(fresh_url, replay):
    root, asked = replay
    asked.clear()
    engine = make_engine(fresh_url)
    try:
        with pytest.raises(PdokError, match="Gemeente GM0935 is niet geladen"):
            fetch_addresses(engine, "GM0935", f"{root}/bag")
        areas = fetch_areas(engine, "GM0935", f"{root}/cbs", 2023)
        assert areas["gemeente"]["inserted"] == 1
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT niveau, count(*) FROM gebied GROUP BY 1")).all()
        levels = {niveau: n for niveau, n in rows}
        assert levels["gemeente"] == 1 and levels["wijk"] > 1 and levels["buurt"] > levels["wijk"]
        wijken = [a for a in asked if a["collection"] == "wijken"]
        assert len(wijken) == -(-levels["wijk"] // MAX_PAGE)  # every page, by next links
        asked.clear()
        summary = fetch_addresses(engine, "GM0935", f"{root}/bag")
        total = len(_verblijfsobjecten())
        heerlen = sum(f["properties"]["woonplaats_naam"] == "Heerlen" for f in _verblijfsobjecten())
        assert (summary["opgehaald"], summary["buiten_gemeente"]) == (total, heerlen)
        assert summary["inserted"] == total - heerlen and summary["rejected"] == 0
        assert len(asked) == -(-total // MAX_PAGE)
        assert [a.get("cursor") for a in asked[:2]] == [None, f"c{MAX_PAGE}"]
        x0, y0, x1, y1 = map(float, asked[0]["bbox"].split(","))
        assert 5.6 < x0 < x1 < 5.8 and 50.7 < y0 < y1 < 50.95  # Maastricht in CRS84
        assert all(a["bbox"] == asked[0]["bbox"] for a in asked)
        found = geocode_address(engine, "6211CL", 78)
        assert found is not None
        assert (found["precisie"], found["bron"]) == ("adres", "PDOK BAG OGC API")
        assert (round(found["x"]), round(found["y"])) == (176420, 317950)  # first of the two
        assert geocode_address(engine, "6417CP", 77) is None  # Heerlen: not stored
    finally:
        engine.dispose()


def test_an_unreachable_api_is_one_clear_error(fresh_url):
    engine = make_engine(fresh_url)
    try:
        with pytest.raises(PdokError, match="niet bereikbaar"):
            fetch_areas(engine, "GM0935", "http://127.0.0.1:9/cbs", timeout=2)
    finally:
        engine.dispose()


def test_cli_fetches_areas_and_addresses(fresh_url, replay):
    root, _ = replay
    app = create_app({"DATABASE_URL": url_string(fresh_url), "TESTING": True})
    result = app.test_cli_runner().invoke(
        args=["geocode", "pdok-ophalen", "--gemeente", "GM0935", "--gebieden"]
        + ["--bag-url", f"{root}/bag", "--cbs-url", f"{root}/cbs", "--jaar", "2023"]
    )
    assert result.exit_code == 0, result.output
    assert "Gebieden van GM0935 geladen: 1 gemeente" in result.output
    assert re.search(
        r"BAG-adressen van GM0935: \d+ opgehaald, \d+ buiten de gemeente", result.output
    )

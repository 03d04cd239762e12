"""'Gecontroleerd op …' and 'mogelijk verouderd' everywhere, and the OGC collection actualiteit."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from geo.records.freshness import is_stale
from server import create_app
from tests.conftest import app_config
from tests.geo.test_verification import FRESH, OLD, seed

NOTE = "Mogelijk verouderd:</strong> deze gegevens zijn langer dan 12 maanden niet gecontroleerd."


@pytest.fixture(scope="module")
def fresh_db(databases):
    engine = databases.create_with_areas()
    with engine.begin() as conn:
        ids = seed(conn)
    yield engine, ids
    engine.dispose()


@pytest.fixture(scope="module")
def client(fresh_db):
    engine, _ = fresh_db
    return create_app(app_config(engine.url)).test_client()


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_organisation_page(client, fresh_db):
    _, ids = fresh_db
    old = _text(client.get(f"/organisatie/{ids['Oud met mail']}"))
    assert f"Gecontroleerd op {OLD.day} " in old
    assert NOTE in old
    never = _text(client.get(f"/organisatie/{ids['Nooit met mail']}"))
    assert "nog niet gecontroleerd" in never and NOTE in never
    fresh = _text(client.get(f"/organisatie/{ids['Vers']}"))
    assert f"Gecontroleerd op {FRESH.day} " in fresh
    assert "Mogelijk verouderd" not in fresh


def _results(page: str) -> dict[str, str]:
    articles = page.split('<article class="resultaat"')[1:]
    return {
        htmllib.unescape(re.search(r'<a href="/organisatie/\d+">([^<]+)</a>', a).group(1)): a
        for a in articles
    }


def test_list(client):
    results = _results(_text(client.get("/lijst?gebied=GM0935")))
    assert set(results) == {"Oud met mail", "Nooit met mail", "=SOM(1) Zonder mail", "Vers"}
    assert NOTE in results["Oud met mail"] and NOTE in results["Nooit met mail"]
    assert "Mogelijk verouderd" not in results["Vers"]
    assert "Gecontroleerd op" in results["Vers"]


def test_popup_data(client):
    """The popup reads each point's OGC feature: its date decides the note (verouderd.js)."""
    body = client.get(
        "/ogc/collections/voorzieningen/items?gemeentecode=GM0935&f=json",
        headers={"Accept": "application/geo+json"},
    ).get_json()
    dates = {
        f["properties"]["organisatie"]: f["properties"]["laatst_geverifieerd_op"]
        for f in body["features"]
    }
    assert dates["Vers"] == FRESH.isoformat() and not is_stale(dates["Vers"], 12)
    assert dates["Oud met mail"] == OLD.isoformat() and is_stale(dates["Oud met mail"], 12)
    assert dates["Nooit met mail"] is None and is_stale(None, 12)
    page = _text(client.get("/"))
    assert 'data-verify-months="12"' in page
    assert "/static/verouderd.js" in page
    assert _text(client.get("/static/verouderd.js")).count("window.verouderd") >= 1


def _entry(page: str, name: str) -> str:
    start = page.index(f'<span class="naam">{htmllib.escape(name)}</span>')
    return page[start : page.index("</li>", start)]


def test_print(client):
    page = _text(client.get("/print/GM0935"))
    assert "Mogelijk verouderd:</strong> langer dan 12 maanden niet gecontroleerd." in _entry(
        page, "Oud met mail"
    )
    assert "Mogelijk verouderd" in _entry(page, "Nooit met mail")
    assert "Mogelijk verouderd" not in _entry(page, "Vers")


def test_threshold_is_the_setting(fresh_db):
    engine, ids = fresh_db
    client = create_app(app_config(engine.url, VERIFY_MONTHS=60)).test_client()
    old = _text(client.get(f"/organisatie/{ids['Oud met mail']}"))
    assert "Mogelijk verouderd" not in old
    never = _text(client.get(f"/organisatie/{ids['Nooit met mail']}"))
    assert "langer dan 60 maanden niet gecontroleerd" in never


def test_actualiteit_collection(client):
    collections = client.get("/ogc/collections?f=json").get_json()["collections"]
    assert "actualiteit" in {c["id"] for c in collections}
    body = client.get(
        "/ogc/collections/actualiteit/items?niveau=wijk&gemeentecode=GM0935&limit=1000&f=json"
    ).get_json()
    props = [f["properties"] for f in body["features"]]
    assert props and all(p["niveau"] == "wijk" for p in props)
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"
    with_services = [p for p in props if p["aantal_aanbod"]]
    assert sum(p["aantal_aanbod"] for p in with_services) == 4  # the archived location not
    assert sum(p["aantal_gecontroleerd"] for p in with_services) == 1
    for p in with_services:
        assert p["aandeel_gecontroleerd"] == round(
            100 * p["aantal_gecontroleerd"] / p["aantal_aanbod"], 1
        )
        assert p["drempel_maanden"] == 12
    assert all(p["aandeel_gecontroleerd"] is None for p in props if not p["aantal_aanbod"])
    buurten = client.get(
        "/ogc/collections/actualiteit/items?niveau=buurt&gemeentecode=GM0935&limit=1000&f=json"
    ).get_json()["features"]
    assert sum(f["properties"]["aantal_aanbod"] for f in buurten) == 4

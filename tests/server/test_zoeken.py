"""Search over HTTP: /api/zoeken (JSON) and /lijst (HTML without JavaScript)."""

import random
import re
import string
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

API = "/api/zoeken"
PROBLEM = "application/problem+json"


@pytest.fixture
def client(demo_client):
    return demo_client


def nonsense() -> str:
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


def query_of(href: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}


# ------------------------------------------------------------------------- JSON API
def test_api_shape_and_links(client):
    response = client.get(f"{API}?q=huisarts&gebied=Heerlen&limit=5")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.json
    assert list(body) == ["total", "items", "gebied", "dichtbij", "melding", "suggesties", "links"]
    assert body["total"] > 5 and len(body["items"]) == 5
    assert body["gebied"]["code"] == "GM0917" and body["dichtbij"] is None
    links = {lk["rel"]: lk for lk in body["links"]}
    assert set(links) == {"self", "alternate", "next"}
    assert links["self"]["href"].startswith("http://localhost/api/zoeken?")
    assert links["alternate"]["type"] == "text/html"
    assert query_of(links["next"]["href"]) == {
        "q": "huisarts",
        "gebied": "Heerlen",
        "limit": "5",
        "offset": "5",
    }


def test_api_paging_follows_next_and_prev(client):
    first = client.get(f"{API}?q=huisarts&limit=7").json
    nxt = next(lk["href"] for lk in first["links"] if lk["rel"] == "next")
    second = client.get(nxt.removeprefix("http://localhost")).json
    assert second["total"] == first["total"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    prev = next(lk["href"] for lk in second["links"] if lk["rel"] == "prev")
    assert client.get(prev.removeprefix("http://localhost")).json["items"] == first["items"]


def test_api_limit_is_clamped(client):
    body = client.get(f"{API}?limit=100000").json
    assert len(body["items"]) == 200 and body["total"] > 200
    assert query_of(body["links"][0]["href"])["limit"] == "200"


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=-1",
        "limit=abc",
        "offset=-5",
        "offset=1.5",
        "foo=bar",
        "q=huisarts&bbox=1,2,3,4",
        "thema=bestaat-niet",
        "doelgroep=niemand",
    ],
)
def test_api_bad_parameters_are_400(client, query):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["status"] == 400 and response.json["detail"]


@pytest.mark.parametrize("field", ["q", "gebied", "dichtbij", "thema"])
@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE organisatie; --",
        "<script>alert(1)</script>",
        "%00%27",
        "a" * 5000,
        "1 OR 1=1",
        "${jndi:x}",
    ],
)
def test_api_hostile_input_is_never_a_500(client, demo_engine, field, hostile):
    response = client.get(API, query_string={field: hostile})
    assert response.status_code in (200, 400)
    if field == "thema":
        assert response.status_code == 400
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM organisatie")).scalar() > 0


def test_api_near_sorts_by_distance(client):
    body = client.get(f"{API}?dichtbij=6221AB&q=apotheek").json
    distances = [i["afstand_m"] for i in body["items"]]
    assert body["dichtbij"]["label"] == "6221 AB" and distances == sorted(distances)


def test_api_counts_a_search_without_results(client, demo_engine):
    word = nonsense()
    for _ in range(3):
        body = client.get(API, query_string={"q": word, "gebied": "Kerkrade"}).json
        assert body["total"] == 0 and body["melding"] is None
    with demo_engine.connect() as conn:
        row = (
            conn.execute(
                sa.text("SELECT * FROM zoekvraag_zonder_resultaat WHERE woord = :w"), {"w": word}
            )
            .mappings()
            .one()
        )
    assert row["aantal"] == 3 and row["gebiedcode"] == "GM0928"


def test_demand_layer_is_an_ogc_collection(client, demo_app):
    word = nonsense()
    for browser in ("a", "b", "c"):  # three different searchers publish a word
        client.get(
            API,
            query_string={"q": word, "gebied": "Simpelveld"},
            headers={"User-Agent": f"browser-{browser}"},
        )
    demo_app.extensions.pop("sociale_kaart.extents", None)  # itemCount is cached a minute
    collections = client.get("/ogc/collections").json["collections"]
    layer = next(c for c in collections if c["id"] == "gezocht-niet-gevonden")
    assert layer["title"] == "Gezocht, niet gevonden" and layer["itemCount"] >= 16
    feature = client.get("/ogc/collections/gezocht-niet-gevonden/items/GM0965").json
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["aantal"] >= 3 and word in feature["properties"]["woorden"]
    assert set(feature["properties"]) == {
        "code",
        "naam",
        "niveau",
        "gemeentecode",
        "aantal",
        "woorden",
    }


# ------------------------------------------------------------------------ list page
def test_list_works_without_javascript(client):
    response = client.get("/lijst?q=huisarts&gebied=Heerlen")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    total = client.get(f"{API}?q=huisarts&gebied=Heerlen").json["total"]
    assert f"We vonden {total} plekken in Heerlen." in html
    assert "<script" not in html
    assert '<html lang="nl" dir="ltr">' in html and "<h1>" in html and 'role="search"' in html
    assert len(re.findall(r'<a href="/organisatie/\d+">', html)) == min(total, 20)
    assert 'href="tel:' in html and "Gecontroleerd op" in html
    assert "verzonnen voorbeeld" in html
    assert 'href="/?q=huisarts&amp;gebied=Heerlen"' in html


def test_list_form_has_labels_and_dutch_theme_names(client, demo_engine):
    html = client.get("/lijst?thema=vervoer").get_data(as_text=True)
    for field in ("q", "thema", "doelgroep", "gebied", "dichtbij"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert "<fieldset>" in html and "<legend>" in html
    with demo_engine.connect() as conn:
        naam = conn.execute(sa.text("SELECT naam FROM thema WHERE slug = 'vervoer'")).scalar()
    assert f'<option value="vervoer" selected>{naam}</option>' in html
    assert "Vervoer" in html  # theme names are written out, not only coloured


def test_list_paging_links(client):
    html = client.get("/lijst?q=huisarts&offset=20").get_data(as_text=True)
    assert 'rel="prev">Vorige</a>' in html and 'rel="next">Volgende</a>' in html
    assert "Pagina 2 van" in html and '<ol class="resultaten" start="21">' in html


def test_list_near_shows_distance(client):
    html = client.get("/lijst?dichtbij=6221+AB").get_data(as_text=True)
    assert "Dit zijn de plekken tot 3 km van 6221 AB, de dichtste bovenaan." in html
    assert "meter (in een rechte lijn)" in html


def test_list_nothing_found_is_explained(client):
    html = client.get("/lijst", query_string={"q": nonsense()}).get_data(as_text=True)
    assert "We vonden geen plekken." in html and "Wat kunt u doen?" in html
    assert "zonder uw naam of adres" in html


def test_list_suggests_a_known_place(client):
    html = client.get("/lijst?q=huisarts&gebied=Heerlan").get_data(as_text=True)
    assert "We kennen de plaats &#39;Heerlan&#39; niet." in html
    assert '<a href="/lijst?q=huisarts&amp;gebied=Heerlen">Heerlen</a>' in html


@pytest.mark.parametrize("query", ["thema=bestaat-niet", "foo=1", "limit=nul"])
def test_list_bad_parameters_are_a_400_page(client, query):
    response = client.get(f"/lijst?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Deze zoekopdracht begrijpen we niet." in response.get_data(as_text=True)


def test_list_escapes_names(client, demo_engine):
    evil = "<script>alert('x')</script> Zwaluwhulp \"&\" <b>vet</b>"
    with demo_engine.begin() as conn:
        org, old = conn.execute(
            sa.text(
                "SELECT o.id, o.naam FROM organisatie o JOIN laag_voorzieningen v "
                "ON v.organisatie_id = o.id WHERE v.zichtbaarheid = 'openbaar' "
                "ORDER BY o.id LIMIT 1"
            )
        ).one()
        conn.execute(
            sa.text("UPDATE organisatie SET naam = :n WHERE id = :o"), {"n": evil, "o": org}
        )
    try:
        html = client.get("/lijst?q=zwaluwhulp").get_data(as_text=True)
        body = client.get(f"{API}?q=zwaluwhulp").json
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET naam = :n WHERE id = :o"), {"n": old, "o": org}
            )
    assert body["items"][0]["organisatie"] == evil
    assert "<script>alert" not in html and "<b>vet</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Zwaluwhulp &#34;&amp;&#34;" in html
    html = client.get("/lijst", query_string={"q": "<img src=x onerror=alert(1)>"}).get_data(
        as_text=True
    )
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_two_identical_gets_publish_nothing(client):
    """One client repeating a spam phrase never reaches the public layer (issue: two GETs
    used to publish any words)."""
    word = nonsense()
    for _ in range(20):
        client.get(
            API,
            query_string={"q": f"{word} casino", "gebied": "Vaals"},
            headers={"User-Agent": "spammer"},
        )
    feature = client.get("/ogc/collections/gezocht-niet-gevonden/items/GM0981").json
    assert feature["properties"]["aantal"] >= 20
    assert word not in feature["properties"]["woorden"]

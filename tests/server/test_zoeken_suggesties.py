"""A search that finds nothing offers links (issue 16): a spelling, a nearby area, a theme.

Also: "Bedoelt u ...?" is a link on /lijst, everyday area names work in /api/zoeken and
/lijst, and /print/<naam> accepts names (redirect to the code, or a choice).
Against the Zuid-Limburg demo, read-only.
"""

from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

API = "/api/zoeken"
MAASTRICHT_WEST = {"WK093501", "WK093502", "WK093503"}


@pytest.fixture
def client(demo_client):
    return demo_client


def search(client, **params) -> dict:
    response = client.get(API, query_string=params)
    assert response.status_code == 200
    return response.json


def by_kind(body: dict, soort: str) -> list[dict]:
    return [s for s in body["suggesties"] if s["soort"] == soort]


def finds_something(client, suggestion: dict) -> bool:
    return search(client, **suggestion["params"])["total"] > 0


# ------------------------------------------------------------------- suggestions
def test_a_misspelt_word_suggests_the_right_one(client):
    body = search(client, q="thuiszrog")
    assert body["total"] == 0
    [spelling] = by_kind(body, "spelling")
    assert spelling | {"params": None} == {
        "soort": "spelling",
        "voor": "Bedoelt u ",
        "tekst": "thuiszorg",
        "na": "?",
        "params": None,
    }
    assert spelling["params"] == {"q": "thuiszorg"} and finds_something(client, spelling)


def test_nothing_in_the_area_suggests_the_nearest_place_that_has_it(client):
    body = search(client, q="tandarts", gebied="Heerlen")  # the demo's dentists are in Maastricht
    assert body["total"] == 0
    [nearby] = by_kind(body, "gebied")
    assert nearby["tekst"] == "Maastricht"
    assert nearby["params"] == {"q": "tandarts", "gebied": "Maastricht"}
    assert finds_something(client, nearby)


def test_nothing_found_suggests_a_theme_in_the_same_area(client):
    body = search(client, q="tandarts", gebied="Heerlen")
    themes = by_kind(body, "thema")
    assert themes and themes[0]["params"] == {"gebied": "Heerlen", "thema": "zorg-ondersteuning"}
    assert themes[0]["tekst"] == "Zorg en ondersteuning" and themes[0]["na"] == " in Heerlen"
    assert all(finds_something(client, s) for s in themes)


def test_a_theme_filter_that_hides_everything_suggests_all_themes(client):
    body = search(client, q="tandarts", thema="vervoer")
    assert body["total"] == 0
    everything = [s for s in by_kind(body, "thema") if s["tekst"] == "alle onderwerpen"]
    assert everything and everything[0]["params"] == {"q": "tandarts"}


def test_words_nobody_uses_still_get_something_to_click(client):
    body = search(client, q="zqxwvy", gebied="Vaals")
    assert body["total"] == 0 and body["suggesties"]
    assert all(finds_something(client, s) for s in body["suggesties"])


def test_results_carry_no_suggestions(client):
    assert search(client, q="huisarts")["suggesties"] == []


def test_an_unknown_place_suggests_a_known_one_as_a_link(client):
    body = search(client, q="huisarts", gebied="Maastrich-west")
    assert body["total"] == 0 and "Bedoelt u Maastricht-West?" in body["melding"]
    assert body["suggesties"] == [
        {
            "soort": "spelling",
            "voor": "Bedoelt u ",
            "tekst": "Maastricht-West",
            "na": "?",
            "params": {"q": "huisarts", "gebied": "Maastricht-West"},
        }
    ]


# ------------------------------------------------------------------------- /lijst
def test_list_shows_the_suggestions_as_links(client):
    html = client.get("/lijst", query_string={"q": "thuiszrog"}).get_data(as_text=True)
    assert 'Bedoelt u <a href="/lijst?q=thuiszorg">thuiszorg</a>?' in html
    html = client.get("/lijst", query_string={"q": "tandarts", "gebied": "Heerlen"}).get_data(
        as_text=True
    )
    assert 'Zoek in <a href="/lijst?q=tandarts&amp;gebied=Maastricht">Maastricht</a>' in html
    assert '<a href="/lijst?gebied=Heerlen&amp;thema=zorg-ondersteuning">' in html


def test_list_does_not_repeat_the_plain_text_question(client):
    html = client.get("/lijst?q=huisarts&gebied=Heerlan").get_data(as_text=True)
    assert html.count("Bedoelt u") == 1
    assert 'Bedoelt u <a href="/lijst?q=huisarts&amp;gebied=Heerlen">Heerlen</a>?' in html


# ------------------------------------------------------------------- area names
@pytest.mark.parametrize("gebied", ["Maastricht-West", "maastricht west", "MAASTRICHT-WEST"])
def test_everyday_area_name_of_several_wijken(client, gebied):
    body = search(client, gebied=gebied, limit=200)
    assert body["gebied"] == {
        "code": None,
        "naam": "Maastricht-West",
        "niveau": "regio",
        "gemeente": "Maastricht",
        "codes": sorted(MAASTRICHT_WEST),
    }
    assert body["total"] > 0
    html = client.get("/lijst", query_string={"gebied": gebied}).get_data(as_text=True)
    assert "plekken in Maastricht-West." in html


def test_everyday_area_name_limits_results_to_its_areas(client, demo_engine):
    body = search(client, q="huisarts Maastricht-West", limit=200)
    ids = {i["id"] for i in body["items"]}
    with demo_engine.connect() as conn:
        wijken = set(
            conn.execute(
                sa.text("SELECT wijkcode FROM laag_voorzieningen WHERE id = ANY(:ids)"),
                {"ids": list(ids)},
            ).scalars()
        )
    assert ids and wijken <= MAASTRICHT_WEST


def test_dialect_name_of_a_gemeente(client):
    body = search(client, q="apotheek in Mestreech", limit=5)
    assert body["gebied"]["code"] == "GM0935" and body["gebied"]["naam"] == "Mestreech"
    assert body["total"] > 0


def test_region_of_gemeenten_and_dichtbij_a_region(client):
    body = search(client, q="dagbesteding", gebied="Parkstad", limit=200)
    assert body["gebied"]["niveau"] == "regio" and body["gebied"]["gemeente"] is None
    assert len(body["gebied"]["codes"]) == 7 and body["total"] > 0
    near = search(client, q="dagbesteding", dichtbij="Parkstad", limit=1)
    assert near["dichtbij"]["label"] == "Parkstad" and near["total"] > 0


# ------------------------------------------------------------------ print by name
@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("Heerlen", "/print/GM0917"),
        ("heerlen", "/print/GM0917"),
        ("Mestreech", "/print/GM0935"),
        ("Wyck", "/print/BU09350006"),
        ("Buitenwijk West", "/print/WK093502"),
        ("Heerlen.pdf", "/print/GM0917.pdf"),
    ],
)
def test_print_by_name_redirects_to_the_code(client, name, target):
    response = client.get(f"/print/{name}")
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == target


def test_print_of_several_areas_offers_a_choice(client):
    response = client.get("/print/Maastricht-West")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for code in sorted(MAASTRICHT_WEST):
        assert f'href="/print/{code}"' in html
    pdf = client.get("/print/Parkstad.pdf").get_data(as_text=True)
    assert 'href="/print/GM0917.pdf"' in pdf and pdf.count('href="/print/GM') == 7


def test_print_of_a_woonplaats_offers_its_gemeente(client):
    html = client.get("/print/Hoensbroek").get_data(as_text=True)
    assert 'href="/print/GM0917"' in html and "Gemeente Heerlen" in html


def test_print_of_an_unknown_name_is_404_with_a_link(client):
    response = client.get("/print/Heerlan")
    assert response.status_code == 404
    assert 'Bedoelt u <a href="/print/Heerlen">Heerlen</a>?' in response.get_data(as_text=True)
    assert client.get("/print/Qxzzyq").status_code == 404

"""'Dichtbij' has a distance (issue 16, point 5): a few km by default, adjustable, and each
result says how far it is."""

import pytest

API = "/api/zoeken"


def test_near_is_limited_to_3_km_by_default(demo_client):
    body = demo_client.get(f"{API}?dichtbij=6411AB&limit=200").json
    assert body["dichtbij"]["afstand_km"] == 3.0 and body["total"] > 0
    assert all(i["afstand_m"] <= 3000 for i in body["items"])
    wider = demo_client.get(f"{API}?dichtbij=6411AB&afstand=10&limit=200").json
    assert wider["total"] > body["total"]
    assert all(i["afstand_m"] <= 10000 for i in wider["items"])
    assert max(i["afstand_m"] for i in wider["items"]) > 3000
    narrow = demo_client.get(f"{API}?dichtbij=6411AB&afstand=0,5&limit=200").json
    assert narrow["total"] < body["total"]
    assert all(i["afstand_m"] <= 500 for i in narrow["items"])


def test_without_a_point_the_distance_changes_nothing(demo_client):
    plain = demo_client.get(f"{API}?q=huisarts").json["total"]
    assert demo_client.get(f"{API}?q=huisarts&afstand=1").json["total"] == plain


def test_the_list_says_how_far(demo_client):
    page = demo_client.get("/lijst?dichtbij=6411AB&afstand=5").get_data(as_text=True)
    assert "Dit zijn de plekken tot 5 km van 6411 AB, de dichtste bovenaan." in page
    assert "(in een rechte lijn)" in page


@pytest.mark.parametrize("bad", ["0", "51", "abc", "3km", "-1", "1.234", "1e3"])
def test_bad_distance_is_400(demo_client, bad):
    response = demo_client.get(f"{API}?dichtbij=6411AB&afstand={bad}")
    assert response.status_code == 400
    assert "afstand" in response.json["detail"]
    assert demo_client.get(f"/lijst?dichtbij=6411AB&afstand={bad}").status_code == 400

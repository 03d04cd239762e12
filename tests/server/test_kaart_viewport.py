"""The residents' map loads its points by viewport (issue 17, point 2): ``bbox`` on
/kaart/punten.json gives the places in that box, a crowded box gives grid cells with the
number of places, bad boxes are 400 problems in Dutch, and the map page preloads the box
around its first view."""

import re

import pytest
import sqlalchemy as sa

from layers.pages import kaartpunten

HEERLEN = "5.95,50.87,6.0,50.9"


def _inside(demo_engine, box: str) -> set[int]:
    w, s, e, n = (float(v) for v in box.split(","))
    with demo_engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    "SELECT id FROM (SELECT id, zichtbaarheid, "
                    "round(ST_X(ST_Transform(geom, 4326))::numeric, 6) AS lon, "
                    "round(ST_Y(ST_Transform(geom, 4326))::numeric, 6) AS lat "
                    "FROM laag_voorzieningen) v WHERE zichtbaarheid = 'openbaar' "
                    "AND lon BETWEEN :w AND :e AND lat BETWEEN :s AND :n"
                ),
                {"w": w, "s": s, "e": e, "n": n},
            ).scalars()
        )


def test_a_box_gives_exactly_the_public_places_inside(demo_client, demo_engine):
    everything = demo_client.get("/kaart/punten.json").json
    response = demo_client.get(f"/kaart/punten.json?bbox={HEERLEN}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    boxed = response.json
    ids = {i for p in boxed for i in p[0]}
    assert ids == _inside(demo_engine, HEERLEN) and 0 < len(boxed) < len(everything)
    assert all(len(p) == 4 for p in boxed)  # places, not cells
    by_first = {tuple(p[0]): p for p in everything}
    assert all(by_first[tuple(p[0])] == p for p in boxed)  # the same entries as without a box


def test_a_crowded_box_gives_grid_cells_with_their_number_of_places(
    demo_client, demo_engine, monkeypatch
):
    monkeypatch.setattr(kaartpunten, "MAX_PLACES", 20)
    whole = "5.5,50.7,6.3,51.1"
    places = demo_client.get("/kaart/punten.json").json
    cells = demo_client.get(f"/kaart/punten.json?bbox={whole}").json
    assert cells and all(len(c) == 5 for c in cells) and len(cells) < len(places)
    assert sum(c[4] for c in cells) == len(places)  # every place in exactly one cell
    first_ids = {p[0][0] for p in places}
    themes = {t for p in places for t in p[3]}
    assert all(c[0][0] in first_ids and set(c[3]) <= themes for c in cells)


@pytest.mark.parametrize(
    "bbox",
    ["5,50,6", "a,b,c,d", "6,50,5,51", "5,51,6,50", "5,50,6,91", "-181,50,6,51", "5,50,6,51,7"],
)
def test_bad_boxes_are_400_problems_in_dutch(demo_client, bbox):
    response = demo_client.get(f"/kaart/punten.json?bbox={bbox}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "bbox" in response.json["detail"] and (
        "moet" in response.json["detail"] or "getallen" in response.json["detail"]
    )


def test_boxes_keep_their_own_etag_and_follow_writes(demo_client, demo_engine):
    first = demo_client.get(f"/kaart/punten.json?bbox={HEERLEN}")
    other = demo_client.get("/kaart/punten.json?bbox=5.6,50.8,5.8,50.9")
    assert first.headers["ETag"] != other.headers["ETag"]
    etag = first.headers["ETag"]
    headers = {"If-None-Match": etag}
    assert demo_client.get(f"/kaart/punten.json?bbox={HEERLEN}", headers=headers).status_code == 304
    with demo_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE locatie SET naam = naam WHERE id = (SELECT min(id) FROM locatie)")
        )
    changed = demo_client.get(f"/kaart/punten.json?bbox={HEERLEN}", headers=headers)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_map_page_preloads_the_box_around_its_first_view(demo_client):
    page = demo_client.get("/").get_data(as_text=True)
    preload = re.search(r'<link rel="preload" href="([^"]+)"', page).group(1)
    data_url = re.search(r'data-punten-url="([^"]+)"', page).group(1)
    assert preload == data_url and "/kaart/punten.json?bbox=" in preload
    box = [float(v) for v in preload.split("bbox=")[1].replace("%2C", ",").split(",")]
    assert box[0] < 5.7 and box[2] > 6.1 and box[1] < 50.75 and box[3] > 51.0
    assert demo_client.get(preload).status_code == 200

"""The map's place popups (/kaart/plek/<id>.json) and its names (/kaart/namen, /kaart/straten)."""

import re
from datetime import datetime

import sqlalchemy as sa

from layers.pages.kaartpunten import place_services
from layers.pages.opening_hours import AMSTERDAM
from layers.visibility import PUBLIC, Visibility


def _shared_place(demo_client) -> list[int]:
    return next(p[0] for p in demo_client.get("/kaart/punten.json").json if len(p[0]) > 1)


def test_a_place_lists_every_service_there_with_phone_and_open_now(demo_client, demo_engine):
    ids = _shared_place(demo_client)
    for any_id in ids:  # any of the place's services opens the same place
        response = demo_client.get(f"/kaart/plek/{any_id}.json")
        assert response.status_code == 200 and response.mimetype == "application/json"
        place = response.json
        assert sorted(d["id"] for d in place["diensten"]) == ids
    assert {"organisatie", "organisatie_id", "aanbod", "telefoon", "open_nu"} <= set(
        place["diensten"][0]
    )
    assert response.headers["Cache-Control"] == "max-age=60"


def test_open_now_follows_the_hours(demo_engine):
    with demo_engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT al.id FROM aanbod a JOIN aanbod_locatie al ON al.aanbod_id = a.id "
                "JOIN laag_voorzieningen v ON v.id = al.id AND v.zichtbaarheid = 'openbaar' "
                "WHERE a.openingstijden -> 'dagen' ? 'ma' "
                "AND a.openingstijden -> 'dagen' -> 'ma' -> 0 ->> 0 = '09:00' LIMIT 1"
            )
        ).one_or_none()
        if row is None:
            row = conn.execute(
                sa.text(
                    "SELECT al.id FROM aanbod a JOIN aanbod_locatie al ON al.aanbod_id = a.id "
                    "JOIN laag_voorzieningen v ON v.id = al.id AND v.zichtbaarheid = 'openbaar' "
                    "WHERE jsonb_array_length(a.openingstijden -> 'dagen' -> 'ma') > 0 LIMIT 1"
                )
            ).one()
        hours = conn.execute(
            sa.text(
                "SELECT a.openingstijden -> 'dagen' -> 'ma' -> 0 FROM aanbod a "
                "JOIN aanbod_locatie al ON al.aanbod_id = a.id WHERE al.id = :id"
            ),
            {"id": row.id},
        ).scalar_one()
        start_h, start_m = (int(x) for x in hours[0].split(":"))
        monday = datetime(2026, 12, 7, start_h, start_m, tzinfo=AMSTERDAM)  # a Monday
        opened = place_services(conn, row.id, PUBLIC, now=monday.replace(minute=start_m))
        night = place_services(conn, row.id, PUBLIC, now=monday.replace(hour=3, minute=0))
    mine = next(d for d in opened["diensten"] if d["id"] == row.id)
    assert mine["open_nu"] is True
    assert next(d for d in night["diensten"] if d["id"] == row.id)["open_nu"] is False


def test_hidden_services_are_not_shown_at_a_place(demo_client, demo_engine):
    with demo_engine.connect() as conn:
        hidden = conn.execute(
            sa.text("SELECT id FROM laag_voorzieningen WHERE zichtbaarheid <> 'openbaar' LIMIT 1")
        ).scalar_one()
        assert place_services(conn, hidden, Visibility(("openbaar", "intern"))) is not None
    assert demo_client.get(f"/kaart/plek/{hidden}.json").status_code == 404
    assert demo_client.get("/kaart/plek/999999999.json").status_code == 404
    shown = {i for ids, *_ in demo_client.get("/kaart/punten.json").json for i in ids}
    assert hidden not in shown


def test_names_of_areas_places_and_streets(demo_client):
    names = demo_client.get("/kaart/namen.geojson")
    assert names.status_code == 200 and names.mimetype == "application/geo+json"
    features = names.json["features"]
    levels = {f["properties"]["niveau"] for f in features}
    assert levels == {"gemeente", "woonplaats", "wijk", "buurt"}
    gemeenten = {
        f["properties"]["naam"] for f in features if f["properties"]["niveau"] == "gemeente"
    }
    assert {"Heerlen", "Maastricht"} <= gemeenten
    # "Wijk 01 Nieuwenhagen" shows as "Nieuwenhagen"; a wijk named only "Wijk 05" keeps it.
    assert not [f for f in features if re.match(r"Wijk ?\d+:? \S", f["properties"]["naam"])]
    streets = demo_client.get("/kaart/straten.geojson").json["features"]
    assert streets and all(f["properties"]["naam"] for f in streets)
    lon, lat = streets[0]["geometry"]["coordinates"]
    assert 5.5 < lon < 6.3 and 50.7 < lat < 51.1

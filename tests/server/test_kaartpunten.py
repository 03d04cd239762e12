"""The residents' map's compact points list: public services only, cacheable, exact."""

import sqlalchemy as sa


def test_points_are_the_public_services_with_themes(demo_client, demo_engine):
    response = demo_client.get("/kaart/punten.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    points = response.json
    with demo_engine.connect() as conn:
        public = dict(
            conn.execute(
                sa.text(
                    "SELECT id, themas FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar'"
                )
            ).all()
        )
        internal = set(
            conn.execute(
                sa.text("SELECT id FROM laag_voorzieningen WHERE zichtbaarheid <> 'openbaar'")
            ).scalars()
        )
    assert {p[0]: p[3] for p in points} == public
    assert internal and not internal & {p[0] for p in points}
    assert all(5.5 < lon < 6.3 and 50.7 < lat < 51.1 for _, lon, lat, _ in points)


def test_points_answer_304_until_the_data_changes(demo_client, demo_engine):
    first = demo_client.get("/kaart/punten.json")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    assert demo_client.get("/kaart/punten.json", headers={"If-None-Match": etag}).status_code == 304
    with demo_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE locatie SET naam = naam WHERE id = (SELECT min(id) FROM locatie)")
        )
    changed = demo_client.get("/kaart/punten.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag

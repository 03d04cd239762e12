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
    # One entry per place: every public service in exactly one place, whose themes are the
    # union of its services' themes.
    ids = [i for p in points for i in p[0]]
    assert sorted(ids) == sorted(public) and len(ids) == len(set(ids))
    for place_ids, _, _, themas in points:
        assert set(themas) == {t for i in place_ids for t in public[i]}
    assert any(len(p[0]) > 1 for p in points) and len(points) < len(public)
    assert internal and not internal & set(ids)
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

"""/ogc/collections: itemCount and the spatial extent are exact right after a write (they
are cached under the collection's data version, not for a fixed time)."""

import sqlalchemy as sa

URL = "/ogc/collections/voorzieningen"


def test_item_count_and_extent_follow_a_write_at_once(demo_client, demo_engine):
    first = demo_client.get(URL).json
    with demo_engine.connect() as conn:
        location, y = conn.execute(
            sa.text(
                "SELECT l.id, ST_Y(l.geom) FROM locatie l JOIN laag_voorzieningen v "
                "ON ST_Equals(v.geom, l.geom) WHERE v.zichtbaarheid = 'openbaar' "
                "AND NOT l.vertrouwelijk ORDER BY ST_Y(l.geom) DESC LIMIT 1"
            )
        ).one()
        org, rows = conn.execute(
            sa.text(
                "SELECT o.id, count(*) FROM organisatie o JOIN laag_voorzieningen v "
                "ON v.organisatie_id = o.id WHERE o.zichtbaarheid = 'openbaar' AND o.id <> "
                "(SELECT organisatie_id FROM locatie WHERE id = :loc) "
                "GROUP BY o.id ORDER BY o.id DESC LIMIT 1"
            ),
            {"loc": location},
        ).one()
    with demo_engine.begin() as conn:  # the northernmost point 20 km further north
        conn.execute(
            sa.text("UPDATE locatie SET geom = ST_Translate(geom, 0, 20000) WHERE id = :id"),
            {"id": location},
        )
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = :id"), {"id": org}
        )
    try:
        changed = demo_client.get(URL).json
        listed = next(
            c
            for c in demo_client.get("/ogc/collections").json["collections"]
            if c["id"] == "voorzieningen"
        )
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE locatie SET geom = ST_Translate(geom, 0, -20000) WHERE id = :id"),
                {"id": location},
            )
            conn.execute(
                sa.text("UPDATE organisatie SET zichtbaarheid = 'openbaar' WHERE id = :id"),
                {"id": org},
            )
    assert changed["itemCount"] == listed["itemCount"] == first["itemCount"] - rows
    north = first["extent"]["spatial"]["bbox"][0][3]
    assert changed["extent"]["spatial"]["bbox"][0][3] > north + 0.1  # 20 km is ~0.18°
    assert listed["extent"] == changed["extent"]
    restored = demo_client.get(URL).json
    assert restored["itemCount"] == first["itemCount"] and restored["extent"] == first["extent"]

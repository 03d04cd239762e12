"""Tiles come from the layer cache while the data is unchanged, and never after a write."""

import math

import mapbox_vector_tile
import sqlalchemy as sa

from server.catalog import get_layer_cache


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _names(body: bytes) -> set[str]:
    layer = mapbox_vector_tile.decode(body)["voorzieningen"]
    return {f["properties"]["organisatie"] for f in layer["features"]}


def test_cached_tile_is_replaced_after_a_write(demo_client, demo_app, demo_engine):
    with demo_engine.connect() as conn:
        org, lon, lat = conn.execute(
            sa.text(
                "SELECT organisatie_id, ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326)) "
                "FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' ORDER BY id LIMIT 1"
            )
        ).one()
    x, y = _tile_of(lon, lat, 16)
    url = f"/ogc/collections/voorzieningen/tiles/WebMercatorQuad/16/{y}/{x}"
    first = demo_client.get(url)
    cache = get_layer_cache(demo_app)
    hits = cache.hits
    again = demo_client.get(url)
    assert again.data == first.data and cache.hits > hits  # served from the cache
    with demo_engine.begin() as conn:
        old = conn.execute(
            sa.text("SELECT naam FROM organisatie WHERE id = :id"), {"id": org}
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE organisatie SET naam = 'Tegel Na Wijziging' WHERE id = :id"),
            {"id": org},
        )
    try:
        changed = demo_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET naam = :naam WHERE id = :id"),
                {"id": org, "naam": old},
            )
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert "Tegel Na Wijziging" in _names(changed.data)
    assert "Tegel Na Wijziging" not in _names(first.data)

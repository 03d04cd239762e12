"""Thinning cells kept at write time (migration 0025, ``sql/tile_stored.sql``): every tile
read from them equals the tile counted live by ``sql/tile.sql``, for each role, before and
after edits. Tested on a database of its own with 1,800 services spread over Zuid-Limburg
(three visibility levels) and a dense block in Maastricht."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from pyproj import Transformer

from layers import tile_cells, tiles
from layers.catalog import load_catalog
from layers.visibility import Visibility
from tests.layers.test_tiles import _org, decode, tile_xy
from tests.layers.test_tiles_thinning import _services_at

LEVELS = {
    "publiek": ("openbaar",),
    "professional": ("openbaar", "professional"),
    "beheerder": ("openbaar", "professional", "intern"),
}
TO_WGS84 = Transformer.from_crs(28992, 4326, always_xy=True)


def _positions(rng: random.Random, n: int, box) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(n)]


@pytest.fixture(scope="module")
def spread(databases):
    engine = databases.create_with_areas()
    rng = random.Random(17)
    with engine.begin() as conn:
        for vis, n in (("openbaar", 1000), ("professional", 300), ("intern", 200)):
            org = _org(conn, f"Verspreid {vis}", zichtbaarheid=vis)
            where = _positions(rng, n, (172_000, 306_000, 204_000, 336_000))
            _services_at(conn, org, where, ["vervoer"] * n, vis)
        dense = _positions(rng, 300, (176_000, 318_000, 177_500, 319_500))
        _services_at(conn, _org(conn, "Dicht"), dense, ["meedoen-ontmoeten"] * 300)
    yield engine
    engine.dispose()


def _points(conn) -> list[tuple[float, float]]:
    rows = conn.execute(sa.text("SELECT ST_X(geom), ST_Y(geom) FROM tegel_punt")).all()
    return [TO_WGS84.transform(x, y) for x, y in rows]


def _tiles(conn, zooms) -> list[tuple[int, int, int]]:
    """Every tile holding a point, and for each its right and lower neighbour."""
    found = set()
    for lonlat in _points(conn):
        for z in zooms:
            x, y = tile_xy(lonlat, z)
            found |= {(z, x, y), (z, x + 1, y), (z, x, y + 1)}
    return sorted(found)


def both(conn, collection, z, x, y, levels, monkeypatch) -> tuple[bytes, bytes]:
    """The tile read from the kept cells and the tile counted live."""
    assert tiles.stored_levels(collection, z, Visibility(levels), None) is not None
    stored = tiles.tile(conn, collection, z, x, y, Visibility(levels))
    with monkeypatch.context() as m:
        m.setattr(tiles, "stored_levels", lambda *a: None)
        m.setattr(tiles, "reads_copy", lambda *a: False)
        live = tiles.tile(conn, collection, z, x, y, Visibility(levels))
    return stored, live


def _features(body: bytes) -> dict[int, tuple]:
    found = decode(body)["voorzieningen"]["features"] if body else []
    return {
        f["id"]: (f["geometry"]["coordinates"], tuple(sorted(f["properties"].items())))
        for f in found
    }


def assert_same_tiles(engine, monkeypatch, zooms=tiles.STORED_ZOOMS) -> int:
    checked = 0
    with engine.connect() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        for z, x, y in _tiles(conn, zooms):
            for levels in LEVELS.values():
                stored, live = both(conn, collection, z, x, y, levels, monkeypatch)
                assert _features(stored) == _features(live), (z, x, y, levels)
                checked += bool(live)
    return checked


def _cells_from_scratch(conn) -> set[tuple]:
    return set(
        conn.execute(
            sa.text(
                "SELECT s.zicht, z.zoom, floor(ST_X(v.geom) / z.cel)::int,"
                " floor(ST_Y(v.geom) / z.cel)::int, min(v.id), count(*)"
                " FROM laag_voorzieningen v JOIN tegel_zicht s"
                " ON v.zichtbaarheid::text = ANY(s.niveaus) CROSS JOIN tegel_zoom z"
                " GROUP BY 1, 2, 3, 4"
            )
        ).all()
    )


def _cells(conn) -> set[tuple]:
    rows = conn.execute(sa.text("SELECT zicht, zoom, cx, cy, fid, aantal FROM tegel_cel"))
    return set(rows.all())


def test_stored_cell_sizes_and_levels_are_the_ones_tiles_use(spread):
    with spread.connect() as conn:
        sizes = dict(conn.execute(sa.text("SELECT zoom, cel FROM tegel_zoom")).all())
        levels = {r[0] for r in conn.execute(sa.text("SELECT zicht FROM tegel_zicht"))}
    assert sizes == {z: tiles.thinning_cell(z) for z in tiles.STORED_ZOOMS}
    assert levels == tiles.STORED_LEVELS
    assert max(tiles.STORED_ZOOMS) <= tiles.THIN_MAX_ZOOM


def test_overview_zooms_read_the_overview_statement(spread):
    """Zooms 7-9 test their edge points against the polygon after the strips' join."""
    with spread.connect() as conn:
        services = load_catalog(conn)["voorzieningen"]
    assert set(tile_cells.OVERVIEW_ZOOMS) < set(tiles.STORED_ZOOMS)
    for z in tiles.STORED_ZOOMS:
        text = tile_cells.stored_statement(services, (z, 0, 0), ["id"]).text
        assert "strip_points AS MATERIALIZED" in text
        in_join = "AND ST_Intersects(p.geom, s.query)" in text
        after_join = "WHERE ST_Intersects(e.geom, s.query)" in text
        assert in_join != after_join
        assert after_join == (z in tile_cells.OVERVIEW_ZOOMS)


def test_only_unfiltered_unscoped_tiles_of_the_services_are_read_from_the_cells(spread):
    with spread.connect() as conn:
        catalog = load_catalog(conn)
    services, vervoer = catalog["voorzieningen"], catalog["vervoer"]
    public = Visibility(("openbaar",))
    assert tiles.stored_levels(services, 10, public, None) == "openbaar"
    assert tiles.stored_levels(services, 10, public, {"thema": "vervoer"}) is None
    assert tiles.stored_levels(services, 10, Visibility(("openbaar",), ("GM0935",)), None) is None
    assert tiles.stored_levels(services, tiles.THIN_MAX_ZOOM + 1, public, None) is None
    assert tiles.stored_levels(services, min(tiles.STORED_ZOOMS) - 1, public, None) is None
    assert tiles.stored_levels(vervoer, 10, public, None) is None


def test_every_tile_from_the_cells_equals_the_live_count(spread, monkeypatch):
    assert assert_same_tiles(spread, monkeypatch) > 20


@pytest.mark.parametrize("z", [8, 10])  # polygon test after the strips' join, and in it
def test_the_stored_path_really_reads_the_cells(spread, z, monkeypatch):
    """A wrong count in tegel_cel shows in a tile whose middle holds it (not counted live)."""
    with spread.connect() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        lonlat = TO_WGS84.transform(176_750, 318_750)  # the dense block
        x, y = tile_xy(lonlat, z)
        before = decode(tiles.tile(conn, collection, z, x, y, Visibility(("openbaar",))))
        total = sum(f["properties"]["aantal"] for f in before["voorzieningen"]["features"])
        conn.execute(
            sa.text("UPDATE tegel_cel SET aantal = aantal + 1000 WHERE zoom = :z"), {"z": z}
        )
        after = decode(tiles.tile(conn, collection, z, x, y, Visibility(("openbaar",))))
        conn.rollback()
    grown = sum(f["properties"]["aantal"] for f in after["voorzieningen"]["features"])
    assert grown >= total + 1000


def test_cells_follow_inserts_updates_deletes_and_visibility(spread, monkeypatch):
    rng = random.Random(5)
    with spread.begin() as conn:
        org = _org(conn, "Later erbij")
        new = _services_at(
            conn, org, _positions(rng, 40, (176_000, 318_000, 178_000, 320_000)), ["vervoer"] * 40
        )
    with spread.begin() as conn:  # move some, hide some, delete some, one at a time and many
        conn.execute(
            sa.text(
                "UPDATE locatie SET geom = ST_Translate(geom, 350, -120) WHERE id IN "
                "(SELECT locatie_id FROM aanbod_locatie WHERE id = ANY(:ids))"
            ),
            {"ids": new[:10]},
        )
        conn.execute(
            sa.text(
                "UPDATE aanbod SET zichtbaarheid = 'intern' WHERE id IN "
                "(SELECT aanbod_id FROM aanbod_locatie WHERE id = ANY(:ids))"
            ),
            {"ids": new[10:20]},
        )
        conn.execute(
            sa.text("DELETE FROM aanbod_locatie WHERE id = ANY(:ids)"), {"ids": new[20:30]}
        )
        lowest = conn.execute(sa.text("SELECT min(id) FROM aanbod_locatie")).scalar_one()
        conn.execute(sa.text("DELETE FROM aanbod_locatie WHERE id = :id"), {"id": lowest})
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'professional' WHERE naam = 'Dicht'")
        )
        conn.execute(  # a property of the tiles only: the kept copy follows
            sa.text("UPDATE organisatie SET naam = 'Hernoemd' WHERE naam = 'Verspreid openbaar'")
        )
    with spread.connect() as conn:
        assert _cells(conn) == _cells_from_scratch(conn)
        kept = set(conn.execute(sa.text("SELECT id FROM tegel_punt")).scalars())
        differ = "SELECT count(*) FROM (TABLE tegel_punt EXCEPT TABLE tegel_punt_bron) x"
        assert conn.execute(sa.text(differ)).scalar_one() == 0
        names = conn.execute(
            sa.text("SELECT count(*) FROM tegel_punt WHERE organisatie = 'Hernoemd'")
        )
        assert names.scalar_one() >= 999  # the lowest id was deleted above
        assert not kept & set(new[20:30]) and lowest not in kept
    assert assert_same_tiles(spread, monkeypatch, zooms=(9, 10)) > 10


@pytest.mark.parametrize("z", [3, 6, 11, 12, 13, 15])
def test_other_zooms_read_the_copy_with_the_same_answer(spread, z, monkeypatch):
    """Below the kept zooms and above the thinning, tile.sql counts tegel_punt, not the view."""
    with spread.connect() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        public = Visibility(("openbaar",))
        assert tiles.reads_copy(collection, public, None, tiles.tile_properties(collection))
        assert not tiles.reads_copy(collection, public, {"thema": "vervoer"}, ["id"])
        assert not tiles.reads_copy(collection, public, None, ["id", "telefoon"])
        checked = 0
        for lonlat in _points(conn)[::50]:
            x, y = tile_xy(lonlat, z)
            for levels in LEVELS.values():
                copy = tiles.tile(conn, collection, z, x, y, Visibility(levels))
                with monkeypatch.context() as m:
                    m.setattr(tiles, "reads_copy", lambda *a: False)
                    live = tiles.tile(conn, collection, z, x, y, Visibility(levels))
                assert _features(copy) == _features(live), (z, x, y, levels)
                checked += bool(live)
    assert checked > 0


def test_tiles_with_other_properties_read_the_view_and_equal_the_live_count(spread, monkeypatch):
    """Properties tegel_punt does not hold: the kept features come from the view, their
    position projected there (tegel_punt's geom_webm is read only with its own columns)."""
    names = ("id", "straat", "plaats")
    checked = 0
    with spread.connect() as conn:
        collection = load_catalog(conn)["voorzieningen"]
        assert "t.geom_webm" not in tile_cells.stored_statement(collection, (8, 0, 0), names).text
        assert "t.geom_webm" in tile_cells.stored_statement(collection, (8, 0, 0), ["id"]).text
        for z, x, y in _tiles(conn, tiles.STORED_ZOOMS)[:12]:
            public = Visibility(("openbaar",))
            stored = tiles.tile(conn, collection, z, x, y, public, properties=names)
            with monkeypatch.context() as m:
                m.setattr(tiles, "stored_levels", lambda *a: None)
                live = tiles.tile(conn, collection, z, x, y, public, properties=names)
            assert _features(stored) == _features(live), (z, x, y)
            checked += bool(live)
    assert checked > 3

"""Serving cost flat in collection size (issue 17, point 2): the Feature text stored at write
time (migration 0020) equals what PostGIS builds, stays exact after writes through every
table the layer reads, and is what a cold page reads; large filters page from a sparse
index of anchors, equal to one uncached statement at every offset."""

import json

import pytest
import sqlalchemy as sa

from layers import feature_cache
from layers.cache import LayerCache
from layers.catalog import load_catalog
from layers.crs import CRS84, parse_crs
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, feature_sql, items_page

PUBLIC = ("openbaar",)
EVERYONE = ("openbaar", "professional", "intern")


@pytest.fixture(scope="module")
def catalog(demo_engine):
    with demo_engine.connect() as conn:
        return load_catalog(conn)


def _differences(conn, services) -> list:
    """Rows whose stored text differs from the text built now (or exists on one side only)."""
    return conn.execute(
        sa.text(
            f"SELECT coalesce(v.id, g.id) FROM (SELECT id, {feature_sql(services, CRS84)} AS f, "
            "zichtbaarheid::text AS z, gemeentecode, wijkcode, buurtcode "
            "FROM laag_voorzieningen) v FULL JOIN (SELECT * FROM laag_geojson "
            "WHERE laag = 'laag_voorzieningen') g ON g.id = v.id "
            "WHERE (v.f, v.z, v.gemeentecode, v.wijkcode, v.buurtcode) IS DISTINCT FROM "
            "(g.feature, g.zichtbaarheid, g.gemeentecode, g.wijkcode, g.buurtcode)"
        )
    ).all()


def _map_differences(conn) -> int:
    """Rows of kaart_punt (the map's points) that differ from the view they copy."""
    return (
        conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT * FROM kaart_punt EXCEPT SELECT * FROM kaart_punt_bron) "
                "a"
            )
        ).scalar_one()
        + conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT * FROM kaart_punt_bron EXCEPT SELECT * FROM kaart_punt) "
                "b"
            )
        ).scalar_one()
    )


def test_stored_text_equals_built_text(demo_engine, catalog):
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM laag_geojson WHERE laag = 'laag_voorzieningen'")
        ).scalar_one()
        assert stored > 1000
        assert _differences(conn, services) == []
        assert _map_differences(conn) == 0
        assert conn.execute(sa.text("SELECT count(*) FROM kaart_punt")).scalar_one() > 1000
    assert services.stored == "laag_voorzieningen"
    assert catalog["vervoer"].stored == "laag_voorzieningen"  # theme views share the text
    assert catalog["buurten"].stored is None


def test_every_table_of_the_layer_is_followed(demo_engine):
    with demo_engine.connect() as conn:
        read = conn.execute(sa.text("SELECT laag_tabellen('laag_voorzieningen')")).scalar_one()
        followed = conn.execute(
            sa.text("SELECT tabel FROM laag_geojson_volg WHERE laag = 'laag_voorzieningen'")
        ).scalars()
        assert set(followed) == set(read)


WRITES = [
    "UPDATE organisatie SET naam = naam || ' (nieuw)' WHERE id = (SELECT min(organisatie_id) "
    "FROM laag_voorzieningen)",
    "UPDATE aanbod SET kosten = 'gratis en nieuw' WHERE id IN (SELECT aanbod_id FROM "
    "aanbod_locatie ORDER BY id LIMIT 3)",
    "UPDATE locatie SET straat = 'Nieuwe Straat' WHERE id IN (SELECT locatie_id FROM "
    "aanbod_locatie ORDER BY id DESC LIMIT 2)",
    "UPDATE locatie SET geom = ST_Translate(geom, 25, 25) WHERE id IN (SELECT locatie_id FROM "
    "aanbod_locatie ORDER BY id LIMIT 1)",
    "DELETE FROM aanbod_thema WHERE aanbod_id IN (SELECT aanbod_id FROM aanbod_locatie "
    "ORDER BY id LIMIT 4)",
    "INSERT INTO aanbod_doelgroep (aanbod_id, doelgroep_slug) SELECT a.id, d.slug FROM "
    "(SELECT aanbod_id AS id FROM aanbod_locatie ORDER BY id LIMIT 5) a CROSS JOIN "
    "(SELECT slug FROM doelgroep ORDER BY slug LIMIT 1) d ON CONFLICT DO NOTHING",
    "DELETE FROM aanbod_locatie WHERE id IN (SELECT id FROM aanbod_locatie ORDER BY id LIMIT 2)",
    "UPDATE organisatie SET status = 'concept' WHERE id = (SELECT max(organisatie_id) "
    "FROM laag_voorzieningen)",
    "UPDATE aanbod_locatie SET zichtbaarheid = 'professional' WHERE id IN (SELECT id FROM "
    "aanbod_locatie ORDER BY id LIMIT 3)",
    "UPDATE gebied SET geom = ST_Translate(geom, 10, 0) WHERE code = (SELECT l.buurtcode FROM "
    "locatie l JOIN aanbod_locatie al ON al.locatie_id = l.id WHERE l.vertrouwelijk LIMIT 1)",
]


@pytest.mark.parametrize("write", WRITES)
def test_stored_text_stays_exact_after_a_write(demo_engine, catalog, write):
    """Each write (rolled back afterwards) changes the view; the rebuild at commit time
    (fired early with SET CONSTRAINTS) leaves no row that differs from a fresh build."""
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn:
        before = conn.execute(
            sa.text(
                "SELECT md5(string_agg(feature || zichtbaarheid, ',' ORDER BY id)) FROM laag_geojson"
            )
        ).scalar_one()
        changed = conn.execute(sa.text(write)).rowcount
        assert changed > 0
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
        after = conn.execute(
            sa.text(
                "SELECT md5(string_agg(feature || zichtbaarheid, ',' ORDER BY id)) FROM laag_geojson"
            )
        ).scalar_one()
        assert after != before
        assert _differences(conn, services) == []
        assert _map_differences(conn) == 0
        conn.rollback()


def test_a_cold_page_reads_the_stored_text(demo_engine, catalog):
    """A marker put in the stored text (and a new data version) shows in a cold page: the
    page did not build its features; restoring the row brings the built text back."""
    services = catalog["voorzieningen"]
    query = ItemsQuery(services, PUBLIC, limit=5)
    with demo_engine.connect() as conn:
        first = json.loads(f"[{items_page(conn, query).features}]")[0]["id"]
        conn.execute(
            sa.text(
                "UPDATE laag_geojson SET feature = replace(feature, '\"Feature\"', "
                "'\"Feature\", \"gemerkt\" : true') WHERE laag = 'laag_voorzieningen' AND id = :i"
            ),
            {"i": first},
        )
        conn.execute(sa.text("UPDATE data_versie SET versie = versie + 1 WHERE tabel = 'gebied'"))
        conn.commit()
        try:
            cold = cached_items_page(conn, query, LayerCache(16 << 20))
            assert json.loads(f"[{cold.features}]")[0].get("gemerkt") is True
        finally:
            conn.execute(
                sa.text("SELECT laag_geojson_vernieuwen('laag_voorzieningen', :ids)"),
                {"ids": [first]},
            )
            conn.execute(
                sa.text("UPDATE data_versie SET versie = versie + 1 WHERE tabel = 'gebied'")
            )
            conn.commit()
        again = cached_items_page(conn, query, LayerCache(16 << 20))
        assert again.features == items_page(conn, query).features


def test_other_crs_and_roles_are_built_per_caller(demo_engine, catalog):
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn:
        for visibility in (PUBLIC, EVERYONE):
            for crs in ("EPSG:28992", "EPSG:4326", None):
                args = {"limit": 60, "offset": 3}
                query = ItemsQuery(services, visibility, **args)
                if crs:
                    query.crs = parse_crs(crs)
                page = cached_items_page(conn, query, LayerCache(16 << 20))
                assert page.features == items_page(conn, query).features


@pytest.mark.parametrize("stride", [1, 7, 256])
def test_sparse_index_pages_equal_one_uncached_statement(demo_engine, catalog, monkeypatch, stride):
    monkeypatch.setattr(feature_cache, "MAX_ID_LIST", 50)
    monkeypatch.setattr(feature_cache, "STRIDE", stride)
    services = catalog["voorzieningen"]
    cache = LayerCache(16 << 20)
    with demo_engine.connect() as conn:
        total = items_page(conn, ItemsQuery(services, PUBLIC, limit=1)).number_matched
        offsets = [0, 1, 6, 7, 8, 255, 256, 257, 700, total - 3, total, total + 9]
        for offset in offsets:
            for visibility in (PUBLIC, EVERYONE):
                query = ItemsQuery(services, visibility, limit=31, offset=offset)
                expected = items_page(conn, query)
                for _ in range(2):  # cold, then from the cached index
                    page = cached_items_page(conn, query, cache)
                    assert (page.features, page.number_matched, page.more_after) == (
                        expected.features,
                        expected.number_matched,
                        expected.more_after,
                    ), offset
    assert any(isinstance(v, feature_cache.Sparse) for v, _ in cache._entries.values())


@pytest.mark.parametrize("dummies", [0, 6000], ids=["one-pass", "semi-join"])
def test_many_ids_at_once_store_the_same_text(demo_engine, catalog, dummies):
    """Migration 0022: over 1000 ids take one pass over the view (most of the layer) or a
    hashed semi-join (a small part of a large layer); both store what the view shows and
    drop stored rows the view no longer has."""
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            sa.text(
                "INSERT INTO laag_geojson (laag, id, feature) "
                "SELECT 'laag_voorzieningen', -g, '{}' FROM generate_series(1, :n) g"
            ),
            {"n": dummies},
        )
        real = conn.execute(
            sa.text(
                "SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM laag_voorzieningen "
                "ORDER BY id LIMIT 300) x"
            )
        ).scalar_one()
        conn.execute(
            sa.text(
                "UPDATE laag_geojson SET feature = 'oud' WHERE laag = 'laag_voorzieningen' "
                "AND id = ANY(:ids)"
            ),
            {"ids": real},
        )
        gone = list(range(-1, -1001, -1))  # stored, not in the view: must be dropped
        conn.execute(
            sa.text("SELECT laag_geojson_vernieuwen('laag_voorzieningen', :ids)"),
            {"ids": real + gone},
        )
        left = conn.execute(
            sa.text(
                "SELECT count(*) FROM laag_geojson WHERE laag = 'laag_voorzieningen' AND id < 0"
            )
        ).scalar_one()
        assert [d for d in _differences(conn, services) if d[0] > 0] == []
        # one pass drops every stored row the view lacks; the semi-join only those asked for
        assert left == (0 if dummies == 0 else dummies - 1000)
        tx.rollback()

"""Cached layer reads are exact: the same pages as one uncached statement, before and
after writes, and never poisoned by a transaction that rolls back."""

import pytest
import sqlalchemy as sa

from layers import feature_cache
from layers.cache import LayerCache
from layers.catalog import load_catalog
from layers.crs import parse_crs
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, items_page

PUBLIC = ("openbaar",)
FIELDS = (
    "features",
    "number_matched",
    "number_returned",
    "first_id",
    "last_id",
    "more_after",
    "more_before",
)


def _fields(page):
    return tuple(getattr(page, f) for f in FIELDS)


@pytest.fixture(scope="module")
def catalog(demo_engine):
    with demo_engine.connect() as conn:
        return load_catalog(conn)


def _queries(catalog, demo_engine):
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn:
        middle = conn.execute(
            sa.text("SELECT id FROM laag_voorzieningen ORDER BY id OFFSET 300 LIMIT 1")
        ).scalar_one()
    return [
        ItemsQuery(services, PUBLIC, limit=50),
        ItemsQuery(services, PUBLIC, limit=100, offset=1200),
        ItemsQuery(services, PUBLIC, limit=40, after=middle),
        ItemsQuery(services, PUBLIC, limit=40, before=middle),
        ItemsQuery(services, PUBLIC, limit=500, bbox=(5.66, 50.83, 5.72, 50.87)),
        ItemsQuery(services, PUBLIC, limit=30, crs=parse_crs("EPSG:28992")),
        ItemsQuery(services, PUBLIC, limit=30, crs=parse_crs("EPSG:4326")),
        ItemsQuery(services, PUBLIC, properties={"gemeentecode": "GM0917"}),
        ItemsQuery(services, PUBLIC, properties={"thema": "vervoer"}),
        ItemsQuery(services, ("openbaar", "professional", "intern"), limit=20),
        ItemsQuery(catalog["wijken"], PUBLIC, limit=10, offset=5),
        ItemsQuery(services, PUBLIC, limit=25, offset=7, after=middle),
        ItemsQuery(services, PUBLIC, limit=25, offset=7, before=middle),
        ItemsQuery(services, PUBLIC, limit=25, offset=290, before=middle),
        ItemsQuery(services, PUBLIC, limit=10, offset=10**6),
    ]


def test_cached_pages_equal_one_uncached_statement(demo_engine, catalog):
    cache = LayerCache(64 << 20)
    queries = _queries(catalog, demo_engine)
    with demo_engine.connect() as conn:
        expected = [_fields(items_page(conn, q)) for q in queries]
        cold = [_fields(cached_items_page(conn, q, cache)) for q in queries]
        # Pages whose text came joined from SQL (boxes, counted blocks) keep no feature
        # texts; the second read keeps them, the third reuses every one.
        second = [_fields(cached_items_page(conn, q, cache)) for q in queries]
        hits_before = cache.hits
        warm = [_fields(cached_items_page(conn, q, cache)) for q in queries]
    assert cold == expected
    assert second == expected
    assert warm == expected
    assert cache.hits - hits_before >= sum(e[2] for e in expected)  # every feature reused
    assert expected[3][2] == 40 and expected[3][6] and expected[-1][2] == 0
    assert 0 < expected[-2][2] < 25  # only a few left before the cursor after skipping 290


def test_public_cache_never_serves_internal_features(demo_engine, catalog):
    cache = LayerCache(64 << 20)
    services = catalog["voorzieningen"]
    with demo_engine.connect() as conn:
        everything = cached_items_page(
            conn, ItemsQuery(services, ("openbaar", "intern"), limit=10000), cache
        )
        public = cached_items_page(conn, ItemsQuery(services, PUBLIC, limit=10000), cache)
        internal = conn.execute(
            sa.text("SELECT count(*) FROM laag_voorzieningen WHERE zichtbaarheid = 'intern'")
        ).scalar()
    assert internal > 0
    assert everything.number_matched - public.number_matched == internal
    assert (
        public.features
        == items_page(demo_engine.connect(), ItemsQuery(services, PUBLIC, limit=10000)).features
    )


def test_a_committed_write_is_seen_at_once(demo_engine, catalog):
    cache = LayerCache(64 << 20)
    services = catalog["voorzieningen"]
    query = ItemsQuery(services, PUBLIC, limit=10000)
    with demo_engine.connect() as conn:
        first = cached_items_page(conn, query, cache)
        conn.rollback()
    with demo_engine.begin() as conn:
        org, old_name, locations = conn.execute(
            sa.text(
                "SELECT o.id, o.naam, count(*) FROM organisatie o JOIN laag_voorzieningen v "
                "ON v.organisatie_id = o.id WHERE o.zichtbaarheid = 'openbaar' "
                "GROUP BY o.id ORDER BY o.id LIMIT 1"
            )
        ).one()
        conn.execute(
            sa.text("UPDATE organisatie SET naam = 'Nieuwe Naam Cachetest' WHERE id = :id"),
            {"id": org},
        )
    try:
        with demo_engine.connect() as conn:
            renamed = cached_items_page(conn, query, cache)
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = :id"),
                {"id": org},
            )
        with demo_engine.connect() as conn:
            hidden = cached_items_page(conn, query, cache)
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE organisatie SET naam = :naam, zichtbaarheid = 'openbaar' WHERE id = :id"
                ),
                {"id": org, "naam": old_name},
            )
    assert renamed.version > first.version
    assert "Nieuwe Naam Cachetest" in renamed.features
    assert "Nieuwe Naam Cachetest" not in first.features
    assert hidden.number_matched == first.number_matched - locations
    with demo_engine.connect() as conn:
        restored = cached_items_page(conn, query, cache)
    assert restored.features == first.features and restored.version > hidden.version


def test_a_rolled_back_write_never_reaches_the_cache(demo_engine, catalog):
    cache = LayerCache(64 << 20)
    query = ItemsQuery(catalog["voorzieningen"], PUBLIC, limit=10000)
    with demo_engine.connect() as conn:
        before = cached_items_page(conn, query, cache)
        conn.rollback()
        conn.execute(
            sa.text(
                "UPDATE organisatie SET naam = 'Nooit Bewaard' "
                "WHERE id = (SELECT min(organisatie_id) FROM laag_voorzieningen)"
            )
        )
        inside = cached_items_page(conn, query, cache)
        conn.rollback()
        after = cached_items_page(conn, query, cache)
    assert inside.version is None and "Nooit Bewaard" in inside.features
    assert after.features == before.features and after.version == before.version


def test_large_filters_keep_their_ids_in_the_database(demo_engine, catalog, monkeypatch):
    monkeypatch.setattr(feature_cache, "MAX_ID_LIST", 100)
    cache = LayerCache(64 << 20)
    queries = _queries(catalog, demo_engine)
    with demo_engine.connect() as conn:
        expected = [_fields(items_page(conn, q)) for q in queries]
        cold = [_fields(cached_items_page(conn, q, cache)) for q in queries]
        warm = [_fields(cached_items_page(conn, q, cache)) for q in queries]
    assert cold == expected and warm == expected


def test_lru_keeps_within_its_budget():
    cache = LayerCache(1000)
    cache.put_many((("k", i), "x" * 150) for i in range(10))
    assert cache.size <= 1000
    assert cache.get(("k", 0)) is None and cache.get(("k", 9)) == "x" * 150
    cache.put(("big",), "y" * 2000)  # larger than the whole budget: not kept
    assert cache.get(("big",)) is None
    off = LayerCache(0)
    off.put(("k",), "v")
    assert not off.enabled and off.get(("k",)) is None

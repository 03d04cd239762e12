"""Extents and counts through the layer cache: reused while the data version is unchanged,
exact at once after a write (no time-to-live), and not cached inside a writing transaction."""

import pytest
import sqlalchemy as sa

from layers.cache import LayerCache
from layers.catalog import load_catalog
from layers.feature_cache import cached_extent
from layers.features import extent

PUBLIC = ("openbaar",)


@pytest.fixture(scope="module")
def services(demo_engine):
    with demo_engine.connect() as conn:
        return load_catalog(conn)["voorzieningen"]


def _one_public_organisation(conn):
    return conn.execute(
        sa.text(
            "SELECT o.id, count(*) FROM organisatie o JOIN laag_voorzieningen v "
            "ON v.organisatie_id = o.id WHERE o.zichtbaarheid = 'openbaar' "
            "GROUP BY o.id ORDER BY o.id DESC LIMIT 1"
        )
    ).one()


def test_extent_is_reused_and_exact_after_a_write(demo_engine, services):
    cache = LayerCache(1 << 20)
    with demo_engine.connect() as conn:
        first = cached_extent(conn, services, PUBLIC, cache)
        hits = cache.hits
        again = cached_extent(conn, services, PUBLIC, cache)
        assert again == first == extent(conn, services, PUBLIC) and cache.hits == hits + 1
        org, rows = _one_public_organisation(conn)
    with demo_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = :id"), {"id": org}
        )
    try:
        with demo_engine.connect() as conn:
            hidden = cached_extent(conn, services, PUBLIC, cache)
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET zichtbaarheid = 'openbaar' WHERE id = :id"),
                {"id": org},
            )
    assert hidden[1] == first[1] - rows
    with demo_engine.connect() as conn:
        assert cached_extent(conn, services, PUBLIC, cache) == first


def test_no_extent_is_cached_inside_a_writing_transaction(demo_engine, services):
    cache = LayerCache(1 << 20)
    with demo_engine.connect() as conn:
        org, rows = _one_public_organisation(conn)
        before = extent(conn, services, PUBLIC)
        conn.execute(
            sa.text("UPDATE organisatie SET zichtbaarheid = 'intern' WHERE id = :id"), {"id": org}
        )
        inside = cached_extent(conn, services, PUBLIC, cache)
        conn.rollback()
        after = cached_extent(conn, services, PUBLIC, cache)
    assert inside[1] == before[1] - rows and after == before


def test_disabled_cache_reads_the_database(demo_engine, services):
    with demo_engine.connect() as conn:
        assert cached_extent(conn, services, PUBLIC, LayerCache(0)) == extent(
            conn, services, PUBLIC
        )
        assert cached_extent(conn, services, PUBLIC, None) == extent(conn, services, PUBLIC)

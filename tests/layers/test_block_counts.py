"""Counts and offset anchors kept at write time (migration 0024, ``layers.block_counts``).

A test layer of 3000 rows with ids spread over about 100 blocks of 1024 and three
visibility levels, stored in laag_geojson like laag_voorzieningen. ``laag_telling`` must
equal a GROUP BY over ``laag_geojson`` after every kind of write (insert, update, a
visibility change, delete, truncate, a rollback, two writers at once), and pages read from
it must equal the one uncached statement (``features.items_page``) at many offsets.
"""

import json
import threading

import pytest
import sqlalchemy as sa

from geo.db import make_engine
from layers import feature_cache, page_texts
from layers.block_counts import covers
from layers.cache import LayerCache
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, items_page
from layers.visibility import Visibility
from tests.layers.stored_layer import collection_of, create_point_table, publish_stored

TABLE, VIEW = "telproef", "laag_telproef"
LEVELS = ("openbaar", "professional", "intern")
ROWS = 3000


def _insert(conn, ids_sql: str, **params) -> None:
    conn.execute(
        sa.text(
            f"INSERT INTO {TABLE} (id, naam, zichtbaarheid, gemeentecode, wijkcode, buurtcode, geom) "
            "SELECT g, 'rij ' || g, (ARRAY['openbaar','professional','intern'])[1 + g % 3], "
            "'GM0917', 'WK091701', 'BU09170101', "
            "ST_SetSRID(ST_MakePoint(190000 + g % 1000, 320000 + g / 1000), 28992) "
            f"FROM ({ids_sql}) x(g)"
        ),
        params,
    )


@pytest.fixture(scope="module")
def engine(databases):
    engine = make_engine(databases.create())
    with engine.begin() as conn:
        create_point_table(conn, TABLE)
        # ids 1, 35, 69, ...: gaps, about 100 blocks
        _insert(conn, "SELECT 1 + 34 * s FROM generate_series(0, :n - 1) s", n=ROWS)
        publish_stored(conn, TABLE, VIEW, "Telproef")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def layer(engine):
    return collection_of(engine, VIEW)


def _counts(conn) -> tuple[set, set]:
    kept = conn.execute(
        sa.text("SELECT laag, zichtbaarheid, blok, aantal FROM laag_telling WHERE aantal <> 0")
    ).all()
    truth = conn.execute(
        sa.text(
            "SELECT laag, coalesce(zichtbaarheid, ''), id >> 10, count(*) FROM laag_geojson "
            "GROUP BY 1, 2, 3"
        )
    ).all()
    return {tuple(r) for r in kept}, {tuple(r) for r in truth}


def _assert_exact(engine, layer, cache) -> None:
    with engine.connect() as conn:
        kept, truth = _counts(conn)
        assert kept == truth
        for levels in [("openbaar",), LEVELS]:
            expected = conn.execute(
                sa.text(f"SELECT count(*) FROM {TABLE} WHERE zichtbaarheid = ANY(:z)"),
                {"z": list(levels)},
            ).scalar_one()
            page = cached_items_page(conn, ItemsQuery(layer, levels, limit=5), cache)
            assert page.number_matched == expected


def _ids(page) -> list:
    return [f["id"] for f in json.loads(f"[{page.features}]")]


def _same(conn, query, cache=None) -> None:
    """The page through the cache (a new one: the first request after a write) equals the
    uncached statement."""
    fast = cached_items_page(conn, query, cache or LayerCache(32 << 20))
    slow = items_page(conn, query)
    assert _ids(fast) == _ids(slow)
    assert fast.features == slow.features
    assert (fast.number_matched, fast.number_returned, fast.more_after, fast.more_before) == (
        slow.number_matched,
        slow.number_returned,
        slow.more_after,
        slow.more_before,
    )


@pytest.fixture
def only_blocks(monkeypatch):
    """Fail if a page leaves the block path (so the comparison really tests it)."""

    def fail(*_args, **_kwargs):
        raise AssertionError("page not read from the block counts")

    monkeypatch.setattr(feature_cache, "_page_by_sql", fail)
    monkeypatch.setattr(feature_cache, "_build_index", fail)
    # the stored text comes with the ids, in the same statement
    monkeypatch.setattr(page_texts, "stored", fail)


@pytest.mark.parametrize("levels", [("openbaar",), ("openbaar", "professional"), LEVELS])
def test_pages_equal_the_uncached_statement_at_many_offsets(engine, layer, levels, only_blocks):
    with engine.connect() as conn:
        total = items_page(conn, ItemsQuery(layer, levels, limit=1)).number_matched
        offsets = [0, 1, 2, 333, 1023, 1024, 1025, total - 7, total - 1, total, total + 50]
        offsets += list(range(0, total, 97))
        for offset in offsets:
            for limit in (1, 10, 100):
                query = ItemsQuery(layer, levels, limit=limit, offset=offset)
                assert covers(query, "laag_geojson")
                _same(conn, query)


def test_cursor_pages_with_offsets_equal_the_uncached_statement(engine, layer, only_blocks):
    with engine.connect() as conn:
        ids = conn.execute(sa.text(f"SELECT id FROM {TABLE} ORDER BY id")).scalars().all()
        for after in [ids[0], ids[5], ids[700], ids[-3], ids[-1], 0, 10**9]:
            for offset in (0, 1, 30, 1500):
                query = ItemsQuery(layer, ("openbaar",), limit=25, offset=offset, after=after)
                _same(conn, query)


@pytest.mark.parametrize("max_ids", [500, 200_000])
def test_warm_pages_through_one_cache_equal_too(engine, layer, monkeypatch, max_ids):
    """First request of a version: block counts; then the kept index (sparse above
    ``MAX_ID_LIST``); after a write to a large filter: block counts again, no index build."""
    monkeypatch.setattr(feature_cache, "MAX_ID_LIST", max_ids)
    cache = LayerCache(32 << 20)
    with engine.connect() as conn:
        for rounds in range(2):
            for offset in (0, 611, 1500):
                for _ in range(3):
                    _same(conn, ItemsQuery(layer, LEVELS, limit=40, offset=offset), cache)
            conn.rollback()
            with engine.begin() as write:
                write.execute(sa.text(f"UPDATE {TABLE} SET naam = 'ronde {rounds}' WHERE id = 35"))


def test_scoped_and_before_cursor_pages_take_the_general_path(engine, layer):
    cache = LayerCache(32 << 20)
    scoped = Visibility(("openbaar",), ("GM0917",))
    with engine.connect() as conn:
        for query in [
            ItemsQuery(layer, scoped, limit=50, offset=1200),
            ItemsQuery(layer, ("openbaar",), limit=50, offset=3, before=40_000),
            ItemsQuery(layer, ("openbaar",), limit=50, bbox=(5.0, 50.0, 7.0, 52.0)),
        ]:
            assert not covers(query, feature_cache._source(query, "TRUE", {})[0])
            _same(conn, query, cache)


def test_cold_bbox_pages_equal_the_uncached_statement(engine, layer, monkeypatch):
    """A box reads its matching rows once for page, count, bounds and stored text."""

    def fail(*_args, **_kwargs):
        raise AssertionError("stored text not read with the page's ids")

    monkeypatch.setattr(page_texts, "stored", fail)
    with engine.connect() as conn:
        box = conn.execute(
            sa.text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
                f"ST_Extent(ST_Transform(geom, 4326)) AS e FROM {TABLE} "
                "WHERE id % 1000 BETWEEN 100 AND 400) x"
            )
        ).one()
        for levels in [("openbaar",), LEVELS]:
            for offset, after in [(0, None), (7, None), (400, None), (0, 20_000), (5, 20_000)]:
                query = ItemsQuery(
                    layer, levels, limit=30, offset=offset, after=after, bbox=tuple(box)
                )
                _same(conn, query)
                assert 0 < items_page(conn, query).number_matched < ROWS


def test_counts_stay_exact_across_writes(engine, layer):
    cache = LayerCache(32 << 20)  # kept across the writes: the version keys every entry
    _assert_exact(engine, layer, cache)
    with engine.begin() as conn:  # insert, in a new block and in existing ones
        _insert(conn, "SELECT g FROM generate_series(500000, 500100) g")
        _insert(conn, "SELECT 2 + 34 * s FROM generate_series(0, 40) s")
    _assert_exact(engine, layer, cache)
    with engine.begin() as conn:  # visibility changes move rows between levels
        conn.execute(sa.text(f"UPDATE {TABLE} SET zichtbaarheid = 'openbaar' WHERE id % 5 = 0"))
        conn.execute(sa.text(f"UPDATE {TABLE} SET naam = 'nieuw' WHERE id % 7 = 0"))
    _assert_exact(engine, layer, cache)
    with engine.begin() as conn:  # delete, emptying whole blocks
        conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE id BETWEEN 2000 AND 9000 OR id > 500050"))
    _assert_exact(engine, layer, cache)
    with engine.connect() as conn:  # a rollback leaves the counts as they were
        before = _counts(conn)[0]
        conn.rollback()
        with conn.begin() as tx:
            conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE id < 50000"))
            conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # store the text now
            assert _counts(conn)[0] != before
            tx.rollback()
        assert _counts(conn)[0] == before
        conn.rollback()
    _assert_exact(engine, layer, cache)
    with engine.begin() as conn:  # a TRUNCATE of the source: the layer is stored again
        saved = conn.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
        conn.execute(sa.text(f"CREATE TEMP TABLE kopie AS SELECT * FROM {TABLE}"))
        conn.execute(sa.text(f"TRUNCATE {TABLE}"))
        conn.execute(sa.text(f"INSERT INTO {TABLE} SELECT * FROM kopie"))
    _assert_exact(engine, layer, cache)
    with engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar_one() == saved


def test_two_writers_at_once_keep_counts_exact(engine, layer):
    """Two connections write overlapping blocks at the same time, in several transactions.

    (Writers of one table wait for each other on its data_versie row; the counts must add
    up whatever order their commits take.)
    """
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for step in range(6):
                a = start + 500 * step
                with engine.begin() as conn:
                    _insert(conn, "SELECT g FROM generate_series(:a, :a + 400, 2) g", a=a)
                    conn.execute(
                        sa.text(
                            f"UPDATE {TABLE} SET zichtbaarheid = 'intern' "
                            "WHERE id BETWEEN :a AND :a + 100"
                        ),
                        {"a": a},
                    )
                    conn.execute(
                        sa.text(f"DELETE FROM {TABLE} WHERE id BETWEEN :a AND :a + 20"),
                        {"a": a + 200},
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # Even and odd ids in the same blocks (600000 ... 603000).
    threads = [threading.Thread(target=write, args=(a,)) for a in (600_000, 600_001)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    _assert_exact(engine, layer, LayerCache(32 << 20))


def test_migration_fills_counts_for_existing_rows(engine):
    with engine.connect() as conn:
        kept, truth = _counts(conn)
        assert kept == truth and any(r[0] == VIEW for r in kept)
        assert (
            any(r[0] == "laag_voorzieningen" for r in kept)
            or not conn.execute(sa.text("SELECT count(*) FROM laag_voorzieningen")).scalar_one()
        )


def test_cursor_walk_of_a_large_filter_is_one_statement_a_page(engine, layer, monkeypatch):
    """GDAL's full copy: next links by cursor over a filter larger than ``MAX_ID_LIST``,
    through its sparse index and, after a write, its counted blocks. Every page equals the
    uncached statement and costs one statement, with its text joined in SQL (never built
    or read per feature)."""
    monkeypatch.setattr(feature_cache, "MAX_ID_LIST", 500)

    def fail(*_args, **_kwargs):
        raise AssertionError("feature text not joined in the page's statement")

    monkeypatch.setattr(page_texts, "stored", fail)
    monkeypatch.setattr(page_texts, "build", fail)
    statements: list[str] = []
    cache = LayerCache(32 << 20)
    with engine.connect() as conn:
        for offset in (0, 611, 1500):  # blocks, then the sparse index is built (and kept)
            cached_items_page(conn, ItemsQuery(layer, LEVELS, limit=40, offset=offset), cache)
        conn.rollback()
        sa.event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for walk in range(2):  # at the sparse index's version, then after a write
            after, seen = None, 0
            while True:
                query = ItemsQuery(layer, LEVELS, limit=250, after=after)
                before = len(statements)
                page = cached_items_page(conn, query, cache)
                # after the write, the first page finds the sparse index outdated
                assert len(statements) - before == (2 if walk and after is None else 1)
                slow = items_page(conn, query)
                assert page.features == slow.features
                assert (page.number_matched, page.number_returned, page.more_after) == (
                    slow.number_matched,
                    slow.number_returned,
                    slow.more_after,
                )
                seen, after = seen + page.number_returned, page.last_id
                if not page.more_after:
                    break
            assert seen == page.number_matched > 2000
            conn.rollback()
            with engine.begin() as write:
                write.execute(
                    sa.text(f"UPDATE {TABLE} SET naam = 'wandeling {walk}' WHERE id = 35")
                )

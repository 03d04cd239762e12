"""Box pages from the stored rows' positions (migration 0027, ``laag_plek``).

A test layer stored like laag_voorzieningen. ``laag_geojson.geom`` must equal the view's
geometry and ``laag_plek`` must hold exactly the stored rows that have one, with their
visibility and codes, after every kind of write (insert, a move smaller than the Feature
text's rounding, a visibility or code change, a geometry removed and given back, delete,
truncate, a rollback). Box pages read from it must equal the one uncached statement for
many boxes, roles and offsets; and a box's rows must lie together on few table pages,
which is what the copy is for.
"""

import json
import random

import pytest
import sqlalchemy as sa

from geo.db import make_engine
from layers import feature_cache
from layers.cache import LayerCache
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, items_page
from layers.visibility import Visibility
from tests.layers.stored_layer import collection_of, create_point_table, publish_stored

TABLE, VIEW = "plekproef", "laag_plekproef"
LEVELS = ("openbaar", "professional", "intern")
SIDE = 60  # a grid of SIDE x SIDE points, 40 m apart, in random id order


@pytest.fixture(scope="module")
def engine(databases):
    engine = make_engine(databases.create())
    ids = list(range(1, SIDE * SIDE + 1))
    random.Random(17).shuffle(ids)
    with engine.begin() as conn:
        create_point_table(conn, TABLE)
        conn.execute(
            sa.text(
                f"INSERT INTO {TABLE} SELECT i, 'plek ' || i, "
                "(ARRAY['openbaar','professional','intern'])[1 + i % 3], "
                "CASE WHEN i % 2 = 0 THEN 'GM0917' ELSE 'GM0935' END, NULL, NULL, "
                "ST_SetSRID(ST_MakePoint(180000 + 40 * (k % :side), 318000 + 40 * (k / :side)), "
                "28992) FROM unnest(CAST(:ids AS bigint[])) WITH ORDINALITY AS u(i, k)"
            ),
            {"ids": ids, "side": SIDE},
        )
        publish_stored(conn, TABLE, VIEW, "Plekproef")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def layer(engine):
    return collection_of(engine, VIEW)


def _assert_exact(conn) -> None:
    """laag_geojson's geometry is the view's; laag_plek is laag_geojson's rows with one."""
    stored = conn.execute(
        sa.text("SELECT id, ST_AsEWKB(geom) FROM laag_geojson WHERE laag = :l"), {"l": VIEW}
    ).all()
    view = conn.execute(sa.text(f"SELECT id, ST_AsEWKB(geom) FROM {VIEW}")).all()  # noqa: S608
    assert sorted(stored) == sorted(view)
    columns = "laag, id, zichtbaarheid, gemeentecode, wijkcode, buurtcode, ST_AsEWKB(geom)"
    kept = conn.execute(sa.text(f"SELECT {columns} FROM laag_plek")).all()
    truth = conn.execute(
        sa.text(f"SELECT {columns} FROM laag_geojson WHERE geom IS NOT NULL")
    ).all()
    assert sorted(kept) == sorted(truth)


def _places(conn) -> int:
    return conn.execute(
        sa.text("SELECT count(*) FROM laag_plek WHERE laag = :l"), {"l": VIEW}
    ).scalar_one()


def _box(conn, x0: float, y0: float, x1: float, y1: float) -> tuple:
    """An RD rectangle as a CRS84 bbox (the usual request)."""
    row = conn.execute(
        sa.text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Transform("
            "ST_MakeEnvelope(:x0, :y0, :x1, :y1, 28992), 4326) AS e) b"
        ),
        {"x0": x0, "y0": y0, "x1": x1, "y1": y1},
    ).one()
    return tuple(row)


def _ids(page) -> list:
    return [f["id"] for f in json.loads(f"[{page.features}]")]


def _same(conn, query, cache=None) -> None:
    fast = cached_items_page(conn, query, cache or LayerCache(32 << 20))
    slow = items_page(conn, query)
    assert _ids(fast) == _ids(slow)
    assert fast.features == slow.features
    assert (fast.number_matched, fast.number_returned, fast.more_after) == (
        slow.number_matched,
        slow.number_returned,
        slow.more_after,
    )


def test_the_first_fill_stores_every_place(engine):
    with engine.connect() as conn:
        _assert_exact(conn)
        assert _places(conn) == SIDE * SIDE


def test_a_box_reads_the_places_and_equals_the_uncached_statement(engine, layer, monkeypatch):
    seen = []
    real = feature_cache._source

    def spy(query, where, params):
        seen.append(real(query, where, params))
        return seen[-1]

    monkeypatch.setattr(feature_cache, "_source", spy)
    rng = random.Random(5)
    with engine.connect() as conn:
        for _ in range(12):
            x0, y0 = 180000 + rng.uniform(-100, 2000), 318000 + rng.uniform(-100, 2000)
            box = _box(conn, x0, y0, x0 + rng.uniform(10, 900), y0 + rng.uniform(10, 900))
            for levels in [("openbaar",), LEVELS, Visibility(("openbaar",), ("GM0917",))]:
                for offset in (0, 3, 250):
                    _same(conn, ItemsQuery(layer, levels, limit=40, offset=offset, bbox=box))
    assert {src for src, _ in seen} == {"laag_plek"}


def test_a_box_with_other_filters_reads_the_view(engine, layer):
    with engine.connect() as conn:
        box = _box(conn, 180000, 318000, 181000, 319000)
        query = ItemsQuery(layer, LEVELS, limit=10, bbox=box, properties={"naam": "plek 7"})
        assert feature_cache._source(query, "TRUE", {})[0] == VIEW
        _same(conn, query)


def test_the_rows_of_a_box_lie_on_few_table_pages(engine):
    """Written in order of place: a small box's rows share pages (in id order, the
    shuffled ids would put almost every row on a page of its own)."""
    with engine.connect() as conn:
        rows, pages = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT (ctid::text::point)[0]) FROM laag_plek "
                "WHERE geom && ST_MakeEnvelope(180400, 318400, 180800, 318800, 28992)"
            )
        ).one()
    assert rows == 121
    assert pages <= rows // 10


@pytest.mark.parametrize(
    "write",
    [
        # a move of 1 mm: the Feature text (7 decimals) may not change, the place does
        f"UPDATE {TABLE} SET geom = ST_Translate(geom, 0.001, 0) WHERE id % 50 = 0",
        f"UPDATE {TABLE} SET geom = ST_Translate(geom, 555, -300) WHERE id % 97 = 1",
        f"UPDATE {TABLE} SET zichtbaarheid = 'intern' WHERE id % 11 = 0",
        f"UPDATE {TABLE} SET gemeentecode = 'GM0888', wijkcode = 'WK088801' WHERE id % 13 = 0",
        f"UPDATE {TABLE} SET geom = NULL WHERE id % 17 = 0",
        f"UPDATE {TABLE} SET geom = ST_SetSRID(ST_MakePoint(181000, 319000), 28992) "
        "WHERE geom IS NULL",
        f"UPDATE {TABLE} SET naam = naam || '!' WHERE id % 5 = 0",
        f"DELETE FROM {TABLE} WHERE id % 19 = 0",
        f"INSERT INTO {TABLE} SELECT 100000 + i, 'nieuw', 'openbaar', 'GM0917', NULL, NULL, "
        "ST_SetSRID(ST_MakePoint(180500 + i, 318500), 28992) FROM generate_series(1, 30) i",
    ],
)
def test_places_stay_exact_after_every_kind_of_write(engine, layer, write):
    with engine.begin() as conn:
        conn.execute(sa.text(write))
    with engine.connect() as conn:
        _assert_exact(conn)
        box = _box(conn, 180300, 318300, 181100, 319100)
        for levels in [("openbaar",), LEVELS]:
            _same(conn, ItemsQuery(layer, levels, limit=50, offset=5, bbox=box))


def test_a_rolled_back_write_leaves_the_places(engine):
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*), max(id) FROM laag_plek")).one()
        conn.rollback()
        write = conn.begin()
        conn.execute(sa.text(f"UPDATE {TABLE} SET geom = NULL"))
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # the commit's work, now
        assert _places(conn) == 0
        write.rollback()
        assert conn.execute(sa.text("SELECT count(*), max(id) FROM laag_plek")).one() == before
        _assert_exact(conn)


def test_a_whole_layer_pass_and_a_truncate(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT laag_geojson_vernieuwen(:v, NULL)"), {"v": VIEW})
    with engine.connect() as conn:
        _assert_exact(conn)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {TABLE}"))
    with engine.connect() as conn:
        _assert_exact(conn)
        assert _places(conn) == 0
    with engine.connect() as conn, conn.begin() as write:  # laag_geojson itself emptied
        conn.execute(sa.text("TRUNCATE laag_geojson"))
        assert conn.execute(sa.text("SELECT count(*) FROM laag_plek")).scalar_one() == 0
        write.rollback()

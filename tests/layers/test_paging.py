"""Keyset paging without a Flask app: the SQL helper, and cursors from ``layers.ogc_params``
walked over the demo database with a plain connection (cached and uncached agree)."""

import json

import pytest
import sqlalchemy as sa

from layers.cache import LayerCache
from layers.catalog import load_catalog
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, items_page
from layers.ogc_params import encode_cursor, filter_checksum, items_query
from layers.paging import keyset, page_ids_sql, page_params

PUBLIC = ("openbaar",)


@pytest.fixture(scope="module")
def services(demo_engine):
    with demo_engine.connect() as conn:
        return load_catalog(conn)["voorzieningen"]


def test_keyset_sql(services):
    assert keyset(ItemsQuery(services, PUBLIC)) == ("", "id")
    assert keyset(ItemsQuery(services, PUBLIC, after=5)) == (" AND id > :after", "id")
    assert keyset(ItemsQuery(services, PUBLIC, before=5)) == (" AND id < :before", "id DESC")
    query = ItemsQuery(services, PUBLIC, limit=7, offset=3, before=9)
    assert page_ids_sql('"v"', "TRUE", query) == (
        'SELECT id FROM "v" WHERE TRUE AND id < :before ORDER BY id DESC LIMIT :limit OFFSET :offset'
    )
    assert page_params(query) == {"limit": 7, "offset": 3, "after": None, "before": 9}


def _walk(conn, services, args, read):
    """Follow next cursors from the first page to the last: all ids, in order."""
    seen, cursor = [], None
    while True:
        query = items_query({**args, **({"cursor": cursor} if cursor else {})}, services, PUBLIC)
        page = read(conn, query)
        seen += [int(i) for i in _ids(page)]
        if not page.more_after:
            return seen, page.number_matched
        cursor = encode_cursor("after", page.last_id, filter_checksum(args, services))


def _ids(page):
    return [f["id"] for f in json.loads(f"[{page.features}]")]


@pytest.mark.parametrize("cached", [False, True])
def test_cursor_walk_visits_every_feature_once(demo_engine, services, cached):
    args = {"gemeentecode": "GM0917", "limit": "37"}
    cache = LayerCache(16 << 20)
    read = (lambda c, q: cached_items_page(c, q, cache)) if cached else items_page
    with demo_engine.connect() as conn:
        seen, matched = _walk(conn, services, args, read)
        expected = (
            conn.execute(
                sa.text(
                    "SELECT id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' "
                    "AND gemeentecode = 'GM0917' ORDER BY id"
                )
            )
            .scalars()
            .all()
        )
    assert seen == expected and matched == len(expected) > 37


def test_before_cursor_gives_the_previous_page(demo_engine, services):
    args = {"limit": "25"}
    with demo_engine.connect() as conn:
        first = items_page(conn, items_query(args, services, PUBLIC))
        checksum = filter_checksum(args, services)
        second = items_page(
            conn,
            items_query(
                {**args, "cursor": encode_cursor("after", first.last_id, checksum)},
                services,
                PUBLIC,
            ),
        )
        back = items_page(
            conn,
            items_query(
                {**args, "cursor": encode_cursor("before", second.first_id, checksum)},
                services,
                PUBLIC,
            ),
        )
    assert back.features == first.features and not back.more_before and back.more_after
    assert second.more_before and second.first_id > first.last_id


def test_offset_paging_equals_keyset_paging(demo_engine, services):
    with demo_engine.connect() as conn:
        by_offset = items_page(conn, items_query({"limit": "30", "offset": "60"}, services, PUBLIC))
        third = items_page(conn, items_query({"limit": "60"}, services, PUBLIC))
        by_key = items_page(conn, ItemsQuery(services, PUBLIC, limit=30, after=third.last_id))
    assert by_offset.features == by_key.features and by_offset.more_before

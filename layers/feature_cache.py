"""Pages of features through the layer cache: exact, and cheap while the data is unchanged.

Everything is keyed on the collection's data version (``layers.cache``), read in the same
statement as the data it keys:

* the ordered ids of a filter (up to ``MAX_ID_LIST`` integer ids), so ``numberMatched``,
  offsets, cursors and neighbouring pages come from a slice, and a page costs one tiny
  statement that only reads the version;
* larger filters: ``numberMatched`` and the id bounds, with the page's ids by SQL;
* each feature's GeoJSON text as PostGIS built it, per output CRS; only missing features
  are built, in one statement;
* a collection's extent and ``itemCount`` per visibility (``cached_extent``), so
  ``/collections`` stays fast and is exact right after any write.

Python still only joins text: no per-feature objects on the hot path.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

import sqlalchemy as sa

from layers.cache import VERSION_SQL, LayerCache, data_version, version_params
from layers.catalog import Collection, q
from layers.features import ItemsQuery, Page, extent, feature_sql, items_page, where_sql
from layers.paging import page_ids_sql, page_params
from layers.visibility import VisibilityLike, as_visibility

# Filters matching more integer ids than this keep their ids in the database.
MAX_ID_LIST = 200_000


def cached_items_page(conn: sa.Connection, query: ItemsQuery, cache: LayerCache | None) -> Page:
    """The same page as ``items_page``, reusing what the cache holds for this version."""
    if cache is None or not cache.enabled:
        return items_page(conn, query)
    where, params = where_sql(query)
    params.update(version_params(query.collection))
    view = query.collection.view
    filter_key = (view, where, _frozen(params))
    guess = cache.last_version(view)
    if query.collection.id_type == "integer":
        ids = cache.get(("ids", *filter_key, guess)) if guess is not None else None
        if ids is not None:
            version = conn.execute(sa.text(f"SELECT {VERSION_SQL}"), params).scalar_one()
            if version == guess:
                return _page_from_list(conn, query, ids, version, cache)
        row = conn.execute(
            sa.text(
                f"SELECT {VERSION_SQL} AS versie, ARRAY(SELECT id FROM {q(view)} WHERE {where} "
                f"ORDER BY id LIMIT {MAX_ID_LIST + 1}) AS ids"
            ),
            params,
        ).one()
        if row.versie is None:  # a transaction that has written: no cache
            return items_page(conn, query)
        cache.saw_version(view, row.versie)
        if len(row.ids) <= MAX_ID_LIST:
            ids = array("q", row.ids)
            cache.put(("ids", *filter_key, row.versie), ids)
            return _page_from_list(conn, query, ids, row.versie, cache)
    return _page_by_sql(conn, query, where, params, filter_key, cache)


def _page_from_list(
    conn: sa.Connection, query: ItemsQuery, ids: array, version: int, cache: LayerCache
) -> Page:
    """Slice a page from all ids of the filter, as ``LIMIT/OFFSET`` after a cursor would."""
    if query.before is not None:
        end = max(bisect_left(ids, query.before) - query.offset, 0)
        page = list(ids[max(end - query.limit, 0) : end])
    else:
        start = (bisect_right(ids, query.after) if query.after is not None else 0) + query.offset
        page = list(ids[start : start + query.limit])
    lo, hi = (ids[0], ids[-1]) if ids else (None, None)
    return _assemble(conn, query, page, version, (len(ids), lo, hi), cache)


def _page_by_sql(
    conn: sa.Connection,
    query: ItemsQuery,
    where: str,
    params: dict,
    filter_key: tuple,
    cache: LayerCache,
) -> Page:
    """The page's ids by SQL; count and bounds from the cache when the version allows."""
    view = q(query.collection.view)
    guess = cache.last_version(query.collection.view)
    counts = cache.get(("counts", *filter_key, guess)) if guess is not None else None
    params.update(page_params(query))
    row = conn.execute(
        sa.text(
            f"SELECT {VERSION_SQL} AS versie, ARRAY({page_ids_sql(view, where, query)}) AS ids"
            + (f", {_counts_sql(view, where)}" if counts is None else "")
        ),
        params,
    ).one()
    if row.versie is None:
        return items_page(conn, query)
    cache.saw_version(query.collection.view, row.versie)
    if counts is None:
        counts = (row.matched, row.lo, row.hi)
    elif row.versie != guess:  # the data changed since the counts were cached
        counts = tuple(conn.execute(sa.text(f"SELECT {_counts_sql(view, where)}"), params).one())
    cache.put(("counts", *filter_key, row.versie), counts)
    return _assemble(conn, query, sorted(row.ids), row.versie, counts, cache)


def _counts_sql(view: str, where: str) -> str:
    return (
        f"(SELECT count(*) FROM {view} WHERE {where}) AS matched, "
        f"(SELECT min(id) FROM {view} WHERE {where}) AS lo, "
        f"(SELECT max(id) FROM {view} WHERE {where}) AS hi"
    )


def _assemble(
    conn: sa.Connection,
    query: ItemsQuery,
    ids: list,
    version: int,
    counts: tuple,
    cache: LayerCache,
) -> Page:
    ids, texts = _features(conn, query, ids, version, cache)
    matched, lo, hi = counts
    return Page(
        ",".join(texts),
        matched,
        len(ids),
        ids[0] if ids else None,
        ids[-1] if ids else None,
        bool(ids) and hi is not None and hi > ids[-1],
        bool(ids) and ((lo is not None and lo < ids[0]) or query.offset > 0),
        version,
    )


def _features(
    conn: sa.Connection, query: ItemsQuery, ids: list, version: int, cache: LayerCache
) -> tuple[list, list[str]]:
    """GeoJSON text for ``ids`` (ascending) from the cache, building only what is missing."""
    collection = query.collection
    prefix = ("feature", collection.view, query.crs.uri, query.visibility, version)
    texts = cache.get_many([(*prefix, i) for i in ids])
    missing = [i for i, text in zip(ids, texts, strict=True) if text is None]
    if not missing:
        return ids, texts
    where, params = where_sql(ItemsQuery(collection, query.visibility))
    params.update(ids=missing, **version_params(collection))
    rows = conn.execute(
        sa.text(
            f"SELECT {VERSION_SQL} AS versie, id, {feature_sql(collection, query.crs)} AS feature "
            f"FROM {q(collection.view)} WHERE {where} AND id = ANY(:ids)"
        ),
        params,
    ).all()
    built = {r.id: r.feature for r in rows}
    if rows and rows[0].versie == version:
        cache.put_many(((*prefix, i), text) for i, text in built.items())
    found = [
        (i, text if text is not None else built.get(i)) for i, text in zip(ids, texts, strict=True)
    ]
    kept = [(i, text) for i, text in found if text is not None]  # deleted meanwhile
    return [i for i, _ in kept], [text for _, text in kept]


def cached_extent(
    conn: sa.Connection,
    collection: Collection,
    visibility: VisibilityLike,
    cache: LayerCache | None,
) -> tuple[list[float] | None, int]:
    """``features.extent`` (CRS84 box and count), kept under the collection's data version."""
    visibility = as_visibility(visibility)
    if cache is None or not cache.enabled:
        return extent(conn, collection, visibility)
    version = data_version(conn, collection)  # before the data it keys
    if version is None:  # a transaction that has written: no cache
        return extent(conn, collection, visibility)
    key = ("extent", collection.view, visibility, version)
    found = cache.get(key)
    if found is None:
        found = extent(conn, collection, visibility)
        cache.put(key, found)
    return found


def _frozen(params: dict) -> tuple:
    """A hashable, order-independent form of bound parameters (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))

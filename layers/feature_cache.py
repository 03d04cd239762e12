"""Pages of features through the layer cache: exact, and cheap while the data is unchanged.

Everything is keyed on the collection's data version (``layers.cache``), read in the same
statement as the data it keys:

* the ordered ids of a filter (up to ``MAX_ID_LIST`` integer ids), so ``numberMatched``,
  offsets, cursors and neighbouring pages come from a slice, and a page costs one tiny
  statement that only reads the version;
* larger filters: ``numberMatched`` and the id bounds, with the page's ids by SQL;
* each feature's GeoJSON text as PostGIS built it, per output CRS; only missing features
  are built, in one statement (``page_texts``); pages whose ids come from a statement
  that can read the stored text too (boxes, large collections) get it joined in SQL;
* a collection's extent and ``itemCount`` per visibility (``cached_extent``), so
  ``/collections`` stays fast and is exact right after any write.

Python still only joins text: no per-feature objects on the hot path.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

import sqlalchemy as sa

from layers import block_counts, page_texts
from layers.cache import VERSION_SQL, LayerCache, data_version, version_params
from layers.catalog import Collection, q
from layers.features import ItemsQuery, Page, extent, items_page, where_sql
from layers.paging import page_ids_sql, page_params
from layers.visibility import VisibilityLike, as_visibility

# Filters matching more integer ids than this keep a sparse index (``Sparse``) instead.
MAX_ID_LIST = 200_000
STRIDE = 256  # one id in STRIDE of a large filter is kept as an anchor for offsets


def cached_items_page(conn: sa.Connection, query: ItemsQuery, cache: LayerCache | None) -> Page:
    """The same page as ``items_page``, reusing what the cache holds for this version."""
    if cache is None or not cache.enabled:
        return items_page(conn, query)
    where, params = where_sql(query)
    params.update(version_params(query.collection))
    view = query.collection.view
    filter_key = (view, where, _frozen(params))
    src, where = _source(query, where, params)
    blocks = block_counts.covers(query, src)
    if query.collection.id_type != "integer":
        return _page_by_sql(conn, query, src, where, params, filter_key, cache)
    guess = cache.last_version(view)
    found = cache.get(("index", *filter_key, guess)) if guess is not None else None
    page = _one_statement(conn, query, (src, where, params, filter_key), found, guess, cache)
    if page is not None:
        return page
    version = conn.execute(sa.text(f"SELECT {VERSION_SQL}"), params).scalar_one()
    if version is None:  # a transaction that has written: no cache
        return items_page(conn, query)
    if found is not None and version == guess:
        return _page_from_index(conn, query, src, where, params, found, version, cache)
    if blocks and (
        cache.get(("large", *filter_key)) or cache.get(("counts", *filter_key, version)) is None
    ):
        # Counts kept at write time: O(limit) at any offset without reading every id of
        # the filter; the index of a small filter still waits for a second request.
        return _page_by_blocks(conn, query, where, params, filter_key, cache)
    if cache.get(("counts", *filter_key, version)) is None:
        # The first page of a version (right after a write) is one statement: the page's
        # ids, numberMatched and bounds (kept); the index, which reads every id of the
        # filter, waits for the second request of the same version.
        cache.saw_version(view, version)
        return _page_by_sql(conn, query, src, where, params, filter_key, cache)
    built = _build_index(conn, src, where, params, cache.get(("large", *filter_key)))
    if built is None:  # a transaction that has written: no cache
        return items_page(conn, query)
    version, found = built
    cache.saw_version(view, version)
    cache.put(("index", *filter_key, version), found)
    if isinstance(found, Sparse):
        cache.put(("large", *filter_key), True)  # next version: build the sparse index at once
    return _page_from_index(conn, query, src, where, params, found, version, cache)


def _one_statement(
    conn: sa.Connection,
    query: ItemsQuery,
    source: tuple[str, str, dict, tuple],
    found: array | Sparse | None,
    guess: int | None,
    cache: LayerCache,
) -> Page | None:
    """Pages that are one statement reading the data version themselves, else None.

    No round trip for the version first: a page of a large filter's sparse index (checks
    the version it was built at), a filter not seen at
    this version (a new box), and the pages of a large collection by its counted blocks
    (GDAL following next links).
    """
    src, where, params, filter_key = source
    if isinstance(found, Sparse) and guess is not None:
        page = _page_from_sparse(conn, query, src, where, params, found, guess, cache)
        if page is not None:
            return page  # else written since: a large collection's blocks, below
    elif found is not None:  # all ids of the filter: the version first, then a slice
        return None
    if not block_counts.covers(query, src):
        if cache.get(("counts", *filter_key, guess)) is None:
            return _page_by_sql(conn, query, src, where, params, filter_key, cache)
    elif cache.get(("large", *filter_key)):
        return _page_by_blocks(conn, query, where, params, filter_key, cache)
    return None


class Sparse(tuple):
    """A filter too large to keep all ids: ``(count, lo, hi, anchors)``.

    ``anchors`` holds every ``STRIDE``-th id in order, so the page at any offset starts
    from an index lookup ``id >= anchor`` and skips fewer than ``STRIDE`` ids: a page costs
    O(limit), not O(offset), and ``numberMatched`` is kept per filter and data version.
    """

    __slots__ = ()


def _build_index(
    conn: sa.Connection, view: str, where: str, params: dict, large: bool | None
) -> tuple[int, array | Sparse] | None:
    """All ids of the filter (up to ``MAX_ID_LIST``), or its ``Sparse`` index; and the version."""
    if not large:
        row = conn.execute(
            sa.text(
                f"SELECT {VERSION_SQL} AS versie, ARRAY(SELECT id FROM {q(view)} WHERE {where} "
                f"ORDER BY id LIMIT {MAX_ID_LIST + 1}) AS ids"
            ),
            params,
        ).one()
        if row.versie is None:
            return None
        if len(row.ids) <= MAX_ID_LIST:
            return row.versie, array("q", row.ids)
    row = conn.execute(
        sa.text(
            f"SELECT {VERSION_SQL} AS versie, s.* FROM (SELECT count(*) AS matched, "
            "min(id) AS lo, max(id) AS hi, "
            f"array_agg(id ORDER BY id) FILTER (WHERE n % {STRIDE} = 0) AS anchors "
            f"FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {q(view)} "
            f"WHERE {where}) o) s"
        ),
        params,
    ).one()
    if row.versie is None:
        return None
    return row.versie, Sparse((row.matched, row.lo, row.hi, array("q", row.anchors or [])))


def _page_from_index(
    conn: sa.Connection,
    query: ItemsQuery,
    src: str,
    where: str,
    params: dict,
    found: array | Sparse,
    version: int,
    cache: LayerCache,
) -> Page:
    if not isinstance(found, Sparse):
        return _page_from_list(conn, query, found, version, cache)
    page = _page_from_sparse(conn, query, src, where, params, found, version, cache)
    return items_page(conn, query) if page is None else page  # None: written meanwhile


def _page_from_sparse(
    conn: sa.Connection,
    query: ItemsQuery,
    src: str,
    where: str,
    params: dict,
    found: Sparse,
    version: int,
    cache: LayerCache,
) -> Page | None:
    """A page of a large filter at ``version``: one statement, ids and joined text.

    None when the data is no longer at ``version`` (the caller decides what then). The
    texts of a large filter (over ``MAX_ID_LIST`` features, more than the cache's budget
    at 1 KB each) are not kept per feature: a full copy by GDAL would only churn the LRU.
    """
    matched, lo, hi, anchors = found
    bound = {**params, **page_params(query)}
    # on the stored rows: each row's text in the same index scan as its id
    in_page = src == block_counts.SOURCE
    texts = page_texts.texts_sql(query, bound, in_page)
    columns = "id, feature" if in_page and texts else "id"
    sql, extra = _sparse_page_sql(query, anchors, q(src), where, columns)
    if sql is None:  # past the end
        return page_texts.assemble(conn, query, [], version, (matched, lo, hi), cache)
    bound.update(extra)
    row = conn.execute(
        sa.text(
            f"WITH pagina AS MATERIALIZED ({sql}) SELECT {VERSION_SQL} AS versie, "
            f"ARRAY(SELECT id FROM pagina) AS ids{texts}"
        ),
        bound,
    ).one()
    if row.versie != version:
        return None
    return page_texts.with_texts(conn, query, row, (matched, lo, hi), cache)


def _sparse_page_sql(
    query: ItemsQuery, anchors: array, view: str, where: str, columns: str = "id"
) -> tuple[str | None, dict]:
    """The ids of a page of a large filter: after a cursor, or from an offset's anchor.

    ``columns`` (fixed names) are read with the ids.
    """
    if query.after is not None or query.before is not None:
        return page_ids_sql(view, where, query, columns), {}
    k = query.offset // STRIDE
    if k >= len(anchors):
        return None, {}
    return (
        f"SELECT {columns} FROM {view} WHERE {where} AND id >= :anchor "  # noqa: S608
        "ORDER BY id LIMIT :limit OFFSET :skip",
        {"anchor": anchors[k], "skip": query.offset % STRIDE},
    )


def _source(query: ItemsQuery, where: str, params: dict) -> tuple[str, str]:
    """Where a page's ids and counts are read: the view, or the stored rows of the view.

    ``laag_geojson`` holds exactly the view's rows with their visibility and area codes,
    narrow and indexed for index-only scans; when visibility is the only filter, counts
    and offsets read it instead of the view's joins (same rows, same data version). A box
    with visibility reads ``laag_plek``, the same rows' positions ordered by place
    (migration 0027): a box's matches lie on a few hundred pages instead of one each.
    """
    c = query.collection
    if c.stored != c.view or query.properties or query.cql or query.interval:
        return c.view, where
    params["stored_laag"] = c.stored
    return ("laag_plek" if query.bbox else "laag_geojson"), f"laag = :stored_laag AND {where}"


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
    return page_texts.assemble(conn, query, page, version, (len(ids), lo, hi), cache)


def _page_by_sql(
    conn: sa.Connection,
    query: ItemsQuery,
    src: str,
    where: str,
    params: dict,
    filter_key: tuple,
    cache: LayerCache,
) -> Page:
    """The page's ids by SQL; count and bounds from the cache when the version allows."""
    view = q(src)
    guess = cache.last_version(query.collection.view)
    counts = cache.get(("counts", *filter_key, guess)) if guess is not None else None
    params.update(page_params(query))
    if counts is None and query.bbox:
        # A box matches few rows: read them once (spatial index) for the page, the count
        # and the bounds; min/max by the id index would walk ids outside the box.
        sql = (
            f"WITH m AS MATERIALIZED (SELECT id FROM {view} WHERE {where}), "  # noqa: S608
            "s AS (SELECT count(*) AS matched, min(id) AS lo, max(id) AS hi FROM m), "
            f"pagina AS MATERIALIZED ({page_ids_sql('m', 'TRUE', query)}) "
            f"SELECT {VERSION_SQL} AS versie, ARRAY(SELECT id FROM pagina) AS ids, "
            "(SELECT matched FROM s) AS matched, (SELECT lo FROM s) AS lo, "
            "(SELECT hi FROM s) AS hi" + page_texts.texts_sql(query, params)
        )
    else:
        sql = f"SELECT {VERSION_SQL} AS versie, ARRAY({page_ids_sql(view, where, query)}) AS ids"
        sql += f", {_counts_sql(view, where)}" if counts is None else ""
    row = conn.execute(sa.text(sql), params).one()
    if row.versie is None:
        return items_page(conn, query)
    cache.saw_version(query.collection.view, row.versie)
    if counts is None:
        counts = (row.matched, row.lo, row.hi)
    elif row.versie != guess:  # the data changed since the counts were cached
        counts = tuple(conn.execute(sa.text(f"SELECT {_counts_sql(view, where)}"), params).one())
    cache.put(("counts", *filter_key, row.versie), counts)
    return page_texts.with_texts(conn, query, row, counts, cache)


def _page_by_blocks(
    conn: sa.Connection,
    query: ItemsQuery,
    where: str,
    params: dict,
    filter_key: tuple,
    cache: LayerCache,
) -> Page:
    """The page, numberMatched and bounds from the counts kept at write time (``block_counts``)."""
    params.update(page_params(query))
    texts = page_texts.texts_sql(query, params, in_page=True)
    sql = block_counts.page_sql(query, where, texts, with_feature=bool(texts))
    row = conn.execute(sa.text(sql), params).one()
    if row.versie is None:  # a transaction that has written: no cache
        return items_page(conn, query)
    cache.saw_version(query.collection.view, row.versie)
    counts = (row.matched, row.lo, row.hi)
    cache.put(("counts", *filter_key, row.versie), counts)
    return page_texts.with_texts(conn, query, row, counts, cache)


def _counts_sql(view: str, where: str) -> str:
    return (
        f"(SELECT count(*) FROM {view} WHERE {where}) AS matched, "
        f"(SELECT min(id) FROM {view} WHERE {where}) AS lo, "
        f"(SELECT max(id) FROM {view} WHERE {where}) AS hi"
    )


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

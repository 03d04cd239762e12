"""The Feature text of a page: joined in SQL with its ids, or per feature from the cache.

Pages whose statement chose their ids also read the stored text of those ids
(``laag_geojson``, migration 0020) in that statement, joined into one value
(``texts_sql``, ``with_texts``): same data version, same visibility, no per-feature rows.
Otherwise the texts come from the layer cache, then the stored text, and what is still
missing is built in PostGIS (``assemble``), and are kept per feature in the cache.
"""

from __future__ import annotations

import sqlalchemy as sa

from layers.cache import VERSION_SQL, LayerCache, version_params
from layers.catalog import Collection, q
from layers.crs import CRS84, Crs
from layers.features import ItemsQuery, Page, feature_sql, where_sql


def texts_sql(query: ItemsQuery, params: dict, in_page: bool = False) -> str:
    """Columns ``text_count``, ``page_text``: the page's stored Feature text, joined in SQL.

    Read in the statement that chose the page's ids (CTE ``pagina``), so at the same data
    version and under the same visibility; one text value instead of 1,000 rows or array
    elements (a 1 MB page). ``in_page``: ``pagina`` already holds the ``feature`` of its
    ``laag_geojson`` rows. Empty when no stored text applies (another CRS, a layer
    without it).
    """
    stored = query.collection.stored
    if stored is None or query.crs.uri != CRS84.uri:
        return ""
    if in_page:
        return (
            ", t.text_count, t.page_text FROM (SELECT count(*) AS text_count, "
            "string_agg(feature, ',' ORDER BY id) AS page_text FROM pagina) t"
        )
    params["text_laag"] = stored
    return (
        ", t.text_count, t.page_text FROM (SELECT count(*) AS text_count, "
        "string_agg(g.feature, ',' ORDER BY g.id) AS page_text FROM laag_geojson g "
        "WHERE g.laag = :text_laag AND g.id = ANY(ARRAY(SELECT id FROM pagina))) t"
    )


def with_texts(
    conn: sa.Connection, query: ItemsQuery, row, counts: tuple, cache: LayerCache
) -> Page:
    """The page from a row of ``texts_sql``, else its ids' texts from the cache or built.

    The joined text is not put in the per-feature cache: pages read this way are boxes
    (new boxes each time) and pages of large collections right after a write or while
    their features do not fit the budget, where putting 1,000 entries per page cost more
    than it saved.
    """
    ids = sorted(row.ids)
    if getattr(row, "text_count", None) == len(ids):
        return make_page(query, ids, row.page_text or "", row.versie, counts)
    return assemble(conn, query, ids, row.versie, counts, cache)


def assemble(
    conn: sa.Connection,
    query: ItemsQuery,
    ids: list,
    version: int,
    counts: tuple,
    cache: LayerCache,
) -> Page:
    """The page of ``ids`` with their texts from the cache, the stored text or PostGIS."""
    ids, texts = features(conn, query, ids, version, cache)
    return make_page(query, ids, ",".join(texts), version, counts)


def make_page(query: ItemsQuery, ids: list, text: str, version: int, counts: tuple) -> Page:
    """A Page of the ascending ``ids`` whose joined Feature text is ``features``."""
    matched, lo, hi = counts
    return Page(
        text,
        matched,
        len(ids),
        ids[0] if ids else None,
        ids[-1] if ids else None,
        bool(ids) and hi is not None and hi > ids[-1],
        bool(ids) and ((lo is not None and lo < ids[0]) or query.offset > 0),
        version,
    )


def features(
    conn: sa.Connection, query: ItemsQuery, ids: list, version: int, cache: LayerCache
) -> tuple[list, list[str]]:
    """GeoJSON text for ``ids`` (ascending) from the cache, building only what is missing.

    Missing CRS84 text is first read from the text stored at write time (``laag_geojson``,
    migration 0020), taken only when it is of the same data version as the page's ids (the
    ids were chosen under the caller's visibility at that version); what is still missing
    is built in PostGIS.
    """
    collection = query.collection
    prefix = ("feature", collection.view, query.crs.uri, query.visibility, version)
    texts = cache.get_many([(*prefix, i) for i in ids])
    missing = [i for i, text in zip(ids, texts, strict=True) if text is None]
    if not missing:
        return ids, texts
    built = stored(conn, collection, query.crs, missing, version)
    if built:
        cache.put_many(((*prefix, i), text) for i, text in built.items())
        missing = [i for i in missing if i not in built]
    if missing:
        built.update(build(conn, query, missing, version, cache, prefix))
    found = [
        (i, text if text is not None else built.get(i)) for i, text in zip(ids, texts, strict=True)
    ]
    kept = [(i, text) for i, text in found if text is not None]  # deleted meanwhile
    return [i for i, _ in kept], [text for _, text in kept]


def stored(conn: sa.Connection, collection: Collection, crs: Crs, ids: list, version: int) -> dict:
    """Stored Feature text of ``ids`` at data version ``version`` (empty when none applies)."""
    if collection.stored is None or crs.uri != CRS84.uri:
        return {}
    rows = conn.execute(
        sa.text(
            f"SELECT {VERSION_SQL} AS versie, id, feature FROM laag_geojson "
            "WHERE laag = :laag AND id = ANY(:ids)"
        ),
        {"laag": collection.stored, "ids": ids, **version_params(collection)},
    ).all()
    if not rows or rows[0].versie != version:
        return {}
    return {r.id: r.feature for r in rows}


def build(
    conn: sa.Connection,
    query: ItemsQuery,
    ids: list,
    version: int,
    cache: LayerCache,
    prefix: tuple,
) -> dict:
    """Feature text of ``ids`` built in PostGIS, under the caller's visibility."""
    collection = query.collection
    where, params = where_sql(ItemsQuery(collection, query.visibility))
    params.update(ids=ids, **version_params(collection))
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
    return built

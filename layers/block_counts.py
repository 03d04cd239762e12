"""Pages of a layer's stored rows from counts kept at write time: O(limit), cold or warm.

``laag_telling`` (migration 0024) holds, per layer, visibility level and block of 1024
ids, how many rows ``laag_geojson`` has; triggers on ``laag_geojson`` keep it exact in the
transaction that writes. For a filter on visibility levels alone (no area scope, bbox,
properties, CQL2 or interval) one statement then gives, at the snapshot of its own data
version:

* ``numberMatched``: the sum over the blocks of the caller's levels (a few hundred rows at
  500,000 features);
* the page at offset k: the block holding the k-th row is the last whose prefix sum is at
  most k; the page's ids are read from that block's first id with fewer than 1024 skipped;
* after a cursor with an offset: the cursor's rank is the prefix sum before its block plus
  the rows of its block up to the cursor, and the page continues from rank + offset;
* the first and last id (neighbouring pages) from the first and last non-empty block.

Other filters keep the general path of ``feature_cache``.
"""

from __future__ import annotations

from layers.cache import VERSION_SQL
from layers.features import ItemsQuery
from layers.paging import page_ids_sql

SOURCE = "laag_geojson"
BLOCK_BITS = 10  # as ``id >> 10`` in migration 0024


def covers(query: ItemsQuery, source: str) -> bool:
    """Whether the counts answer this query: stored rows, integer ids, levels alone."""
    return (
        source == SOURCE
        and query.collection.id_type == "integer"
        and not query.visibility.scope
        and query.before is None
    )


def keyset_only(query: ItemsQuery) -> bool:
    """Whether the page is the next ``limit`` rows after a cursor (no offset to skip)."""
    return query.after is not None and query.offset == 0


def page_sql(query: ItemsQuery, where: str, texts: str = "", with_feature: bool = False) -> str:
    """One statement: ``versie``, the page's ``ids``, ``matched``, ``lo`` and ``hi``.

    ``where`` is the filter on ``laag_geojson`` (with ``:stored_laag``); bind it with the
    parameters of ``paging.page_params`` and the visibility. The page's ids are also the
    CTE ``pagina``; ``texts`` (``, columns FROM ...`` over ``pagina``) is appended. With
    ``with_feature`` ``pagina`` also holds each row's ``feature``, read in the same index
    scan as the ids (the rows skipped within a block are read too: sequential heap pages,
    cheaper than 1,000 lookups by id).
    """
    levels = (
        "zichtbaarheid = ANY(CAST(:visibility AS text[]))"
        if query.collection.has_visibility
        else "TRUE"
    )
    rows = f"SELECT id FROM {SOURCE} WHERE {where}"  # noqa: S608 - fixed names
    columns = "id, feature" if with_feature else "id"
    if keyset_only(query):
        ids = page_ids_sql(SOURCE, where, query, columns)  # keyset: already O(limit)
        rank = ""
    else:
        rank = "CAST(:offset AS bigint)"
        if query.after is not None:
            rank += (
                " + (SELECT coalesce(sum(n), 0) FROM blokken "  # noqa: S608 - fixed names
                f"WHERE blok < CAST(:after AS bigint) >> {BLOCK_BITS})"
                f" + (SELECT count(*) FROM ({rows} AND id <= CAST(:after AS bigint) AND id >= "
                f"(CAST(:after AS bigint) >> {BLOCK_BITS}) << {BLOCK_BITS}) r)"
            )
        ids = (
            f"SELECT {columns} FROM {SOURCE} WHERE {where} "  # noqa: S608 - fixed names
            f"AND id >= (SELECT blok FROM anker) << {BLOCK_BITS} "
            "ORDER BY id LIMIT :limit OFFSET (SELECT k - voor FROM anker)"
        )
        rank = (
            f", anker AS (SELECT blok, voor, k FROM (SELECT {rank} AS k) r, "  # noqa: S608
            "(SELECT blok, sum(n) OVER (ORDER BY blok) - n AS voor FROM blokken) s "
            "WHERE voor <= k ORDER BY blok DESC LIMIT 1)"
        )
    # Names are constants and the catalogue's; values are bound parameters.
    return f"""
WITH blokken AS (
    SELECT blok, sum(aantal) AS n FROM laag_telling
    WHERE laag = :stored_laag AND {levels} GROUP BY blok HAVING sum(aantal) > 0
){rank}, pagina AS MATERIALIZED ({ids})
SELECT {VERSION_SQL} AS versie,
       ARRAY(SELECT id FROM pagina) AS ids,
       (SELECT coalesce(sum(n), 0) FROM blokken)::bigint AS matched,
       (SELECT min(id) FROM {SOURCE} WHERE {where}
           AND id >= (SELECT min(blok) FROM blokken) << {BLOCK_BITS}) AS lo,
       (SELECT max(id) FROM {SOURCE} WHERE {where}
           AND id < ((SELECT max(blok) FROM blokken) + 1) << {BLOCK_BITS}) AS hi{texts}
"""  # noqa: S608

"""Keyset paging of a collection's features: the ids of one page, in SQL.

A page is ``id > :after`` (next) or ``id < :before`` taken backwards (previous), with
``LIMIT/OFFSET`` on top (OWSLib pages by offset). ``features.items_page`` (one statement,
no cache) and ``feature_cache`` (ids by SQL for filters too large to keep) both use this.
"""

from __future__ import annotations

from typing import Protocol


class Paged(Protocol):
    """What keyset paging needs of a query: page size, offset and the cursor's keys."""

    limit: int
    offset: int
    after: object | None
    before: object | None


def keyset(query: Paged) -> tuple[str, str]:
    """The keyset condition (``" AND id > :after"``, or empty) and the ORDER BY of a page."""
    if query.after is not None:
        return " AND id > :after", "id"
    if query.before is not None:
        return " AND id < :before", "id DESC"
    return "", "id"


def page_ids_sql(view: str, where: str, query: Paged, columns: str = "id") -> str:
    """``SELECT id`` of the page from ``view`` (quoted) under ``where``; bind ``page_params``.

    Before a ``before`` cursor the ids come in descending order: sort them. ``columns``
    (fixed names) may add columns of ``view`` read with the ids.
    """
    condition, order = keyset(query)
    return (
        f"SELECT {columns} FROM {view} WHERE {where}{condition} "  # noqa: S608 - fixed names
        f"ORDER BY {order} LIMIT :limit OFFSET :offset"
    )


def page_params(query: Paged) -> dict:
    """The bound parameters of ``page_ids_sql``."""
    return {
        "limit": query.limit,
        "offset": query.offset,
        "after": query.after,
        "before": query.before,
    }

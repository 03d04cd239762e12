"""The theme and doelgroep taxonomy (tables ``thema`` and ``doelgroep``), in their fixed order.

One home for the lists that the map legend, the search filters, the record importer and
the coverage analysis read. Callers ask for the columns they need.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

THEME_COLUMNS = ("slug", "naam", "omschrijving", "kleur", "icoon", "afstand_m")
GROUP_COLUMNS = ("slug", "naam", "omschrijving")
LEGEND = ("slug", "naam", "omschrijving", "kleur", "icoon")


def _rows(
    conn: sa.Connection, table: str, known: Sequence[str], columns: Sequence[str]
) -> list[dict]:
    unknown = [c for c in columns if c not in known]
    if unknown or not columns:
        raise ValueError(f"{table}: unknown column(s) {unknown or columns!r}")
    # Column and table names come from the lists above, never from a request.
    statement = f"SELECT {', '.join(columns)} FROM {table} ORDER BY volgorde"  # noqa: S608
    return [dict(r) for r in conn.execute(sa.text(statement)).mappings()]


def themes(conn: sa.Connection, columns: Sequence[str] = LEGEND) -> list[dict]:
    """Themes in legend order.

    By default slug, naam, omschrijving, kleur (hex) and icoon (Maki name). ``columns``
    picks others from :data:`THEME_COLUMNS` (e.g. ``afstand_m``, the analysis' threshold
    distance).
    """
    return _rows(conn, "thema", THEME_COLUMNS, columns)


def groups(conn: sa.Connection, columns: Sequence[str] = GROUP_COLUMNS) -> list[dict]:
    """Doelgroepen in their fixed order: slug, naam, omschrijving (or some of them)."""
    return _rows(conn, "doelgroep", GROUP_COLUMNS, columns)


def names(conn: sa.Connection) -> tuple[dict[str, str], dict[str, str]]:
    """``slug -> naam`` of the themes and of the doelgroepen, both in their order."""
    return (
        {t["slug"]: t["naam"] for t in themes(conn, ("slug", "naam"))},
        {g["slug"]: g["naam"] for g in groups(conn, ("slug", "naam"))},
    )

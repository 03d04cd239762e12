"""Tiles of the services read from the thinning cells kept at write time (migration 0025).

The cells of ``laag_voorzieningen`` are kept for zooms ``STORED_ZOOMS`` and each role's
visibility levels (``tegel_cel``, ``tegel_zicht``) with a narrow copy of the points
(``tegel_punt``): a tile without filters for a caller without an area scope reads its whole
cells from there and counts only the cells on its edge, with the same answer as
``sql/tile.sql``. Zooms ``OVERVIEW_ZOOMS`` (the national overview, where a tile is most of
the country) test their edge points against the tile polygon after finding them, not in
the same join (``sql/tile_stored.sql`` says why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.resources import files

import sqlalchemy as sa

from geo.accounts import ROLE_VISIBILITY
from layers.catalog import Collection, q
from layers.tile_grid import COUNT_PROPERTY, POINT_PROPERTIES, envelope, thinning_cell
from layers.visibility import VisibilityLike, as_visibility

STORED_TILE_SQL = (files("layers") / "sql" / "tile_stored.sql").read_text()
# Thinning cells kept at write time (migration 0025, table tegel_zoom): for this view, these
# zooms and the visibility levels of each role (tegel_zicht: the levels sorted, joined by
# ","). Zooms 11 and 12 count the narrow copy tegel_punt instead (see reads_copy).
STORED_VIEW = "laag_voorzieningen"
STORED_ZOOMS = range(7, 11)
STORED_LEVELS = frozenset(",".join(sorted(set(v))) for v in ROLE_VISIBILITY.values())
# The properties tegel_punt holds besides the position and visibility (its view
# tegel_punt_bron); a tile asking for others reads its kept features from the view.
STORED_PROPERTIES = ("id", *POINT_PROPERTIES)
# Zooms whose edge points are tested against the tile polygon after the strips are read
# (sql/tile_stored.sql says why); the polygon test in the join at the other stored zooms.
OVERVIEW_ZOOMS = range(7, 10)
_IN_JOIN = "\n      AND ST_Intersects(p.geom, s.query)"
_AFTER_JOIN = "ST_Intersects(e.geom, s.query)"


def stored_levels(
    collection: Collection, z: int, visibility: VisibilityLike, filters: Mapping[str, str] | None
) -> str | None:
    """The key (``tegel_cel.zicht``) of the kept cells this tile is read from, or None.

    None means the tile is counted live: another view or zoom, filters or an area scope.
    """
    visibility = as_visibility(visibility)
    if collection.view != STORED_VIEW or z not in STORED_ZOOMS or filters or visibility.scope:
        return None
    if thinning_cell(z) is None:  # thinning switched off below this zoom
        return None
    return stored_key(visibility)


def reads_copy(
    collection: Collection,
    visibility: VisibilityLike,
    filters: Mapping[str, str] | None,
    names: Sequence[str],
) -> bool:
    """Whether a tile counted by ``sql/tile.sql`` can read ``tegel_punt`` instead of the view.

    The copy (migration 0025) holds the same rows, positions and compact properties, so a
    tile of the services without filters, for a caller without an area scope, asking only
    for ``STORED_PROPERTIES``, is the same from either (unthinned zooms, and zooms below
    ``STORED_ZOOMS``), without the view's joins.
    """
    return (
        collection.view == STORED_VIEW
        and not filters
        and stored_key(visibility) is not None
        and set(names) <= set(STORED_PROPERTIES)
    )


def stored_key(visibility: VisibilityLike) -> str | None:
    """The key (``tegel_zicht.zicht``) of a role's levels; None with an area scope."""
    visibility = as_visibility(visibility)
    key = ",".join(sorted(set(visibility.levels)))
    return key if key in STORED_LEVELS and not visibility.scope else None


def stored_statement(
    collection: Collection, zxy: tuple[int, int, int], names: Sequence[str]
) -> sa.TextClause:
    """The statement of a tile read from the kept cells (integer ids; levels without scope).

    ``sql/tile_stored.sql``, with the edge points' polygon test after the join at
    ``OVERVIEW_ZOOMS`` and in it at the others.
    """
    z = int(zxy[0])
    overview = z in OVERVIEW_ZOOMS
    copy = set(names) <= set(STORED_PROPERTIES)
    return sa.text(
        STORED_TILE_SQL.format(
            in_join="" if overview else _IN_JOIN,
            after_join=_AFTER_JOIN if overview else "true",
            columns="".join(f", t.{q(name)}" for name in names),
            view="tegel_punt" if copy else q(collection.view),
            webm="t.geom_webm" if copy else "ST_Transform(t.geom, 3857)",
            visible="t.zichtbaarheid::text = ANY(CAST(:levels AS text[]))",
            count=COUNT_PROPERTY,
            cell=repr(thinning_cell(z)),
            **envelope(zxy),
        )
    )

"""The residents' map's own points: one marker per place, listing the services offered there.

The map draws its first frame from this compact list (about 15 KB gzipped for the demo),
not from the full OGC collection. Services at the same position (a GP practice offering
two services, several organisations in one building) share one marker; the popup of a
marker reads the details of every service at that place (:func:`place_services`). The
popup reads the published view ``laag_voorzieningen``; the points read ``kaart_punt``, a
narrow copy of that view's rows kept at write time (migration 0020), so privacy rules stay
in one place (confidential addresses are already moved to their buurt there) and a
national view does not join six tables per request.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from geo.sqlfiles import named
from layers.cache import LayerCache, data_version
from layers.catalog import Collection
from layers.pages.opening_hours import AMSTERDAM, open_now
from layers.tiles import stored_key
from layers.visibility import VisibilityLike, as_visibility

SQL = named("kaart.sql", package="layers.pages")


# A box with more services than this gets one entry per cell of a CELLS × CELLS grid.
MAX_PLACES = 4000
CELLS = 64
# Side of a cell of kaart_cel (migration 0025) in degrees of longitude: a box at least
# STORED_CELLS_PER_GRID_CELL × CELLS of them wide is grouped from the kept cells.
STORED_CELL_LON = 0.02
STORED_CELLS_PER_GRID_CELL = 3
Box = tuple[float, float, float, float]


def map_points_json(
    conn: sa.Connection, visibility: VisibilityLike, bbox: Box | None = None
) -> str:
    """JSON text ``[[[service id, ...], lon, lat, [theme slug, ...]], ...]``: one per place.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    visibility : Visibility
        What the user may see (levels and area scope).
    bbox : (west, south, east, north) in lon/lat, optional
        Only the places inside; a box with more than ``MAX_PLACES`` services gives one
        entry per grid cell with a fifth element, the number of places in it (see
        ``punten_cellen``); a wide box (a national view) adds up the cells kept at write
        time instead (``punten_cellen_bewaard``), when the caller has no area scope.
    """
    params: dict[str, object] = {**as_visibility(visibility).params()}
    if bbox is None:  # every place: the box of the whole world, never grouped in cells
        params.update(w=-180.0, s=-90.0, e=180.0, n=90.0)
        return conn.execute(SQL["punten_vak"], params).scalar_one()
    w, s, e, n = bbox
    params.update(w=w, s=s, e=e, n=n, cells=CELLS)
    zicht = stored_key(visibility)
    if zicht is not None and (e - w) >= STORED_CELL_LON * STORED_CELLS_PER_GRID_CELL * CELLS:
        params["zicht"] = zicht
        if conn.execute(SQL["punten_bewaard_tellen"], params).scalar_one() > MAX_PLACES:
            return conn.execute(SQL["punten_cellen_bewaard"], params).scalar_one()
    crowded = conn.execute(SQL["punten_tellen"], params).scalar_one() > MAX_PLACES
    return conn.execute(SQL["punten_cellen" if crowded else "punten_vak"], params).scalar_one()


def cached_map_points(
    conn: sa.Connection,
    visibility: VisibilityLike,
    bbox: Box | None,
    cache: LayerCache | None,
    collection: Collection,
) -> tuple[str, int | None]:
    """``map_points_json`` and the data version, kept in the layer cache under that version.

    Everyone opening the map asks for the same first box, so after a write only the first
    visitor waits for the database.
    """
    visibility = as_visibility(visibility)
    version = data_version(conn, collection)  # before the data it keys
    if cache is None or not cache.enabled or version is None:
        return map_points_json(conn, visibility, bbox), version
    key = ("kaartpunten", visibility, bbox, version)
    body = cache.get(key)
    if body is None:
        body = map_points_json(conn, visibility, bbox)
        cache.put(key, body)
    return body, version


def place_services(
    conn: sa.Connection, service_id: int, visibility: VisibilityLike, now: datetime | None = None
) -> dict | None:
    """The place of one service on the map: its position and every service offered there.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    service_id : int
        Any service (``laag_voorzieningen.id``) at the place.
    visibility : Visibility
        What the user may see; services they may not see are left out.
    now : datetime, optional
        The moment for "open now" (default: the current time in Amsterdam).

    Returns
    -------
    dict or None
        ``{"lon", "lat", "diensten": [...]}``, each service with ``open_nu`` (True, False
        or None when the hours are unknown); None when the service is unknown or hidden.
    """
    params = {"id": service_id, **as_visibility(visibility).params()}
    rows = conn.execute(SQL["plek"], params).mappings().all()
    if not rows:
        return None
    moment = now or datetime.now(AMSTERDAM)
    services = []
    for row in rows:
        item = {k: v for k, v in row.items() if k not in ("openingstijden", "lon", "lat")}
        item["open_nu"] = open_now(row["openingstijden"], moment)
        item["op_afspraak"] = bool((row["openingstijden"] or {}).get("op_afspraak"))
        item["laatst_geverifieerd_op"] = (
            row["laatst_geverifieerd_op"].isoformat() if row["laatst_geverifieerd_op"] else None
        )
        services.append(item)
    return {"lon": float(rows[0]["lon"]), "lat": float(rows[0]["lat"]), "diensten": services}

"""Checks that coordinates are RD New (EPSG:28992) metres.

The public functions refuse anything else, lon/lat above all, with a clear message
(docs/ANALYSIS.md §4).
"""

from __future__ import annotations

import numpy as np

from analysis.errors import InvalidInput

# The area of validity of RD New (EPSG:28992), in metres, with a little margin.
RD_X = (-10_000.0, 300_000.0)
RD_Y = (280_000.0, 630_000.0)


def check_projected(xy, what: str = "coördinaten", strict: bool = False) -> np.ndarray:
    """Return ``xy`` as an (n, 2) float array when the points are projected metres.

    With ``strict`` the points must also lie in the Netherlands in RD New (the database
    data does); without it, local metre grids (tests, worked examples) pass.

    Raises
    ------
    InvalidInput
        Not finite, lon/lat degrees (EPSG:4326) or (``strict``) outside the Netherlands.
    """
    xy = np.asarray(xy, dtype=float)
    if xy.size == 0:
        return xy.reshape(0, 2)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InvalidInput(f"{what}: verwacht een (n, 2)-tabel met x en y, kreeg vorm {xy.shape}.")
    if not np.isfinite(xy).all():
        raise InvalidInput(f"{what}: niet alle coördinaten zijn eindige getallen.")
    x, y = xy[:, 0], xy[:, 1]
    # Degrees: every point within ±180 / ±90 and not all whole numbers (a few synthetic
    # points at whole metres near the origin are projected metres, not degrees).
    if (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all() and not (xy == np.round(xy)).all():
        raise InvalidInput(
            f"{what} lijken lengte- en breedtegraden (EPSG:4326). De analyse "
            "rekent in meters: zet ze eerst om naar RD New (EPSG:28992). "
            "Coordinates look like lon/lat; use projected metres (EPSG:28992)."
        )
    if strict and not ((x >= RD_X[0]) & (x <= RD_X[1]) & (y >= RD_Y[0]) & (y <= RD_Y[1])).all():
        raise InvalidInput(
            f"{what} liggen niet in Nederland in RD New (EPSG:28992, meters): "
            f"x moet tussen {RD_X[0]:.0f} en {RD_X[1]:.0f} liggen, y tussen "
            f"{RD_Y[0]:.0f} en {RD_Y[1]:.0f}."
        )
    return xy


def check_xy(x, y, what: str = "coördinaten") -> None:
    """:func:`check_projected` for separate x and y arrays."""
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if len(x) != len(y):
        raise InvalidInput(f"{what}: x en y zijn niet even lang ({len(x)} en {len(y)}).")
    check_projected(np.column_stack([x, y]), what)

"""Request sequences for ``ogc_bench.py``: the same seeded requests for every target.

Page offsets, CRS84 boxes and feature ids (``sequences``), their paths on ours and on
pygeoapi (``http_path``), the raw SQL call that builds the same page or feature
(``sql_caller``) and random tiles at features (``tile_list``).
"""

from __future__ import annotations

import math
import random

import sqlalchemy as sa

from layers import features
from layers.crs import CRS84
from layers.features import ItemsQuery

VISIBILITY = ("openbaar",)
PAGE = 1000


def sequences(n: int, points: list[tuple[float, float]], seed: int, size: int = 20_000):
    """Seeded request parameters: page offsets, CRS84 boxes, feature ids."""
    rng = random.Random(seed)
    offsets = [rng.randrange(0, n - PAGE + 1) for _ in range(size)]
    boxes = []
    for _ in range(size):
        lon, lat = points[rng.randrange(len(points))]
        km_w, km_h = rng.uniform(1, 3), rng.uniform(1, 3)
        dlon = km_w / (111.32 * math.cos(math.radians(lat))) / 2
        dlat = km_h / 110.57 / 2
        boxes.append(tuple(round(v, 6) for v in (lon - dlon, lat - dlat, lon + dlon, lat + dlat)))
    ids = [rng.randrange(1, n + 1) for _ in range(size)]
    return {"pages": offsets, "bbox": boxes, "single": ids}


def http_path(kind: str, workload: str, value) -> str:
    base = "/ogc/collections/bench/items" if kind == "ours" else "/collections/bench/items"
    if workload == "pages":
        return f"{base}?f=json&limit={PAGE}&offset={value}"
    if workload == "bbox":
        return f"{base}?f=json&limit={PAGE}&bbox={','.join(map(str, value))}"
    return f"{base}/{value}?f=json"


def sql_caller(engine: sa.Engine, collection, workload: str):
    """``make_call`` for raw SQL: one connection per thread, our exact statements."""

    def make():
        conn = engine.connect()

        def call(value) -> tuple[int, int]:
            if workload == "pages":
                page = features.items_page(
                    conn, ItemsQuery(collection, VISIBILITY, limit=PAGE, offset=value)
                )
                body = page.features
            elif workload == "bbox":
                page = features.items_page(
                    conn, ItemsQuery(collection, VISIBILITY, limit=PAGE, bbox=value)
                )
                body = page.features
            else:
                body = features.item(conn, collection, str(value), CRS84, VISIBILITY)
            conn.rollback()  # end the implicit transaction, like a request does
            return 200, len(body)

        return call, conn.close

    return make


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_list(points, seed: int, count: int) -> list[tuple[int, int, int]]:
    rng = random.Random(seed + 1)
    tiles = []
    for _ in range(count):
        lon, lat = points[rng.randrange(len(points))]
        z = rng.randint(10, 16)
        tiles.append((z, *tile_of(lon, lat, z)))
    return tiles

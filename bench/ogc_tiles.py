"""Vector tiles for ``ogc_bench.py``: each tile warm over HTTP and as tile SQL alone."""

from __future__ import annotations

import time

from ogc_data import COLLECTION
from ogc_load import Result, http_caller
from ogc_requests import VISIBILITY


def bench_tiles(port: int, engine, catalog, tiles, clients: int) -> list[dict]:
    """Per collection: each tile twice over HTTP (second one timed), and the tile SQL alone."""
    from layers.tiles import tile as render_tile

    rows = []
    for cid in (COLLECTION, "buurten"):
        paths = [f"/ogc/collections/{cid}/tiles/WebMercatorQuad/{z}/{y}/{x}" for z, x, y in tiles]
        warm = _warm_http(paths, clients, http_caller("127.0.0.1", port))
        raw_lat, sizes = [], []
        collection = catalog[cid]
        with engine.connect() as conn:  # the tiles are warm now: one timed run each
            for z, x, y in tiles:
                t0 = time.perf_counter()
                sizes.append(len(render_tile(conn, collection, z, x, y, VISIBILITY)))
                raw_lat.append(time.perf_counter() - t0)
                conn.rollback()
        raw = Result("raw SQL", "tiles", latencies=raw_lat, bytes=sum(sizes))
        raw.statuses[200] = len(raw_lat)
        rows.append({"collection": cid, "warm": warm, "raw": raw})
    return rows


def _warm_http(paths, clients, make_call) -> Result:
    """Every path twice in a row from one of ``clients`` threads; the second is timed."""
    import threading

    result = Result("ours", "tiles")
    lock = threading.Lock()
    todo = iter(paths)
    by_zoom = result.by_group

    def worker():
        call, close = make_call()
        lat, statuses, size = [], {}, 0
        while True:
            with lock:
                path = next(todo, None)
            if path is None:
                break
            call(path)  # cold
            t0 = time.perf_counter()
            status, nbytes = call(path)
            lat.append(time.perf_counter() - t0)
            by_zoom.setdefault(int(path.split("/")[-3]), []).append(lat[-1])
            statuses[status] = statuses.get(status, 0) + 1
            size += nbytes
        close()
        with lock:
            result.latencies.extend(lat)
            result.statuses.update(statuses)
            result.bytes += size

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - started
    return result

"""Cold requests for ``ogc_bench.py``: every timed request comes right after a committed write.

A write raises the collection's data version, so everything a server process cached for the
old version (ids, counts, features) is never read again: the next page is "cold". For each
target one client alternates a write to one bench row (a new ``kosten`` text, so its stored
Feature text really changes) and one timed request (a page of 1000 at a random offset, or a
random 1-3 km box); the write is not timed. pygeoapi and raw SQL have no cache, so for them
cold and warm are the same work.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from ogc_data import TABLE
from ogc_load import Result, get

from layers import features
from layers.features import ItemsQuery


def _write(engine: sa.Engine, i: int, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"UPDATE {TABLE} SET kosten = :k WHERE id = :id"),  # noqa: S608 - constant
            {"k": f"koud {i}", "id": 1 + (i * 7919) % n},
        )


def cold_requests(
    engine: sa.Engine, collection, target: str, port: int | None, paths: list, values: list, n: int
) -> Result:
    """Write, then time one request; repeated for every value."""
    res = Result(target, "cold")
    conn = engine.connect() if target == "raw SQL" else None
    started = time.perf_counter()
    try:
        for i, (path, value) in enumerate(zip(paths, values, strict=True)):
            _write(engine, i, n)
            t0 = time.perf_counter()
            if conn is not None:
                query = ItemsQuery(collection, ("openbaar",), limit=1000)
                if isinstance(value, tuple):
                    query.bbox = value
                else:
                    query.offset = value
                body = features.items_page(conn, query).features
                conn.rollback()
                status = 200
            else:
                status, raw = get("127.0.0.1", port, path)
                body = raw.decode("utf-8", "replace")
            res.latencies.append(time.perf_counter() - t0)
            res.statuses[status] += 1
            res.bytes += len(body)
    finally:
        if conn is not None:
            conn.close()
    res.elapsed = sum(res.latencies) or (time.perf_counter() - started)
    return res


def cold_section(
    say, engine, collection, ports: dict, seqs: dict, http_path, n: int, k: int
) -> None:
    """Cold pages and boxes for ours, pygeoapi and raw SQL, and the ratios."""
    say()
    say(
        f"cold (each timed request right after a committed write to the bench table; one "
        f"client, {k} requests per row; req/s = 1 / mean latency)"
    )
    for workload in ("pages", "bbox"):
        values = seqs[workload][-k:]
        rows = {}
        for target in ("ours", "pygeoapi", "raw SQL"):
            paths = (
                [http_path(target, workload, v) for v in values]
                if target != "raw SQL"
                else [None] * len(values)
            )
            rows[target] = res = cold_requests(
                engine, collection, target, ports.get(target), paths, values, n
            )
            mean = sum(res.latencies) / max(len(res.latencies), 1)
            say(
                f"  {workload:<6} {target:<9} p50 {res.pct(50):7.1f} ms  p95 {res.pct(95):7.1f} ms"
                f"  req/s {1 / mean if mean else 0:6.1f}  statuses {dict(res.statuses)}"
            )
        ours, pyg, raw = rows["ours"], rows["pygeoapi"], rows["raw SQL"]
        say(
            f"  {workload:<6} ours vs pygeoapi: mean ×{_mean(pyg) / _mean(ours):.1f}, p95 "
            f"×{pyg.pct(95) / ours.pct(95):.1f}; vs raw SQL: mean ×{_mean(raw) / _mean(ours):.1f}"
        )


def _mean(res: Result) -> float:
    return sum(res.latencies) / max(len(res.latencies), 1)

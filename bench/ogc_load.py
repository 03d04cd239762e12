"""Closed-loop load generation for the layer-service benchmark.

``N`` client threads share one seeded request sequence (an atomic counter hands out the
next item), so every target sees the same requests in the same order, for a fixed time.
HTTP clients keep their connection alive (``http.client``, no compression asked for).
CPU seconds of the server processes, the database and this process are sampled around
each run, so a result also says where the time went.
"""

from __future__ import annotations

import gzip
import http.client
import itertools
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    target: str
    workload: str
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    bytes: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    by_group: dict[object, list[float]] = field(default_factory=dict)  # e.g. zoom -> latencies

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        """Latency percentile in ms (nearest rank), nan when nothing completed."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000


def process_tree_cpu(root_pids: Sequence[int]) -> float:
    """User+system CPU seconds of the given processes and all their descendants."""
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        pid, ppid = int(entry), int(rest[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = (int(rest[11]) + int(rest[12])) / CLK_TCK
    total, todo = 0.0, list(root_pids)
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


class CpuMeter:
    """CPU seconds per named process tree plus this process, between start and stop."""

    def __init__(self, trees: dict[str, Sequence[int]]):
        self.trees = trees

    def sample(self) -> dict[str, float]:
        now = {name: process_tree_cpu(pids) for name, pids in self.trees.items()}
        t = os.times()
        now["bench client"] = t.user + t.system
        return now

    @staticmethod
    def diff(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: after[k] - before[k] for k in before}


def _loop(
    result: Result,
    lock: threading.Lock,
    stop_at: float,
    counter,
    items: Sequence,
    call: Callable[[object], tuple[int, int]],
) -> None:
    lat, statuses, errors, size = [], Counter(), Counter(), 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        item = items[next(counter) % len(items)]
        try:
            status, nbytes = call(item)
        except Exception as exc:  # a failed request counts as an error, not a latency
            errors[type(exc).__name__] += 1
            continue
        lat.append(time.perf_counter() - now)
        statuses[status] += 1
        size += nbytes
    with lock:
        result.latencies.extend(lat)
        result.statuses.update(statuses)
        result.errors.update(errors)
        result.bytes += size


def run(
    target: str,
    workload: str,
    items: Sequence,
    clients: int,
    duration: float,
    make_call: Callable[[], tuple[Callable, Callable]],
    meter: CpuMeter | None = None,
) -> Result:
    """Run ``clients`` threads for ``duration`` seconds over ``items`` (in shared order).

    ``make_call()`` is called once per thread and returns ``(call, close)``: ``call(item)``
    performs one request and returns ``(status, bytes)``.
    """
    result = Result(target, workload)
    lock = threading.Lock()
    counter = itertools.count()
    calls = [make_call() for _ in range(clients)]
    before = meter.sample() if meter else None
    started = time.perf_counter()
    stop_at = started + duration
    threads = [
        threading.Thread(target=_loop, args=(result, lock, stop_at, counter, items, c[0]))
        for c in calls
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - started
    if meter:
        result.cpu = CpuMeter.diff(before, meter.sample())
    for _, close in calls:
        close()
    return result


def http_caller(host: str, port: int, timeout: float = 120.0):
    """A ``make_call`` for paths on one HTTP server (keep-alive, reconnect on failure)."""

    def make():
        state = {"conn": http.client.HTTPConnection(host, port, timeout=timeout)}

        def call(path: str) -> tuple[int, int]:
            conn = state["conn"]
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                state["conn"] = http.client.HTTPConnection(host, port, timeout=timeout)
                raise
            if response.will_close:
                conn.close()
            return response.status, len(body)

        return call, lambda: state["conn"].close()

    return make


def get(
    host: str, port: int, path: str, timeout: float = 120.0, gzipped: bool = False
) -> tuple[int, bytes]:
    """One GET; ``gzipped`` asks for gzip as GDAL does and returns the body unpacked."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzipped else {})
        response = conn.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body
    finally:
        conn.close()

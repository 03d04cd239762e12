"""Benchmark: no request can starve the others. ``/healthz`` latency while three clients
hammer the most expensive pages of the demo, served exactly as ``sociale-kaart demo`` serves
it (gunicorn, the same argv and environment, production settings, web role).

Data: a throw-away database on the bench cluster (``var/bench-cluster``) loaded with the
full Zuid-Limburg demo (``demo --no-serve``: areas, addresses, organisations, a first
coverage run), or ``--database-url`` of an already loaded demo database (owner URL; then
``--web-database-url`` too, unless it is on the bench cluster).

    .venv/bin/python bench/healthz_bench.py [--duration 30] [--database-url URL]
        [--web-database-url URL] [--write-results]

Heavy clients (one thread each, round-robin over HEAVY, starting at different entries);
one more thread asks ``/healthz`` every 50 ms. Goal: ``/healthz`` p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from common import ROOT, BenchDatabase, machine, write_results

from geo.pgcluster import WEB_LOGIN
from server import create_app
from server.commands.demo import gunicorn_argv, gunicorn_env
from server.settings import SETTINGS

SECTION = "## /healthz under load (no request starves the others)"
HEAVY = [
    "/ogc/collections/dekking/items?limit=10000&f=html",
    "/print/GM0935.pdf",
    "/ogc/collections/voorzieningen/items?limit=10000",
    "/api/zoeken?q=zorg",
]
HEAVY_CLIENTS = 3
HEALTH_EVERY_S = 0.05
GOAL_P95_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, path: str, timeout: float = 120.0) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def load_demo(url: str) -> None:
    """The demo data, as ``sociale-kaart demo --no-serve`` loads it (as the owner)."""
    app = create_app({"DATABASE_URL": url, "ENV": "development"})
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    if result.exit_code != 0:
        raise SystemExit(result.output)


def start_gunicorn(url: str, web_url: str, port: int) -> subprocess.Popen:
    settings = {
        "DATABASE_URL": url,
        "WEB_DATABASE_URL": web_url,
        "ENV": "production",
        "SECRET_KEY": "bench-" + "0" * 58,
        "PORT": port,
        "HOST": "127.0.0.1",
    }
    if "RATELIMIT_ENABLED" in {s.name for s in SETTINGS}:
        settings["RATELIMIT_ENABLED"] = False  # measure the work, not 429s
    app = create_app(settings)
    argv = gunicorn_argv(app)
    print("server:", " ".join(argv[2:]), flush=True)
    proc = subprocess.Popen(
        argv, env=gunicorn_env(app, settings["SECRET_KEY"]), start_new_session=True
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if request(port, "/healthz", timeout=5)[0] == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("gunicorn did not come up")
        time.sleep(0.2)


def measure(port: int, duration: float) -> dict:
    stop = threading.Event()
    heavy: dict[str, list[float]] = defaultdict(list)
    heavy_status: Counter = Counter()
    health: list[float] = []
    health_status: Counter = Counter()
    lock = threading.Lock()

    def heavy_client(offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = HEAVY[i % len(HEAVY)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, _ = request(port, path)
            except OSError as exc:
                status = type(exc).__name__
            with lock:
                heavy[path].append(time.perf_counter() - t0)
                heavy_status[(path, status)] += 1

    def health_client() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status, _ = request(port, "/healthz", timeout=30)
            except OSError as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - t0
            health.append(elapsed * 1000)
            health_status[status] += 1
            time.sleep(max(0.0, HEALTH_EVERY_S - elapsed))

    threads = [threading.Thread(target=heavy_client, args=(n,)) for n in range(HEAVY_CLIENTS)]
    threads.append(threading.Thread(target=health_client))
    load0 = os.getloadavg()[0]
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join()
    return {
        "heavy": heavy,
        "heavy_status": heavy_status,
        "health": health,
        "health_status": health_status,
        "load": (load0, os.getloadavg()[0]),
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(result: dict, duration: float, workers: str, threads: str) -> str:
    h = result["health"]
    lines = [
        f"/healthz under load: p50 {statistics.median(h):.1f} ms, p95 {pct(h, 95):.1f} ms, "
        f"max {max(h):.1f} ms over {len(h)} requests in {duration:.0f} s "
        f"(statuses {dict(result['health_status'])}; goal p95 < {GOAL_P95_MS:.0f} ms: "
        f"{'met' if pct(h, 95) < GOAL_P95_MS else 'MISSED'})",
        f"heavy clients: {HEAVY_CLIENTS} threads, gunicorn {workers} workers x {threads} "
        f"threads; load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}",
    ]
    for path in HEAVY:
        times = result["heavy"].get(path, [])
        statuses = {s: n for (p, s), n in result["heavy_status"].items() if p == path}
        if times:
            lines.append(
                f"  {path}: {len(times)} served, mean {statistics.mean(times):.2f} s, "
                f"max {max(times):.2f} s, statuses {statuses}"
            )
        else:
            lines.append(f"  {path}: none finished")
    return "\n".join(lines)


def run(url: str, web_url: str, duration: float, write: bool) -> None:
    port = free_port()
    proc = start_gunicorn(url, web_url, port)
    try:
        for path in HEAVY:  # warm: catalogue, layer cache, fonts
            print(f"warm {path}: {request(port, path)[0]}", flush=True)
        argv = gunicorn_argv(create_app({"DATABASE_URL": url, "ENV": "development"}))
        workers, threads = argv[argv.index("--workers") + 1], argv[argv.index("--threads") + 1]
        result = measure(port, duration)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = report(result, duration, workers, threads)
    print(text)
    if write:
        write_results(
            SECTION,
            "\n".join(
                [
                    SECTION,
                    "",
                    f"`.venv/bin/python bench/healthz_bench.py --duration {duration:.0f} "
                    "--write-results` (full demo data on the bench cluster; served by the gunicorn "
                    "command `sociale-kaart demo` runs; rate limits off). "
                    f"{date.today().isoformat()}, {machine()}.",
                    "",
                    "```",
                    text,
                    "```",
                ]
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--database-url", help="owner URL of a loaded demo database")
    parser.add_argument("--web-database-url", help="web role URL of that database")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if args.database_url:
        web = args.web_database_url or sa.make_url(args.database_url).set(
            username=WEB_LOGIN, password=None
        ).render_as_string(hide_password=False)
        run(args.database_url, web, args.duration, args.write_results)
        return
    with BenchDatabase() as engine:
        url = engine.url.render_as_string(hide_password=False)
        t0 = time.monotonic()
        load_demo(url)
        print(f"demo loaded in {time.monotonic() - t0:.0f} s", flush=True)
        web = engine.url.set(username=WEB_LOGIN).render_as_string(hide_password=False)
        run(url, web, args.duration, args.write_results)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()

"""Benchmark: the layer service (OGC API Features + tiles) against pygeoapi and raw SQL.

Side by side in one run, on the same PostGIS and machine, over a 50,000-point collection:

* ours: ``gunicorn 'server:create_app()'`` with its default settings (so with the layer
  cache of ``SOCIALE_KAART_LAYER_CACHE_MB``; pass ``--cache-mb 0`` to measure without);
* pygeoapi (current PyPI release, own venv ``var/bench-pygeoapi-venv``), PostgreSQL
  provider on the same table, under gunicorn with the same workers and threads;
* raw SQL: the one statement that builds a whole page or feature in PostGIS
  (``layers.features.items_page`` / ``item`` without a cache: ids, GeoJSON of each feature,
  exact count, neighbours), straight on PostGIS from as many threads as there are clients,
  one connection each.

Workloads (the same seeded request sequence for each target): pages of 1000 at random
offsets, random 1-3 km bbox queries (CRS84, limit 1000), single features; then the same
pages and boxes cold, each right after a write (``ogc_cold.py``). Then a full ``ogr2ogr``
copy over OAPIF from ours and from pygeoapi, and warm vector tiles. ``--features`` sets the
size (50,000, 150,000 and 500,000 in bench/RESULTS.md).

    .venv/bin/python bench/ogc_bench.py [--duration 10] [--clients 8] [--workers 2]
        [--threads 4] [--gdal-timeout 300] [--features 50000] [--cold 40] [--skip-gdal]
        [--write-results]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyogrio
import sqlalchemy as sa
from common import RESULTS, ROOT, BenchDatabase, machine, write_results
from ogc_cold import cold_section
from ogc_data import COLLECTION, TABLE, buurt_extent_crs84, create_bench_layer, sample_points_crs84
from ogc_gdal import client_floor, crawl_seconds, gdal_copy
from ogc_load import CpuMeter, Result, get, http_caller, run
from ogc_pygeoapi import ensure_venv, generate_openapi, version, write_config

from geo.db import server_info
from layers import features
from layers.catalog import load_catalog
from layers.crs import CRS84
from layers.features import ItemsQuery

VISIBILITY = ("openbaar",)
PAGE = 1000
SECTION = "## Layer service (OGC API Features, tiles)"
TARGETS = {"pages": 10.0, "pages_raw": 0.75, "gdal_s": 10.0, "tile_p95_ms": 50.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen, log: Path, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _ = get("127.0.0.1", port, path, timeout=30)
            if status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"server on {port} not ready after {timeout} s: {log.read_text()[-3000:]}")


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:
        return subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def postmaster_pid(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        directory = conn.execute(sa.text("SHOW data_directory")).scalar_one()
    with contextlib.suppress(OSError, ValueError):
        return [int(Path(directory, "postmaster.pid").read_text().split()[0])]
    return []


# ---------------------------------------------------------------- request sequences


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


# ---------------------------------------------------------------- sanity


def _fc(port: int, path: str) -> dict:
    status, body = get("127.0.0.1", port, path)
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


def sanity(ports: dict, engine, collection, seqs, k: int = 12) -> list[str]:
    """Compare ours, pygeoapi and raw SQL on the first ``k`` requests of each workload."""
    lines = []
    with engine.connect() as conn:
        for workload in ("pages", "bbox"):
            lines.append(_sanity_workload(conn, ports, collection, seqs, workload, k))
        lines.append(_sanity_rd_boxes(conn, ports, seqs, k))
        lines.append(_sanity_single(ports, seqs, k))
    return lines


def _sanity_workload(conn, ports: dict, collection, seqs, workload: str, k: int) -> str:
    """Counts and id lists of ours, pygeoapi and raw SQL for one workload."""
    same_ids = count_ok = 0
    diffs = []
    for value in seqs[workload][:k]:
        ours = _fc(ports["ours"], http_path("ours", workload, value))
        theirs = _fc(ports["pygeoapi"], http_path("pygeoapi", workload, value))
        where = {"offset": value} if workload == "pages" else {"bbox": value}
        query = ItemsQuery(collection, VISIBILITY, limit=PAGE, **where)
        raw = features.items_page(conn, query)
        conn.rollback()
        a = [f["id"] for f in ours["features"]]
        b = [f["id"] for f in theirs["features"]]
        if (
            ours["numberReturned"] == theirs["numberReturned"] == raw.number_returned
            and ours["numberMatched"] == theirs["numberMatched"] == raw.number_matched
        ):
            count_ok += 1
        else:
            diffs.append(
                f"{value}: ours {ours['numberReturned']}/{ours['numberMatched']}"
                f" pygeoapi {theirs['numberReturned']}/{theirs['numberMatched']}"
                f" raw {raw.number_returned}/{raw.number_matched}"
            )
        same_ids += a == b
    return (
        f"{workload}: counts (returned/matched) equal in {count_ok}/{k}, "
        f"id lists equal in {same_ids}/{k}"
        + (f"; differences: {'; '.join(diffs[:4])}" if diffs else "")
    )


def _sanity_rd_boxes(conn, ports: dict, seqs, k: int) -> str:
    """The same boxes in RD New (bbox-crs=EPSG:28992): both test the same rectangle."""
    rd_ok, rd_diffs = 0, []
    for value in seqs["bbox"][:k]:
        box = conn.execute(
            sa.text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT "
                "ST_Transform(ST_MakeEnvelope(:a, :b, :c, :d, 4326), 28992)::box2d::geometry"
                " AS b) t"
            ),
            dict(zip("abcd", value, strict=True)),
        ).one()
        box = ",".join(f"{v:.2f}" for v in box)
        crs = "bbox-crs=http://www.opengis.net/def/crs/EPSG/0/28992"
        ours = _fc(
            ports["ours"], f"/ogc/collections/bench/items?f=json&limit={PAGE}&bbox={box}&{crs}"
        )
        theirs = _fc(
            ports["pygeoapi"], f"/collections/bench/items?f=json&limit={PAGE}&bbox={box}&{crs}"
        )
        if [f["id"] for f in ours["features"]] == [f["id"] for f in theirs["features"]] and ours[
            "numberMatched"
        ] == theirs["numberMatched"]:
            rd_ok += 1
        else:
            rd_diffs.append(
                f"{box}: ours {ours['numberMatched']} pygeoapi {theirs['numberMatched']}"
            )
    conn.rollback()
    return f"bbox in EPSG:28992: ids and numberMatched equal in {rd_ok}/{k}" + (
        f"; differences: {'; '.join(rd_diffs[:4])}" if rd_diffs else ""
    )


def _sanity_single(ports: dict, seqs, k: int) -> str:
    """Single features: ids, shared properties and coordinates of ours and pygeoapi."""
    props_ok, max_dx, key_diffs = 0, 0.0, set()
    for fid in seqs["single"][:k]:
        ours = _fc(ports["ours"], http_path("ours", "single", fid))
        theirs = _fc(ports["pygeoapi"], http_path("pygeoapi", "single", fid))
        mine = ours["properties"]
        other = {key: val for key, val in theirs["properties"].items() if key in mine}
        key_diffs |= set(mine) ^ set(theirs["properties"])
        props_ok += ours["id"] == theirs["id"] and mine == other
        ca, cb = ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"]
        max_dx = max(max_dx, abs(ca[0] - cb[0]) * 70_000, abs(ca[1] - cb[1]) * 111_000)
    return (
        f"single: id and shared properties equal in {props_ok}/{k}; largest "
        f"coordinate difference ≈ {max_dx:.2f} m"
        + (f"; keys only on one side: {sorted(key_diffs)}" if key_diffs else "")
    )


# ---------------------------------------------------------------- tiles


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


# ---------------------------------------------------------------- report


def _fmt_row(r: Result) -> str:
    bad = sum(v for k, v in r.statuses.items() if k != 200) + sum(r.errors.values())
    per = {k: v / max(r.ok, 1) * 1000 for k, v in r.cpu.items()}
    cpu = " ".join(f"{k.split()[0]}={v:.1f}" for k, v in per.items() if v >= 0.05)
    return (
        f"  {r.target:<9} {r.ok:>7} {bad:>5} {r.rps:>9.1f} {r.pct(50):>9.1f} "
        f"{r.pct(95):>9.1f} {r.bytes / max(r.ok, 1) / 1024:>8.1f}  {cpu}"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and b == b and a == a else "n/a"


def _gdal_label(target: str, res: dict, newer: bool) -> str:
    limit = f"limit={res['limit']}" if res["limit"] else "limit ?"
    return f"{target} ({'newer GDAL, ' if newer else ''}{limit})"


def _gdal_outcome(res: dict, n: int, timeout: float) -> str:
    if res["killed"]:
        got = max(res["pages"] - 2, 0) * (res["limit"] or 0)
        guess = (
            (
                f", ≈ {n / got * res['seconds']:.0f} s or more for all "
                f"(linear from {got} features fetched)"
            )
            if got
            else ""
        )
        return f"> {timeout:.0f} s (killed after {res['pages']} pages{guess})"
    if res["failed"]:
        return f"FAILED after {res['seconds']:.1f} s: {res['tail']}"
    return (
        f"{res['seconds']:.1f} s, {res['pages']} page requests, "
        f"{res['count']} features in the GeoPackage"
    )


def _gdal_target(res: dict) -> str:
    if res["killed"] or res["failed"]:
        return ""
    met = res["seconds"] < TARGETS["gdal_s"]
    return f" (target < {TARGETS['gdal_s']:.0f} s: {'MET' if met else 'MISSED'})"


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--features", type=int, default=50_000)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--gdal-timeout",
        type=float,
        default=75.0,
        help="seconds before pygeoapi's GDAL copy is killed",
    )
    parser.add_argument("--gdal-timeout-ours", type=float, default=120.0)
    parser.add_argument("--tiles", type=int, default=80, help="random tiles per collection")
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=None,
        help="SOCIALE_KAART_LAYER_CACHE_MB for ours (default: the app default)",
    )
    parser.add_argument(
        "--ours-app",
        default="server:create_app()",
        help="gunicorn app spec for ours, importable from bench/ (A/B of a fix; "
        "the module is imported here too, so raw SQL sees the same patch)",
    )
    parser.add_argument("--pythonpath", default="", help="extra import path for --ours-app")
    parser.add_argument("--workloads", default="pages,bbox,single")
    parser.add_argument(
        "--cold", type=int, default=40, help="cold requests (after a write) per target, 0: none"
    )
    parser.add_argument("--skip-gdal", action="store_true", help="no GDAL section")
    parser.add_argument(
        "--gdal-runs",
        default="default,1000,newer",
        help="GDAL copies: default (GDAL 3.6, limit=10), 1000 (-oo PAGE_SIZE=1000), newer",
    )
    parser.add_argument("--skip-gdal-pygeoapi", action="store_true")
    parser.add_argument("--pygeoapi-venv", type=Path, default=ROOT / "var" / "bench-pygeoapi-venv")
    parser.add_argument(
        "--write-results",
        action="store_true",
        help=f"write the output into {RESULTS.relative_to(ROOT)} ({SECTION!r})",
    )
    return parser.parse_args()


def _say_setup(say, args, info: dict, n: int, data_s: float, pyg_version: str) -> None:
    """The header of the report: machine, versions, data and how the servers run."""
    gdal = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout.strip()
    say(f"date {date.today()}; {machine(gdal)}")
    say(f"PostgreSQL {info['postgresql']}, PostGIS {info['postgis']}, pygeoapi {pyg_version}")
    say(f"data: {n} features in {TABLE} (view laag_{COLLECTION}) built in {data_s:.1f} s")
    say(
        "load average before the run (1/5/15 min): "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
        + " (other processes share the CPUs)"
    )
    say(
        f"servers: gunicorn -w {args.workers} --threads {args.threads} each; "
        f"{args.clients} keep-alive clients; {args.duration:.0f} s per run; raw SQL: "
        f"{args.clients} threads, one connection each; layer cache of ours: "
        f"{'default' if args.cache_mb is None else str(args.cache_mb) + ' MB'}"
    )


def _start_servers(
    args,
    engine,
    collection,
    tmp: Path,
    venv: Path,
    ports: dict,
    pythonpath: list[str],
    procs: dict[str, subprocess.Popen],
) -> None:
    """Start ours and pygeoapi under gunicorn (into ``procs``) and wait until both answer."""
    gunicorn = [
        "-w",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    # development: the bench's own throw-away database, read as its owner (no web role)
    env = dict(
        os.environ,
        SOCIALE_KAART_DATABASE_URL=engine.url.render_as_string(hide_password=False),
        SOCIALE_KAART_ENV="development",
    )
    if args.cache_mb is not None:
        env["SOCIALE_KAART_LAYER_CACHE_MB"] = str(args.cache_mb)
    procs["ours"] = start(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            *gunicorn,
            "-b",
            f"127.0.0.1:{ports['ours']}",
            "--pythonpath",
            ",".join(pythonpath),
            args.ours_app,
        ],
        env,
        tmp / "ours.log",
    )
    cfg, openapi = write_config(
        tmp,
        engine.url,
        ports["pygeoapi"],
        [p.name for p in collection.properties],
        buurt_extent_crs84(engine),
        TABLE,
    )
    generate_openapi(venv, cfg, openapi)
    procs["pygeoapi"] = start(
        [
            str(venv / "bin" / "gunicorn"),
            *gunicorn,
            "-b",
            f"127.0.0.1:{ports['pygeoapi']}",
            "pygeoapi.flask_app:APP",
        ],
        {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYGEOAPI_CONFIG": str(cfg),
            "PYGEOAPI_OPENAPI": str(openapi),
        },
        tmp / "pygeoapi.log",
    )
    wait_ready(ports["ours"], "/ogc/collections/bench", procs["ours"], tmp / "ours.log")
    wait_ready(ports["pygeoapi"], "/collections/bench", procs["pygeoapi"], tmp / "pygeoapi.log")


def _run_workloads(
    say, args, engine, collection, seqs, ports: dict, procs: dict[str, subprocess.Popen]
) -> dict[tuple[str, str], Result]:
    """Every workload against ours, pygeoapi and raw SQL: one table row each."""
    meter = CpuMeter(
        {
            "ours": [procs["ours"].pid],
            "pygeoapi": [procs["pygeoapi"].pid],
            "postgres": postmaster_pid(engine),
        }
    )
    warm_n = 2 * args.clients
    results: dict[tuple[str, str], Result] = {}
    say()
    say(
        "workload   target       ok   bad     req/s   p50 ms   p95 ms  KiB/req  "
        "CPU ms/req (server processes, postgres, bench client)"
    )
    for workload in args.workloads.split(","):
        items = seqs[workload]
        for target in ("ours", "pygeoapi", "raw SQL"):
            if target == "raw SQL":
                make = sql_caller(engine, collection, workload)
                values = items
            else:
                make = http_caller("127.0.0.1", ports[target])
                values = [http_path(target, workload, v) for v in items]
            run(target, workload, values[-warm_n:], args.clients, 0.5, make)  # warm-up
            res = run(target, workload, values, args.clients, args.duration, make, meter)
            results[workload, target] = res
            if res.errors:
                res.target += "!"
            say(f"{workload:<8} " + _fmt_row(res))
            if res.errors or any(k != 200 for k in res.statuses):
                say(f"           statuses {dict(res.statuses)} errors {dict(res.errors)}")
    return results


def _say_ratios(say, args, results: dict[tuple[str, str], Result]) -> None:
    """Ours against pygeoapi and raw SQL per workload, and the pages targets."""
    say()
    say("ratios (req/s: ours ÷ other, higher is better; p95: other ÷ ours, higher is better):")
    for workload in args.workloads.split(","):
        ours = results[workload, "ours"]
        pyg, raw = results[workload, "pygeoapi"], results[workload, "raw SQL"]
        say(
            f"  {workload:<7} vs pygeoapi: req/s ×{_ratio(ours.rps, pyg.rps)}, p95 "
            f"×{_ratio(pyg.pct(95), ours.pct(95))}   vs raw SQL: req/s "
            f"×{_ratio(ours.rps, raw.rps)}, p95 ×{_ratio(raw.pct(95), ours.pct(95))}"
        )
    if "pages" in args.workloads:
        ours = results["pages", "ours"]
        a = ours.rps / max(results["pages", "pygeoapi"].rps, 1e-9)
        b = ours.rps / max(results["pages", "raw SQL"].rps, 1e-9)
        say(
            f"  target pages of 1000: ours ≥ 10× pygeoapi: {a:.1f}× "
            f"{'MET' if a >= TARGETS['pages'] else 'MISSED'}; ours ≥ 0.75× raw SQL: "
            f"{b:.2f}× {'MET' if b >= TARGETS['pages_raw'] else 'MISSED'}"
        )


def _gdal_section(say, args, ports: dict, tmp: Path, n: int) -> None:
    """GDAL's full copy to a GeoPackage from both servers, the client floor, the server share."""
    say()
    say(
        "GDAL full copy of the collection to a GeoPackage: Debian's ogr2ogr "
        "(GDAL 3.6) with its default page size, then with -oo PAGE_SIZE=1000; "
        f"then the GDAL {pyogrio.__gdal_version_string__} in pyogrio's wheel with "
        "default options (it takes the page size from our OpenAPI document)"
    )
    floor = {}
    runs = {"default": (None, False), "1000": (1000, False), "newer": (None, True)}
    for page_size, newer in (runs[r] for r in args.gdal_runs.split(",")):
        for target, base in (
            ("ours", f"http://127.0.0.1:{ports['ours']}/ogc"),
            ("pygeoapi", f"http://127.0.0.1:{ports['pygeoapi']}"),
        ):
            if target == "pygeoapi" and args.skip_gdal_pygeoapi:
                say("  pygeoapi  skipped (--skip-gdal-pygeoapi)")
                continue
            timeout = args.gdal_timeout if target == "pygeoapi" else args.gdal_timeout_ours
            res = gdal_copy(base, tmp, target, timeout, page_size, newer)
            say(
                f"  {_gdal_label(target, res, newer):<30} {_gdal_outcome(res, n, timeout)}"
                + (_gdal_target(res) if target == "ours" else "")
            )
            if target == "ours" and page_size and res["count"] == n:
                floor = client_floor(res["out"], tmp)
    say(
        "  client floor, the same copy from a local GeoJSON file (no server): "
        + ", ".join(f"{name} {s:.1f} s" for name, s in floor.items())
    )
    for target, first in (
        ("ours", f"/ogc/collections/{COLLECTION}/items?limit=1000"),
        ("pygeoapi", f"/collections/{COLLECTION}/items?limit=1000"),
    ):
        secs, pages, count = crawl_seconds(ports[target], first)
        say(
            f"  server share: {target} serves all {pages} pages of 1000 ({count} "
            f"features, next links, one client, JSON parsed, no GDAL) in {secs:.1f} s"
        )


def _cold_and_gdal(say, args, engine, collection, ports, seqs, tmp: Path, n: int) -> None:
    """Cold pages and boxes (``--cold``), then GDAL's copies unless ``--skip-gdal``."""
    if args.cold:
        cold_section(say, engine, collection, ports, seqs, http_path, n, args.cold)
    if not args.skip_gdal:
        _gdal_section(say, args, ports, tmp, n)


def _tiles_section(say, args, ports: dict, engine, catalog, points) -> None:
    """Random tiles at features, warm over HTTP and as tile SQL alone, if ours serves tiles."""
    say()
    status, _ = get(
        "127.0.0.1", ports["ours"], "/ogc/collections/bench/tiles/WebMercatorQuad/14/5494/8458"
    )
    if args.tiles <= 0:
        say("tiles: skipped (--tiles 0)")
    elif status in (200, 204):
        tiles = tile_list(points, args.seed, args.tiles)
        say(
            f"tiles: {len(tiles)} random tiles z10-z16 at features, each requested twice,"
            f" second timed; {min(4, args.clients)} clients"
        )
        for row in bench_tiles(ports["ours"], engine, catalog, tiles, min(4, args.clients)):
            _say_tile_row(say, row, len(tiles))
    else:
        say(
            f"tiles: SKIPPED - /ogc/collections/<id>/tiles/WebMercatorQuad/<z>/<y>/<x> "
            f"answers HTTP {status} (server/routes/tiles.py not present or not "
            f"registered)"
        )


def _say_tile_row(say, row: dict, n_tiles: int) -> None:
    """One collection's tile latencies, overall and by zoom band."""
    warm, raw = row["warm"], row["raw"]
    p95 = warm.pct(95)
    say(
        f"  {row['collection']:<9} HTTP warm p50 {warm.pct(50):.1f} ms, p95 "
        f"{p95:.1f} ms, max {max(warm.latencies) * 1000:.1f} ms, statuses "
        f"{dict(warm.statuses)}, {warm.bytes / n_tiles / 1024:.1f} KiB/tile;"
        f" tile SQL alone p50 {raw.pct(50):.1f} ms, p95 {raw.pct(95):.1f} ms "
        f"(target p95 < {TARGETS['tile_p95_ms']:.0f} ms: "
        f"{'MET' if p95 < TARGETS['tile_p95_ms'] else 'MISSED'})"
    )
    groups = {"z10-12": (10, 12), "z13-14": (13, 14), "z15-16": (15, 16)}
    parts = []
    for label, (lo, hi) in groups.items():
        lat = [v for z, vs in warm.by_group.items() if lo <= z <= hi for v in vs]
        if lat:
            r = Result("", "", latencies=lat)
            parts.append(f"{label} p50 {r.pct(50):.0f} / p95 {r.pct(95):.0f} ms")
    say("            by zoom (HTTP warm): " + "; ".join(parts))


def _ours_pythonpath(args) -> list[str]:
    """gunicorn's import path for ours; another ``--ours-app`` is imported here too."""
    pythonpath = [str(ROOT / "bench"), *([args.pythonpath] if args.pythonpath else [])]
    if args.ours_app != "server:create_app()":
        sys.path[:0] = pythonpath[1:]
        __import__(args.ours_app.split(":")[0])
    return pythonpath


def _finish(say, out: list[str], args, command: str, began: float) -> None:
    """The run time and load, then the whole output into RESULTS.md when asked."""
    say()
    say(
        f"total run time {time.perf_counter() - began:.0f} s; load average after: "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    if args.write_results:
        text = (
            f"{SECTION}\n\nCommand (from the repository root):\n\n    .venv/bin/{command}\n\n"
            "```\n" + "\n".join(out) + "\n```\n"
        )
        write_results(SECTION, text)
        print(f"written to {RESULTS}")


def main() -> None:
    """Build the bench layer, run both servers and raw SQL, and report (see the module doc)."""
    args = _parse_args()
    command = "python bench/ogc_bench.py " + " ".join(sys.argv[1:])
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    began = time.perf_counter()
    pythonpath = _ours_pythonpath(args)
    venv = args.pygeoapi_venv
    ensure_venv(venv)
    pyg_version = version(venv)
    procs: dict[str, subprocess.Popen] = {}
    with tempfile.TemporaryDirectory(prefix="sk-ogc-bench-") as tmp_name, BenchDatabase() as engine:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        n = create_bench_layer(engine, args.features, args.seed)
        data_s = time.perf_counter() - t0
        info = server_info(engine)
        with engine.connect() as conn:
            catalog = load_catalog(conn)
        collection = catalog[COLLECTION]
        points = sample_points_crs84(engine)
        seqs = sequences(n, points, args.seed)
        _say_setup(say, args, info, n, data_s, pyg_version)

        ports = {"ours": free_port(), "pygeoapi": free_port()}
        try:
            _start_servers(args, engine, collection, tmp, venv, ports, pythonpath, procs)
            say()
            say("sanity (first 12 requests of each sequence, ours vs pygeoapi vs raw SQL):")
            for line in sanity(ports, engine, collection, seqs):
                say("  " + line)
            results = _run_workloads(say, args, engine, collection, seqs, ports, procs)
            _say_ratios(say, args, results)
            _cold_and_gdal(say, args, engine, collection, ports, seqs, tmp, n)
            _tiles_section(say, args, ports, engine, catalog, points)
        finally:
            for proc in procs.values():
                stop(proc)
    _finish(say, out, args, command, began)


if __name__ == "__main__":
    main()

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyogrio
from common import RESULTS, ROOT, BenchDatabase
from ogc_cold import cold_section
from ogc_data import COLLECTION, create_bench_layer, sample_points_crs84
from ogc_gdal import client_floor, crawl_seconds, gdal_copy
from ogc_load import CpuMeter, Result, get, http_caller, run
from ogc_pygeoapi import ensure_venv, version
from ogc_report import (
    SECTION,
    finish,
    fmt_row,
    gdal_label,
    gdal_outcome,
    gdal_target,
    say_ratios,
    say_setup,
    say_tile_row,
)
from ogc_requests import http_path, sequences, sql_caller, tile_list
from ogc_sanity import sanity
from ogc_servers import free_port, postmaster_pid, start_servers, stop
from ogc_tiles import bench_tiles

from geo.db import server_info
from layers.catalog import load_catalog


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
            say(f"{workload:<8} " + fmt_row(res))
            if res.errors or any(k != 200 for k in res.statuses):
                say(f"           statuses {dict(res.statuses)} errors {dict(res.errors)}")
    return results


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
                f"  {gdal_label(target, res, newer):<30} {gdal_outcome(res, n, timeout)}"
                + (gdal_target(res) if target == "ours" else "")
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
            say_tile_row(say, row, len(tiles))
    else:
        say(
            f"tiles: SKIPPED - /ogc/collections/<id>/tiles/WebMercatorQuad/<z>/<y>/<x> "
            f"answers HTTP {status} (server/routes/tiles.py not present or not "
            f"registered)"
        )


def _ours_pythonpath(args) -> list[str]:
    """gunicorn's import path for ours; another ``--ours-app`` is imported here too."""
    pythonpath = [str(ROOT / "bench"), *([args.pythonpath] if args.pythonpath else [])]
    if args.ours_app != "server:create_app()":
        sys.path[:0] = pythonpath[1:]
        __import__(args.ours_app.split(":")[0])
    return pythonpath


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
        say_setup(say, args, info, n, data_s, pyg_version)

        ports = {"ours": free_port(), "pygeoapi": free_port()}
        try:
            start_servers(args, engine, collection, tmp, venv, ports, pythonpath, procs)
            say()
            say("sanity (first 12 requests of each sequence, ours vs pygeoapi vs raw SQL):")
            for line in sanity(ports, engine, collection, seqs):
                say("  " + line)
            results = _run_workloads(say, args, engine, collection, seqs, ports, procs)
            say_ratios(say, args, results)
            _cold_and_gdal(say, args, engine, collection, ports, seqs, tmp, n)
            _tiles_section(say, args, ports, engine, catalog, points)
        finally:
            for proc in procs.values():
                stop(proc)
    finish(say, out, args, command, began)


if __name__ == "__main__":
    main()

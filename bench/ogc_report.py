"""The printed report of ``ogc_bench.py``: setup header, table rows, ratios, targets.

Every function here only formats and says (prints and keeps) lines; ``finish`` also
writes the whole output into bench/RESULTS.md when ``--write-results`` is given.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date

from common import RESULTS, machine, write_results
from ogc_data import COLLECTION, TABLE
from ogc_load import Result

SECTION = "## Layer service (OGC API Features, tiles)"
TARGETS = {"pages": 10.0, "pages_raw": 0.75, "gdal_s": 10.0, "tile_p95_ms": 50.0}


def fmt_row(r: Result) -> str:
    bad = sum(v for k, v in r.statuses.items() if k != 200) + sum(r.errors.values())
    per = {k: v / max(r.ok, 1) * 1000 for k, v in r.cpu.items()}
    cpu = " ".join(f"{k.split()[0]}={v:.1f}" for k, v in per.items() if v >= 0.05)
    return (
        f"  {r.target:<9} {r.ok:>7} {bad:>5} {r.rps:>9.1f} {r.pct(50):>9.1f} "
        f"{r.pct(95):>9.1f} {r.bytes / max(r.ok, 1) / 1024:>8.1f}  {cpu}"
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and b == b and a == a else "n/a"


def gdal_label(target: str, res: dict, newer: bool) -> str:
    limit = f"limit={res['limit']}" if res["limit"] else "limit ?"
    return f"{target} ({'newer GDAL, ' if newer else ''}{limit})"


def gdal_outcome(res: dict, n: int, timeout: float) -> str:
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


def gdal_target(res: dict) -> str:
    if res["killed"] or res["failed"]:
        return ""
    met = res["seconds"] < TARGETS["gdal_s"]
    return f" (target < {TARGETS['gdal_s']:.0f} s: {'MET' if met else 'MISSED'})"


def say_setup(say, args, info: dict, n: int, data_s: float, pyg_version: str) -> None:
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


def say_ratios(say, args, results: dict[tuple[str, str], Result]) -> None:
    """Ours against pygeoapi and raw SQL per workload, and the pages targets."""
    say()
    say("ratios (req/s: ours ÷ other, higher is better; p95: other ÷ ours, higher is better):")
    for workload in args.workloads.split(","):
        ours = results[workload, "ours"]
        pyg, raw = results[workload, "pygeoapi"], results[workload, "raw SQL"]
        say(
            f"  {workload:<7} vs pygeoapi: req/s ×{ratio(ours.rps, pyg.rps)}, p95 "
            f"×{ratio(pyg.pct(95), ours.pct(95))}   vs raw SQL: req/s "
            f"×{ratio(ours.rps, raw.rps)}, p95 ×{ratio(raw.pct(95), ours.pct(95))}"
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


def say_tile_row(say, row: dict, n_tiles: int) -> None:
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


def finish(say, out: list[str], args, command: str, began: float) -> None:
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

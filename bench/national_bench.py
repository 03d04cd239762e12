"""Benchmark: the synthetic nation (bench/national.py) through the real loaders and analysis.

Steps (each timed, with the machine's load average before and after, since other jobs
share the 2 cores):

* ``gebieden``: ``areas load`` of the nation's manifest (goal < 2 min for ~14,000 buurten);
* ``postcodes``, ``adressen``: ``geocode load-postcodes`` and ``load-bag``;
* ``import``: ``organisations import`` of the nation's records;
* ``analyse2`` / ``analyse1``: the full analysis (all themes, both target groups, three
  catchment sizes, flags, cold spots, location suggestions, stored) on a ``LocalCluster``
  of 2 and of 1 worker processes, reached by its address as ``--scheduler tcp://…``;
  wall time, time in the tiled step, peak RSS per worker (psutil, sampled every 0.2 s)
  and of the main process (goal < 15 min, < 3 GB per worker);
* ``aggregatie``: demand points → buurten for one theme and target group (goal < 30 s);
* ``import1m``: an import of 1,000,000 rows (goal < 10 min), from
  ``bench/national.py --locaties 19000 --out var/national-1m``.

The database is a new one on the bench cluster (``var/bench-cluster``), dropped at the end
unless ``--keep``; ``--db NAME`` reuses a kept one. Results accumulate in
``var/national/bench.json``; ``--write`` puts them into bench/RESULTS.md.

    .venv/bin/python bench/national.py                      # var/national
    .venv/bin/python bench/national.py --locaties 19000 --out var/national-1m
    .venv/bin/python bench/national_bench.py [--stappen gebieden,postcodes,...] [--keep] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import psutil
import sqlalchemy as sa
from common import BENCH_CLUSTER, ROOT, machine, write_results

from analysis import demand as dem
from analysis import indicators as ind
from analysis import study_area, tiled
from analysis.run import RunParams, run_analysis
from analysis.theme import group_input, level_frame
from geo import pgcluster
from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.bag_loader import load_bag
from geo.db import make_engine, upgrade
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file

NATION = ROOT / "var" / "national"
NATION_1M = ROOT / "var" / "national-1m"
STATE = NATION / "bench.json"
STEPS = ("gebieden", "postcodes", "adressen", "import", "analyse2", "analyse1", "aggregatie")
SECTION = "## National scale (synthetic nation, issue 17)"
GB = 1024**3


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


class PeakRss:
    """Peak resident memory of some processes, sampled in a thread."""

    def __init__(self, pids: dict[str, int], every: float = 0.2):
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.every, self.stop = every, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for name, proc in self.procs.items():
                try:
                    self.peak[name] = max(self.peak[name], proc.memory_info().rss)
                except psutil.Error:
                    pass
            self.stop.wait(self.every)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


@contextmanager
def cluster(workers: int):
    """A LocalCluster of ``workers`` one-thread processes; yields (address, worker pids)."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        ) as local,
        Client(local) as client,
    ):
        pids = client.run(os.getpid)
        yield local.scheduler_address, {f"worker {i + 1}": p for i, p in enumerate(pids.values())}


def timed(record: dict, name: str, fn, **extra):
    before, started = load(), time.perf_counter()
    result = fn()
    record[name] = {
        "s": round(time.perf_counter() - started, 1),
        "load_before": before,
        "load_after": load(),
        **extra,
    }
    print(name, record[name], flush=True)
    return result


def analyse(engine, workers: int) -> dict:
    tiles = {"start": 0.0, "sum": 0.0}

    def progress(message: str, done: int, total: int) -> None:
        if message.startswith("Tegels") and done == 0:
            tiles["start"] = time.perf_counter()
        elif message.startswith("Tegels") and done == total:
            tiles["sum"] += time.perf_counter() - tiles["start"]

    with cluster(workers) as (address, pids):
        with PeakRss(pids | {"main": os.getpid()}) as rss:
            before, started = load(), time.perf_counter()
            summary = run_analysis(engine, RunParams(), progress, scheduler=address)
            seconds = time.perf_counter() - started
    result = {
        "s": round(seconds, 1),
        "tiles_s": round(tiles["sum"], 1),
        "load_before": before,
        "load_after": load(),
        "peak_gb": {k: round(v / GB, 2) for k, v in rss.peak.items()},
        "rows": summary.rows,
        "level": summary.vraagniveau,
    }
    print(f"analyse{workers}", result, flush=True)
    return result


def aggregation(engine, record: dict) -> None:
    """Demand points once; the tiled step of one theme on 2 and 1 workers; aggregation."""
    params = RunParams()
    areas = study_area.study_areas(engine)
    demand = timed(record, "vraagpunten", lambda: dem.load_demand(engine, (), 10_000))
    record["vraagpunten"]["points"] = len(demand)
    theme = ind.Theme("zorg-ondersteuning", "Zorg en ondersteuning", 3000)
    supply, pop = group_input(engine, theme, demand, params, "iedereen")
    for workers in (2, 1):
        with cluster(workers) as (address, pids), PeakRss(pids) as rss:
            with tiled.tiling(address) as tiles:
                points = timed(
                    record,
                    f"tegels{workers}",
                    lambda t=tiles: t.point_indicators(demand.x, demand.y, pop, supply, theme),
                    supply=len(supply),
                )
        record[f"tegels{workers}"]["peak_gb"] = {k: round(v / GB, 2) for k, v in rss.peak.items()}
    timed(
        record,
        "aggregatie",
        lambda: level_frame(demand, areas, points, pop, supply, "iedereen", "buurt", theme),
        buurten=int((areas["niveau"] == "buurt").sum()),
    )


def run(engine, steps: list[str], record: dict) -> None:
    sources = AreaSources.from_manifest(NATION / "gebieden.toml")
    if "gebieden" in steps:
        result = timed(record, "gebieden", lambda: load_areas(engine, sources))
        record["gebieden"]["buurten"] = result["buurt"]["inserted"]
    if "postcodes" in steps:
        timed(
            record,
            "postcodes",
            lambda: load_postcodes(
                engine, NATION / "pc6.csv", NATION / "pc4.csv", NATION / "pc4.geojson"
            ),
        )
    if "adressen" in steps:
        result = timed(record, "adressen", lambda: load_bag(engine, NATION / "adressen.csv"))
        record["adressen"]["rows"] = result["loaded"]
    if "import" in steps:
        result = timed(
            record, "import", lambda: import_file(engine, NATION / "organisaties.csv", "nation")
        )
        record["import"] |= {"rows": result.read, "rejected": result.rejected}
        with engine.connect() as conn:
            record["import"]["aanbod"], record["import"]["locaties"] = conn.execute(
                sa.text("SELECT (SELECT count(*) FROM aanbod), (SELECT count(*) FROM locatie)")
            ).one()
    for workers in (2, 1):
        if f"analyse{workers}" in steps:
            record[f"analyse{workers}"] = analyse(engine, workers)
    if "aggregatie" in steps:
        aggregation(engine, record)
    if "import1m" in steps:
        rows = NATION_1M / "organisaties_1m.csv"
        if not rows.exists():
            pd.read_csv(NATION_1M / "organisaties.csv", dtype=str, keep_default_na=False).head(
                1_000_000
            ).to_csv(rows, index=False)
        result = timed(record, "import1m", lambda: import_file(engine, rows, "nation-1m"))
        record["import1m"] |= {"rows": result.read, "rejected": result.rejected}


def render(record: dict) -> str:
    def step(name: str) -> dict:
        return record.get(name, {})

    lines = [
        SECTION,
        "",
        "Commands (from the repository root):",
        "",
        "    .venv/bin/python bench/national.py",
        "    .venv/bin/python bench/national.py --locaties 19000 --out var/national-1m",
        "    .venv/bin/python bench/national_bench.py --stappen "
        + ",".join((*STEPS, "import1m"))
        + " --write",
        "",
        f"{record.get('machine', '')}. Load average (1/5/15 min) before → after each step; "
        "other sessions' jobs share the 2 cores.",
        "",
        "| step | size | seconds | goal | load before → after |",
        "|---|---|---:|---|---|",
    ]
    rows = [
        ("areas load", "gebieden", f"{step('gebieden').get('buurten', '?'):,} buurten", 120),
        ("load-postcodes", "postcodes", "PC6 + PC4", None),
        ("load-bag", "adressen", f"{step('adressen').get('rows', 0):,} addresses", None),
        ("organisations import", "import", f"{step('import').get('rows', 0):,} rows", None),
        ("full analysis, 2 workers", "analyse2", "all themes × 2 groups × 3 catchments", 900),
        ("full analysis, 1 worker", "analyse1", "same", None),
        ("demand points (SQL)", "vraagpunten", f"{step('vraagpunten').get('points', 0):,}", None),
        ("tiled step, one theme, 2 workers", "tegels2", "zorg-ondersteuning, iedereen", None),
        ("tiled step, one theme, 1 worker", "tegels1", "same", None),
        (
            "buurt-level aggregation",
            "aggregatie",
            f"{step('aggregatie').get('buurten', 0):,} buurten, one theme",
            30,
        ),
        ("organisations import", "import1m", f"{step('import1m').get('rows', 0):,} rows", 600),
    ]
    for label, key, size, goal in rows:
        if key not in record:
            continue
        s = record[key]["s"]
        verdict = "" if goal is None else f"< {goal} s: {'MET' if s < goal else 'MISSED'}"
        lines.append(
            f"| {label} | {size} | {s:,.1f} | {verdict} | "
            f"{record[key]['load_before']} → {record[key]['load_after']} |"
        )
    lines.append("")
    for workers in (2, 1):
        a = record.get(f"analyse{workers}")
        if a:
            peaks = ", ".join(f"{k} {v:.2f} GB" for k, v in a["peak_gb"].items())
            lines.append(
                f"- analysis on {workers} worker(s): {a['s']:,.1f} s in all, of which "
                f"{a['tiles_s']:,.1f} s in the tiled accessibility step; peak RSS {peaks}; "
                f"{a['rows']:,} result rows; demand level {a['level']}."
            )
    if "tegels1" in record and "tegels2" in record:
        one, two = record["tegels1"], record["tegels2"]
        lines.append(
            f"- tiled step of one theme ({two['supply']:,} supply points): peak RSS "
            + ", ".join(f"{k} {v:.2f} GB" for k, v in two["peak_gb"].items())
            + f" on 2 workers; speed-up 1 → 2 workers {one['s'] / two['s']:.2f}×."
        )
    if "analyse1" in record and "analyse2" in record:
        one, two = record["analyse1"], record["analyse2"]
        lines.append(
            f"- speed-up 1 → 2 workers: whole run {one['s'] / two['s']:.2f}×, tiled step "
            f"{one['tiles_s'] / max(two['tiles_s'], 0.1):.2f}×."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stappen", default=",".join(STEPS))
    parser.add_argument("--db", help="reuse this database (kept with --keep before)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--state", type=Path, default=STATE, help="JSON of results; --write merges all *.json"
    )
    args = parser.parse_args()
    steps = [s.strip() for s in args.stappen.split(",") if s.strip()]
    record = json.loads(args.state.read_text()) if args.state.exists() else {}
    record["machine"] = machine()
    if steps:
        pgcluster.start(BENCH_CLUSTER)
        admin = make_engine(BENCH_CLUSTER.url("postgres"), isolation_level="AUTOCOMMIT")
        name = args.db or f"sk_national_{uuid.uuid4().hex[:8]}"
        if not args.db:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        print("database", name, flush=True)
        engine = make_engine(sa.make_url(BENCH_CLUSTER.url(name)))
        try:
            upgrade(engine)
            run(engine, steps, record)
        finally:
            args.state.write_text(json.dumps(record, indent=1))
            engine.dispose()
            if not args.keep:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if args.write:  # every state file of the nation (parallel runs write their own)
        for other in sorted(NATION.glob("bench*.json")):
            record = json.loads(other.read_text()) | record
    print(render(record))
    if args.write:
        write_results(SECTION, render(record))


if __name__ == "__main__":
    main()

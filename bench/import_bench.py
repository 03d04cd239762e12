"""Benchmark: import + validation + geocoding of 100,000 rows against 500,000 addresses.

Side by side in one run: our set-based path (COPY + one SQL statement per step) against a
row-by-row baseline (one geocoding query per row from Python) on a sample, extrapolated.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--addresses 500000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from common import ROOT, BenchDatabase

from demo.synthetic import read_buurten, read_taxonomy, records_for
from demo.synthetic_bag import read_pc4, synthetic_addresses
from geo.bag_loader import load_bag
from geo.postcode_loader import load_postcodes
from geo.records.fields import house, postcode
from geo.records.importer import import_file

ROW_BY_ROW = sa.text(
    "SELECT geom FROM adres WHERE postcode = :pc AND huisnummer = :nr "
    "AND huisletter = :letter AND toevoeging = :toev"
)


def _inputs(n_rows: int, n_addresses: int, folder: Path) -> tuple[Path, Path, float]:
    started = time.perf_counter()
    buurten = read_buurten()
    themes, groups = read_taxonomy()
    addresses = synthetic_addresses(buurten, n_addresses, 2026, pc4=read_pc4())
    records = records_for(addresses, n_rows, 2026, themes, groups, buurten)
    bag, csv = folder / "bag.csv", folder / "records.csv"
    addresses.to_csv(bag, index=False)
    records.to_csv(csv, index=False)
    return bag, csv, time.perf_counter() - started


def _row_by_row(engine: sa.Engine, csv: Path, sample: int) -> float:
    """Seconds per row when each row is geocoded with its own query (the naive way)."""
    import pandas as pd

    rows = pd.read_csv(csv, dtype=str, keep_default_na=False).head(sample)
    started = time.perf_counter()
    with engine.connect() as conn:
        for row in rows.itertuples():
            number, letter, addition = house(row.huisnummer, row.huisletter, row.toevoeging)
            conn.execute(
                ROW_BY_ROW,
                {"pc": postcode(row.postcode), "nr": number, "letter": letter, "toev": addition},
            ).first()
    return (time.perf_counter() - started) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--addresses", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, BenchDatabase() as engine:
        bag, csv, generate_s = _inputs(args.rows, args.addresses, Path(tmp))
        load_postcodes(
            engine,
            ROOT / "data" / "pc6_maastricht_centroids_cbs2021.csv",
            ROOT / "data" / "pc4_zuid_limburg.csv",
        )
        t0 = time.perf_counter()
        bag_result = load_bag(engine, bag, bron="bench")
        bag_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = import_file(engine, csv, "bench")
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = import_file(engine, csv, "bench")
        reimport_s = time.perf_counter() - t0
        per_row = _row_by_row(engine, csv, args.sample)
    print(
        f"load average (1 min) at start {load:.1f}, at end {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(f"input generation ({args.rows} rows, {args.addresses} addresses): {generate_s:.1f} s")
    print(f"load-bag {bag_result['loaded']} addresses: {bag_s:.1f} s")
    print(
        f"import {result.read} rows (validate + geocode + upsert): {import_s:.1f} s "
        f"({result.inserted} new, {result.rejected} rejected; geocoding {result.geocoding})"
    )
    print(f"re-import (all unchanged: {again.unchanged}): {reimport_s:.1f} s")
    print(f"end to end (load-bag + import): {bag_s + import_s:.1f} s  (target < 60 s)")
    naive = per_row * result.read
    print(
        f"row-by-row geocoding alone, extrapolated from {args.sample} rows: {naive:.1f} s "
        f"-> set-based import is {naive / import_s:.1f}x the speed of geocoding row by row"
    )


if __name__ == "__main__":
    main()

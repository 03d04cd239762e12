"""Benchmark: what splitting addresses (geo/records/address.py) adds to reading 100,000 rows.

The rows of ``import_bench.py`` (separate street/number/postcode columns: only the PO-box
check runs) and the same rows with street and number in one ``Adres`` column and postcode
and place in one ``Postcode/plaats`` column (the full split). Side by side with reading
and validating the file, which the split runs between. No database needed.

    .venv/bin/python bench/address_split_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import ROOT  # noqa: F401 - puts the repository on sys.path

from demo.synthetic import read_buurten, read_taxonomy, records_for
from demo.synthetic_bag import read_pc4, synthetic_addresses
from geo.records.address import split_address
from geo.records.readers import read_table
from geo.records.validate import Taxonomy, validate_row


def _files(n_rows: int, folder: Path) -> tuple[Path, Path]:
    buurten = read_buurten()
    themes, groups = read_taxonomy()
    addresses = synthetic_addresses(buurten, 50_000, 2026, pc4=read_pc4())
    records = records_for(addresses, n_rows, 2026, themes, groups, buurten)
    separate = folder / "apart.csv"
    records.to_csv(separate, index=False)
    house = records["huisnummer"].astype(str) + records["huisletter"].fillna("").astype(str)
    combined = records.drop(columns=["straat", "huisnummer", "huisletter", "postcode", "plaats"])
    combined["Adres"] = records["straat"] + " " + house
    combined["Postcode/plaats"] = records["postcode"] + " " + records["plaats"]
    joined = folder / "samen.csv"
    combined.to_csv(joined, index=False)
    return separate, joined


def _time(label: str, work) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    themes, groups = read_taxonomy()
    taxonomy = Taxonomy(dict.fromkeys(themes, ""), dict.fromkeys(groups, ""))
    with tempfile.TemporaryDirectory() as tmp:
        for path in _files(args.rows, Path(tmp)):
            print(f"{path.name} ({args.rows} rows)")
            for run in ("cold", "warm"):
                table = read_table(path, {})
                rows = table.rows
                read = _time(f"{run} read", lambda p=path: read_table(p, {}))
                split = _time(
                    f"{run} split", lambda r=rows: [split_address(x.values, x.headers) for x in r]
                )
                check = _time(
                    f"{run} validate", lambda r=rows: [validate_row(x, taxonomy) for x in r]
                )
                print(f"  {run} split / (read + validate): {split / (read + check):.1%}")


if __name__ == "__main__":
    main()

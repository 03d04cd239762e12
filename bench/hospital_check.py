"""Checked against real figures: population-weighted distance to the nearest hospital per
gemeente, computed with the project's demand model, against CBS's published average
distance (Nabijheidsstatistiek, ``data/nabijheid_gemeenten_limburg.csv``, column
``afst_ziekenhuis_km``) for the 16 Zuid-Limburg gemeenten. docs/ANALYSIS.md §14.

Hospitals: every location of ``data/ziekenhuislocaties_limburg_2016.csv`` (RIVM 2016, all
of Limburg, general and academic hospitals and outpatient clinics; CBS's hospital
distance includes outpatient clinics). Two estimates, side by side:

* baseline: PC4 centroids (``data/pc4_zuid_limburg.csv``) weighted by their residents,
  straight line × 1.3;
* ours: the demand points of ``analysis.demand.load_demand`` (PC6 where CBS ships them,
  elsewhere PC4 residents spread over the BAG addresses), straight line × 1.3, weighted
  by their residents, averaged per gemeente as the analysis does.

    .venv/bin/python bench/hospital_check.py [--write] [--url DATABASE_URL]
"""

from __future__ import annotations

import argparse
import contextlib

import numpy as np
import pandas as pd
from common import ROOT, BenchDatabase, write_results
from pyproj import Transformer
from scipy.spatial import cKDTree

from analysis import demand as dem
from analysis.indicators import DETOUR
from geo.db import make_engine

SECTION = "## Hospital distance against CBS (Nabijheidsstatistiek)"
COMMAND = ".venv/bin/python bench/hospital_check.py --write"
TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def hospitals() -> np.ndarray:
    frame = pd.read_csv(ROOT / "data" / "ziekenhuislocaties_limburg_2016.csv")
    return np.column_stack(TO_RD.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy()))


def nearest_km(x, y, sites: np.ndarray, detour: float = DETOUR) -> np.ndarray:
    return cKDTree(sites).query(np.column_stack([x, y]))[0] * detour / 1000


def weighted(frame: pd.DataFrame, by: str, value: str, weight: str) -> pd.Series:
    sums = frame.assign(_wv=frame[value] * frame[weight]).groupby(by)[["_wv", weight]].sum()
    return sums["_wv"] / sums[weight]


def baseline(sites: np.ndarray) -> pd.Series:
    pc4 = pd.read_csv(ROOT / "data" / "pc4_zuid_limburg.csv").dropna(subset=["inwoners_2021"])
    x, y = TO_RD.transform(pc4["lon"].to_numpy(), pc4["lat"].to_numpy())
    pc4 = pc4.assign(km=nearest_km(x, y, sites))
    return weighted(pc4, "gemeentecode", "km", "inwoners_2021")


def ours(engine, sites: np.ndarray) -> pd.Series:
    demand = dem.load_demand(engine, (), 0.0)
    frame = pd.DataFrame(
        {
            "gemeente": demand.gemeente,
            "pop": demand.pop,
            "km": nearest_km(demand.x, demand.y, sites),
        }
    )
    return weighted(frame[demand.in_study], "gemeente", "km", "pop")


def scores(estimate: pd.Series, cbs: pd.Series) -> dict:
    diff = estimate.reindex(cbs.index) - cbs
    return {
        "Pearson r": float(np.corrcoef(estimate.reindex(cbs.index), cbs)[0, 1]),
        "MAE (km)": float(diff.abs().mean()),
        "bias (km)": float(diff.mean()),
        "max |fout| (km)": float(diff.abs().max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--url", help="an existing database with the demo loaded")
    args = parser.parse_args()
    cbs_all = pd.read_csv(ROOT / "data" / "nabijheid_gemeenten_limburg.csv")
    cbs_all = cbs_all[cbs_all["zuid_limburg"]].set_index("gemeentecode")
    cbs = cbs_all["afst_ziekenhuis_km"]
    sites = hospitals()
    with contextlib.ExitStack() as stack:
        if args.url:
            engine = make_engine(args.url)
        else:
            from analysis_bench import load_demo

            engine = stack.enter_context(BenchDatabase())
            load_demo(engine)
        mine = ours(engine, sites)
    base = baseline(sites)
    table = pd.DataFrame(
        {
            "gemeente": cbs_all["gemeentenaam"],
            "CBS (km)": cbs,
            "baseline PC4 (km)": base.reindex(cbs.index),
            "ours (km)": mine.reindex(cbs.index),
        }
    )
    table["baseline − CBS"] = table["baseline PC4 (km)"] - table["CBS (km)"]
    table["ours − CBS"] = table["ours (km)"] - table["CBS (km)"]
    summary = pd.DataFrame(
        {"baseline (PC4 centroids)": scores(base, cbs), "ours (demand model)": scores(mine, cbs)}
    ).T
    lines = [
        f"{len(cbs)} gemeenten, {len(sites)} hospital locations (incl. outpatient "
        f"clinics), straight line × {DETOUR}.",
        "",
        "| gemeente | " + " | ".join(table.columns[1:]) + " |",
        "|---|" + "---:|" * (len(table.columns) - 1),
    ]
    lines += [
        f"| {r[0]} | " + " | ".join(f"{v:.2f}" for v in r[1:]) + " |"
        for r in table.itertuples(index=False, name=None)
    ]
    lines += [
        "",
        "| estimate | " + " | ".join(summary.columns) + " |",
        "|---|" + "---:|" * len(summary.columns),
    ]
    lines += [
        f"| {name} | "
        + " | ".join(f"{v:.2f}" if "r" not in k else f"{v:.3f}" for k, v in row.items())
        + " |"
        for name, row in summary.iterrows()
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(
            SECTION, f"{SECTION}\n\nCommand (from the repository root): `{COMMAND}`\n\n{text}\n"
        )


if __name__ == "__main__":
    main()

"""A synthetic nation for speed and invariance checks (dev only, issue 17).

The shipped Zuid-Limburg geography (gemeenten, wijken, buurten with population, PC6 and
PC4 points, PC4 areas) and the demo's synthetic BAG extract are copied onto a grid of
translated copies inside the RD New box of the Netherlands; organisation records are made
on each copy's addresses by the demo generator (``demo.synthetic``). Nothing in it is
real: every name carries the copy's tag (``Maastricht S07``), the area files have a
column ``synthetisch = ja``, the manifest's ``bron`` starts with ``SYNTHETISCH`` and every
record has ``synthetisch = ja``.

Codes stay valid and unique CBS and PostNL codes (``geo.codes``):

* gemeente ``GM{2000 + copy × G + i:04d}`` for the i-th of the G source gemeenten (sorted),
  above every code CBS has issued so far, so a synthetic code never names a real gemeente;
  at most (9999 - 2000 + 1) / G copies;
* wijk and buurt codes keep their own digits after the gemeente's: ``WK091733`` of copy 3
  becomes ``WK{gm}33``, ``BU09173300`` becomes ``BU{gm}3300``;
* PC4 ``1000 + copy × P + j`` for the j-th of the P source PC4 codes; a PC6 keeps its
  letters.

Output (``--out``, default ``var/national``): ``gebieden.toml`` (for ``areas load
--manifest``), the three area files and a population table, ``pc6.csv``, ``pc4.csv`` +
``pc4.geojson`` (``geocode load-postcodes``), ``adressen.csv`` (``geocode load-bag``) and
``organisaties.csv`` (``organisations import``). The same seed gives byte-identical files
(with the same GDAL, GEOS and PROJ).

    .venv/bin/python bench/national.py [--kopieen 34] [--locaties 4600] [--seed 2026] [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rich.progress import track

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.synthetic import read_taxonomy, synthetic_records  # noqa: E402

DATA = ROOT / "data"
GM_FIRST, PC4_FIRST = 2000, 1000
STEP_X, STEP_Y = 32_500.0, 36_500.0  # one copy's box (32 x 36 km) plus a gap
ORIGIN = (10_000.0, 305_000.0)  # lower left corner of the first copy (RD New)
MAX_SIDE = 8  # 8 x 8 copies still end inside x 0-300 km, y 300-625 km
PRECISION_M = 0.001  # area coordinates on a mm grid (valid after rounding, GEOS)
SOURCE = (
    "SYNTHETISCH: kopieën van CBS / Kadaster Wijk- en Buurtkaart Zuid-Limburg "
    "(bench/national.py), alleen voor snelheidsmetingen"
)
MANIFEST = """# SYNTHETIC test nation made by bench/national.py (copies: {copies}, seed {seed}).
bron = "{source}"

[gemeente]
bestand = "gemeenten.geojson"
jaar = 2023

[wijk]
bestand = "wijken.geojson"
jaar = 2023

[buurt]
bestand = "buurten.geojson"
jaar = 2022

[[bevolking]]
bestand = "kerncijfers.csv"
code = "regiocode"
"""


@dataclass(frozen=True)
class Source:
    """The Zuid-Limburg files that are copied, in EPSG:28992 where they are geometries."""

    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame
    kerncijfers: pd.DataFrame
    pc6: pd.DataFrame
    pc4: pd.DataFrame
    pc4_areas: gpd.GeoDataFrame
    addresses: pd.DataFrame

    @property
    def gm_codes(self) -> list[str]:
        return sorted(self.buurten["gemeentecode"].unique())

    @property
    def pc4_codes(self) -> list[str]:
        return sorted(set(self.pc4["pc4"]) | set(self.addresses["postcode"].str[:4]))


def read_source() -> Source:
    def areas(name: str) -> gpd.GeoDataFrame:
        return gpd.read_file(DATA / name).to_crs(28992)

    def table(name: str) -> pd.DataFrame:
        return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)

    buurten = areas("buurten_zuid_limburg_2022_generalised.geojson")
    gemeenten = areas("gemeenten_limburg_2023.geojson")
    gemeenten = gemeenten[gemeenten["gemeentecode"].isin(set(buurten["gemeentecode"]))]
    return Source(
        gemeenten=gemeenten.reset_index(drop=True),
        wijken=areas("wijken_zuid_limburg_2023_generalised.geojson"),
        buurten=buurten,
        kerncijfers=table("kerncijfers_2024_gemeente_wijk_zuid_limburg.csv"),
        pc6=table("pc6_maastricht_centroids_cbs2021.csv"),
        pc4=table("pc4_zuid_limburg.csv"),
        pc4_areas=areas("pc4_zuid_limburg.geojson"),
        addresses=table("demo/adressen_synthetisch.csv"),
    )


class Copy:
    """Code, name and coordinate mapping of copy number ``k`` (0-based)."""

    def __init__(self, source: Source, k: int, cols: int):
        self.k, self.tag = k, f"S{k + 1:02d}"
        x0, y0 = source.buurten.total_bounds[:2]
        col, row = k % cols, k // cols
        self.dx = ORIGIN[0] + col * STEP_X - math.floor(x0)
        self.dy = ORIGIN[1] + row * STEP_Y - math.floor(y0)
        gms, pc4s = source.gm_codes, source.pc4_codes
        self.gm = {c: f"{GM_FIRST + k * len(gms) + i:04d}" for i, c in enumerate(gms)}
        self.pc4 = {c: f"{PC4_FIRST + k * len(pc4s) + j:04d}" for j, c in enumerate(pc4s)}

    def code(self, code: str) -> str:
        """``GM0917`` / ``WK091733`` / ``BU09173300`` of this copy."""
        return code[:2] + self.gm["GM" + code[2:6]] + code[6:]

    def name(self, name: str) -> str:
        return f"{name} {self.tag}"

    def postcode(self, code: str) -> str:
        return self.pc4[code[:4]] + code[4:]

    def move(self, geoms) -> np.ndarray:
        return shapely.transform(np.asarray(geoms), lambda xy: xy + (self.dx, self.dy))

    def geoms(self, series: gpd.GeoSeries) -> np.ndarray:
        return shapely.set_precision(self.move(series.values), PRECISION_M)


def max_copies(source: Source) -> int:
    by_code = min(
        (9999 - GM_FIRST + 1) // len(source.gm_codes),
        (9999 - PC4_FIRST + 1) // len(source.pc4_codes),
    )
    return min(by_code, MAX_SIDE * MAX_SIDE)


def _areas(source: Source, copies: list[Copy], level: str) -> gpd.GeoDataFrame:
    frame = {"gemeente": source.gemeenten, "wijk": source.wijken, "buurt": source.buurten}[level]
    keep = [c for c in frame.columns if c.endswith("code") or c.endswith("naam")]
    keep += [c for c in frame.columns if c.startswith("aantal_inwoners_")]
    parts = []
    for cp in copies:
        part = pd.DataFrame(frame[keep]).copy()
        for col in keep:
            if col.endswith("code"):
                part[col] = part[col].map(cp.code)
            elif col.endswith("naam"):
                part[col] = part[col].map(cp.name)
        part["synthetisch"] = "ja"
        parts.append(gpd.GeoDataFrame(part, geometry=cp.geoms(frame.geometry), crs=28992))
    return pd.concat(parts, ignore_index=True)


def _kerncijfers(source: Source, copies: list[Copy]) -> pd.DataFrame:
    parts = []
    for cp in copies:
        part = source.kerncijfers.copy()
        part["regiocode"] = part["regiocode"].map(cp.code)
        part["gemeentecode"] = part["gemeentecode"].map(cp.code)
        part["naam"] = part["naam"].map(cp.name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _lonlat_shift(lon, lat, cp: Copy) -> tuple[np.ndarray, np.ndarray]:
    to_rd = Transformer.from_crs(4326, 28992, always_xy=True)
    x, y = to_rd.transform(np.asarray(lon, float), np.asarray(lat, float))
    lon2, lat2 = to_rd.transform(x + cp.dx, y + cp.dy, direction="INVERSE")
    return np.round(lon2, 6), np.round(lat2, 6)


def _postcodes(source: Source, copies: list[Copy]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    pc6, pc4, areas = [], [], []
    for cp in copies:
        six = source.pc6.copy()
        six["pc6"] = six["pc6"].map(cp.postcode)
        six["lon"], six["lat"] = _lonlat_shift(six["lon"], six["lat"], cp)
        pc6.append(six)
        four = source.pc4.copy()
        four["pc4"] = four["pc4"].map(cp.postcode)
        four["plaats"] = four["plaats"].map(cp.name)
        four["gemeente"] = four["gemeente"].map(cp.name)
        four["gemeentecode"] = [cp.code(c) if c in cp.gm else "" for c in four["gemeentecode"]]
        four["lon"], four["lat"] = _lonlat_shift(four["lon"], four["lat"], cp)
        pc4.append(four)
        moved = cp.move(source.pc4_areas.geometry.values)
        areas.append(
            gpd.GeoDataFrame(
                {"pc4": source.pc4_areas["pc4"].map(cp.postcode), "synthetisch": "ja"},
                geometry=moved,
                crs=28992,
            )
        )
    polygons = pd.concat(areas, ignore_index=True).to_crs(4326)
    polygons.geometry = shapely.set_precision(polygons.geometry.values, 1e-7)
    return pd.concat(pc6, ignore_index=True), pd.concat(pc4, ignore_index=True), polygons


def _addresses(source: Source, cp: Copy) -> pd.DataFrame:
    part = source.addresses.copy()
    part["postcode"] = part["postcode"].map(cp.postcode)
    part["woonplaats"] = part["woonplaats"].map(cp.name)
    part["x"] = (part["x"].astype(float) + cp.dx).map("{:.2f}".format)
    part["y"] = (part["y"].astype(float) + cp.dy).map("{:.2f}".format)
    return part


def _records(source: Source, cp: Copy, addresses: pd.DataFrame, n: int, seed: int):
    """The demo generator on this copy's addresses; ids, KvK numbers unique over copies."""
    themes, groups = read_taxonomy()
    buurten = gpd.GeoDataFrame(
        {"naam": source.buurten["buurtnaam"]}, geometry=cp.geoms(source.buurten.geometry), crs=28992
    )
    frame = pd.DataFrame(
        {c: addresses[c] for c in addresses.columns}
        | {"x": addresses["x"].astype(float), "y": addresses["y"].astype(float)}
    )
    records = synthetic_records(frame, n, seed * 1000 + cp.k, themes, groups, buurten)
    prefix = f"nl{cp.tag.lower()}-"
    number = records["organisatie_id"].str.removeprefix("syn-").astype(int)
    records["kvk"] = (90_000_000 + cp.k * 100_000 + number).astype(str)
    records["id"] = prefix + records["id"]
    records["organisatie_id"] = prefix + records["organisatie_id"]
    return records


def generate(out: Path, copies: int = 34, locations: int = 4600, seed: int = 2026) -> dict:
    """Write the synthetic nation to ``out``; returns counts per file.

    Raises
    ------
    ValueError
        For more copies than the code ranges or the RD box hold.
    """
    source = read_source()
    if not 1 <= copies <= max_copies(source):
        raise ValueError(f"copies must be 1..{max_copies(source)}")
    cols = math.ceil(math.sqrt(copies))
    maps = [Copy(source, k, cols) for k in range(copies)]
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for level, name in (("gemeente", "gemeenten"), ("wijk", "wijken"), ("buurt", "buurten")):
        frame = _areas(source, maps, level)
        frame.to_file(out / f"{name}.geojson", driver="GeoJSON")
        counts[name] = len(frame)
    _kerncijfers(source, maps).to_csv(out / "kerncijfers.csv", index=False)
    pc6, pc4, polygons = _postcodes(source, maps)
    pc6.to_csv(out / "pc6.csv", index=False)
    pc4.to_csv(out / "pc4.csv", index=False)
    polygons.to_file(out / "pc4.geojson", driver="GeoJSON")
    counts |= {"pc6": len(pc6), "pc4": len(pc4)}
    addresses, records = [], []
    for cp in track(maps, description="Kopieën (adressen, organisaties)"):
        part = _addresses(source, cp)
        addresses.append(part)
        records.append(_records(source, cp, part, locations, seed))
    pd.concat(addresses, ignore_index=True).to_csv(out / "adressen.csv", index=False)
    rows = pd.concat(records, ignore_index=True)
    rows.to_csv(out / "organisaties.csv", index=False)
    services = rows["id"].str.rsplit("-l", n=1).str[0].nunique()
    counts |= {
        "adressen": sum(len(a) for a in addresses),
        "rijen": len(rows),
        "organisaties": rows["organisatie_id"].nunique(),
        "aanbod": services,
        "locaties": rows[["organisatie_id", "postcode", "huisnummer", "huisletter", "toevoeging"]]
        .drop_duplicates()
        .shape[0],
    }
    (out / "gebieden.toml").write_text(
        MANIFEST.format(copies=copies, seed=seed, source=SOURCE), encoding="utf-8"
    )
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "national")
    parser.add_argument("--kopieen", type=int, default=34, help="copies of Zuid-Limburg")
    parser.add_argument("--locaties", type=int, default=4600, help="locations per copy")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.kopieen, args.locaties, args.seed)
    for key, value in counts.items():
        print(f"{key:>14} {value:>9,}")


if __name__ == "__main__":
    main()

"""CBS areas (gemeente, wijk, buurt): read, validate and describe area files.

Writing to the database lives in ``geo.area_store``; this module only turns files into
validated GeoDataFrames in EPSG:28992, so a bad file fails before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.codes import CODE_PATTERN
from geo.crs import STORAGE_SRID
from geo.errors import AreaLoadError

LEVELS = ("gemeente", "wijk", "buurt")
# Column names seen in CBS products (kwb GeoPackage, PDOK, cartomap) per level.
CODE_COLUMNS = {
    "gemeente": ("gemeentecode", "statcode", "GM_CODE", "gemeentecode_"),
    "wijk": ("wijkcode", "statcode", "WK_CODE"),
    "buurt": ("buurtcode", "statcode", "BU_CODE"),
}
NAME_COLUMNS = {
    "gemeente": ("gemeentenaam", "statnaam", "GM_NAAM", "naam"),
    "wijk": ("wijknaam", "statnaam", "WK_NAAM", "naam"),
    "buurt": ("buurtnaam", "statnaam", "BU_NAAM", "naam"),
}
# Population columns: <prefix>_<year> -> bevolking column.
POPULATION_COLUMNS = {
    "aantal_inwoners": "inwoners",
    "mannen": "mannen",
    "vrouwen": "vrouwen",
    "inwoners_65plus": "inwoners_65plus",
    "aantal_huishoudens": "huishoudens",
    "woningvoorraad": "woningen",
}
POPULATION_RE = re.compile(r"^(?P<name>[a-z_0-9]+?)_(?P<year>(19|20)\d{2})$")


@dataclass
class AreaSources:
    """The files of one area load, as listed in a manifest such as ``data/gebieden.toml``."""

    files: dict[str, Path]
    years: dict[str, int]
    population: list[tuple[Path, str]] = field(default_factory=list)
    source: str = "onbekend"

    @classmethod
    def from_manifest(cls, path: Path) -> AreaSources:
        """Read a TOML manifest; relative paths are relative to the manifest's folder."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            base = Path(path).parent
            return cls(
                files={lvl: base / data[lvl]["bestand"] for lvl in LEVELS},
                years={lvl: int(data[lvl]["jaar"]) for lvl in LEVELS},
                population=[
                    (base / p["bestand"], p.get("code", "regiocode"))
                    for p in data.get("bevolking", [])
                ],
                source=data.get("bron", "onbekend"),
            )
        except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
            raise AreaLoadError(f"Manifest {path} is not usable: {exc!s}") from exc


def _pick(columns, candidates, level, path, what) -> str:
    for name in candidates:
        if name in columns:
            return name
    raise AreaLoadError(
        f"{path.name}: no {what} column for level {level} (expected one of {', '.join(candidates)})"
    )


def read_level(path: Path, level: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read one area file.

    Returns
    -------
    tuple
        Areas with columns ``code, naam, gemeentecode, wijkcode, geometry`` (EPSG:28992),
        and their population columns indexed by code (see ``population_columns``).

    Raises
    ------
    AreaLoadError
        When the file cannot be read, lacks a CRS or code column, or holds bad codes.
    """
    path = Path(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise AreaLoadError(f"Cannot read {path.name} as a vector file: {exc!s}") from exc
    if frame.crs is None:
        raise AreaLoadError(f"{path.name} has no coordinate reference system")
    code_col = _pick(frame.columns, CODE_COLUMNS[level], level, path, "code")
    name_col = _pick(frame.columns, NAME_COLUMNS[level], level, path, "name")
    out = gpd.GeoDataFrame(
        {
            "code": frame[code_col].astype("string").str.strip(),
            "naam": frame[name_col].astype("string").str.strip(),
        },
        geometry=frame.geometry.to_crs(STORAGE_SRID),
    )
    bad = out.loc[~out["code"].fillna("").str.match(CODE_PATTERN[level]), "code"]
    if len(bad):
        raise AreaLoadError(
            f"{path.name}: {len(bad)} {level} code(s) do not match the CBS format "
            f"{CODE_PATTERN[level]}: {', '.join(map(str, bad.head(5)))}"
        )
    duplicated = out.loc[out["code"].duplicated(), "code"]
    if len(duplicated):
        raise AreaLoadError(f"{path.name}: duplicate codes {', '.join(duplicated.head(5))}")
    digits = out["code"].str[2:]
    out["gemeentecode"] = "GM" + digits.str[:4]
    out["wijkcode"] = ("WK" + digits.str[:6]) if level == "buurt" else pd.NA
    _check_declared_parents(frame, out, level, path)
    stats = population_columns(frame)
    stats.index = out["code"]
    return out, stats


def _check_declared_parents(frame, out, level, path) -> None:
    """A file that names parent codes must agree with the codes' own digits."""
    for parent in ("gemeentecode", "wijkcode"):
        if parent in frame.columns and parent in out.columns and level != "gemeente":
            declared = frame[parent].astype("string").str.strip()
            if parent == "wijkcode" and level == "wijk":
                continue
            wrong = out.loc[declared.notna() & (declared != out[parent]), "code"]
            if len(wrong):
                raise AreaLoadError(
                    f"{path.name}: {parent} disagrees with the code for {', '.join(wrong.head(5))}"
                )


def population_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns like ``aantal_inwoners_2024`` as a frame with MultiIndex (year, bevolking column)."""
    picked = {}
    for col in frame.columns:
        match = POPULATION_RE.match(str(col))
        if match and match["name"] in POPULATION_COLUMNS:
            picked[(int(match["year"]), POPULATION_COLUMNS[match["name"]])] = col
    stats = pd.DataFrame(
        {key: pd.to_numeric(frame[col], errors="coerce") for key, col in picked.items()},
        index=frame.index,
    )
    stats.columns = pd.MultiIndex.from_tuples(stats.columns) if picked else stats.columns
    return stats


def to_multipolygons(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Check validity and promote Polygons to MultiPolygons.

    We fail on invalid input instead of repairing silently: a repaired polygon can
    change which buurt a location falls in, and the user should know.
    """
    geoms = frame.geometry
    kinds = set(geoms.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise AreaLoadError(f"{name}: only polygons are allowed, found {', '.join(sorted(kinds))}")
    invalid = frame.loc[geoms.isna() | geoms.is_empty | ~geoms.is_valid, "code"]
    if len(invalid):
        reasons = [shapely.is_valid_reason(g) for g in geoms[invalid.index[:3]]]
        raise AreaLoadError(
            f"{name}: {len(invalid)} invalid polygon(s), e.g. {', '.join(invalid.head(3))} "
            f"({'; '.join(reasons)})"
        )
    frame = frame.copy()
    frame.geometry = [
        g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms
    ]
    return frame


def check_hierarchy(levels: dict[str, gpd.GeoDataFrame]) -> None:
    """Every buurt's wijk and every wijk's gemeente must be in the same load."""
    gemeenten = set(levels["gemeente"]["code"])
    wijken = set(levels["wijk"]["code"])
    orphans = {
        "wijk": sorted(set(levels["wijk"]["gemeentecode"]) - gemeenten),
        "buurt": sorted(set(levels["buurt"]["wijkcode"]) - wijken),
    }
    for level, missing in orphans.items():
        if missing:
            parent = "gemeente" if level == "wijk" else "wijk"
            raise AreaLoadError(
                f"{len(missing)} parent {parent} code(s) of the {level} file are missing "
                f"from the {parent} file: {', '.join(missing[:5])}"
            )


def read_sources(sources: AreaSources) -> tuple[dict[str, gpd.GeoDataFrame], list[pd.DataFrame]]:
    """Read and validate all three levels; gemeenten without wijken are left out.

    Returns
    -------
    tuple
        level -> GeoDataFrame in EPSG:28992 with MultiPolygon geometries, and the
        population tables found in the files (indexed by code).
    """
    read = {lvl: read_level(sources.files[lvl], lvl) for lvl in LEVELS}
    levels = {lvl: frame for lvl, (frame, _) in read.items()}
    stats = [table for _, table in read.values()]
    stats += [read_population_table(p, col) for p, col in sources.population]
    covered = set(levels["wijk"]["gemeentecode"])
    levels["gemeente"] = levels["gemeente"][levels["gemeente"]["code"].isin(covered)]
    levels = {lvl: to_multipolygons(f, sources.files[lvl].name) for lvl, f in levels.items()}
    check_hierarchy(levels)
    return levels, stats


def read_population_table(path: Path, code_column: str) -> pd.DataFrame:
    """Read a CSV population table keyed by CBS region code (gemeente, wijk or buurt)."""
    try:
        frame = pd.read_csv(path, dtype={code_column: "string"})
    except (OSError, ValueError) as exc:
        raise AreaLoadError(f"Cannot read population table {Path(path).name}: {exc!s}") from exc
    if code_column not in frame.columns:
        raise AreaLoadError(f"{Path(path).name}: no column {code_column!r}")
    stats = population_columns(frame)
    stats.index = frame[code_column].str.strip()
    return stats

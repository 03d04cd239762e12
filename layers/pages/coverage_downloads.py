"""Downloads of a coverage short list (/dekking?gemeente=…): exactly the rows that are shown.

CSV for Dutch spreadsheets and a GeoPackage with the area polygons, both built from
:func:`records` of a :class:`~layers.pages.coverage_report.GemeenteReport`.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from geo.csvcells import SafeWriter
from layers.pages.coverage_report import GemeenteReport
from layers.pages.coverage_results import AreaResult, ThemeReport

GEOMETRY_SQL = sa.text("""
SELECT code, ST_AsBinary(ST_Multi(geom)) AS wkb FROM gebied WHERE code = ANY(:codes)
""")

CSV_HEADER = [
    "thema",
    "rang",
    "gebiedcode",
    "gebied",
    "tekort",
    "inwoners",
    "aanbod_per_inwoner_spar",
    "pct_verder_dan_drempel",
    "drempel_km",
    "afstand_dichtstbijzijnd_km",
    "opmerkingen",
    "uitleg",
]


def _cell(value: float | None, digits: int) -> str:
    """A number for Dutch spreadsheets: comma as decimal sign, no dot between thousands."""
    if value is None:
        return ""
    return f"{value:.{digits}f}".replace(".", ",")


def _record(theme: ThemeReport, r: AreaResult) -> dict:
    return {
        "thema": theme.naam,
        "rang": r.rank,
        "gebiedcode": r.gebiedcode,
        "gebied": r.naam,
        "tekort": r.flag_label,
        "inwoners": r.inwoners,
        "aanbod_per_inwoner_spar": r.spar,
        "pct_verder_dan_drempel": r.pct_verder,
        "drempel_km": r.drempel_m / 1000 if r.drempel_m is not None else None,
        "afstand_dichtstbijzijnd_km": r.afstand_m / 1000 if r.afstand_m is not None else None,
        "opmerkingen": " ".join(r.notes),
        "uitleg": r.zin,
    }


DIGITS = {
    "inwoners": 0,
    "aanbod_per_inwoner_spar": 2,
    "pct_verder_dan_drempel": 1,
    "drempel_km": 1,
    "afstand_dichtstbijzijnd_km": 1,
}


def records(report: GemeenteReport) -> list[dict]:
    """The short lists as records (numbers as numbers), theme by theme, worst first."""
    return [_record(t, r) for t in report.themes for r in t.shortlist]


def write_csv(report: GemeenteReport, handle) -> int:
    """The short lists as CSV for Dutch spreadsheets, written to ``handle``.

    ``;`` between cells, decimal comma, every text cell made formula-safe
    (:mod:`geo.csvcells`). The caller writes the BOM (or opens the file as ``utf-8-sig``).

    Returns
    -------
    int
        The number of rows written (without the header).
    """
    writer = SafeWriter(handle, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    rows = records(report)
    for row in rows:
        writer.writerow([_cell(row[k], DIGITS[k]) if k in DIGITS else row[k] for k in CSV_HEADER])
    return len(rows)


def write_geopackage(conn: sa.Connection, report: GemeenteReport, path: Path) -> int:
    """Write the short lists with the area polygons (RD New) to layer ``tekorten``."""
    import geopandas as gpd  # heavy: only for this download
    from shapely import from_wkb

    rows = records(report)
    codes = sorted({r["gebiedcode"] for r in rows})
    shapes = {
        code: from_wkb(bytes(wkb)) for code, wkb in conn.execute(GEOMETRY_SQL, {"codes": codes})
    }
    frame = gpd.GeoDataFrame(
        {k: [r[k] for r in rows] for k in CSV_HEADER},
        geometry=[shapes.get(r["gebiedcode"]) for r in rows],
        crs=28992,
    )
    for column in ("inwoners", *DIGITS):
        frame[column] = frame[column].astype("float64")
    frame["rang"] = frame["rang"].astype("int64")
    frame.to_file(
        path, driver="GPKG", layer="tekorten", engine="pyogrio", geometry_type="MultiPolygon"
    )
    return len(frame)

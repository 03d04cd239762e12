"""The CBS postcode gazetteers: ``load_postcodes`` loads the shipped CBS postcode files.

PC6 points go into ``postcode6``, PC4 points and areas into ``postcode4``. Idempotent and
all-or-nothing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa

from geo.gazetteer import GazetteerError

PC6_JAAR = PC4_JAAR = 2021
PC6_BRON = "CBS Kerncijfers per postcode (PC6) 2021"
PC4_BRON = "CBS Kerncijfers per postcode (PC4) 2020; CBS 83502NED/83503NED 2021"


PC_STAGE = """
CREATE TEMP TABLE pc_stage (
    code text, lon float8, lat float8, plaats text, gemeentecode text, inwoners int,
    inwoners_65plus int, inwoners_80plus int, huishoudens int, vlak text
) ON COMMIT DROP
"""
PC_STAGE_INSERT = """
INSERT INTO pc_stage VALUES (:code, :lon, :lat, :plaats, :gemeentecode, :inwoners,
    :inwoners_65plus, :inwoners_80plus, :huishoudens, :vlak)
"""
_POINT = "ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 28992)"
PC6_UPSERT = f"""
INSERT INTO postcode6 AS p (pc6, geom, inwoners, inwoners_65plus, huishoudens, jaar, bron)
SELECT code, {_POINT}, inwoners, inwoners_65plus, huishoudens, :jaar, :bron FROM pc_stage
ON CONFLICT (pc6) DO UPDATE SET geom = EXCLUDED.geom, inwoners = EXCLUDED.inwoners,
    inwoners_65plus = EXCLUDED.inwoners_65plus, huishoudens = EXCLUDED.huishoudens,
    jaar = EXCLUDED.jaar, bron = EXCLUDED.bron
WHERE (p.geom, p.inwoners, p.inwoners_65plus, p.huishoudens, p.jaar, p.bron)
      IS DISTINCT FROM (EXCLUDED.geom, EXCLUDED.inwoners, EXCLUDED.inwoners_65plus,
                        EXCLUDED.huishoudens, EXCLUDED.jaar, EXCLUDED.bron)
RETURNING (xmax = 0) AS nieuw
"""  # noqa: S608 - only module constants are interpolated
# PC4 polygons come as GeoJSON (WGS84); ST_MakeValid only when reprojection broke one.
PC4_UPSERT = f"""
INSERT INTO postcode4 AS p (pc4, geom, vlak, plaats, gemeentecode, inwoners,
                            inwoners_65plus, inwoners_80plus, jaar, bron)
SELECT code, {_POINT},
       CASE WHEN ST_IsValid(v) THEN v
            ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(v), 3)) END,
       plaats, gemeentecode, inwoners, inwoners_65plus, inwoners_80plus, :jaar, :bron
FROM (SELECT *, ST_Multi(ST_Transform(ST_GeomFromGeoJSON(vlak), 28992)) AS v
      FROM pc_stage) s
ON CONFLICT (pc4) DO UPDATE SET geom = EXCLUDED.geom, vlak = EXCLUDED.vlak,
    plaats = EXCLUDED.plaats, gemeentecode = EXCLUDED.gemeentecode,
    inwoners = EXCLUDED.inwoners, inwoners_65plus = EXCLUDED.inwoners_65plus,
    inwoners_80plus = EXCLUDED.inwoners_80plus, jaar = EXCLUDED.jaar, bron = EXCLUDED.bron
WHERE (p.geom, p.vlak, p.plaats, p.gemeentecode, p.inwoners, p.inwoners_65plus,
       p.inwoners_80plus, p.jaar, p.bron)
      IS DISTINCT FROM (EXCLUDED.geom, EXCLUDED.vlak, EXCLUDED.plaats, EXCLUDED.gemeentecode,
                        EXCLUDED.inwoners, EXCLUDED.inwoners_65plus, EXCLUDED.inwoners_80plus,
                        EXCLUDED.jaar, EXCLUDED.bron)
RETURNING (xmax = 0) AS nieuw
"""  # noqa: S608
PC6_COLUMNS = {
    "code": "pc6",
    "lon": "lon",
    "lat": "lat",
    "inwoners": "inwoners",
    "inwoners_65plus": "inw_65plus",
    "huishoudens": "huishoudens",
}
PC4_COLUMNS = {
    "code": "pc4",
    "lon": "lon",
    "lat": "lat",
    "plaats": "plaats",
    "gemeentecode": "gemeentecode",
    "inwoners": "inwoners_2021",
    "inwoners_65plus": "inwoners_65plus_2021",
    "inwoners_80plus": "inwoners_80plus_2021",
}
STAGE_KEYS = (
    "code",
    "lon",
    "lat",
    "plaats",
    "gemeentecode",
    "inwoners",
    "inwoners_65plus",
    "inwoners_80plus",
    "huishoudens",
    "vlak",
)
_NUMBERS = {"lon", "lat", "inwoners", "inwoners_65plus", "inwoners_80plus", "huishoudens"}


def _value(key: str, text: str | None):
    text = (text or "").strip()
    if not text or key not in _NUMBERS:
        return text or None
    return float(text) if key in ("lon", "lat") else int(float(text))  # CBS writes 225.0


def _read_points(path: Path, columns: dict[str, str]) -> list[dict]:
    """Rows of a CBS postcode CSV as stage dicts; raises on a missing column or bad value."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns.values() if c not in (reader.fieldnames or [])]
            if missing:
                raise GazetteerError(f"{Path(path).name} lacks column(s) {', '.join(missing)}.")
            rows = []
            for rec in reader:
                row = dict.fromkeys(STAGE_KEYS)
                row.update({k: _value(k, rec[c]) for k, c in columns.items()})
                rows.append(row)
            return rows
    except (OSError, csv.Error) as exc:
        raise GazetteerError(f"Cannot read {path}: {exc}.") from exc
    except ValueError as exc:
        raise GazetteerError(
            f"{Path(path).name} line {reader.line_num}: not a number ({exc})."
        ) from exc


def _read_polygons(path: Path) -> dict[str, str]:
    """PC4 code -> GeoJSON geometry text, from a GeoJSON file in WGS84."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(f["properties"]["pc4"]): json.dumps(f["geometry"]) for f in data["features"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GazetteerError(f"Cannot read PC4 polygons from {path}: {exc!s}.") from exc


def _upsert(conn: sa.Connection, rows: list[dict], sql: str, bron: str, jaar: int) -> dict:
    conn.execute(sa.text("TRUNCATE pc_stage"))
    if rows:
        conn.execute(sa.text(PC_STAGE_INSERT), rows)
    changed = conn.execute(sa.text(sql), {"bron": bron, "jaar": jaar}).scalars().all()
    inserted = sum(1 for nieuw in changed if nieuw)
    return {
        "read": len(rows),
        "inserted": inserted,
        "updated": len(changed) - inserted,
        "unchanged": len(rows) - len(changed),
    }


def load_postcodes(
    engine: sa.Engine,
    pc6_csv: Path | str,
    pc4_csv: Path | str,
    pc4_geojson: Path | str | None = None,
) -> dict:
    """Load CBS PC6 points into ``postcode6`` and PC4 areas into ``postcode4``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database with the Sociale Kaart schema.
    pc6_csv : Path or str
        CSV with ``pc6, lat, lon, inwoners, inw_65plus, huishoudens`` (WGS84), such as
        ``data/pc6_maastricht_centroids_cbs2021.csv``.
    pc4_csv : Path or str
        CSV with ``pc4, plaats, gemeentecode, inwoners_2021, inwoners_65plus_2021,
        inwoners_80plus_2021, lon, lat``, such as ``data/pc4_zuid_limburg.csv``.
    pc4_geojson : Path or str, optional
        PC4 polygons (property ``pc4``) for ``postcode4.vlak``. Default: the ``.geojson``
        next to ``pc4_csv`` when it exists; otherwise ``vlak`` stays empty.

    Returns
    -------
    dict
        ``{"pc6": counts, "pc4": counts}`` with ``read``, ``inserted``, ``updated`` and
        ``unchanged`` each.

    Raises
    ------
    GazetteerError
        When a file is unreadable or the database refuses a row; nothing is changed.
    """
    pc6 = _read_points(Path(pc6_csv), PC6_COLUMNS)
    pc4 = _read_points(Path(pc4_csv), PC4_COLUMNS)
    if pc4_geojson is None and Path(pc4_csv).with_suffix(".geojson").is_file():
        pc4_geojson = Path(pc4_csv).with_suffix(".geojson")
    polygons = _read_polygons(Path(pc4_geojson)) if pc4_geojson else {}
    for row in pc4:
        row["vlak"] = polygons.get(row["code"])
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(PC_STAGE))
            return {
                "pc6": _upsert(conn, pc6, PC6_UPSERT, PC6_BRON, PC6_JAAR),
                "pc4": _upsert(conn, pc4, PC4_UPSERT, PC4_BRON, PC4_JAAR),
            }
    except sa.exc.DBAPIError as exc:
        raise GazetteerError(f"The database refused the postcodes: {exc.orig}") from exc

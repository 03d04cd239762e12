"""Gazetteers for offline geocoding: BAG addresses, CBS PC6 points and PC4 areas.

``load_bag`` streams a BAG verblijfsobject extract into a temporary table with COPY and
writes it to ``adres`` in one set-based upsert (into an empty table: one insert, indexes
built afterwards); rows that fail a check are reported with their line number and
skipped. ``load_postcodes`` loads the shipped CBS postcode files into ``postcode6`` and
``postcode4``. Both are idempotent and all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from geo import bag_files
from geo.errors import GeoError

# Rough bounds of the Netherlands in RD New (EPSG:28992): x_min, y_min, x_max, y_max.
RD_BOUNDS = (0.0, 289_000.0, 300_000.0, 629_000.0)
POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
BAG_COLUMNS = bag_files.BAG_COLUMNS  # what a staged row holds
MAX_REJECTS = 100
PROGRESS_EVERY = 50_000
PC6_JAAR = PC4_JAAR = 2021
PC6_BRON = "CBS Kerncijfers per postcode (PC6) 2021"
PC4_BRON = "CBS Kerncijfers per postcode (PC4) 2020; CBS 83502NED/83503NED 2021"

Progress = Callable[[str, int, int], None]


class GazetteerError(GeoError):
    """A gazetteer file cannot be read or the database refused it; nothing was changed."""


def normalise_postcode(value: object) -> str | None:
    """``'6211 ab'`` -> ``'6211AB'``; None when the value is not a Dutch postcode."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text if POSTCODE_RE.match(text) else None


# ------------------------------------------------------------------------------ BAG
BAG_STAGE = """
CREATE TEMP TABLE bag_stage (
    lijn integer, postcode text COLLATE "C", huisnummer integer, huisletter text COLLATE "C",
    toevoeging text COLLATE "C", straat text, woonplaats text, x float8, y float8
) ON COMMIT DROP
"""
BAG_COPY = (
    "COPY bag_stage (lijn, postcode, huisnummer, huisletter, toevoeging, "
    "straat, woonplaats, x, y) FROM STDIN"
)
# The checked rows, one per address: the last line wins when a file holds one twice.
_GOOD = """good AS MATERIALIZED (
    SELECT DISTINCT ON (postcode, huisnummer, huisletter, toevoeging) *
    FROM bag_stage
    ORDER BY postcode, huisnummer, huisletter, toevoeging, lijn DESC
)"""
_INSERT = """INSERT INTO adres AS a (postcode, huisnummer, huisletter, toevoeging, straat,
                            woonplaats, geom, bron)
    SELECT postcode, huisnummer, huisletter, toevoeging, straat, woonplaats,
           ST_SetSRID(ST_MakePoint(x, y), 28992), :bron
    FROM good"""
# One set-based upsert; unchanged rows are not rewritten, so a re-run reports them.
BAG_UPSERT = f"""
WITH {_GOOD}, upsert AS (
    {_INSERT}
    ON CONFLICT (postcode, huisnummer, huisletter, toevoeging) DO UPDATE SET
        straat = EXCLUDED.straat, woonplaats = EXCLUDED.woonplaats,
        geom = EXCLUDED.geom, bron = EXCLUDED.bron
    WHERE (a.straat, a.woonplaats, a.bron, a.geom)
          IS DISTINCT FROM (EXCLUDED.straat, EXCLUDED.woonplaats, EXCLUDED.bron, EXCLUDED.geom)
    RETURNING (xmax = 0) AS nieuw
)
SELECT count(*) FILTER (WHERE nieuw), count(*) FILTER (WHERE NOT nieuw),
       (SELECT count(*) FROM good)
FROM upsert
"""  # noqa: S608 - only module constants are interpolated
# The first load into an empty table: every row is new, and building the indexes once
# afterwards is several times faster than maintaining them row by row.
BAG_FIRST_LOAD = f"WITH {_GOOD} {_INSERT}"
# Loads run one at a time (readers go on); the first load then takes the table alone.
BAG_LOCK = "LOCK TABLE adres IN SHARE ROW EXCLUSIVE MODE"
BAG_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM adres)"
# Statements that drop each index of adres, and the ones that build it again.
BAG_INDEXES = """
SELECT CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
            ELSE format('ALTER TABLE adres DROP CONSTRAINT %I', c.conname) END,
       CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
            ELSE format('ALTER TABLE adres ADD CONSTRAINT %I %s', c.conname,
                        pg_get_constraintdef(c.oid)) END
FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
WHERE i.indrelid = 'adres'::regclass
"""
BAG_WORK_MEM = "SET LOCAL work_mem = '256MB'"  # sort 500 000 rows in memory
# Postcode, huisnummer, huisletter and toevoeging of a good row in one match (fast path).
GOOD_KEY_RE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}\|0*[1-9][0-9]{0,4}\|[A-Z]?\|[A-Z0-9]{0,4}")


def _float(text: str) -> float | None:
    """A coordinate PostgreSQL reads the same way (Python alone also accepts 1_000)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if "_" not in text and math.isfinite(value) else None


def _normalise(pc: str, nr: str, letter: str, toev: str) -> tuple[str, str, str, str]:
    return (
        pc.replace(" ", "").upper(),
        nr.strip(),
        letter.strip().upper(),
        toev.replace(" ", "").replace("-", "").upper(),
    )


def _check_bag(pc: str, nr: str, letter: str, toev: str, x: str, y: str) -> tuple | None:
    """Normalised ``(postcode, huisnummer, huisletter, toevoeging, x, y)`` or None.

    Values stay text: COPY parses the numbers, which is faster than formatting them.
    """
    key = (pc, nr, letter, toev)  # most extracts are clean: normalise only when needed
    if not GOOD_KEY_RE.fullmatch("|".join(key)):
        key = _normalise(pc, nr, letter, toev)
        if not GOOD_KEY_RE.fullmatch("|".join(key)):
            return None
    x, y = x.replace(",", "."), y.replace(",", ".")
    fx, fy = _float(x), _float(y)
    if (
        fx is not None
        and fy is not None
        and RD_BOUNDS[0] <= fx <= RD_BOUNDS[2]
        and RD_BOUNDS[1] <= fy <= RD_BOUNDS[3]
    ):
        return (*key, x, y)
    return None


def _bag_reason(pc: str, nr: str, letter: str, toev: str, x: str, y: str) -> str:
    """Why ``_check_bag`` refused a row, in words an editor understands."""
    pc, nr, letter, toev = _normalise(pc, nr, letter, toev)
    if not POSTCODE_RE.match(pc):
        return f"postcode {pc!r} is ongeldig" if pc else "postcode ontbreekt"
    if not re.fullmatch(r"0*[1-9][0-9]{0,4}", nr):
        return f"huisnummer {nr!r} is geen getal 1-99999" if nr else "huisnummer ontbreekt"
    if not re.fullmatch(r"[A-Z]?", letter):
        return f"huisletter {letter!r} is geen enkele letter"
    if not re.fullmatch(r"[A-Z0-9]{0,4}", toev):
        return f"toevoeging {toev!r} is niet 1 tot 4 letters of cijfers"
    if not x.strip() or not y.strip():
        return "x of y ontbreekt"
    fx, fy = _float(x.replace(",", ".")), _float(y.replace(",", "."))
    if fx is None or fy is None:
        return "x of y is geen getal"
    return f"x/y ({fx:.0f}, {fy:.0f}) ligt buiten Nederland"


def _bag_reader(path: Path, text) -> tuple:
    """CSV reader positioned after the header, header width and positions of the BAG columns.

    Raises before anything is written when columns are missing.
    """
    first = text.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    csv_reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    names = bag_files.canonical(next(csv_reader, []))
    reader: Any = csv_reader
    wkt = next((names.index(c) for c in bag_files.WKT_COLUMNS if c in names), None)
    if wkt is not None and not {"x", "y"} <= set(names):  # a WKT point instead of x and y
        reader, names = bag_files.WktRows(csv_reader, wkt), [*names, "x", "y"]
    missing = [c for c in BAG_COLUMNS if c not in names]
    if missing:
        raise GazetteerError(
            f"{path.name} is not a BAG address extract: column(s) {', '.join(missing)} "
            f"missing (expected {','.join(BAG_COLUMNS)}, the BAG's own names such as "
            "openbare_ruimte_naam/woonplaats_naam, or a WKT point in geometrie)."
        )
    return reader, len(names), [names.index(c) for c in BAG_COLUMNS]


def _reject(counts: dict, line: int, reason: str) -> None:
    counts["rejected"] += 1
    if len(counts["rejects"]) < MAX_REJECTS:
        counts["rejects"].append((line, reason))


def _copy_rows(copy, reader, width: int, indexes: list[int], tick) -> dict:
    """Check every record and write the good ones to COPY; count and report the others."""
    pick = operator.itemgetter(*indexes)
    counts: dict = {"read": 0, "rejected": 0, "rejects": []}
    for row in reader:
        if not row:  # a blank line is not a record
            continue
        counts["read"] += 1
        if len(row) != width:
            _reject(counts, reader.line_num, f"{len(row)} kolommen in plaats van {width}")
            continue
        pc, nr, letter, toev, straat, plaats, x, y = pick(row)
        checked = _check_bag(pc, nr, letter, toev, x, y)
        if checked is None:
            _reject(counts, reader.line_num, _bag_reason(pc, nr, letter, toev, x, y))
            continue
        copy.write_row(
            (
                reader.line_num,
                *checked[:4],
                straat.strip() or None,
                plaats.strip() or None,
                *checked[4:],
            )
        )
        if counts["read"] % PROGRESS_EVERY == 0:
            tick()
    return counts


def _stream_gpkg(conn: sa.Connection, path: Path, layer: str | None, progress: Progress) -> dict:
    """COPY a GeoPackage layer (the PDOK BAG GeoPackage) into ``bag_stage``."""
    rows = bag_files.GeoPackageRows(path, layer)
    width = len(BAG_COLUMNS)
    conn.execute(sa.text(BAG_STAGE))
    cursor = cast(psycopg.Connection, conn.connection.driver_connection).cursor()
    with cursor.copy(BAG_COPY) as copy:
        counts = _copy_rows(
            copy,
            rows,
            width,
            list(range(width)),
            lambda: progress("BAG-adressen lezen", rows.line_num, rows.total),
        )
    progress("BAG-adressen lezen", rows.total, rows.total)
    return counts


def _stream_bag(conn: sa.Connection, path: Path, progress: Progress) -> dict:
    """COPY the file into ``bag_stage``; bad records are counted, not staged."""
    size, reader = path.stat().st_size, None
    try:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader, width, indexes = _bag_reader(path, text)
            conn.execute(sa.text(BAG_STAGE))
            cursor = cast(psycopg.Connection, conn.connection.driver_connection).cursor()
            with cursor.copy(BAG_COPY) as copy:
                counts = _copy_rows(
                    copy,
                    reader,
                    width,
                    indexes,
                    lambda: progress("BAG-adressen lezen", raw.tell(), size),
                )
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{path.name} is not UTF-8 text; save it as UTF-8.") from exc
    except csv.Error as exc:
        where = f" line {reader.line_num}" if reader else ""
        raise GazetteerError(f"{path.name}{where} is not readable CSV: {exc}.") from exc
    progress("BAG-adressen lezen", size, size)
    return counts


def _store_bag(conn: sa.Connection, bron: str) -> tuple[int, int, int]:
    """Write ``bag_stage`` to ``adres``: (inserted, updated, distinct addresses)."""
    conn.execute(sa.text(BAG_WORK_MEM))
    conn.execute(sa.text(BAG_LOCK))
    if conn.execute(sa.text(BAG_EMPTY)).scalar():
        indexes = conn.execute(sa.text(BAG_INDEXES)).all()
        for drop, _ in indexes:
            conn.exec_driver_sql(drop)
        inserted = conn.execute(sa.text(BAG_FIRST_LOAD), {"bron": bron}).rowcount
        for _, create in indexes:
            conn.exec_driver_sql(create)
        counts = (inserted, 0, inserted)
    else:
        counts = tuple(conn.execute(sa.text(BAG_UPSERT), {"bron": bron}).one())
    conn.execute(sa.text("ANALYZE adres"))  # geocoding right after plans with the new rows
    return counts


def load_bag(
    engine: sa.Engine,
    path: Path | str,
    bron: str = "BAG",
    progress: Progress | None = None,
    layer: str | None = None,
) -> dict:
    """Load a BAG verblijfsobject extract into ``adres``; bad rows are skipped.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database with the Sociale Kaart schema.
    path : Path or str
        UTF-8 CSV (``,`` or ``;``) with columns ``postcode, huisnummer, huisletter,
        toevoeging, straat, woonplaats, x, y``; x/y in EPSG:28992. The BAG's own column
        names and a WKT point column are read too, and a GeoPackage (``.gpkg``, e.g.
        PDOK's ``bag-light.gpkg``): see ``geo.bag_files``. Line numbers of a GeoPackage
        are feature numbers.
    bron : str, optional
        Value for ``adres.bron``.
    progress : callable, optional
        Called as ``progress(step, done, total)``; while reading, done/total are bytes
        (features for a GeoPackage).
    layer : str, optional
        The GeoPackage layer; default ``verblijfsobject`` or the first with addresses.

    Returns
    -------
    dict
        ``read`` (records), ``loaded`` (good records), ``rejected``, ``rejects`` (the
        first 100 ``(line, reason)`` pairs), ``inserted``, ``updated``, ``unchanged``
        (distinct addresses) and ``duplicates`` (good records repeating an address).

    Raises
    ------
    GazetteerError
        When the file cannot be read at all (missing columns, not UTF-8, not CSV); the
        database is then left as it was. ``geo.bag_files.BagFileError`` for a GeoPackage
        without a layer of addresses.
    """
    path = Path(path)
    progress = progress or (lambda step, done, total: None)
    if not path.is_file():
        raise GazetteerError(f"Cannot read {path}: no such file.")
    try:
        with engine.begin() as conn:
            if path.suffix.lower() == ".gpkg":
                counts = _stream_gpkg(conn, path, layer, progress)
            else:
                counts = _stream_bag(conn, path, progress)
            progress("Adressen opslaan", 0, 0)
            inserted, updated, distinct = _store_bag(conn, bron)
    except (sa.exc.DBAPIError, psycopg.Error) as exc:
        orig = getattr(exc, "orig", exc)
        raise GazetteerError(f"The database refused {path.name}: {orig}") from exc
    loaded = counts["read"] - counts["rejected"]
    return counts | {
        "loaded": loaded,
        "inserted": inserted,
        "updated": updated,
        "unchanged": distinct - inserted - updated,
        "duplicates": loaded - distinct,
    }


# ------------------------------------------------------------------------ postcodes
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

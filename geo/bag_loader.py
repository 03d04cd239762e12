"""The BAG address gazetteer: ``load_bag`` loads a BAG verblijfsobject extract into ``adres``.

It streams the extract into a temporary table with COPY and writes it to ``adres`` in one
set-based upsert (into an empty table: one insert, indexes built afterwards); rows that
fail a check are reported with their line number and skipped. Idempotent and
all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from geo import bag_files
from geo.gazetteer import POSTCODE_RE, RD_BOUNDS, GazetteerError

BAG_COLUMNS = bag_files.BAG_COLUMNS  # what a staged row holds
MAX_REJECTS = 100
PROGRESS_EVERY = 50_000

Progress = Callable[[str, int, int], None]


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


def _stage(conn: sa.Connection, reader, width: int, indexes: list[int], tick) -> dict:
    """Create ``bag_stage`` and COPY the checked records of ``reader`` into it."""
    conn.execute(sa.text(BAG_STAGE))
    cursor = cast(psycopg.Connection, conn.connection.driver_connection).cursor()
    with cursor.copy(BAG_COPY) as copy:
        return _copy_rows(copy, reader, width, indexes, tick)


def _stream_gpkg(conn: sa.Connection, path: Path, layer: str | None, progress: Progress) -> dict:
    """COPY a GeoPackage layer (the PDOK BAG GeoPackage) into ``bag_stage``."""
    rows = bag_files.GeoPackageRows(path, layer)
    width = len(BAG_COLUMNS)
    counts = _stage(
        conn,
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
            counts = _stage(
                conn,
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

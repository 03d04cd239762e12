"""Import a file of organisation records: read, validate, store, report. All counts add up."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from geo.records import hsds
from geo.records.address import split_address
from geo.records.columns import COMBINED, Mapping, RecordFileError, load_mapping_file
from geo.records.readers import CALAMINE_SUFFIXES, XLSX_SUFFIXES, FlatFile, RawRow, read_table
from geo.records.sources import by_source, one_source, recognise_source
from geo.records.store import store_records
from geo.records.validate import Reject, RowWarning, Taxonomy
from geo.records.validate_parallel import validate_all
from geo.taxonomy import names as taxonomy_names


@dataclass
class ImportResult:
    """What an import did. ``read == inserted + updated + unchanged + rejected`` always."""

    bron: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    geocoding: dict = field(default_factory=dict)
    duplicates: list[dict] = field(default_factory=list)
    run_id: int | None = None
    # Services of this file whose theme was proposed from keywords and waits for an editor
    # (queue /beheer/wachtrijen/themavoorstellen).
    themes_proposed: int = 0
    unknown_columns: list[str] = field(default_factory=list)  # headers we did not read
    sheet: str | None = None  # the worksheet read, for workbooks
    # Without --bron: how many of the file's organisations the recognised source held.
    recognised: int | None = None

    @property
    def rejected(self) -> int:
        """The number of rejected rows (a row with several problems counts once)."""
        return len({r.line for r in self.rejects})

    def add(self, run: ImportResult) -> None:
        """Count in the import of one source (a file of our own export may hold several)."""
        self.inserted += run.inserted
        self.updated += run.updated
        self.unchanged += run.unchanged
        self.rejects += run.rejects
        self.warnings += run.warnings
        for key, value in run.geocoding.items():
            self.geocoding[key] = self.geocoding.get(key, 0) + value
        self.duplicates += run.duplicates
        self.themes_proposed += run.themes_proposed
        self.run_id = self.run_id or run.run_id


def load_taxonomy(conn: sa.Connection, mapping: Mapping | None = None) -> Taxonomy:
    """Theme and doelgroep slugs with names, from the database, with the keyword rules.

    A mapping file's ``[trefwoorden]`` are added to the shipped keyword rules; its value
    maps and defaults for ``thema``/``doelgroep`` must name existing slugs.

    Raises
    ------
    RecordFileError
        When the mapping file names a theme or doelgroep the taxonomy lacks.
    """
    themes, groups = taxonomy_names(conn)
    taxonomy = Taxonomy(themes, groups)
    if mapping is None:
        return taxonomy
    for column, known in (("thema", themes), ("doelgroep", groups)):
        names = {n.lower() for n in known.values()}
        bad = sorted(
            v for v in mapping.slugs_named(column) if v not in known and v.lower() not in names
        )
        if bad:
            raise RecordFileError(
                f"Het koppelbestand noemt {column} die niet bestaan: {', '.join(bad)}; "
                f"kies uit: {', '.join(known)}."
            )
    bad = sorted(set(mapping.trefwoorden) - set(themes))
    if bad:
        raise RecordFileError(
            f"Het koppelbestand heeft trefwoorden voor thema's die niet bestaan: "
            f"{', '.join(bad)}; kies uit: {', '.join(themes)}."
        )
    taxonomy.rules = taxonomy.theme_rules.with_extra(mapping.trefwoorden)
    return taxonomy


def read_rows(
    path: Path,
    mapping_file: Path | Mapping | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[str, FlatFile]:
    """Detect the format and read raw rows. Returns (format name, rows and unknown headers).

    The mapping file's value maps and defaults are applied to the rows of a flat file.

    Raises
    ------
    RecordFileError
        When the file cannot be read, or holds text that cannot be stored (NUL characters,
        unpaired surrogates from JSON escapes); nothing has been changed yet.
    """
    path = Path(path)
    mapping = mapping_file if isinstance(mapping_file, Mapping) else load_mapping_file(mapping_file)
    if not path.exists():
        raise RecordFileError(f"{path} bestaat niet.")
    if hsds.is_hsds(path):
        if sheet is not None:
            raise RecordFileError(
                f"{path.name} is geen werkboek; --blad geldt alleen voor werkboeken."
            )
        fmt, table = "hsds", FlatFile(hsds.read_hsds(path, encoding))
    else:
        suffix = path.suffix.lower()
        fmt = (
            "xlsx"
            if suffix in XLSX_SUFFIXES
            else suffix.lstrip(".")
            if suffix in CALAMINE_SUFFIXES | {".tsv"}
            else "csv"
        )
        table = read_table(path, mapping.kolommen, encoding, sheet)
        if mapping.changes_values:
            for raw in table.rows:
                mapping.apply(raw.values)
        if table.rows and {*COMBINED, "straat"} & set(table.rows[0].headers):
            for raw in table.rows:  # "Markt 78, 6211 CL Maastricht", "Postbus 12"
                named = split_address(raw.values, raw.headers)
                if any(raw.headers.get(c) != h for c, h in named.items()):
                    raw.headers = raw.headers | named  # rows share headers: a copy
    _refuse_unstorable(table.rows, path.name)
    return fmt, table


def _refuse_unstorable(rows: list[RawRow], name: str) -> None:
    """PostgreSQL text cannot hold NUL, and UTF-8 cannot hold unpaired surrogates."""
    for raw in rows:
        if _storable("\x1f".join(raw.values.values())):
            continue  # one check per row; the column is looked up only for a bad row
        column = next(c for c, v in raw.values.items() if not _storable(v))
        raise RecordFileError(
            f"{name}: regel {raw.line}, kolom {raw.headers.get(column, column)} bevat een "
            "teken dat niet opgeslagen kan worden (NUL of een ongeldig Unicode-teken)."
        )


def _storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_rows(
    rows: list[RawRow], taxonomy: Taxonomy, tick: Callable[[], None] = lambda: None
) -> tuple[list[dict], list[Reject]]:
    """Validate every row; the same ``id`` twice in one file (and source) rejects the later rows.

    So does the same service at the same location under another ``id``.

    A file that names each row's source (our own export) may hold an id once per source.
    """
    records: list[dict] = []
    rejects: list[Reject] = []
    seen: dict[tuple, int] = {}  # (source, row_key) -> line
    at: dict[tuple, int] = {}  # (source, service, location) -> line
    for raw, (record, problems) in zip(rows, validate_all(rows, taxonomy, tick), strict=True):
        if problems or record is None:  # a record comes without problems, never None
            rejects.extend(problems)
        elif (record["bron"], record["row_key"]) in seen:
            rejects.append(
                Reject(
                    raw.line,
                    raw.headers.get("id", "id"),
                    f"id '{record['row_key']}' staat ook op regel "
                    f"{seen[record['bron'], record['row_key']]}",
                    raw.values,
                )
            )
        elif (pair := (record["bron"], record["aanbod_key"], record["loc_key"])) in at:
            # Two ids for one service at one location: one link between them can hold one id.
            rejects.append(
                Reject(
                    raw.line,
                    raw.headers.get("aanbod", "aanbod"),
                    f"dienst '{record['aanbod']}' staat op dit adres al op regel {at[pair]}",
                    raw.values,
                )
            )
        else:
            seen[record["bron"], record["row_key"]] = at[pair] = raw.line
            records.append(record)
    return records, rejects


@contextmanager
def _cyclic_gc_paused():
    """The cyclic garbage collector paused while reading and validating.

    Reading and validating 100,000 rows build millions of objects without reference
    cycles; the cyclic collector would scan them again and again (a third of that time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_cyclic_gc_paused()
def import_file(
    engine: sa.Engine,
    path: Path,
    bron: str | None = None,
    *,
    mapping_file: Path | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    online: Callable | None = None,
    region_buffer_m: float = 5000.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import one file in one transaction; bad rows are reported, good rows load.

    Text files are read as UTF-8 unless ``encoding`` (e.g. ``"cp1252"``) says otherwise;
    ``sheet`` names the worksheet of a workbook (default: the first with a header row).
    ``bron`` names the source (never the file name); without it the source is recognised
    by the file's organisations (``geo.records.sources.recognise_source``).

    Raises
    ------
    RecordFileError
        When the file cannot be parsed at all, or ``bron`` is missing and no single
        known source holds the file's organisations (nothing is changed).
    """
    progress = progress or (lambda step, done, total: None)
    path = Path(path)
    bron = (bron or "").strip() or None
    mapping = load_mapping_file(mapping_file)
    fmt, table = read_rows(path, mapping, encoding, sheet)
    rows = table.rows
    result = ImportResult(
        bron=bron or "", read=len(rows), unknown_columns=table.unknown, sheet=table.sheet
    )
    with engine.begin() as conn:
        # The import's set-based statements each run once over many rows: JIT compiling
        # them (and the commit-time upkeep of the layer copies) cost 2-4 s of database
        # CPU per 100,000 rows and gained nothing (bench/RESULTS.md, import section).
        conn.exec_driver_sql("SET LOCAL jit = off")
        taxonomy = load_taxonomy(conn, mapping)
        done = iter(range(1, len(rows) + 1))
        records, result.rejects = validate_rows(
            rows, taxonomy, lambda: progress("Regels controleren", next(done), len(rows))
        )
        if bron is None and any(r.get("bron") for r in records):
            # Our own export names each row's source: every record goes back under its own.
            groups, unnamed = by_source(records)
            result.rejects += unnamed
        elif bron is None:
            bron, result.recognised = recognise_source(conn, {r["org_key"] for r in records})
            groups = {bron: records}
        else:  # --bron: every record under that source, those of several sources kept apart
            groups = {bron: one_source(records)}
        result.bron = ", ".join(groups)
        not_stored, result.rejects = result.rejects, []
        for number, (source, part) in enumerate(groups.items()):
            run = ImportResult(
                bron=source, read=len(part), unknown_columns=table.unknown, sheet=table.sheet
            )
            if number == 0:  # rows rejected before their source was known count here
                run.rejects, run.read = not_stored, run.read + len({r.line for r in not_stored})
            _store_source(conn, run, part, online, region_buffer_m, progress)
            run.run_id = _record_run(conn, run, path, fmt)
            _store_warnings(conn, run, {record["line"]: record["org_key"] for record in part})
            result.add(run)
        result.rejects.sort(key=lambda r: r.line)
    return result


def _store_source(conn, run: ImportResult, records, online, region_buffer_m, progress) -> None:
    """Store the records of one source and fill in what happened to them."""
    stored = store_records(
        conn,
        records,
        run.bron,
        online=online,
        region_buffer_m=region_buffer_m,
        progress=lambda step: progress(step, 0, 0),
    )
    run.rejects = sorted(run.rejects + stored["rejects"], key=lambda r: r.line)
    rejected = {r.line for r in run.rejects}
    run.warnings = [
        w for record in records for w in record["waarschuwingen"] if w.line not in rejected
    ]
    run.inserted = stored["status"].get("nieuw", 0)
    run.updated = stored["status"].get("gewijzigd", 0)
    run.unchanged = stored["status"].get("ongewijzigd", 0)
    run.geocoding, run.duplicates = stored["geocoding"], stored["duplicates"]
    run.themes_proposed = stored["themes_proposed"]


# One statement for all warnings of an import (arrays unnested in the database), so the
# editors' queue costs the 100,000-row import one round trip. Each warning names the
# organisation its row was stored under (bron, bron_id = the row's organisation key).
STORE_WARNINGS = sa.text(
    """
    INSERT INTO importwaarschuwing (import_run_id, bron, regel, kolom, waarde, reden,
                                    organisatie_id)
    SELECT :run, :bron, w.regel, w.kolom, nullif(w.waarde, ''), w.reden, o.id
    FROM unnest(CAST(:regels AS integer[]), CAST(:kolommen AS text[]),
                CAST(:waarden AS text[]), CAST(:redenen AS text[]),
                CAST(:sleutels AS text[])) AS w (regel, kolom, waarde, reden, sleutel)
    LEFT JOIN organisatie o ON o.bron = :bron AND o.bron_id = w.sleutel
    ORDER BY w.regel
    """
)
# Proposed themes (rows without a theme) have their own queue: table thema_voorstel,
# written by the upsert (geo/sql/import_upsert.sql, theme_proposals).


def _store_warnings(conn: sa.Connection, result: ImportResult, org_keys: dict) -> None:
    """Put the import's warnings in the editors' queue (table ``importwaarschuwing``)."""
    if not result.warnings:
        return
    warnings = result.warnings
    conn.execute(
        STORE_WARNINGS,
        {
            "run": result.run_id,
            "bron": result.bron,
            "regels": [w.line for w in warnings],
            "kolommen": [w.column for w in warnings],
            "waarden": [w.value for w in warnings],
            "redenen": [w.reason for w in warnings],
            "sleutels": [org_keys.get(w.line) for w in warnings],
        },
    )


def _record_run(conn: sa.Connection, result: ImportResult, path: Path, fmt: str) -> int:
    report = {
        "geocoding": result.geocoding,
        "dubbelingen": len(result.duplicates),
        "waarschuwingen": len(result.warnings),
        "thema_voorgesteld": result.themes_proposed,
        "onbekende_kolommen": result.unknown_columns,
        "blad": result.sheet,
        "afgewezen": [
            {"regel": r.line, "kolom": r.column, "reden": r.reason} for r in result.rejects[:1000]
        ],
    }
    return conn.execute(
        sa.text(
            "INSERT INTO import_run (bestand, formaat, bron, klaar_op, gelezen, nieuw, gewijzigd, "
            "ongewijzigd, afgewezen, rapport) VALUES (:bestand, :formaat, :bron, now(), :gelezen, "
            ":nieuw, :gewijzigd, :ongewijzigd, :afgewezen, CAST(:rapport AS jsonb)) RETURNING id"
        ),
        {
            "bestand": path.name,
            "formaat": fmt,
            "bron": result.bron,
            "gelezen": result.read,
            "nieuw": result.inserted,
            "gewijzigd": result.updated,
            "ongewijzigd": result.unchanged,
            "afgewezen": result.rejected,
            "rapport": json.dumps(report, ensure_ascii=False, default=str),
        },
    ).scalar_one()


__all__ = ["ImportResult", "RecordFileError", "import_file", "load_taxonomy"]

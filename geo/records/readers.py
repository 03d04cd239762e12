"""Read flat files (CSV, TSV, XLSX, XLS, ODS) into raw rows with their line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from geo.csvcells import restore
from geo.records.columns import RecordFileError, known_columns, resolve_headers
from geo.records.limits import MB, check_ods, check_xlsx

HEADER_SCAN = 20  # title rows above the header row: we look this far down
XLSX_FULL_LOAD_BYTES = 20 * MB  # below this an XLSX is loaded whole (merged cells known)
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CALAMINE_SUFFIXES = {".xls", ".ods"}


@dataclass
class RawRow:
    """One data row: its line in the file and its values by our column names."""

    line: int
    values: dict[str, str]
    headers: dict[str, str]  # our column name -> the file's header (for error messages)


@dataclass
class FlatFile:
    """The rows of a flat file, with the headers we did not recognise and the sheet read."""

    rows: list[RawRow]
    unknown: list[str] = field(default_factory=list)
    sheet: str | None = None


def line_of(data, position: int) -> int:
    """1-based line number of ``position`` in bytes or text."""
    return data.count(b"\n" if isinstance(data, bytes) else "\n", 0, position) + 1


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Text of a file: UTF-8 (a BOM is allowed) unless ``encoding`` says otherwise.

    There is no silent fallback: guessing Windows-1252 for a broken UTF-8 file turns
    ``é`` into ``Ã©`` in the database. The error names the line and byte that failed.

    Raises
    ------
    RecordFileError
        When the bytes are not valid in the encoding, or the encoding is unknown.
    """
    codec = encoding or "utf-8-sig"
    try:
        return data.decode(codec)
    except LookupError as exc:
        raise RecordFileError(
            f"De codering '{encoding}' bestaat niet; gebruik bijvoorbeeld utf-8 of cp1252."
        ) from exc
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        byte = data[exc.start]
        if encoding is None:
            raise RecordFileError(
                f"{name} is geen geldige UTF-8-tekst: regel {line} bevat byte 0x{byte:02X} "
                f"(positie {exc.start}); sla het bestand op als UTF-8 of geef de codering "
                "op met --encoding cp1252 (of een andere codering)."
            ) from exc
        raise RecordFileError(
            f"{name} is geen geldige {encoding}-tekst: regel {line} bevat byte 0x{byte:02X} "
            f"(positie {exc.start}); kies een andere codering met --encoding."
        ) from exc


def refuse_nul(text: str, name: str) -> None:
    """NUL characters cannot be stored (PostgreSQL text) and mean a binary or broken file."""
    position = text.find("\x00")
    if position >= 0:
        raise RecordFileError(
            f"{name} bevat een NUL-teken op regel {line_of(text, position)}; dit is geen "
            "gewoon tekstbestand (of het is beschadigd)."
        )


def _text(path: Path, encoding: str | None) -> str:
    if path.is_dir():
        raise RecordFileError(f"{path.name} is een map zonder datapackage.json (geen HSDS).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordFileError(f"{path.name} kan niet gelezen worden.") from exc
    text = decode(data, path.name, encoding)
    refuse_nul(text, path.name)
    if not text.strip():
        raise RecordFileError(f"{path.name} is leeg.")
    return text


def _delimiter(text: str, path: Path, mapping: dict[str, str]) -> str:
    """Tab for ``.tsv``; else the separator that makes the most headers recognisable.

    Title lines above the header are allowed, so the first ``HEADER_SCAN`` lines are tried
    with ``,``, ``;`` and tab; without any recognisable header the old rule applies
    (``;`` when the first line has more of them than ``,``).
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    head = "\n".join(text.split("\n", HEADER_SCAN)[:HEADER_SCAN])
    best, best_score = "", 0
    for candidate in (",", ";", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=candidate))
        except csv.Error:
            continue
        score = max((_score(row, mapping) for row in rows), default=0)
        if score > best_score:
            best, best_score = candidate, score
    if best:
        return best
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _csv_rows(path: Path, mapping: dict[str, str], encoding: str | None = None) -> list[list[str]]:
    text = _text(path, encoding)
    delimiter = _delimiter(text, path, mapping)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise RecordFileError(
            f"{path.name} is geen geldig CSV-bestand: regel {reader.line_num} klopt niet "
            "(bijvoorbeeld een aanhalingsteken dat niet gesloten wordt)."
        ) from exc


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _score(row: list[str], mapping: dict[str, str]) -> int:
    """How many known columns a row names; 0 unless one of them is ``organisatie``."""
    known = known_columns(row, mapping)
    return len(known) if "organisatie" in known else 0


def header_index(rows: list[list[str]], mapping: dict[str, str]) -> int | None:
    """The row (0-based, among the first ``HEADER_SCAN``) naming the most known columns.

    Only a row that names ``organisatie`` counts; ``None`` when there is none.
    """
    best, best_score = None, 0
    for number, row in enumerate(rows[:HEADER_SCAN]):
        score = _score(row, mapping)
        if score > best_score:
            best, best_score = number, score
    return best


def _fill_merged(rows: list[list[str]], ranges) -> None:
    """Fill a merged range's value down its first column (one value for several rows)."""
    for cells in ranges:
        value = rows[cells.min_row - 1][cells.min_col - 1] if cells.min_row <= len(rows) else ""
        for r in range(cells.min_row, min(cells.max_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([""] * (cells.min_col - len(row)))
            row[cells.min_col - 1] = value


def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    from openpyxl import load_workbook

    check_xlsx(path)  # sizes from the zip directory, before openpyxl unpacks anything
    unreadable = f"{path.name} is geen leesbaar XLSX-werkboek."
    # Only a fully loaded workbook knows its merged cells; large files are read streaming.
    read_only = path.stat().st_size > XLSX_FULL_LOAD_BYTES
    try:
        workbook = load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-xlsx input
        raise RecordFileError(unreadable) from exc
    sheets = []
    try:
        # read-only sheets parse lazily: broken XML surfaces while iterating
        for sheet in workbook.worksheets:
            rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if not read_only:
                _fill_merged(rows, sheet.merged_cells.ranges)
            sheets.append((sheet.title, rows))
    except RecordFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - lxml/ElementTree/openpyxl errors alike
        raise RecordFileError(unreadable) from exc
    finally:
        workbook.close()
    return sheets


def _calamine_sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Sheets of an ``.xls`` or ``.ods`` workbook, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    kind = path.suffix.lower().lstrip(".").upper()
    if kind == "ODS":
        check_ods(path)  # a zip, like XLSX: judged by its directory before unpacking
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            return [
                (
                    name,
                    [
                        [_cell(v) for v in row]
                        for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    ],
                )
                for name in workbook.sheet_names
            ]
        finally:
            workbook.close()
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types and ValueError
        raise RecordFileError(f"{path.name} is geen leesbaar {kind}-werkboek.") from exc


def _choose_sheet(
    sheets: list[tuple[str, list[list[str]]]], name: str, mapping: dict[str, str], sheet: str | None
) -> tuple[str, list[list[str]]]:
    """The sheet named ``sheet``, else the first with a recognisable header row."""
    if not sheets:
        raise RecordFileError(f"{name} heeft geen werkblad.")
    if sheet is not None:
        for title, rows in sheets:
            if title.strip().lower() == sheet.strip().lower():
                return title, rows
        names = ", ".join(f"'{title}'" for title, _ in sheets)
        raise RecordFileError(f"{name} heeft geen werkblad '{sheet}'; wel: {names}.")
    for title, rows in sheets:
        if header_index(rows, mapping) is not None:
            return title, rows
    return sheets[0]


def read_table(
    path: Path, mapping: dict[str, str], encoding: str | None = None, sheet: str | None = None
) -> FlatFile:
    """Read a CSV, TSV, XLSX, XLS or ODS file into rows, with the unknown headers.

    The header row is the one among the first ``HEADER_SCAN`` rows that names the most
    known columns (``organisatie`` among them), so title rows above it are skipped. In a
    workbook the sheet is ``sheet`` when given, else the first sheet with such a header
    row. Text files are UTF-8 unless ``encoding`` names another codec (``cp1252``).

    Raises
    ------
    RecordFileError
        When the file cannot be parsed or lacks required columns (nothing is imported).
    """
    path = Path(path)
    if not path.exists():
        raise RecordFileError(f"{path} bestaat niet.")
    suffix = path.suffix.lower()
    title = None
    if suffix in XLSX_SUFFIXES | CALAMINE_SUFFIXES:
        reader = _xlsx_sheets if suffix in XLSX_SUFFIXES else _calamine_sheets
        title, rows = _choose_sheet(reader(path), path.name, mapping, sheet)
    elif sheet is not None:
        raise RecordFileError(f"{path.name} is geen werkboek; --blad geldt alleen voor werkboeken.")
    else:
        rows = _csv_rows(path, mapping, encoding)
    if not rows:
        raise RecordFileError(f"{path.name} heeft geen kopregel.")
    first = header_index(rows, mapping) or 0
    headers = [h.strip() for h in rows[first]]
    resolved = resolve_headers(headers, mapping)
    by_column = {column: header for header, column in resolved.items()}
    index = {column: headers.index(header) for column, header in by_column.items()}
    unknown = [h for h in headers if h and h not in resolved]
    out = []
    for number, row in enumerate(rows[first + 1 :], start=first + 2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are not records
        values = {c: (restore(row[i].strip()) if i < len(row) else "") for c, i in index.items()}
        out.append(RawRow(number, values, by_column))
    return FlatFile(out, unknown, title)


def read_flat(path: Path, mapping: dict[str, str], encoding: str | None = None) -> list[RawRow]:
    """The rows of :func:`read_table` (the first recognisable sheet of a workbook)."""
    return read_table(path, mapping, encoding).rows

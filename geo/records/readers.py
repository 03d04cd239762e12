"""Read flat files (CSV, XLSX) into raw rows with their line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from geo.csvcells import restore
from geo.records.columns import RecordFileError, resolve_headers
from geo.records.limits import check_xlsx


@dataclass
class RawRow:
    """One data row: its line in the file and its values by our column names."""

    line: int
    values: dict[str, str]
    headers: dict[str, str]  # our column name -> the file's header (for error messages)


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


def _csv_rows(path: Path, encoding: str | None = None) -> list[list[str]]:
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
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
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
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    check_xlsx(path)  # sizes from the zip directory, before openpyxl unpacks anything
    unreadable = f"{path.name} is geen leesbaar XLSX-werkboek."
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-xlsx input
        raise RecordFileError(unreadable) from exc
    try:
        if not workbook.worksheets:
            raise RecordFileError(f"{path.name} heeft geen werkblad.")
        # read-only sheets parse lazily: broken XML surfaces while iterating
        rows = [
            [_cell(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    except RecordFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - lxml/ElementTree/openpyxl errors alike
        raise RecordFileError(unreadable) from exc
    finally:
        workbook.close()
    return rows


def read_flat(path: Path, mapping: dict[str, str], encoding: str | None = None) -> list[RawRow]:
    """Read a CSV or XLSX file; the first row holds the headers.

    CSV is UTF-8 unless ``encoding`` names another codec (``cp1252``); XLSX ignores it.

    Raises
    ------
    RecordFileError
        When the file cannot be parsed or lacks required columns (nothing is imported).
    """
    path = Path(path)
    if not path.exists():
        raise RecordFileError(f"{path} bestaat niet.")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    else:
        rows = _csv_rows(path, encoding)
    if not rows:
        raise RecordFileError(f"{path.name} heeft geen kopregel.")
    headers = [h.strip() for h in rows[0]]
    resolved = resolve_headers(headers, mapping)
    by_column = {column: header for header, column in resolved.items()}
    index = {column: headers.index(header) for column, header in by_column.items()}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are not records
        values = {c: (restore(row[i].strip()) if i < len(row) else "") for c, i in index.items()}
        out.append(RawRow(number, values, by_column))
    return out

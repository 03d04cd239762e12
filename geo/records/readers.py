"""Read flat files (CSV, XLSX) into raw rows with their line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from geo.csvcells import restore
from geo.records.columns import RecordFileError, resolve_headers


@dataclass
class RawRow:
    """One data row: its line in the file and its values by our column names."""

    line: int
    values: dict[str, str]
    headers: dict[str, str]  # our column name -> the file's header (for error messages)


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RecordFileError(f"{name} is neither UTF-8 nor Windows-1252 text")


def _csv_rows(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise RecordFileError(f"{path.name} is empty")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise RecordFileError(f"{path.name} is not valid CSV: {exc}") from exc


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

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-xlsx input
        raise RecordFileError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    sheet = workbook.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_flat(path: Path, mapping: dict[str, str]) -> list[RawRow]:
    """Read a CSV or XLSX file; the first row holds the headers.

    Raises
    ------
    RecordFileError
        When the file cannot be parsed or lacks required columns (nothing is imported).
    """
    path = Path(path)
    if not path.exists():
        raise RecordFileError(f"{path} does not exist")
    rows = _xlsx_rows(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _csv_rows(path)
    if not rows:
        raise RecordFileError(f"{path.name} has no header row")
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

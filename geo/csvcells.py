"""Spreadsheet-safe CSV cells: the one home of the formula-injection rule.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and some also a leading tab or carriage return) as a formula, so a name such as
``=HYPERLINK("http://evil", "klik")`` taken from OpenStreetMap or an import file would
become a live link or command in a downloaded CSV. Following the OWASP rule for CSV
injection, every *text* cell starting with one of those characters is written with a
leading apostrophe, which spreadsheets show as plain text. Numbers are written as they
are (a negative coordinate stays a number).

``restore`` undoes exactly this on import, so an export imports back to the same records.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """The cell as it may be written: text starting with a formula character gets ``'``."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def restore(value: str) -> str:
    """Undo ``neutralise`` on a cell read back from one of our files."""
    if value.startswith(QUOTE) and value[1:].startswith(TRIGGERS):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, handle, **kwargs):
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, every cell neutralised."""
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write the rows, every cell neutralised."""
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose values are neutralised (the header is ours, left as is)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        """Write one row, every value neutralised."""
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        """Write the rows, every value neutralised."""
        for row in rowdicts:
            self.writerow(row)

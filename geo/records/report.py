"""The rejects file: every rejected row with line, column and reason, for an editor to fix."""

from __future__ import annotations

from pathlib import Path

from geo.csvcells import SafeWriter
from geo.records.validate import Reject, RowWarning


def write_rejects(rejects: list[Reject], path: Path) -> Path:
    """Write ``regel;kolom;reden`` plus the row's original values.

    UTF-8 with BOM and ``;`` separated (the Dutch Excel dialect), so a data officer opens it
    in columns, fixes the rows and imports the file again.
    """
    value_columns = sorted({k for r in rejects for k in r.values})
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = SafeWriter(handle, delimiter=";")
        writer.writerow(["regel", "kolom", "reden", *value_columns])
        for r in rejects:
            writer.writerow(
                [r.line, r.column, r.reason, *(r.values.get(c, "") for c in value_columns)]
            )
    return Path(path)


def write_warnings(warnings: list[RowWarning], path: Path) -> Path:
    """Write ``regel;kolom;reden;waarde`` for every field left out of a row that did load.

    UTF-8 with BOM and ``;`` separated, so Dutch Excel opens it in columns.
    """
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = SafeWriter(handle, delimiter=";")
        writer.writerow(["regel", "kolom", "reden", "waarde"])
        for w in warnings:
            writer.writerow([w.line, w.column, w.reason, w.value])
    return Path(path)

"""Shared by the hostile-import tests (test_hostile_import.py, test_hostile_archives.py).

:func:`refused` imports a file through the CLI and asserts the project's promise for a
hostile file: one Dutch sentence, exit code 1, no traceback, and the tables unchanged.
The builders write the small valid files the tests then break.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import sqlalchemy as sa

TABLES = (
    "organisatie",
    "aanbod",
    "locatie",
    "aanbod_locatie",
    "aanbod_thema",
    "import_run",
    "wijziging",
    "mogelijk_dubbel",
)
MB = 1024 * 1024


def state(engine) -> dict:
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        counts["laatst"] = conn.execute(
            sa.text("SELECT max(gewijzigd_op)::text FROM locatie")
        ).scalar()
    return counts


def run_import(cli_app, path: Path, *options: str):
    return cli_app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "vijandig", *options]
    )


def refused(cli_app, engine, path: Path, *options: str) -> str:
    """Import through the CLI; assert one Dutch sentence, exit 1, no traceback, no change."""
    before = state(engine)
    result = run_import(cli_app, path, *options)
    message = result.output.strip()
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output and "Error" not in result.output
    assert "\n" not in message, message  # one line, no progress bar or table
    assert re.search(r"[.!?]\s+[A-Z]", message) is None, message  # one sentence
    assert message.endswith("."), message
    assert state(engine) == before
    return message


def hsds_template() -> dict:
    """A small valid HSDS file (one record of every table) as a dict."""
    return {
        "organization": [{"id": "o1", "name": "Buurthuis", "description": "Wij helpen."}],
        "service": [{"id": "s1", "organization_id": "o1", "name": "Koffie"}],
        "location": [{"id": "l1", "name": "Zaal"}],
        "address": [
            {
                "id": "a1",
                "location_id": "l1",
                "address_1": "Bongerd 12",
                "postal_code": "6411 AB",
                "city": "Heerlen",
            }
        ],
        "taxonomy_term": [{"id": "t1", "taxonomy": "sociale-kaart-thema", "code": "vervoer"}],
        "attribute": [{"id": "at1", "link_id": "s1", "taxonomy_term_id": "t1"}],
        "service_at_location": [{"id": "sal1", "service_id": "s1", "location_id": "l1"}],
    }


def write_xlsx(path: Path, rows: list[list[str]], shared_strings: bytes | None = None) -> None:
    """A minimal XLSX with every cell a shared string (openpyxl cannot write NUL)."""
    strings, sheet_rows = [], []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            strings.append(value)
            cells.append(f'<c r="{"ABCDEFGH"[c]}{r}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    if shared_strings is None:
        shared_strings = (
            f'<sst xmlns="{main}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
        ).encode()
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", shared_strings)

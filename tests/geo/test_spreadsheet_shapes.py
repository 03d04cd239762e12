"""Spreadsheets as municipalities keep them: title rows, an explanation sheet first, merged
cells, ``.ods``, TSV and semicolon CSV; unknown columns are listed, never silently dropped.

Every file is built in the test and imported through the real database.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from geo.records.readers import read_table
from server import create_app
from tests.conftest import url_string
from tests.odsfile import write_ods

HEADER = ["Naam organisatie", "Thema", "Postcode", "Huisnr", "Toev."]
ROWS = [
    ["Buurthuis De Kakert", "meedoen-ontmoeten", "6411 AB", "12", ""],
    ["Apotheek Markt", "zorg-ondersteuning", "6211 CD", "1", ""],
]


def _names(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT naam FROM organisatie ORDER BY naam")).scalars())


def _workbook_with_explanation(path: Path) -> None:
    """An explanation sheet first; the data sheet has two title rows and merged cells."""
    workbook = Workbook()
    uitleg = workbook.active
    uitleg.title = "Uitleg"
    uitleg.append(["Dit werkboek hoort bij de sociale kaart."])
    uitleg.append(["Vul het blad Aanbod in; één regel per dienst."])
    data = workbook.create_sheet("Aanbod")
    data.append(["Sociale kaart Heerlen"])
    data.append(["Bijgewerkt op 1 december 2026"])
    data.append(HEADER)
    data.append(["Stichting Welzijn", "informatie-advies", "6411 AB", "12", "A"])
    data.append([None, "meedoen-ontmoeten", "6411 AB", "14", ""])  # organisation merged
    data.append([None, "vervoer", "6411 AB", "16", ""])
    data.append(ROWS[1])
    data.merge_cells("A1:E1")  # the title spans the columns
    data.merge_cells("A4:A6")  # one organisation for three services
    workbook.save(path)


def test_xlsx_title_rows_explanation_sheet_and_merged_cells(rec_engine, tmp_path):
    path = tmp_path / "kaart.xlsx"
    _workbook_with_explanation(path)
    result = import_file(rec_engine, path, "blad")
    assert (result.read, result.inserted, result.rejected) == (4, 4, 0)
    assert result.sheet == "Aanbod"
    assert result.unknown_columns == ["Toev."]
    # the merged organisation name is filled down: three services of one organisation
    assert _names(rec_engine) == ["Apotheek Markt", "Stichting Welzijn"]
    with rec_engine.connect() as conn:
        lines = conn.execute(sa.text("SELECT rapport FROM import_run")).scalar_one()
    assert lines["onbekende_kolommen"] == ["Toev."] and lines["blad"] == "Aanbod"


def test_row_numbers_are_the_sheet_rows(tmp_path):
    path = tmp_path / "kaart.xlsx"
    _workbook_with_explanation(path)
    table = read_table(path, {})
    assert [row.line for row in table.rows] == [4, 5, 6, 7]


def test_sheet_chosen_by_name(rec_engine, tmp_path):
    path = tmp_path / "twee.xlsx"
    workbook = Workbook()
    first = workbook.active
    first.title = "2025"
    first.append(HEADER)
    first.append(ROWS[0])
    second = workbook.create_sheet("2026")
    second.append(HEADER)
    for row in ROWS:
        second.append(row)
    workbook.save(path)
    assert import_file(rec_engine, path, "standaard").inserted == 1  # the first sheet
    result = import_file(rec_engine, path, "standaard", sheet="2026")
    assert (result.read, result.inserted, result.unchanged) == (2, 1, 1)
    with pytest.raises(RecordFileError, match="geen werkblad '2027'; wel: '2025', '2026'"):
        import_file(rec_engine, path, "standaard", sheet="2027")


def test_ods_with_explanation_sheet_and_title_row(rec_engine, tmp_path):
    path = tmp_path / "kaart.ods"
    write_ods(
        path,
        {
            "Toelichting": [["Lees dit eerst."]],
            "Gegevens": [["Sociale kaart Maastricht"], HEADER, *ROWS],
        },
    )
    result = import_file(rec_engine, path, "ods")
    assert (result.read, result.inserted, result.rejected) == (2, 2, 0)
    assert result.sheet == "Gegevens" and result.unknown_columns == ["Toev."]
    assert _names(rec_engine) == ["Apotheek Markt", "Buurthuis De Kakert"]


def test_ods_is_checked_as_a_zip_before_unpacking(rec_engine, tmp_path):
    path = tmp_path / "bom.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(RecordFileError, match="zip-bom"):
        import_file(rec_engine, path, "bom")


@pytest.mark.parametrize("suffix", [".tsv", ".txt"], ids=["by-extension", "sniffed"])
def test_tsv(rec_engine, tmp_path, suffix):
    path = tmp_path / f"kaart{suffix}"
    lines = [HEADER, *ROWS]
    path.write_text("\n".join("\t".join(line) for line in lines) + "\n", encoding="utf-8")
    result = import_file(rec_engine, path, "tsv")
    assert (result.read, result.inserted, result.rejected) == (2, 2, 0)
    assert result.unknown_columns == ["Toev."]


def test_semicolon_csv_with_a_title_line(rec_engine, tmp_path):
    path = tmp_path / "kaart.csv"
    lines = [["Sociale kaart, export van 1-12-2026"], [], HEADER, *ROWS]
    path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    result = import_file(rec_engine, path, "csv")
    assert (result.read, result.inserted, result.rejected) == (2, 2, 0)
    assert [row.line for row in read_table(path, {}).rows] == [4, 5]
    with pytest.raises(RecordFileError, match="--blad geldt alleen voor werkboeken"):
        import_file(rec_engine, path, "csv", sheet="Blad1")


def test_cli_lists_unknown_columns_and_takes_blad(base_engine, rec_engine, tmp_path):
    app = create_app({"DATABASE_URL": url_string(base_engine.url), "TESTING": True})
    path = tmp_path / "kaart.xlsx"
    _workbook_with_explanation(path)
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "cli", "--blad", "aanbod"]
    )
    assert result.exit_code == 0, result.output
    assert "Deze kolommen kennen we niet en zijn niet ingelezen: Toev." in result.output
    assert _names(rec_engine) == ["Apotheek Markt", "Stichting Welzijn"]

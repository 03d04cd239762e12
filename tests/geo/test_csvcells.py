"""The OWASP rule for CSV injection, in every CSV the project writes, and undone on import."""

import csv

import pytest

from geo.csvcells import SafeDictWriter, SafeWriter, neutralise, restore
from geo.records.export import write_csv
from geo.records.report import write_rejects
from geo.records.validate import Reject

HOSTILE = [
    '=HYPERLINK("http://evil.example","klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
    "\tverborgen",
    "\rterug",
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_formula_cells_get_an_apostrophe_and_come_back(cell):
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["Huisarts Heerlen", "'t Hoekske", "06-12345678", "", "a=b"])
def test_ordinary_text_is_untouched(cell):
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def test_numbers_stay_numbers():
    assert neutralise(-5.75) == -5.75 and neutralise(12) == 12 and neutralise(None) is None


def test_writers_neutralise_every_cell(tmp_path):
    path = tmp_path / "x.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        SafeWriter(handle).writerows([HOSTILE])
        writer = SafeDictWriter(handle, fieldnames=["a"])
        writer.writerow({"a": "=1+1"})
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    assert rows[0] == ["'" + c for c in HOSTILE]
    assert rows[1] == ["'=1+1"]


def test_rejects_and_exports_are_neutralised(tmp_path):
    rejects = write_rejects(
        [Reject(2, "naam", "=reden", {"naam": "=HYPERLINK(1)"})], tmp_path / "r.csv"
    )
    text = rejects.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'=reden" in text
    assert text.splitlines()[0] == "regel;kolom;reden;naam"
    out = tmp_path / "e.csv"
    write_csv([{"organisatie": "@SUM(1)", "telefoon": "+31 43 123 45 67"}], out)
    text = out.read_text(encoding="utf-8")
    assert "'@SUM(1)" in text and "'+31 43 123 45 67" in text

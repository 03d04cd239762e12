"""Hostile import files: each is refused with one Dutch sentence, no traceback, nothing changed.

Every refusal is checked through the CLI runner (exit code, one line of output, no traceback)
against a database that already holds records, whose tables must stay exactly as they were.
Hostile files are built here, in tmp_path: NUL bytes, deep JSON, wrong HSDS types, missing and
duplicate ids, invalid UTF-8 and other unreadable input. Archives (zip bombs, unsafe member
names, XLSX parts) are in test_hostile_archives.py; the shared checks in hostile_files.py.
"""

from __future__ import annotations

import json
import zipfile

import pytest
import sqlalchemy as sa

from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from geo.records.limits import json_depth
from tests.geo.conftest import CSV
from tests.geo.hostile_files import hsds_template, refused, run_import

# --- 1. NUL bytes ---


def test_nul_byte_in_a_csv_cell(cli_app, seeded, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"organisatie,thema,postcode,huisnummer\n"
        b"Buurthuis,vervoer,6411 AB,12\nCaf\x00e,vervoer,6411 AB,12\n"
    )
    message = refused(cli_app, seeded, path)
    assert message == (
        "nul.csv bevat een NUL-teken op regel 3; dit is geen gewoon "
        "tekstbestand (of het is beschadigd)."
    )


def test_nul_in_an_hsds_string(cli_app, seeded, tmp_path):
    path = tmp_path / "nul.json"
    path.write_text(
        json.dumps(
            {"organization": [{"id": "o1", "name": "Caf\u0000e"}], "service_at_location": []}
        )
    )
    assert "\\u0000" in path.read_text()
    message = refused(cli_app, seeded, path)
    assert message == "nul.json: organization[0].name bevat een NUL-teken."


def test_nul_in_an_hsds_datapackage_table(cli_app, seeded, tmp_path):
    path = tmp_path / "nul.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("service_at_location.csv", "id,service_id,location_id\ns1,x\x00,l1\n")
    message = refused(cli_app, seeded, path)
    assert "nul.zip/service_at_location.csv bevat een NUL-teken op regel 2" in message


def test_unpaired_surrogate_in_hsds_is_refused(cli_app, seeded, tmp_path):
    """JSON may escape half a surrogate pair; UTF-8 (and PostgreSQL) cannot store it."""
    path = tmp_path / "half.json"
    data = hsds_template()
    data["organization"][0]["description"] = "\ud800"
    path.write_text(json.dumps(data))  # ensure_ascii writes "\ud800" as an escape
    message = refused(cli_app, seeded, path)
    assert message.startswith(
        "half.json: regel 2, kolom service_at_location[0].omschrijving "
        "bevat een teken dat niet opgeslagen kan worden"
    )


# --- 2. Deep JSON ---


def test_json_nested_5000_deep(cli_app, seeded, tmp_path):
    path = tmp_path / "diep.json"
    path.write_text('{"service_at_location": [], "x": ' + "[" * 5000 + "]" * 5000 + "}")
    message = refused(cli_app, seeded, path)
    assert message == (
        "diep.json is te diep genest (5001 niveaus, de grens is 64); een "
        "HSDS-bestand heeft maar een paar niveaus."
    )


def test_json_depth_limit_is_64(seeded, tmp_path):
    path = tmp_path / "diep.json"
    for depth, too_deep in ((64, False), (65, True)):
        inner = "[" * (depth - 1) + "]" * (depth - 1)
        path.write_text('{"service_at_location": [], "x": ' + inner + "}")
        if too_deep:
            with pytest.raises(RecordFileError, match="65 niveaus"):
                import_file(seeded, path, "diep")
        else:
            assert import_file(seeded, path, "diep").read == 0


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[[{{{{", "b": ["\\"]]]]"]}') == 2
    assert json_depth('"[[["') == 0
    assert json_depth("[" * 100 + "]" * 100) == 100


# --- 3. Wrong types and missing ids in HSDS ---


def test_the_hsds_template_imports(seeded, tmp_path):
    path = tmp_path / "goed.json"
    path.write_text(json.dumps(hsds_template()))
    result = import_file(seeded, path, "goed")
    assert (result.read, result.inserted, result.rejected) == (1, 1, 0)


@pytest.mark.parametrize(
    "change,expected",
    [
        (
            lambda d: d["organization"][0].update(name=5),
            "organization[0].name moet tekst zijn, maar is een getal.",
        ),
        (lambda d: d.update(service="x"), "de tabel 'service' moet een lijst zijn, maar is tekst."),
        (
            lambda d: d.update(organization={"id": "o1", "name": "Buurthuis"}),
            "de tabel 'organization' moet een lijst zijn, maar is een object.",
        ),
        (
            lambda d: d["service_at_location"].append("sal2"),
            "service_at_location[1] moet een object zijn, maar is tekst.",
        ),
        (
            lambda d: d["location"][0].update(latitude=True),
            "location[0].latitude moet tekst zijn, maar is ja/nee (true/false).",
        ),
        (
            lambda d: d["address"][0].update(address_1=["Bongerd", 12]),
            "address[0].address_1 moet tekst zijn, maar is een lijst.",
        ),
        (lambda d: d["organization"][0].pop("id"), "organization[0] heeft geen id."),
        (lambda d: d["service"][0].update(id=""), "service[0] heeft geen id."),
        (
            lambda d: d["service_at_location"][0].update(id=None),
            "service_at_location[0] heeft geen id.",
        ),
    ],
    ids=[
        "name-number",
        "table-string",
        "table-object",
        "row-string",
        "bool",
        "list",
        "no-id",
        "empty-id",
        "null-id",
    ],
)
def test_wrong_types_and_missing_ids_in_hsds(cli_app, seeded, tmp_path, change, expected):
    data = hsds_template()
    change(data)
    path = tmp_path / "typen.json"
    path.write_text(json.dumps(data))
    assert refused(cli_app, seeded, path) == f"typen.json: {expected}"


@pytest.mark.parametrize(
    "data,expected",
    [
        (
            [],
            "typen.json is geen HSDS-bestand: verwacht een JSON-object met tabellen, maar het is "
            "een lijst.",
        ),
        ({"organization": []}, "typen.json heeft geen HSDS-tabel 'service_at_location'."),
    ],
)
def test_hsds_without_tables(cli_app, seeded, tmp_path, data, expected):
    path = tmp_path / "typen.json"
    path.write_text(json.dumps(data))
    assert refused(cli_app, seeded, path) == expected


def test_broken_json_names_the_line(cli_app, seeded, tmp_path):
    path = tmp_path / "kapot.json"
    path.write_text('{\n"service_at_location": [\n{"id": "x",}\n]}')
    assert refused(cli_app, seeded, path) == "kapot.json is geen geldige JSON (regel 3)."


def test_numeric_ids_and_coordinates_are_accepted(seeded, tmp_path):
    data = hsds_template()
    data["organization"][0]["id"] = 7
    data["service"][0]["organization_id"] = 7
    data["location"][0].update(latitude=50.8882, longitude=5.9795)
    path = tmp_path / "getallen.json"
    path.write_text(json.dumps(data))
    result = import_file(seeded, path, "getallen")
    assert (result.inserted, result.rejected) == (1, 0)
    with seeded.connect() as conn:
        precision = conn.execute(
            sa.text(
                "SELECT l.geocode_precisie FROM locatie l JOIN organisatie o "
                "ON o.id = l.organisatie_id WHERE o.bron = 'getallen' AND o.bron_id = '7'"
            )
        ).scalar()
    assert precision == "handmatig"


# --- 7. Duplicate ids in HSDS ---


@pytest.mark.parametrize("table", ["organization", "service", "location", "service_at_location"])
def test_duplicate_ids_in_hsds_refuse_the_file(cli_app, seeded, tmp_path, table):
    data = hsds_template()
    twin = dict(data[table][0], name="Tweeling")
    data[table].append(twin)
    key = data[table][0]["id"]
    path = tmp_path / "dubbel.json"
    path.write_text(json.dumps(data))
    assert refused(cli_app, seeded, path) == (
        f"dubbel.json: de tabel '{table}' heeft id '{key}' twee keer ({table}[0] en "
        f"{table}[1]); ids moeten uniek zijn."
    )


# --- 6. Invalid UTF-8 and --encoding ---

CP1252_FILE = (
    "organisatie,thema,postcode,huisnummer\nBuurthuis,vervoer,6411 AB,12\n"
    "Café Één,vervoer,6411 AB,14A\n"
)


def test_cp1252_file_is_refused_with_the_line_and_byte(cli_app, seeded, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    message = refused(cli_app, seeded, path)
    position = CP1252_FILE.index("é")
    assert message == (
        f"ansi.csv is geen geldige UTF-8-tekst: regel 3 bevat byte 0xE9 (positie {position}); "
        "sla het bestand op als UTF-8 of geef de codering op met --encoding cp1252 (of een "
        "andere codering)."
    )


def test_encoding_option_reads_cp1252_correctly(cli_app, seeded, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    result = run_import(cli_app, path, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    with seeded.connect() as conn:
        names = conn.execute(
            sa.text("SELECT array_agg(naam ORDER BY naam) FROM organisatie WHERE bron = 'vijandig'")
        ).scalar()
    assert names == ["Buurthuis", "Café Één"]


def test_utf8_with_bom_needs_no_option(seeded, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CP1252_FILE.encode("utf-8"))
    assert import_file(seeded, path, "utf8").inserted == 2
    with seeded.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM organisatie WHERE naam = 'Café Één'")
            ).scalar()
            == 1
        )


def test_wrong_or_unknown_encoding(cli_app, seeded, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(CP1252_FILE.encode("utf-16"))  # Excel's "Unicode text": BOM FF FE
    assert refused(cli_app, seeded, path).startswith(
        "utf16.csv is geen geldige UTF-8-tekst: regel 1 bevat byte 0xFF (positie 0); "
    )
    path.write_bytes(CP1252_FILE.replace("é", "e").replace("É", "E").encode("utf-16-le"))
    assert refused(cli_app, seeded, path) == (  # UTF-16 without BOM is valid UTF-8 with NULs
        "utf16.csv bevat een NUL-teken op regel 1; dit is geen gewoon tekstbestand (of het is "
        "beschadigd)."
    )
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    assert refused(cli_app, seeded, path, "--encoding", "ascii") == (
        "utf16.csv is geen geldige ascii-tekst: regel 3 bevat byte 0xE9 (positie "
        f"{CP1252_FILE.index('é')}); kies een andere codering met --encoding."
    )
    assert refused(cli_app, seeded, path, "--encoding", "klingon") == (
        "De codering 'klingon' bestaat niet; gebruik bijvoorbeeld utf-8 of cp1252."
    )


# --- other unreadable input ---


def test_broken_mapping_file(cli_app, seeded, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[kolommen]\n"Naam aanbieder" = "organisatie"\nkapot\n')
    assert refused(cli_app, seeded, CSV, "--mapping", str(mapping)) == (
        f"Het koppelbestand {mapping} is geen geldige TOML (regel 3)."
    )
    mapping.write_text("kolommen = 5\n")
    assert "moet een tabel [kolommen] met tekst hebben" in refused(
        cli_app, seeded, CSV, "--mapping", str(mapping)
    )


def test_folder_without_datapackage(cli_app, seeded, tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()
    assert refused(cli_app, seeded, folder) == (
        "map is een map zonder datapackage.json (geen HSDS)."
    )

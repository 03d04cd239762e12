"""Hostile import files: each is refused with one Dutch sentence, no traceback, nothing changed.

Every refusal is checked through the CLI runner (exit code, one line of output, no traceback)
against a database that already holds records, whose tables must stay exactly as they were.
Hostile files are built here, in tmp_path: NUL bytes, deep JSON, wrong HSDS types, missing and
duplicate ids, zip bombs (HSDS datapackage and XLSX), unsafe member names, invalid UTF-8.
"""

from __future__ import annotations

import json
import re
import resource
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.records import hsds, limits
from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from geo.records.limits import ZipLimits, json_depth
from server import create_app
from tests.conftest import url_string
from tests.geo.conftest import CSV

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


@pytest.fixture(scope="module")
def cli_app(base_engine):
    return create_app({"DATABASE_URL": url_string(base_engine.url), "TESTING": True})


@pytest.fixture
def seeded(rec_engine):
    """A database that already holds the test records (so 'unchanged' means something)."""
    result = import_file(rec_engine, CSV, "bestaand")
    assert result.inserted == 6
    return rec_engine


def _state(engine) -> dict:
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        counts["laatst"] = conn.execute(
            sa.text("SELECT max(gewijzigd_op)::text FROM locatie")
        ).scalar()
    return counts


def _import(cli_app, path: Path, *options: str):
    return cli_app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "vijandig", *options]
    )


def _refused(cli_app, engine, path: Path, *options: str) -> str:
    """Import through the CLI; assert one Dutch sentence, exit 1, no traceback, no change."""
    before = _state(engine)
    result = _import(cli_app, path, *options)
    message = result.output.strip()
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output and "Error" not in result.output
    assert "\n" not in message, message  # one line, no progress bar or table
    assert re.search(r"[.!?]\s+[A-Z]", message) is None, message  # one sentence
    assert message.endswith("."), message
    assert _state(engine) == before
    return message


# --- 1. NUL bytes ---


def test_nul_byte_in_a_csv_cell(cli_app, seeded, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"organisatie,thema,postcode,huisnummer\n"
        b"Buurthuis,vervoer,6411 AB,12\nCaf\x00e,vervoer,6411 AB,12\n"
    )
    message = _refused(cli_app, seeded, path)
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
    message = _refused(cli_app, seeded, path)
    assert message == "nul.json: organization[0].name bevat een NUL-teken."


def test_nul_in_an_hsds_datapackage_table(cli_app, seeded, tmp_path):
    path = tmp_path / "nul.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("service_at_location.csv", "id,service_id,location_id\ns1,x\x00,l1\n")
    message = _refused(cli_app, seeded, path)
    assert "nul.zip/service_at_location.csv bevat een NUL-teken op regel 2" in message


def test_unpaired_surrogate_in_hsds_is_refused(cli_app, seeded, tmp_path):
    """JSON may escape half a surrogate pair; UTF-8 (and PostgreSQL) cannot store it."""
    path = tmp_path / "half.json"
    data = _hsds()
    data["organization"][0]["description"] = "\ud800"
    path.write_text(json.dumps(data))  # ensure_ascii writes "\ud800" as an escape
    message = _refused(cli_app, seeded, path)
    assert message.startswith(
        "half.json: regel 2, kolom service_at_location[0].omschrijving "
        "bevat een teken dat niet opgeslagen kan worden"
    )


def _xlsx(path: Path, rows: list[list[str]], shared_strings: bytes | None = None) -> None:
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


def test_minimal_xlsx_helper_is_a_readable_workbook(seeded, tmp_path):
    """The hand-built workbook imports, so the refusals below are about the NUL only."""
    path = tmp_path / "goed.xlsx"
    _xlsx(
        path,
        [
            ["organisatie", "thema", "postcode", "huisnummer"],
            ["Buurthuis", "vervoer", "6411 AB", "12"],
        ],
    )
    assert import_file(seeded, path, "xlsx").inserted == 1


@pytest.mark.parametrize("cell", ["Caf&#0;e", "Caf\x00e"], ids=["char-ref", "raw-byte"])
def test_nul_in_an_xlsx_string(cli_app, seeded, tmp_path, cell):
    path = tmp_path / "nul.xlsx"
    _xlsx(
        path,
        [["organisatie", "thema", "postcode", "huisnummer"], [cell, "vervoer", "6411 AB", "12"]],
    )
    assert _refused(cli_app, seeded, path) == "nul.xlsx is geen leesbaar XLSX-werkboek."


# --- 2. Deep JSON ---


def test_json_nested_5000_deep(cli_app, seeded, tmp_path):
    path = tmp_path / "diep.json"
    path.write_text('{"service_at_location": [], "x": ' + "[" * 5000 + "]" * 5000 + "}")
    message = _refused(cli_app, seeded, path)
    assert message == (
        "diep.json is te diep genest (5001 niveaus, de grens is 64); een "
        "HSDS-bestand heeft maar een paar niveaus."
    )


def test_json_depth_limit_is_64(seeded, tmp_path):
    path = tmp_path / "diep.json"
    for depth, refused in ((64, False), (65, True)):
        inner = "[" * (depth - 1) + "]" * (depth - 1)
        path.write_text('{"service_at_location": [], "x": ' + inner + "}")
        if refused:
            with pytest.raises(RecordFileError, match="65 niveaus"):
                import_file(seeded, path, "diep")
        else:
            assert import_file(seeded, path, "diep").read == 0


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[[{{{{", "b": ["\\"]]]]"]}') == 2
    assert json_depth('"[[["') == 0
    assert json_depth("[" * 100 + "]" * 100) == 100


# --- 3. Wrong types and missing ids in HSDS ---


def _hsds() -> dict:
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


def test_the_hsds_template_imports(seeded, tmp_path):
    path = tmp_path / "goed.json"
    path.write_text(json.dumps(_hsds()))
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
    data = _hsds()
    change(data)
    path = tmp_path / "typen.json"
    path.write_text(json.dumps(data))
    assert _refused(cli_app, seeded, path) == f"typen.json: {expected}"


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
    assert _refused(cli_app, seeded, path) == expected


def test_broken_json_names_the_line(cli_app, seeded, tmp_path):
    path = tmp_path / "kapot.json"
    path.write_text('{\n"service_at_location": [\n{"id": "x",}\n]}')
    assert _refused(cli_app, seeded, path) == "kapot.json is geen geldige JSON (regel 3)."


def test_numeric_ids_and_coordinates_are_accepted(seeded, tmp_path):
    data = _hsds()
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
    data = _hsds()
    twin = dict(data[table][0], name="Tweeling")
    data[table].append(twin)
    key = data[table][0]["id"]
    path = tmp_path / "dubbel.json"
    path.write_text(json.dumps(data))
    assert _refused(cli_app, seeded, path) == (
        f"dubbel.json: de tabel '{table}' heeft id '{key}' twee keer ({table}[0] en "
        f"{table}[1]); ids moeten uniek zijn."
    )


# --- 4. Archives ---


def _deflate_zip(path: Path, members: list[tuple[str, list[tuple[bytes, int]]]]) -> None:
    """Write a zip whose members are ``chunk * repeat`` parts, without compressing it all.

    Each chunk is deflated once, ending in a full flush (byte-aligned, no back references),
    so its compressed block can simply be repeated; the CRC is that of the real content.
    """
    with open(path, "wb") as out:
        directory = []
        for name, parts in members:
            crc, size, blocks = 0, 0, []
            for chunk, repeat in parts:
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                blocks.append((packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH), repeat))
                for _ in range(repeat):
                    crc = zlib.crc32(chunk, crc)
                size += len(chunk) * repeat
            final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
            packed = sum(len(b) * n for b, n in blocks) + len(final)
            encoded = name.encode()
            offset = out.tell()
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    crc,
                    packed,
                    size,
                    len(encoded),
                    0,
                )
                + encoded
            )
            for block, repeat in blocks:
                for _ in range(repeat):
                    out.write(block)
            out.write(final)
            directory.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    crc,
                    packed,
                    size,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
        start = out.tell()
        out.write(b"".join(directory))
        out.write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                len(directory),
                len(directory),
                out.tell() - start,
                start,
                0,
            )
        )


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 1.5 MB zip whose service_at_location.csv unpacks to 1.5 GB of zeros."""
    path = tmp_path_factory.mktemp("bom") / "bom.zip"
    _deflate_zip(
        path,
        [
            ("datapackage.json", [(b"{}", 1)]),
            ("service_at_location.csv", [(b"id,service_id,location_id\n", 1), (bytes(MB), 1500)]),
        ],
    )
    return path


def test_the_zip_bomb_is_what_it_claims(bomb):
    assert bomb.stat().st_size < 2 * MB
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("service_at_location.csv")
        assert info.file_size == 1500 * MB + 26
        with archive.open(info) as member:  # a valid archive: the content really is there
            assert member.read(26) == b"id,service_id,location_id\n"
            assert member.read(MB) == bytes(MB)


def test_zip_bomb_is_refused_before_unpacking(seeded, bomb):
    before = _state(seeded)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        with pytest.raises(RecordFileError) as refused:
            import_file(seeded, bomb, "bom")
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    print(
        f"zip bomb: traced peak {traced_peak / MB:.1f} MB, peak RSS growth {rss_growth / MB:.1f} MB"
    )
    assert traced_peak < 500 * MB and rss_growth < 500 * MB
    assert re.fullmatch(
        r"bom\.zip lijkt een zip-bom: 'service_at_location\.csv' wordt "
        r"uitgepakt 10\d\d keer zo groot; meer dan 100 keer weigeren we\.",
        str(refused.value),
    ), str(refused.value)
    assert _state(seeded) == before


def test_zip_bomb_through_the_cli(cli_app, seeded, bomb):
    assert "lijkt een zip-bom" in _refused(cli_app, seeded, bomb)


def test_archive_total_size_is_limited(cli_app, seeded, tmp_path, monkeypatch):
    """Honest (incompressible) content over the total limit is refused from the directory."""
    monkeypatch.setattr(
        hsds,
        "DATAPACKAGE",
        ZipLimits(max_members=10, max_member_bytes=MB, max_total_bytes=MB, max_ratio=100),
    )
    path = tmp_path / "groot.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("service_at_location.csv", "service.csv"):
            archive.writestr(name, "id\n" + "".join(f"{i:x}\n" for i in range(120_000)))
    message = _refused(cli_app, seeded, path)
    assert message == "groot.zip is te groot: uitgepakt 1,2 MB, de grens is 1 MB."


@pytest.mark.parametrize(
    "name",
    [
        "../service_at_location.csv",
        "/etc/service.csv",
        "C:/temp/service.csv",
        "tabel\\..\\..\\service.csv",
        "a/../../service_at_location.csv",
    ],
)
def test_unsafe_member_names_are_refused(cli_app, seeded, tmp_path, name):
    path = tmp_path / "pad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("service_at_location.csv", "id,service_id,location_id\n")
        archive.writestr(zipfile.ZipInfo(name), "id\n")
    assert zipfile.ZipFile(path).namelist()[1] == name
    message = _refused(cli_app, seeded, path)
    assert message == (
        f"pad.zip bevat een bestand met een onveilige naam ('{name}'); namen met "
        "'..', een schijfletter of een pad vanaf de root weigeren we."
    )


def test_not_a_zip_and_a_corrupt_member(cli_app, seeded, tmp_path):
    path = tmp_path / "nep.zip"
    path.write_bytes(b"PK\x03\x04 dit is geen zip")
    assert _refused(cli_app, seeded, path) == "nep.zip is geen leesbaar zip-archief."
    good = tmp_path / "goed.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "service_at_location.csv",
            "id,service_id,location_id\n"
            + "".join(f"{i},s{i * 7919 % 1000},l{i * 104729 % 997}\n" for i in range(500)),
        )
    data = bytearray(good.read_bytes())
    data[60:70] = b"\xff" * 10  # inside the compressed data
    path.write_bytes(bytes(data))
    assert _refused(cli_app, seeded, path) == (
        "nep.zip kan niet uitgepakt worden (beschadigd of versleuteld)."
    )


def test_zip_datapackage_still_imports(seeded, tmp_path):
    path = tmp_path / "pakket.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", "{}")
        for table, rows in _hsds().items():
            fields = sorted({k for r in rows for k in r})
            lines = [",".join(fields)] + [",".join(str(r.get(k, "")) for k in fields) for r in rows]
            archive.writestr(f"tabellen/{table}.csv", "\n".join(lines) + "\n")
    result = import_file(seeded, path, "pakket")
    assert (result.read, result.inserted, result.rejected) == (1, 1, 0)


# --- 5. Oversized XLSX parts ---


def test_xlsx_shared_strings_bomb_is_refused_before_openpyxl(
    cli_app, seeded, tmp_path, monkeypatch
):
    path = tmp_path / "bom.xlsx"
    _xlsx(path, [["organisatie", "thema"], ["x", "vervoer"]])
    # swap in a sharedStrings.xml of 300 MB that deflates to 0.3 MB
    with zipfile.ZipFile(path) as archive:
        parts = [
            (n, [(archive.read(n), 1)]) for n in archive.namelist() if n != "xl/sharedStrings.xml"
        ]
    main = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    parts.append(
        ("xl/sharedStrings.xml", [(main, 1), (b"<si><t>a</t></si>" * 61681, 300), (b"</sst>", 1)])
    )
    _deflate_zip(path, parts)
    assert path.stat().st_size < MB
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    message = _refused(cli_app, seeded, path)
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert opened == [] and rss_growth < 100 * MB
    assert message.startswith("bom.xlsx lijkt een zip-bom: 'xl/sharedStrings.xml' wordt uitgepakt ")


def test_xlsx_shared_strings_size_is_limited(cli_app, seeded, tmp_path, monkeypatch):
    path = tmp_path / "tekst.xlsx"
    _xlsx(path, [["organisatie", "thema"]] + [[f"Organisatie {i}", "vervoer"] for i in range(200)])
    monkeypatch.setattr(limits, "SHARED_STRINGS_BYTES", 4096)
    message = _refused(cli_app, seeded, path)
    assert re.fullmatch(
        r"tekst\.xlsx heeft te veel tekst in de gedeelde teksten "
        r"\(sharedStrings\.xml, \d+ kB, de grens is 4 kB\)\.",
        message,
    ), message


def test_not_an_xlsx(cli_app, seeded, tmp_path):
    path = tmp_path / "nep.xlsx"
    path.write_text("organisatie,thema\n")
    assert _refused(cli_app, seeded, path) == "nep.xlsx is geen leesbaar XLSX-bestand."


# --- 6. Invalid UTF-8 and --encoding ---

CP1252_FILE = (
    "organisatie,thema,postcode,huisnummer\nBuurthuis,vervoer,6411 AB,12\n"
    "Café Één,vervoer,6411 AB,14A\n"
)


def test_cp1252_file_is_refused_with_the_line_and_byte(cli_app, seeded, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    message = _refused(cli_app, seeded, path)
    position = CP1252_FILE.index("é")
    assert message == (
        f"ansi.csv is geen geldige UTF-8-tekst: regel 3 bevat byte 0xE9 (positie {position}); "
        "sla het bestand op als UTF-8 of geef de codering op met --encoding cp1252 (of een "
        "andere codering)."
    )


def test_encoding_option_reads_cp1252_correctly(cli_app, seeded, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    result = _import(cli_app, path, "--encoding", "cp1252")
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
    assert _refused(cli_app, seeded, path).startswith(
        "utf16.csv is geen geldige UTF-8-tekst: regel 1 bevat byte 0xFF (positie 0); "
    )
    path.write_bytes(CP1252_FILE.replace("é", "e").replace("É", "E").encode("utf-16-le"))
    assert _refused(cli_app, seeded, path) == (  # UTF-16 without BOM is valid UTF-8 with NULs
        "utf16.csv bevat een NUL-teken op regel 1; dit is geen gewoon tekstbestand (of het is "
        "beschadigd)."
    )
    path.write_bytes(CP1252_FILE.encode("cp1252"))
    assert _refused(cli_app, seeded, path, "--encoding", "ascii") == (
        "utf16.csv is geen geldige ascii-tekst: regel 3 bevat byte 0xE9 (positie "
        f"{CP1252_FILE.index('é')}); kies een andere codering met --encoding."
    )
    assert _refused(cli_app, seeded, path, "--encoding", "klingon") == (
        "De codering 'klingon' bestaat niet; gebruik bijvoorbeeld utf-8 of cp1252."
    )


# --- other unreadable input ---


def test_broken_mapping_file(cli_app, seeded, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[kolommen]\n"Naam aanbieder" = "organisatie"\nkapot\n')
    assert _refused(cli_app, seeded, CSV, "--mapping", str(mapping)) == (
        f"Het koppelbestand {mapping} is geen geldige TOML (regel 3)."
    )
    mapping.write_text("kolommen = 5\n")
    assert "moet een tabel [kolommen] met tekst hebben" in _refused(
        cli_app, seeded, CSV, "--mapping", str(mapping)
    )


def test_folder_without_datapackage(cli_app, seeded, tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()
    assert _refused(cli_app, seeded, folder) == (
        "map is een map zonder datapackage.json (geen HSDS)."
    )

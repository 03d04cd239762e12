"""Hostile archives: each is refused with one Dutch sentence, no traceback, nothing changed.

The zip-based formats (HSDS datapackage and XLSX), built here in tmp_path: NUL in an XLSX
string, zip bombs, too large archives, unsafe member names, corrupt members and oversized
XLSX parts. Checked as in test_hostile_import.py (:func:`tests.geo.hostile_files.refused`).
"""

from __future__ import annotations

import re
import resource
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from geo.records import hsds, limits
from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from geo.records.limits import ZipLimits
from tests.geo.hostile_files import MB, hsds_template, refused, state, write_xlsx

# --- 1. NUL bytes (XLSX) ---


def test_minimal_xlsx_helper_is_a_readable_workbook(seeded, tmp_path):
    """The hand-built workbook imports, so the refusals below are about the NUL only."""
    path = tmp_path / "goed.xlsx"
    write_xlsx(
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
    write_xlsx(
        path,
        [["organisatie", "thema", "postcode", "huisnummer"], [cell, "vervoer", "6411 AB", "12"]],
    )
    assert refused(cli_app, seeded, path) == "nul.xlsx is geen leesbaar XLSX-werkboek."


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
    before = state(seeded)
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
    assert state(seeded) == before


def test_zip_bomb_through_the_cli(cli_app, seeded, bomb):
    assert "lijkt een zip-bom" in refused(cli_app, seeded, bomb)


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
    message = refused(cli_app, seeded, path)
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
    message = refused(cli_app, seeded, path)
    assert message == (
        f"pad.zip bevat een bestand met een onveilige naam ('{name}'); namen met "
        "'..', een schijfletter of een pad vanaf de root weigeren we."
    )


def test_not_a_zip_and_a_corrupt_member(cli_app, seeded, tmp_path):
    path = tmp_path / "nep.zip"
    path.write_bytes(b"PK\x03\x04 dit is geen zip")
    assert refused(cli_app, seeded, path) == "nep.zip is geen leesbaar zip-archief."
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
    assert refused(cli_app, seeded, path) == (
        "nep.zip kan niet uitgepakt worden (beschadigd of versleuteld)."
    )


def test_zip_datapackage_still_imports(seeded, tmp_path):
    path = tmp_path / "pakket.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", "{}")
        for table, rows in hsds_template().items():
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
    write_xlsx(path, [["organisatie", "thema"], ["x", "vervoer"]])
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
    message = refused(cli_app, seeded, path)
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert opened == [] and rss_growth < 100 * MB
    assert message.startswith("bom.xlsx lijkt een zip-bom: 'xl/sharedStrings.xml' wordt uitgepakt ")


def test_xlsx_shared_strings_size_is_limited(cli_app, seeded, tmp_path, monkeypatch):
    path = tmp_path / "tekst.xlsx"
    write_xlsx(
        path, [["organisatie", "thema"]] + [[f"Organisatie {i}", "vervoer"] for i in range(200)]
    )
    monkeypatch.setattr(limits, "SHARED_STRINGS_BYTES", 4096)
    message = refused(cli_app, seeded, path)
    assert re.fullmatch(
        r"tekst\.xlsx heeft te veel tekst in de gedeelde teksten "
        r"\(sharedStrings\.xml, \d+ kB, de grens is 4 kB\)\.",
        message,
    ), message


def test_not_an_xlsx(cli_app, seeded, tmp_path):
    path = tmp_path / "nep.xlsx"
    path.write_text("organisatie,thema\n")
    assert refused(cli_app, seeded, path) == "nep.xlsx is geen leesbaar XLSX-bestand."

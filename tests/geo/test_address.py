"""Addresses as people write them (issue 12 point 5): combined columns split and placed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.records.address import Address, parse_address, split_address, split_postcode_place
from geo.records.columns import RecordFileError, load_mapping_file, resolve_headers
from geo.records.fields import house
from geo.records.importer import import_file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Markt 78", Address("Markt", "78")),
        ("Markt 78, 6211 CL Maastricht", Address("Markt", "78", "6211CL", "Maastricht")),
        ("Markt 78 6211cl Maastricht", Address("Markt", "78", "6211CL", "Maastricht")),
        ("Kruisstraat 12a, Heerlen", Address("Kruisstraat", "12a", "", "Heerlen")),
        ("Akerstraat 12-14", Address("Akerstraat", "12-14")),
        ("Hoofdstraat 12 bis", Address("Hoofdstraat", "12 bis")),
        ("Pleinstraat 3 hs", Address("Pleinstraat", "3 hs")),
        ("Dorpstraat 5 A", Address("Dorpstraat", "5 A")),
        ("Laan van Europa 1000-2", Address("Laan van Europa", "1000-2")),
        ("Plein 1992 5", Address("Plein 1992", "5")),  # a street name with a number
        ("2e Kruisstraat  5", Address("2e Kruisstraat", "5")),
        ("Markt", Address("Markt")),
        ("Postbus 123, 6400 AC Heerlen", Address("", "", "6400AC", "Heerlen", "Postbus 123")),
        ("Antwoordnummer 456", Address(postbus="Antwoordnummer 456")),
        ("Pb 12", Address(postbus="Postbus 12")),
        ("P.B. 12 6400AC Heerlen", Address("", "", "6400AC", "Heerlen", "Postbus 12")),
        ("", Address()),
    ],
)
def test_parse_address(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("written", "parts"),
    [
        ("12a", (12, "A", "")),
        ("12-14", (12, "", "14")),
        ("12 bis", (12, "", "BIS")),
        ("3 hs", (3, "", "HS")),
        ("5 A", (5, "A", "")),
        ("1000-2", (1000, "", "2")),
    ],
)
def test_the_house_part_is_read_like_any_house_number(written, parts):
    assert house(written) == parts


def test_postcode_and_place_in_one_cell():
    assert split_postcode_place("6411CG  HEERLEN") == ("6411CG", "HEERLEN")
    assert split_postcode_place("6411 cg Heerlen") == ("6411CG", "Heerlen")
    assert split_postcode_place("Heerlen") == ("", "Heerlen")


def test_combined_headers_are_recognised():
    headers = ["Naam", "Straat + huisnr", "Postcode/plaats", "Bezoekadres", "Postadres"]
    assert resolve_headers(headers[:3], {}) == {
        "Naam": "organisatie",
        "Straat + huisnr": "adres",
        "Postcode/plaats": "postcode_plaats",
    }
    assert resolve_headers(["Naam", "Bezoekadres", "Postadres"], {}) == {
        "Naam": "organisatie",
        "Bezoekadres": "adres",
        "Postadres": "postadres",
    }


def test_a_mapping_file_may_name_the_combined_columns(tmp_path):
    path = tmp_path / "koppeling.toml"
    path.write_text(
        '[kolommen]\n"Locatie (straat en nr)" = "adres"\n"PC + woonplaats" = "postcode_plaats"\n',
        encoding="utf-8",
    )
    mapping = load_mapping_file(path).kolommen
    headers = ["Naam", "Locatie (straat en nr)", "PC + woonplaats"]
    assert resolve_headers(headers, mapping) == {
        "Naam": "organisatie",
        "Locatie (straat en nr)": "adres",
        "PC + woonplaats": "postcode_plaats",
    }


def test_a_cell_of_its_own_wins_and_a_street_next_to_a_number_column_stays_whole():
    values = {"adres": "Plein 1992", "huisnummer": "5", "postcode": "6211CD"}
    headers = {"adres": "Adres", "huisnummer": "Huisnr", "postcode": "Postcode"}
    named = split_address(values, headers)
    assert (values["straat"], values["huisnummer"], values["postcode"]) == (
        "Plein 1992",
        "5",
        "6211CD",
    )
    assert named == {"straat": "Adres"}
    values = {"adres": "Markt 78", "huisnummer": "78"}  # the number written twice
    split_address(values, headers)
    assert (values["straat"], values["huisnummer"]) == ("Markt", "78")


def test_a_postbus_in_street_and_number_columns_is_moved_out():
    values = {"straat": "Postbus", "huisnummer": "1900", "postcode": "6200 AB"}
    values["plaats"] = "Maastricht"
    assert split_address(values, {"straat": "Straat"}) == {"postbus": "Straat"}
    assert values == {"postbus": "Postbus 1900", "plaats": "Maastricht"}


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _locations(engine, bron: str) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT l.straat, l.huisnummer, coalesce(l.huisletter, ''), "
                "coalesce(l.toevoeging, ''), l.postcode, "
                "l.geocode_precisie FROM locatie l JOIN organisatie o ON o.id = l.organisatie_id "
                "WHERE o.bron = :bron ORDER BY l.straat, l.huisnummer"
            ),
            {"bron": bron},
        ).all()


def test_one_adres_column_is_placed_by_the_bag_table(rec_engine, tmp_path):
    csv = _write(
        tmp_path / "adres.csv",
        "Naam,Thema,Adres\n"
        'Buurthuis Bongerd,meedoen-ontmoeten,"Bongerd 12, 6411 AB Heerlen"\n'
        'Stadswinkel,informatie-advies,"Markt 3-2, Maastricht"\n'
        "Wijkpost Kerkrade,informatie-advies,Markt 5 6461AA Kerkrade\n"
        'Huiskamer Bongerd,meedoen-ontmoeten,"Bongerd 14a, Heerlen"\n',
    )
    result = import_file(rec_engine, csv, "adres-in-een-kolom")
    assert (result.read, result.inserted, result.rejects) == (4, 4, [])
    assert _locations(rec_engine, "adres-in-een-kolom") == [
        ("Bongerd", 12, "", "", "6411AB", "adres"),
        ("Bongerd", 14, "A", "", None, "adres"),
        ("Markt", 3, "", "2", None, "adres"),  # no postcode: street, number and place
        ("Markt", 5, "", "", "6461AA", "adres"),
    ]


def test_street_number_and_postcode_place_columns(rec_engine, tmp_path):
    csv = _write(
        tmp_path / "gecombineerd.csv",
        "Organisatie;Thema;Straat + huisnr;Postcode/plaats\n"
        "Sittard Samen;meedoen-ontmoeten;Markt 8;6131EZ  SITTARD\n"
        "Markt Maastricht;informatie-advies;Markt 1;6211 CD Maastricht\n",
    )
    result = import_file(rec_engine, csv, "straat-plus-huisnr")
    assert (result.read, result.inserted, result.rejects) == (2, 2, [])
    assert _locations(rec_engine, "straat-plus-huisnr") == [
        ("Markt", 1, "", "", "6211CD", "adres"),
        ("Markt", 8, "", "", "6131EZ", "adres"),
    ]


def test_a_postbus_is_no_location(rec_engine, tmp_path):
    csv = _write(
        tmp_path / "postbus.csv",
        "Naam,Thema,Bezoekadres,Postadres,Adres\n"
        'Fonds A,geld-uitkering,"Bongerd 12, 6411 AB Heerlen","Postbus 123, 6400 AC Heerlen",\n'
        'Fonds B,geld-uitkering,,"Postbus 45, 6400 AC Heerlen",\n'
        'Fonds C,geld-uitkering,"Antwoordnummer 456, 6400 VB Heerlen",,\n',
    )
    with pytest.raises(RecordFileError, match="Twee kolommen betekenen 'adres'"):
        import_file(rec_engine, csv, "postbussen")
    csv = _write(
        tmp_path / "postbus.csv",
        "Naam,Thema,Bezoekadres,Postadres\n"
        'Fonds A,geld-uitkering,"Bongerd 12, 6411 AB Heerlen","Postbus 123, 6400 AC Heerlen"\n'
        'Fonds B,geld-uitkering,,"Postbus 45, 6400 AC Heerlen"\n'
        'Fonds C,geld-uitkering,"Antwoordnummer 456, 6400 VB Heerlen",\n',
    )
    result = import_file(rec_engine, csv, "postbussen")
    assert result.inserted == 1
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (3, "Postadres", "Alleen een postbus: geef het bezoekadres op (Postbus 45)"),
        (4, "Bezoekadres", "Alleen een postbus: geef het bezoekadres op (Antwoordnummer 456)"),
    ]
    assert _locations(rec_engine, "postbussen") == [("Bongerd", 12, "", "", "6411AB", "adres")]

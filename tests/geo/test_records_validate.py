"""Field and row validation: every bad value gets its line, column and a Dutch reason."""

import json

import pytest

from geo.records import fields as f
from geo.records.columns import RecordFileError, load_mapping, resolve_headers
from geo.records.readers import RawRow, read_flat
from geo.records.validate import Taxonomy, validate_row

TAX = Taxonomy(
    {
        "zorg-ondersteuning": "Zorg en ondersteuning",
        "vervoer": "Vervoer",
        "meedoen-ontmoeten": "Meedoen en ontmoeten",
    },
    {"iedereen": "Iedereen", "ouderen": "Ouderen (65 jaar en ouder)", "jongeren": "Jongeren"},
)


def _row(**values) -> RawRow:
    base = {
        "organisatie": "Stichting Welzijn",
        "thema": "vervoer",
        "postcode": "6411 AB",
        "huisnummer": "12",
    }
    base.update(values)
    return RawRow(7, base, {k: k.capitalize() for k in base})


@pytest.mark.parametrize(
    "value,expected", [("6411 AB", "6411AB"), ("6411ab", "6411AB"), (" 6211 CD ", "6211CD")]
)
def test_postcode_is_normalised(value, expected):
    assert f.postcode(value) == expected


@pytest.mark.parametrize("value", ["0411 AB", "6411", "64111AB", "6411 SS", "ABCD 12"])
def test_bad_postcodes(value):
    with pytest.raises(f.FieldError, match="postcode"):
        f.postcode(value)


@pytest.mark.parametrize(
    "number,letter,addition,expected",
    [
        ("12", "", "", (12, "", "")),
        ("12a", "", "", (12, "A", "")),
        ("12 A", "", "", (12, "A", "")),
        ("12-3", "", "", (12, "", "3")),
        ("7", "b", "2", (7, "B", "2")),
        ("12A-bis", "", "", (12, "A", "BIS")),
    ],
)
def test_house_numbers(number, letter, addition, expected):
    assert f.house(number, letter, addition) == expected


@pytest.mark.parametrize("number", ["0", "abc", "123456", "12-abcdef"])
def test_bad_house_numbers(number):
    with pytest.raises(f.FieldError):
        f.house(number)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("043 123 45 67", "043 123 4567"),
        ("+31 43 1234567", "043 123 4567"),
        ("0800-1234", "0800 1234"),
        ("14 043", "14 043"),
        ("06-12345678", "06 12345678"),
        ("(045) 560 00 00", "045 560 0000"),
        ("112", "112"),
    ],
)
def test_good_phones_in_national_notation(value, expected):
    assert f.phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "043 123", "+32 2 123 45 67", "telefoon"])
def test_bad_phones(value):
    with pytest.raises(f.FieldError, match="telefoonnummer"):
        f.phone(value)


def test_website_gets_https_and_bad_urls_fail():
    assert f.website("www.welzijn.nl") == "https://www.welzijn.nl"
    with pytest.raises(f.FieldError):
        f.website("ftp://welzijn.nl")
    with pytest.raises(f.FieldError):
        f.website("welzijn")


def test_opening_hours_structure():
    hours = f.opening_hours("ma-wo,vr 09:00-12:00 13:00-17:00; za 10.00-12.30; op afspraak")
    assert hours["dagen"]["ma"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert "do" not in hours["dagen"] and hours["dagen"]["vr"] == hours["dagen"]["ma"]
    assert hours["dagen"]["za"] == [["10:00", "12:30"]]
    assert hours["op_afspraak"] is True


@pytest.mark.parametrize(
    "value",
    ["ma 17:00-09:00", "xx 09:00-10:00", "vr-ma 09:00-10:00", "ma 25:00-26:00"],
)
def test_bad_opening_hours(value):
    with pytest.raises(f.FieldError):
        f.opening_hours(value)


@pytest.mark.parametrize(
    "value,suggestion",
    [("zorg", "zorg-ondersteuning"), ("vervoor", "vervoer"), ("ontmoeten", "meedoen-ontmoeten")],
)
def test_near_miss_theme_gets_a_suggestion(value, suggestion):
    with pytest.raises(f.FieldError, match=f"bedoelt u '{suggestion}'"):
        f.slugs(value, TAX.themes, "thema")


def test_theme_by_name_or_slug():
    assert f.slugs("Zorg en ondersteuning; vervoer", TAX.themes, "thema") == [
        "zorg-ondersteuning",
        "vervoer",
    ]


def test_valid_row_gets_stable_keys():
    record, rejects = validate_row(_row(kvk="12345678", openingstijden="ma 09:00-12:00"), TAX)
    assert rejects == []
    assert record["org_key"] == "kvk:12345678"
    assert record["loc_key"] == "kvk:12345678/6411AB-12"
    assert record["aanbod"] == "Stichting Welzijn" and record["doelgroepen"] == ["iedereen"]
    assert json.loads(record["openingstijden"])["dagen"] == {"ma": [["09:00", "12:00"]]}
    again, _ = validate_row(_row(kvk="12345678", openingstijden="ma 09:00-12:00"), TAX)
    assert again["row_key"] == record["row_key"]


def test_every_problem_of_a_row_is_reported_with_its_column():
    # A bad phone or e-mail no longer rejects a row (they are warnings, see
    # test_records_warnings.py); a bad postcode and an unknown theme still do.
    _, rejects = validate_row(
        _row(postcode="64 AB", email="geen-mail", thema="zorg", telefoon="123"), TAX
    )
    assert {(r.line, r.column) for r in rejects} == {(7, "Postcode"), (7, "Thema")}
    assert all(r.reason for r in rejects)


def test_row_without_any_place_is_rejected():
    _, rejects = validate_row(_row(postcode="", huisnummer=""), TAX)
    assert [r.reason for r in rejects] == [
        "geen postcode, geen straat met huisnummer en plaats en geen coördinaten: "
        "de locatie kan niet op de kaart"
    ]


def test_coordinates_outside_the_netherlands_are_rejected():
    _, rejects = validate_row(_row(lat="48.85", lon="2.35"), TAX)
    assert rejects[0].reason == "lat/lon (48.85, 2.35) ligt buiten Nederland"
    assert rejects[0].column == "Lat"


def test_headers_are_matched_loosely_and_by_mapping(tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[kolommen]\n"Naam aanbieder" = "organisatie"\n"Categorie X" = "thema"\n')
    resolved = resolve_headers(
        ["Naam aanbieder", "Categorie X", "Huisnr", "E-mail"], load_mapping(mapping)
    )
    assert resolved == {
        "Naam aanbieder": "organisatie",
        "Categorie X": "thema",
        "Huisnr": "huisnummer",
        "E-mail": "email",
    }


def test_missing_required_column_is_one_sentence():
    with pytest.raises(RecordFileError, match="Verplichte kolom\\(men\\) ontbreken: organisatie"):
        resolve_headers(["thema", "postcode"], {})


def test_semicolon_csv_in_windows_1252_needs_the_encoding(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_bytes("Organisatie;Thema;Postcode\nCafé Één;vervoer;6411 AB\n".encode("cp1252"))
    with pytest.raises(RecordFileError, match="regel 2 bevat byte 0xE9.*--encoding cp1252"):
        read_flat(path, {})
    rows = read_flat(path, {}, encoding="cp1252")
    assert rows[0].line == 2 and rows[0].values["organisatie"] == "Café Één"


def test_xlsx_is_read(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Organisatie", "Thema", "Postcode", "Huisnummer", "Laatst geverifieerd"])
    sheet.append(["Buurthuis", "meedoen-ontmoeten", "6411AB", 12, "2026-01-05"])
    book.save(tmp_path / "lijst.xlsx")
    rows = read_flat(tmp_path / "lijst.xlsx", {})
    assert rows[0].values == {
        "organisatie": "Buurthuis",
        "thema": "meedoen-ontmoeten",
        "postcode": "6411AB",
        "huisnummer": "12",
        "laatst_geverifieerd": "2026-01-05",
    }


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "is leeg"),
        (b'organisatie,thema\n"open quote,vervoer\n', "geen geldig CSV-bestand"),
        (b"\x00\xff\xfe garbage", "geen geldige UTF-8-tekst: regel 1 bevat byte 0xFF"),
        (b"\x00 garbage", "NUL-teken op regel 1"),
    ],
)
def test_unparseable_files_fail_with_one_sentence(tmp_path, content, message):
    path = tmp_path / "kapot.csv"
    path.write_bytes(content)
    with pytest.raises(RecordFileError, match=message):
        read_flat(path, {})

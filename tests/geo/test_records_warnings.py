"""Secondary fields never reject a row: they are left out and reported as warnings."""

import csv
import json

import pytest
import sqlalchemy as sa

from geo.records import fields as f
from geo.records.importer import import_file
from geo.records.readers import RawRow
from geo.records.report import write_warnings
from geo.records.validate import Taxonomy, validate_row
from server import create_app
from tests.conftest import url_string

TAX = Taxonomy(
    themes={"zorg-ondersteuning": "Zorg en ondersteuning", "vervoer": "Vervoer"},
    groups={"iedereen": "Iedereen"},
)
WEEK = ("ma", "di", "wo", "do", "vr")
HEADER = "organisatie;kvk;thema;straat;huisnummer;postcode;plaats;telefoon;email;website;"
HEADER += "openingstijden;laatst_geverifieerd\n"


def _row(**values) -> RawRow:
    base = {"organisatie": "Stichting Welzijn", "thema": "vervoer", "postcode": "6411 AB"}
    base["huisnummer"] = "12"
    base.update(values)
    return RawRow(line=5, values=base, headers={k: k.capitalize() for k in base})


@pytest.mark.parametrize(
    "value,days,hours",
    [
        ("ma t/m vr 9-17 uur", WEEK, [["09:00", "17:00"]]),
        ("Ma - Vr: 08.30 - 17.00", WEEK, [["08:30", "17:00"]]),
        ("maandag, woensdag 9:00-12:00", ("ma", "wo"), [["09:00", "12:00"]]),
        ("maandag en dinsdag van 9 tot 12 uur", ("ma", "di"), [["09:00", "12:00"]]),
        ("24/7", (*WEEK, "za", "zo"), [["00:00", "24:00"]]),
        ("ma-vr 09:00-17:00; za 10:00-12:30", WEEK, [["09:00", "17:00"]]),
    ],
)
def test_dutch_opening_hours_notations(value, days, hours):
    result = f.opening_hours(value)
    assert {d: result["dagen"][d] for d in days} == {d: hours for d in days}
    assert result["tekst"] == value


def test_appointment_and_closing_remarks():
    assert f.opening_hours("op afspraak") == {
        "dagen": {},
        "op_afspraak": True,
        "tekst": "op afspraak",
    }
    hours = f.opening_hours("ma t/m vr 9-17 uur; gesloten op feestdagen")
    assert sorted(hours["dagen"]) == sorted(WEEK) and not hours["op_afspraak"]
    assert f.opening_hours("gesloten op feestdagen")["dagen"] == {}


def test_phone_without_leading_zero_and_two_numbers():
    assert f.phone("457891480") == "045 789 1480"
    assert f.phones("043 123 45 67 / 06-12345678") == (
        "043 123 4567",
        ["tweede telefoonnummer '06-12345678' is weggelaten"],
    )
    assert f.phones("045 560 00 00 of 06 12345678")[0] == "045 560 0000"
    with pytest.raises(f.FieldError):
        f.phones("bel de receptie")


def test_website_without_scheme_gets_https():
    assert f.website("welzijn.example/hulp") == "https://welzijn.example/hulp"
    assert f.website("www.welzijn.nl") == "https://www.welzijn.nl"


def test_bad_secondary_fields_are_warnings_not_rejects():
    record, rejects = validate_row(
        _row(
            kvk="n.v.t.",
            telefoon="bel de receptie",
            email="info@welzijn.nl; geen-mail",
            website="welzijn",
            openingstijden="elke eerste dinsdag van de maand",
            laatst_geverifieerd="vorige week",
        ),
        TAX,
    )
    assert rejects == []
    assert record is not None
    assert (record["kvk"], record["telefoon"], record["website"]) == (None, None, None)
    assert record["email"] == "info@welzijn.nl"
    assert record["laatst_geverifieerd_op"] is None
    assert record["org_key"] == "naam:stichting-welzijn"
    hours = json.loads(record["openingstijden"])
    assert hours == {"dagen": {}, "op_afspraak": False, "tekst": "elke eerste dinsdag van de maand"}
    by_column = {w.column: w for w in record["waarschuwingen"]}
    assert set(by_column) == {
        "Kvk",
        "Telefoon",
        "Email",
        "Website",
        "Openingstijden",
        "Laatst_geverifieerd",
    }
    assert all(w.line == 5 and w.reason for w in by_column.values())
    assert by_column["Kvk"].value == "n.v.t."
    assert "bewaard" in by_column["Openingstijden"].reason
    assert by_column["Email"].reason == "'geen-mail' is geen e-mailadres en is weggelaten"


def test_name_and_place_still_reject():
    _, rejects = validate_row(_row(organisatie="", telefoon="bel ons"), TAX)
    assert [r.column for r in rejects] == ["Organisatie"]
    _, rejects = validate_row(_row(postcode="", huisnummer="", telefoon="bel ons"), TAX)
    assert [r.column for r in rejects] == ["Postcode"]


def _file(tmp_path):
    path = tmp_path / "aanbieders.csv"
    path.write_text(
        HEADER
        + "Stichting Welzijn Heerlen;n.v.t.;vervoer;Bongerd;12;6411 AB;Heerlen;"
        + "457891480 / 06 12345678;geen-mail;welzijn.example;elke eerste dinsdag;gisteren\n"
        + "Apotheek Markt;;zorg-ondersteuning;Markt;1;6211 CD;Maastricht;"
        + "043 321 00 00;;;Ma - Vr: 08.30 - 17.00;\n",
        encoding="utf-8",
    )
    return path


def test_row_with_bad_secondary_fields_lands_with_warnings_file(rec_engine, tmp_path):
    path = _file(tmp_path)
    result = import_file(rec_engine, path, "waarschuwingen")
    assert (result.inserted, result.rejected) == (2, 0)
    assert {(w.line, w.column) for w in result.warnings} == {
        (2, "kvk"),
        (2, "telefoon"),
        (2, "email"),
        (2, "openingstijden"),
        (2, "laatst_geverifieerd"),
    }
    with rec_engine.connect() as conn:
        org = conn.execute(
            sa.text(
                "SELECT o.kvk_nummer, o.telefoon, o.email, o.website, a.openingstijden "
                "FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
                "WHERE o.naam = 'Stichting Welzijn Heerlen'"
            )
        ).one()
        hours = conn.execute(
            sa.text(
                "SELECT a.openingstijden FROM aanbod a JOIN organisatie o "
                "ON a.organisatie_id = o.id WHERE o.naam = 'Apotheek Markt'"
            )
        ).scalar_one()
        run = conn.execute(
            sa.text("SELECT rapport FROM import_run WHERE id = :id"), {"id": result.run_id}
        ).scalar_one()
    assert org[:4] == (None, "045 789 1480", None, "https://welzijn.example")
    assert org[4]["tekst"] == "elke eerste dinsdag" and org[4]["dagen"] == {}
    assert hours["dagen"]["vr"] == [["08:30", "17:00"]]
    assert run["waarschuwingen"] == 5

    target = write_warnings(result.warnings, tmp_path / "aanbieders.waarschuwingen.csv")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["regel", "kolom", "reden", "waarde"]
    by_column = {r[1]: r for r in rows[1:]}
    assert by_column["telefoon"] == [
        "2",
        "telefoon",
        "tweede telefoonnummer '06 12345678' is weggelaten",
        "457891480 / 06 12345678",
    ]
    assert by_column["kvk"][2] == "KvK-nummer 'n.v.t.' is geen nummer; niet opgeslagen"


def test_cli_summary_names_the_warnings_file(rec_engine, tmp_path):
    path = _file(tmp_path)
    app = create_app({"DATABASE_URL": url_string(rec_engine.url), "TESTING": True})
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "waarschuwingen"]
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "aanbieders.waarschuwingen.csv"
    assert "5 waarschuwingen" in result.output
    assert target.name in result.output.replace("\n", "")
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 6

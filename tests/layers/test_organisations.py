"""Opening hours, melding validation, and the public organisation and print queries on the
demo database (HTTP is tested in tests/server/test_pages.py)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from geo.records.melding import MeldingError, clean_melding
from layers.pages.opening_hours import AMSTERDAM, open_now, opening_rows
from layers.pages.organisation import address, organisation
from layers.pages.print_map import print_area

PUBLIC = ("openbaar",)
WEEKDAYS = {
    "ma": [["09:00", "17:00"]],
    "di": [["09:00", "12:00"], ["13:00", "17:00"]],
    "wo": [["09:00", "17:00"]],
    "do": [["09:00", "17:00"]],
    "vr": [["09:00", "17:00"]],
}
HOURS = {"dagen": WEEKDAYS, "op_afspraak": False, "tekst": "ma-vr 09:00-17:00"}


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in March 2026 (2 March is a Monday) in Amsterdam time."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2, 9), True),  # opens exactly at 09:00
        (local(2, 8, 59, 59), False),
        (local(2, 16, 59, 59), True),
        (local(2, 17), False),  # closes at 17:00
        (local(3, 12, 30), False),  # Tuesday lunch break between two ranges
        (local(3, 11, 59), True),
        (local(3, 13, 0), True),
        (local(7, 11), False),  # Saturday: closed day (no entry)
        (local(8, 11), False),  # Sunday
    ],
)
def test_open_now_ranges_and_closed_days(moment, expected):
    assert open_now(HOURS, moment) is expected


def test_open_now_uses_amsterdam_time_for_aware_moments():
    # 08:30 UTC on Monday 2 March 2026 is 09:30 in Amsterdam (CET, UTC+1): open.
    assert open_now(HOURS, datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) is True
    # 15:30 UTC on 29 June 2026 is 17:30 in Amsterdam (CEST, UTC+2): closed.
    assert open_now(HOURS, datetime(2026, 6, 29, 15, 30, tzinfo=UTC)) is False
    # 07:30 UTC on the same day is 09:30 CEST: open.
    assert open_now(HOURS, datetime(2026, 6, 29, 7, 30, tzinfo=UTC)) is True


def test_open_now_by_appointment_only_or_unknown_is_none():
    appointment = {"dagen": {}, "op_afspraak": True, "tekst": "op afspraak"}
    assert open_now(appointment, local(2, 10)) is None
    assert open_now(None, local(2, 10)) is None
    assert open_now({}, local(2, 10)) is None
    assert open_now({"dagen": {"ma": []}, "tekst": "ma"}, local(2, 10)) is None
    # Day hours plus "also by appointment" still give a status.
    assert open_now({**HOURS, "op_afspraak": True}, local(2, 10)) is True


def test_open_now_midnight_and_overnight():
    until_midnight = {"dagen": {"za": [["20:00", "24:00"]]}}
    assert open_now(until_midnight, local(7, 23, 59, 59)) is True
    assert open_now(until_midnight, local(8, 0, 0)) is False
    overnight = {"dagen": {"zo": [["22:00", "02:00"]]}}
    assert open_now(overnight, local(8, 23)) is True  # Sunday evening
    assert open_now(overnight, local(9, 1, 30)) is True  # Monday night, from Sunday
    assert open_now(overnight, local(9, 2)) is False
    assert open_now(overnight, local(9, 23)) is False  # Monday evening: not Monday's


def test_open_now_bad_data_is_unknown():
    assert open_now({"dagen": {"ma": [["negen", "vijf"]]}}, local(2, 10)) is None


def test_opening_rows_one_per_day_with_today():
    rows = opening_rows(HOURS, local(3, 10))
    assert [r["dag"] for r in rows] == [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ]
    assert rows[1] == {
        "dag": "dinsdag",
        "tijden": "09:00 tot 12:00 en 13:00 tot 17:00",
        "vandaag": True,
    }
    assert rows[5]["tijden"] == "gesloten"
    assert opening_rows({"dagen": {}, "op_afspraak": True}) == []


def test_clean_melding():
    assert clean_melding("  Het nummer klopt niet.\r\nGraag aanpassen. ", " ") == (
        "Het nummer klopt niet.\nGraag aanpassen.",
        None,
    )
    assert clean_melding("x", "a@b.nl") == ("x", "a@b.nl")
    assert clean_melding("a\x00b\tc", "a\x00@b.nl") == ("ab\tc", "a@b.nl")
    assert clean_melding("x" * 2000, None)[0] == "x" * 2000
    # A CRLF counts as one character, as in the browser's textarea.
    assert len(clean_melding("a\r\n" * 1000, None)[0]) == 1999
    for tekst, email in (
        ("", None),
        ("   ", None),
        ("x" * 2001, None),
        ("x", "geen-adres"),
        ("x", "a@b"),
        ("x", "a" * 250 + "@b.nl"),
    ):
        with pytest.raises(MeldingError):
            clean_melding(tekst, email)


def test_address():
    assert address("Markt", "12A", "6211AB", "Maastricht") == "Markt 12A, 6211 AB Maastricht"
    assert address(None, None, None, "Heerlen") == "Heerlen"
    assert address(None, None, None, None) == ""


def test_organisation_is_public_only(demo_engine):
    with demo_engine.connect() as conn:
        internal = conn.execute(
            sa.text("SELECT id FROM organisatie WHERE zichtbaarheid = 'intern' LIMIT 1")
        ).scalar_one()
        public = conn.execute(
            sa.text(
                "SELECT min(organisatie_id) FROM laag_voorzieningen "
                "WHERE zichtbaarheid = 'openbaar'"
            )
        ).scalar_one()
        assert organisation(conn, internal, PUBLIC) is None
        assert organisation(conn, internal, ("openbaar", "professional", "intern"))
        assert organisation(conn, 10**12, PUBLIC) is None
        assert organisation(conn, 0, PUBLIC) is None
        record = organisation(conn, public, PUBLIC)
    assert record["aanbod"] and record["locaties"]
    assert "contactpersoon" not in repr(record)
    assert "Geheime Contactpersoon" not in repr(record)


def test_confidential_location_keeps_only_the_place(demo_engine):
    with demo_engine.connect() as conn:
        org_id, loc_id = conn.execute(
            sa.text("SELECT organisatie_id, id FROM locatie WHERE vertrouwelijk LIMIT 1")
        ).one()
        record = organisation(conn, org_id, PUBLIC)
    loc = next(loc for loc in record["locaties"] if loc["id"] == loc_id)
    assert loc["vertrouwelijk"] and loc["plaats"]
    for key in ("straat", "huisnummer", "postcode", "lat", "lon", "naam"):
        assert loc[key] is None


def test_print_area_numbers_and_markers(demo_engine):
    with demo_engine.connect() as conn:
        area = print_area(conn, "WK091733", PUBLIC)
        expected = conn.execute(
            sa.text(
                "SELECT count(DISTINCT organisatie_id), count(DISTINCT (organisatie_id, geom)) "
                "FROM laag_voorzieningen WHERE wijkcode = 'WK091733' "
                "AND zichtbaarheid = 'openbaar'"
            )
        ).one()
    entries = [e for g in area.groups for e in g.entries]
    assert area.organisaties == expected[0] == len(entries)  # each organisation once
    numbers = {n for e in entries for n in e.nummers}
    assert len(area.kaart.markers) <= expected[1]
    assert {m[0] for m in area.kaart.markers} == numbers == set(range(1, len(numbers) + 1))
    for _, x, y, _, _ in area.kaart.markers:
        assert 0 <= x <= area.kaart.width and 0 <= y <= area.kaart.height
    assert area.kaart.outline.startswith("M ") and area.kaart.inner.startswith("M ")
    assert area.niveau == "wijk" and area.gemeente == "Heerlen"
    assert all(isinstance(e.gecontroleerd, date | None) for e in entries)


def test_print_area_unknown_or_malformed(demo_engine):
    with demo_engine.connect() as conn:
        for code in ("GM9999", "GM09", "gm0917", "GM0917'--", "BU0935000", "WK0917331"):
            assert print_area(conn, code, PUBLIC) is None

"""Search by place: gemeente, wijk or buurt by code or name, postcodes, a place inside the
text, and "dichtbij" sorted by distance (layers.search on the Zuid-Limburg demo)."""

import pytest
import sqlalchemy as sa

from tests.layers.search_helpers import (
    HEERLEN,
    MAASTRICHT,
    PC6,
    WYCK,
    all_ids,
    names,
    public_ids,
    run,
)


# --------------------------------------------------------------------------- areas
@pytest.mark.parametrize("gebied", [HEERLEN, "gm0917", "Heerlen", "heerlen", " HEERLEN "])
def test_area_by_code_or_name(demo_engine, gebied):
    result = run(demo_engine, gebied=gebied, limit=200)
    assert result.gebied == {
        "code": HEERLEN,
        "naam": "Heerlen",
        "niveau": "gemeente",
        "gemeente": "Heerlen",
    }
    assert {i["id"] for i in result.items} == public_ids(
        demo_engine, "gemeentecode = :g", g=HEERLEN
    )


@pytest.mark.parametrize("gebied", ["Wyck", "wyck", "WYCK", WYCK])
def test_buurt_by_name_ignoring_case(demo_engine, gebied):
    result = run(demo_engine, gebied=gebied)
    assert result.gebied["code"] == WYCK and result.gebied["niveau"] == "buurt"
    assert result.total == len(public_ids(demo_engine, "buurtcode = :b", b=WYCK)) > 0


def test_gemeente_name_with_hyphen_or_space(demo_engine):
    assert run(demo_engine, gebied="sittard geleen").gebied["code"] == "GM1883"
    assert run(demo_engine, gebied="Sittard-Geleen").gebied["code"] == "GM1883"


def test_woonplaats_that_is_not_a_gemeente(demo_engine):
    result = run(demo_engine, gebied="Hoensbroek", limit=200)
    assert result.gebied["niveau"] == "woonplaats" and result.gebied["code"] == HEERLEN
    assert result.total > 0 and {i["plaats"] for i in result.items} == {"Hoensbroek"}


@pytest.mark.parametrize("gebied", ["6411", "6411 AB", "6411ab"])
def test_area_by_postcode(demo_engine, gebied):
    result = run(demo_engine, gebied=gebied, limit=200)
    assert result.gebied["code"] == "6411" and result.gebied["niveau"] == "postcode"
    assert result.total > 0 and all(i["postcode"].startswith("6411") for i in result.items)


def test_unknown_place_suggests_a_known_one(demo_engine):
    result = run(demo_engine, gebied="Heerlan", tekst="huisarts")
    assert result.total == 0 and result.items == [] and result.gebied is None
    assert result.melding == "We kennen de plaats 'Heerlan' niet. Bedoelt u Heerlen?"


@pytest.mark.parametrize("gebied", ["GM9999", "9999", "Qwxyzzq"])
def test_unknown_area_gives_a_message_not_results(demo_engine, gebied):
    result = run(demo_engine, gebied=gebied)
    assert result.total == 0 and result.melding and gebied in result.melding


# ----------------------------------------------------------------- place in the text
@pytest.mark.parametrize(
    "tekst",
    ["huisarts in Heerlen", "huisarts heerlen", "Heerlen huisarts", "huisartsen in heerlen"],
)
def test_place_in_the_text_box(demo_engine, tekst):
    result = run(demo_engine, tekst=tekst, limit=200)
    assert result.gebied["code"] == HEERLEN
    assert result.total > 0
    assert {i["id"] for i in result.items} <= public_ids(
        demo_engine, "gemeentecode = :g", g=HEERLEN
    )
    assert {i["id"] for i in result.items} == all_ids(demo_engine, tekst="huisarts", gebied=HEERLEN)


@pytest.mark.parametrize("tekst", ["huisarts 6411", "huisarts in 6411", "huisarts in 6411 AB"])
def test_postcode_in_the_text_box_is_an_area(demo_engine, tekst):
    result = run(demo_engine, tekst=tekst, limit=200)
    assert result.gebied["code"] == "6411" and result.total > 0
    assert all(i["postcode"].startswith("6411") and "huisarts" in names(i) for i in result.items)


def test_postcode_with_letters_in_the_text_box_is_a_point(demo_engine):
    result = run(demo_engine, tekst="apotheek 6221 AB")
    assert result.dichtbij["label"] == "6221 AB" and result.gebied is None
    # "dichtbij": the pharmacies within the default 3 km, not all of them
    assert 0 < result.total < run(demo_engine, tekst="apotheek").total
    assert all(i["afstand_m"] <= 3000 for i in result.items)


def test_a_number_that_is_no_postcode_stays_text(demo_engine):
    result = run(demo_engine, tekst="buurthuis 2000")
    assert result.gebied is None and result.dichtbij is None


def test_place_alone_lists_everything_there(demo_engine):
    assert run(demo_engine, tekst="Maastricht").total == len(
        public_ids(demo_engine, "gemeentecode = :g", g=MAASTRICHT)
    )


def test_words_that_are_not_places_stay_text(demo_engine):
    result = run(demo_engine, tekst="hulp bij schulden")
    assert result.gebied is None and result.dichtbij is None and result.total > 0
    assert all("schuld" in (names(i) + (i["omschrijving"] or "").lower()) for i in result.items)


def test_separate_area_wins_over_the_text(demo_engine):
    result = run(demo_engine, tekst="huisarts heerlen", gebied=MAASTRICHT)
    assert result.gebied["code"] == MAASTRICHT


# ------------------------------------------------------------------------ near by
def _distances_from_pc6(engine) -> dict[int, float]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                sa.text(
                    "SELECT v.id, ST_Distance(v.geom, p.geom) FROM laag_voorzieningen v, postcode6 p "
                    "WHERE p.pc6 = :pc6 AND v.zichtbaarheid = 'openbaar'"
                ),
                {"pc6": PC6},
            ).all()
        )


@pytest.mark.parametrize("dichtbij", ["6221 AB", "6221ab", " 6221AB "])
def test_near_a_postcode_sorts_by_distance(demo_engine, dichtbij):
    result = run(demo_engine, dichtbij=dichtbij, limit=100)
    assert result.dichtbij["precisie"] == "pc6" and result.dichtbij["label"] == "6221 AB"
    distances = [i["afstand_m"] for i in result.items]
    assert distances == sorted(distances) and None not in distances
    truth = _distances_from_pc6(demo_engine)
    assert distances[0] == round(min(truth.values()))
    assert abs(truth[result.items[0]["id"]] - min(truth.values())) < 0.5


def test_near_an_address(demo_engine):
    with demo_engine.connect() as conn:
        straat, nr, plaats, postcode = conn.execute(
            sa.text(
                "SELECT straat, huisnummer, woonplaats, postcode FROM adres "
                "WHERE woonplaats = 'Heerlen' ORDER BY postcode, huisnummer LIMIT 1"
            )
        ).one()
    for text in (f"{straat} {nr}, {plaats}", f"{postcode} {nr}", f"{straat} {nr} {plaats}"):
        result = run(demo_engine, dichtbij=text, limit=5)
        assert result.dichtbij["precisie"] == "adres", text
        assert result.items[0]["afstand_m"] <= result.items[-1]["afstand_m"]


def test_near_with_text_filters_and_sorts(demo_engine):
    result = run(demo_engine, tekst="tandarts bij 6221 AB", limit=50)
    assert result.dichtbij["label"] == "6221 AB" and result.total > 0
    assert all("tandarts" in names(i) for i in result.items)
    distances = [i["afstand_m"] for i in result.items]
    assert distances == sorted(distances)


def test_near_an_unknown_address_still_searches(demo_engine):
    result = run(demo_engine, dichtbij="Nergensstraat 999, Nergenshuizen", tekst="huisarts")
    assert result.dichtbij is None and result.total > 0
    assert "niet vinden" in result.melding
    assert all(i["afstand_m"] is None for i in result.items)

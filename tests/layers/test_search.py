"""Search in one box (layers.search) against the full Zuid-Limburg demo in PostGIS."""

import random
import string

import pytest
import sqlalchemy as sa

from layers.errors import InvalidParameter
from layers.search import SearchQuery, search, signal_words

HEERLEN, MAASTRICHT, WYCK = "GM0917", "GM0935", "BU09350006"
PC6 = "6221AB"  # a CBS PC6 point in Maastricht (postcode6 holds Maastricht's PC6 points)


def run(engine, **kwargs):
    with engine.begin() as conn:
        return search(conn, SearchQuery(**kwargs))


def public_ids(engine, where: str = "TRUE", **params) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            f"SELECT id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' AND {where}"),
            params).scalars())


def all_ids(engine, **kwargs) -> set[int]:
    result = run(engine, limit=10_000, **kwargs)
    assert len(result.items) == result.total
    return {i["id"] for i in result.items}


def nonsense() -> str:
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


def signal(engine, woord: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(
            "SELECT * FROM zoekvraag_zonder_resultaat WHERE woord = :w ORDER BY gebiedcode"),
            {"w": woord}).mappings()]


def names(item: dict) -> str:
    return f"{item['organisatie']} {item['aanbod']}".lower()


# ------------------------------------------------------------------------ free text
def test_stemming_finds_the_singular(demo_engine):
    """'huisartsen' finds every public service whose organisation or name says 'huisarts'."""
    found = all_ids(demo_engine, tekst="huisartsen")
    named = public_ids(demo_engine, "(organisatie ILIKE '%huisarts%' OR aanbod ILIKE '%huisarts%')")
    assert named and named <= found
    assert found == all_ids(demo_engine, tekst="huisarts")


def test_prefix_finds_what_is_half_typed(demo_engine):
    assert all_ids(demo_engine, tekst="huisarts") <= all_ids(demo_engine, tekst="huisar")
    assert all_ids(demo_engine, tekst="kinderop")  # Kinderopvang ...


def test_typo_is_tolerated(demo_engine):
    result = run(demo_engine, tekst="huisats", limit=20)
    assert result.total > 20
    assert all("huisarts" in names(i) for i in result.items)


def test_text_ranks_names_before_descriptions(demo_engine):
    top = run(demo_engine, tekst="apotheek", limit=10).items
    assert all("apothe" in names(i) for i in top)


def test_every_word_must_match(demo_engine):
    both = all_ids(demo_engine, tekst="spreekuur huisarts")
    assert both and both < all_ids(demo_engine, tekst="huisarts")


def test_accents_and_case_do_not_matter(demo_engine):
    assert all_ids(demo_engine, tekst="HUISÄRTS") == all_ids(demo_engine, tekst="huisarts")


@pytest.mark.parametrize("hostile", [
    "'; DROP TABLE organisatie; --", "huisarts' OR '1'='1", "a & b | !c", "x:* <-> y",
    "(((", "\\", "%_%", "\x00", "é" * 500, "huisarts)) & !(", "'" * 40])
def test_hostile_text_is_just_text(demo_engine, hostile):
    result = run(demo_engine, tekst=hostile.replace("\x00", ""))
    assert result.total >= 0
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM organisatie")).scalar() > 0


# ------------------------------------------------------------------ theme and group
def test_theme_filter(demo_engine):
    found = all_ids(demo_engine, thema="vervoer")
    assert found == public_ids(demo_engine, "'vervoer' = ANY(themas)")
    assert all("vervoer" in i["thema"] for i in run(demo_engine, thema="vervoer").items)


def test_target_group_filter_combines_with_theme(demo_engine):
    found = all_ids(demo_engine, thema="vervoer", doelgroep="ouderen")
    assert found and found == public_ids(
        demo_engine, "'vervoer' = ANY(themas) AND doelgroepen && ARRAY['ouderen', 'iedereen']")
    strict = public_ids(demo_engine, "'ouderen' = ANY(doelgroepen)")
    assert strict < all_ids(demo_engine, doelgroep="ouderen")  # services for everyone count too


@pytest.mark.parametrize("field", ["thema", "doelgroep"])
def test_unknown_slug_is_invalid(demo_engine, field):
    with pytest.raises(InvalidParameter, match="bestaat niet"):
        run(demo_engine, **{field: "bestaat-niet"})


# --------------------------------------------------------------------------- areas
@pytest.mark.parametrize("gebied", [HEERLEN, "gm0917", "Heerlen", "heerlen", " HEERLEN "])
def test_area_by_code_or_name(demo_engine, gebied):
    result = run(demo_engine, gebied=gebied, limit=200)
    assert result.gebied == {"code": HEERLEN, "naam": "Heerlen", "niveau": "gemeente",
                             "gemeente": "Heerlen"}
    assert {i["id"] for i in result.items} == public_ids(demo_engine, "gemeentecode = :g",
                                                         g=HEERLEN)


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
@pytest.mark.parametrize("tekst", ["huisarts in Heerlen", "huisarts heerlen",
                                   "Heerlen huisarts", "huisartsen in heerlen"])
def test_place_in_the_text_box(demo_engine, tekst):
    result = run(demo_engine, tekst=tekst, limit=200)
    assert result.gebied["code"] == HEERLEN
    assert result.total > 0
    assert {i["id"] for i in result.items} <= public_ids(demo_engine, "gemeentecode = :g",
                                                         g=HEERLEN)
    assert {i["id"] for i in result.items} == all_ids(demo_engine, tekst="huisarts",
                                                      gebied=HEERLEN)


@pytest.mark.parametrize("tekst", ["huisarts 6411", "huisarts in 6411", "huisarts in 6411 AB"])
def test_postcode_in_the_text_box_is_an_area(demo_engine, tekst):
    result = run(demo_engine, tekst=tekst, limit=200)
    assert result.gebied["code"] == "6411" and result.total > 0
    assert all(i["postcode"].startswith("6411") and "huisarts" in names(i) for i in result.items)


def test_postcode_with_letters_in_the_text_box_is_a_point(demo_engine):
    result = run(demo_engine, tekst="apotheek 6221 AB")
    assert result.dichtbij["label"] == "6221 AB" and result.gebied is None
    assert result.total == run(demo_engine, tekst="apotheek").total


def test_a_number_that_is_no_postcode_stays_text(demo_engine):
    result = run(demo_engine, tekst="buurthuis 2000")
    assert result.gebied is None and result.dichtbij is None


def test_place_alone_lists_everything_there(demo_engine):
    assert run(demo_engine, tekst="Maastricht").total == len(
        public_ids(demo_engine, "gemeentecode = :g", g=MAASTRICHT))


def test_words_that_are_not_places_stay_text(demo_engine):
    result = run(demo_engine, tekst="hulp bij schulden")
    assert result.gebied is None and result.dichtbij is None and result.total > 0
    assert all("schuld" in (names(i) + (i["omschrijving"] or "").lower())
               for i in result.items)


def test_separate_area_wins_over_the_text(demo_engine):
    result = run(demo_engine, tekst="huisarts heerlen", gebied=MAASTRICHT)
    assert result.gebied["code"] == MAASTRICHT


# ------------------------------------------------------------------------ near by
def _distances_from_pc6(engine) -> dict[int, float]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            "SELECT v.id, ST_Distance(v.geom, p.geom) FROM laag_voorzieningen v, postcode6 p "
            "WHERE p.pc6 = :pc6 AND v.zichtbaarheid = 'openbaar'"), {"pc6": PC6}).all())


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
        straat, nr, plaats, postcode = conn.execute(sa.text(
            "SELECT straat, huisnummer, woonplaats, postcode FROM adres "
            "WHERE woonplaats = 'Heerlen' ORDER BY postcode, huisnummer LIMIT 1")).one()
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


# ----------------------------------------------------------------------- the page
def test_items_have_the_documented_fields(demo_engine):
    item = run(demo_engine, tekst="huisarts", dichtbij=PC6, limit=1).items[0]
    assert list(item) == [
        "id", "organisatie_id", "organisatie", "aanbod", "omschrijving", "thema", "doelgroep",
        "straat", "huisnummer", "postcode", "plaats", "telefoon", "website", "lon", "lat",
        "afstand_m", "geocode_precisie", "synthetisch", "laatst_geverifieerd_op"]
    assert isinstance(item["thema"], list) and isinstance(item["lon"], float)
    assert 5.5 < item["lon"] < 6.3 and 50.7 < item["lat"] < 51.1


def test_pages_do_not_overlap_and_total_is_exact(demo_engine):
    first = run(demo_engine, tekst="huisarts", limit=10)
    second = run(demo_engine, tekst="huisarts", limit=10, offset=10)
    assert first.total == second.total > 20
    assert not {i["id"] for i in first.items} & {i["id"] for i in second.items}
    beyond = run(demo_engine, tekst="huisarts", limit=10, offset=10_000)
    assert beyond.items == [] and beyond.total == first.total


def test_without_anything_lists_all_public_services_by_name(demo_engine):
    result = run(demo_engine, limit=20)
    assert result.total == len(public_ids(demo_engine))
    keys = [(i["organisatie"].lower(), i["aanbod"].lower()) for i in result.items]
    assert keys == sorted(keys)


def test_internal_records_are_never_found(demo_engine):
    with demo_engine.connect() as conn:
        org_id, naam = conn.execute(sa.text(
            "SELECT id, naam FROM organisatie WHERE zichtbaarheid = 'intern' LIMIT 1")).one()
    found = run(demo_engine, tekst=naam, limit=200)
    assert org_id not in {i["organisatie_id"] for i in found.items}


# ---------------------------------------------------------------- search document
def test_search_document_follows_renames_and_links(demo_engine):
    with demo_engine.connect() as conn, conn.begin() as tx:
        org = conn.execute(sa.text(
            "SELECT o.id FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
            "WHERE o.zichtbaarheid = 'openbaar' ORDER BY o.id LIMIT 1")).scalar()
        before = conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar()
        conn.execute(sa.text("UPDATE organisatie SET naam = 'Zwaluwzorg Kwispel' WHERE id = :o"),
                     {"o": org})
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total == 0  # rebuilt at commit
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # ... or now
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total > 0
        assert search(conn, SearchQuery(tekst="kwispel zwaluw")).total > 0
        # the search document is no change of the service: only the organisation is audited
        assert conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar() == before + 1
        conn.execute(sa.text("DELETE FROM aanbod_doelgroep WHERE aanbod_id IN "
                             "(SELECT id FROM aanbod WHERE organisatie_id = :o)"), {"o": org})
        conn.execute(sa.text("INSERT INTO aanbod_doelgroep SELECT id, 'mantelzorgers' FROM aanbod "
                             "WHERE organisatie_id = :o"), {"o": org})
        assert search(conn, SearchQuery(tekst="zwaluwzorg mantelzorgers")).total > 0
        conn.execute(sa.text("DELETE FROM aanbod WHERE organisatie_id = :o"), {"o": org})
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total == 0
        tx.rollback()


# --------------------------------------------------------- gezocht, niet gevonden
def test_signal_words_hold_no_numbers_or_addresses():
    assert signal_words("Café  ÇA va") == "cafe ca va"
    assert signal_words("bel 06-12345678 of jan@example.nl 6411AB taxi") == "bel of taxi"
    assert signal_words("'; DROP TABLE organisatie; --") == "drop table organisatie"
    assert len(signal_words("woord " * 40)) <= 60
    assert signal_words("1234 @@@") == ""


def test_nothing_found_is_counted_per_day(demo_engine):
    word = nonsense()
    for _ in range(2):
        result = run(demo_engine, tekst=f"{word} 0612345678")
        assert result.total == 0 and result.melding is None  # nothing to resolve
    rows = signal(demo_engine, word)
    assert len(rows) == 1 and rows[0]["aantal"] == 2 and rows[0]["gebiedcode"] is None
    assert set(rows[0]) == {"woord", "thema", "gebiedcode", "dag", "aantal"}


def test_signal_keeps_theme_and_area(demo_engine):
    word = nonsense()
    run(demo_engine, tekst=word, thema="vervoer", gebied="Wyck")
    run(demo_engine, tekst=f"{word} in Heerlen")
    run(demo_engine, tekst=word, dichtbij=PC6)
    rows = signal(demo_engine, word)
    with demo_engine.connect() as conn:
        buurt = conn.execute(sa.text(
            "SELECT b.code FROM gebied b JOIN postcode6 p ON ST_Intersects(b.geom, p.geom) "
            "WHERE b.niveau = 'buurt' AND p.pc6 = :pc6"), {"pc6": PC6}).scalar()
    assert {(r["thema"], r["gebiedcode"]) for r in rows} == {
        ("vervoer", WYCK), (None, HEERLEN), (None, buurt)}


def test_searches_with_results_or_unknown_areas_are_not_counted(demo_engine):
    word = nonsense()
    run(demo_engine, tekst=word, gebied="Heerlan")
    assert signal(demo_engine, word) == []
    with demo_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT coalesce(sum(aantal), 0) "
                                      "FROM zoekvraag_zonder_resultaat")).scalar()
    assert run(demo_engine, tekst="huisarts").total > 0
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT coalesce(sum(aantal), 0) "
                                    "FROM zoekvraag_zonder_resultaat")).scalar() == before


def test_layer_rolls_up_to_wijk_and_gemeente(demo_engine):
    word = nonsense()
    for _ in range(2):
        run(demo_engine, tekst=word, gebied="Wyck")
    with demo_engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.text(
            "SELECT id, niveau, aantal, woorden FROM laag_gezocht_niet_gevonden "
            "WHERE id IN ('BU09350006', 'WK093500', 'GM0935')"))}
        gemeenten = conn.execute(sa.text(
            "SELECT count(*) FROM laag_gezocht_niet_gevonden WHERE niveau = 'gemeente'")).scalar()
    assert set(rows) == {WYCK, "WK093500", MAASTRICHT} and gemeenten == 16
    assert all(r.aantal >= 2 and f"{word} (2)" in r.woorden for r in rows.values())


def test_a_word_searched_once_is_not_published(demo_engine):
    word = nonsense()
    run(demo_engine, tekst=word, gebied="Vaals")
    with demo_engine.connect() as conn:
        woorden = conn.execute(sa.text(
            "SELECT woorden FROM laag_gezocht_niet_gevonden WHERE id = 'GM0981'")).scalar()
    assert word not in woorden


def test_search_document_is_rebuilt_at_commit(demo_engine):
    with demo_engine.connect() as conn:
        org, old = conn.execute(sa.text(
            "SELECT o.id, o.naam FROM organisatie o JOIN laag_voorzieningen v "
            "ON v.organisatie_id = o.id ORDER BY o.id DESC LIMIT 1")).one()
    try:
        with demo_engine.begin() as conn:
            conn.execute(sa.text("UPDATE organisatie SET naam = 'Kwartelkoor Plonsdam' "
                                 "WHERE id = :o"), {"o": org})
        assert run(demo_engine, tekst="kwartelkoor plonsdam").total > 0
    finally:
        with demo_engine.begin() as conn:
            conn.execute(sa.text("UPDATE organisatie SET naam = :n WHERE id = :o"),
                         {"n": old, "o": org})
    assert run(demo_engine, tekst="kwartelkoor").total == 0
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM zoekdocument_wachtrij) "
            "+ (SELECT count(*) FROM zoekdocument_vlag)")).scalar() == 0
        assert conn.execute(sa.text(
            "SELECT count(*) FROM aanbod a LEFT JOIN zoekdocument z ON z.aanbod_id = a.id "
            "WHERE z.aanbod_id IS NULL")).scalar() == 0

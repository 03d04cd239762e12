"""Search in one box (layers.search) against the full Zuid-Limburg demo: free text, theme
and target group, the result page and the search document."""

import pytest
import sqlalchemy as sa

from layers.errors import InvalidParameter
from layers.pages.search import SearchQuery, search
from tests.layers.search_helpers import PC6, all_ids, names, public_ids, run


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


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE organisatie; --",
        "huisarts' OR '1'='1",
        "a & b | !c",
        "x:* <-> y",
        "(((",
        "\\",
        "%_%",
        "\x00",
        "é" * 500,
        "huisarts)) & !(",
        "'" * 40,
    ],
)
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
        demo_engine, "'vervoer' = ANY(themas) AND doelgroepen && ARRAY['ouderen', 'iedereen']"
    )
    strict = public_ids(demo_engine, "'ouderen' = ANY(doelgroepen)")
    assert strict < all_ids(demo_engine, doelgroep="ouderen")  # services for everyone count too


@pytest.mark.parametrize("field", ["thema", "doelgroep"])
def test_unknown_slug_is_invalid(demo_engine, field):
    with pytest.raises(InvalidParameter, match="bestaat niet"):
        run(demo_engine, **{field: "bestaat-niet"})


# ----------------------------------------------------------------------- the page
def test_items_have_the_documented_fields(demo_engine):
    item = run(demo_engine, tekst="huisarts", dichtbij=PC6, limit=1).items[0]
    assert list(item) == [
        "id",
        "organisatie_id",
        "organisatie",
        "aanbod",
        "omschrijving",
        "thema",
        "doelgroep",
        "straat",
        "huisnummer",
        "postcode",
        "plaats",
        "telefoon",
        "website",
        "lon",
        "lat",
        "afstand_m",
        "geocode_precisie",
        "synthetisch",
        "laatst_geverifieerd_op",
    ]
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
        org_id, naam = conn.execute(
            sa.text("SELECT id, naam FROM organisatie WHERE zichtbaarheid = 'intern' LIMIT 1")
        ).one()
    found = run(demo_engine, tekst=naam, limit=200)
    assert org_id not in {i["organisatie_id"] for i in found.items}


# ---------------------------------------------------------------- search document
def test_search_document_follows_renames_and_links(demo_engine):
    with demo_engine.connect() as conn, conn.begin() as tx:
        org = conn.execute(
            sa.text(
                "SELECT o.id FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
                "WHERE o.zichtbaarheid = 'openbaar' ORDER BY o.id LIMIT 1"
            )
        ).scalar()
        before = conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar()
        conn.execute(
            sa.text("UPDATE organisatie SET naam = 'Zwaluwzorg Kwispel' WHERE id = :o"), {"o": org}
        )
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total == 0  # rebuilt at commit
        conn.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # ... or now
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total > 0
        assert search(conn, SearchQuery(tekst="kwispel zwaluw")).total > 0
        # the search document is no change of the service: only the organisation is audited
        assert conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar() == before + 1
        conn.execute(
            sa.text(
                "DELETE FROM aanbod_doelgroep WHERE aanbod_id IN "
                "(SELECT id FROM aanbod WHERE organisatie_id = :o)"
            ),
            {"o": org},
        )
        conn.execute(
            sa.text(
                "INSERT INTO aanbod_doelgroep SELECT id, 'mantelzorgers' FROM aanbod "
                "WHERE organisatie_id = :o"
            ),
            {"o": org},
        )
        assert search(conn, SearchQuery(tekst="zwaluwzorg mantelzorgers")).total > 0
        conn.execute(sa.text("DELETE FROM aanbod WHERE organisatie_id = :o"), {"o": org})
        assert search(conn, SearchQuery(tekst="zwaluwzorg")).total == 0
        tx.rollback()


def test_search_document_is_rebuilt_at_commit(demo_engine):
    with demo_engine.connect() as conn:
        org, old = conn.execute(
            sa.text(
                "SELECT o.id, o.naam FROM organisatie o JOIN laag_voorzieningen v "
                "ON v.organisatie_id = o.id ORDER BY o.id DESC LIMIT 1"
            )
        ).one()
    try:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET naam = 'Kwartelkoor Plonsdam' WHERE id = :o"),
                {"o": org},
            )
        assert run(demo_engine, tekst="kwartelkoor plonsdam").total > 0
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET naam = :n WHERE id = :o"), {"n": old, "o": org}
            )
    assert run(demo_engine, tekst="kwartelkoor").total == 0
    with demo_engine.connect() as conn:
        assert (
            conn.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM zoekdocument_wachtrij) "
                    "+ (SELECT count(*) FROM zoekdocument_vlag)"
                )
            ).scalar()
            == 0
        )
        assert (
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM aanbod a LEFT JOIN zoekdocument z ON z.aanbod_id = a.id "
                    "WHERE z.aanbod_id IS NULL"
                )
            ).scalar()
            == 0
        )

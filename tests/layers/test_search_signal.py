"""Searches that found nothing: counted per theme word and gebied, anonymously, as the
demand signal "gezocht, niet gevonden"."""

import sqlalchemy as sa

from layers.pages.search import signal_words
from tests.layers.search_helpers import HEERLEN, MAASTRICHT, PC6, WYCK, nonsense, run, signal


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
        buurt = conn.execute(
            sa.text(
                "SELECT b.code FROM gebied b JOIN postcode6 p ON ST_Intersects(b.geom, p.geom) "
                "WHERE b.niveau = 'buurt' AND p.pc6 = :pc6"
            ),
            {"pc6": PC6},
        ).scalar()
    assert {(r["thema"], r["gebiedcode"]) for r in rows} == {
        ("vervoer", WYCK),
        (None, HEERLEN),
        (None, buurt),
    }


def test_searches_with_results_or_unknown_areas_are_not_counted(demo_engine):
    word = nonsense()
    run(demo_engine, tekst=word, gebied="Heerlan")
    assert signal(demo_engine, word) == []
    with demo_engine.connect() as conn:
        before = conn.execute(
            sa.text("SELECT coalesce(sum(aantal), 0) FROM zoekvraag_zonder_resultaat")
        ).scalar()
    assert run(demo_engine, tekst="huisarts").total > 0
    with demo_engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT coalesce(sum(aantal), 0) FROM zoekvraag_zonder_resultaat")
            ).scalar()
            == before
        )


def test_layer_rolls_up_to_wijk_and_gemeente(demo_engine):
    word = nonsense()
    for client in ("a", "b", "c"):  # three different searchers (the publication threshold)
        run(demo_engine, tekst=word, gebied="Wyck", client=client)
    with demo_engine.connect() as conn:
        rows = {
            r.id: r
            for r in conn.execute(
                sa.text(
                    "SELECT id, niveau, aantal, woorden FROM laag_gezocht_niet_gevonden "
                    "WHERE id IN ('BU09350006', 'WK093500', 'GM0935')"
                )
            )
        }
        gemeenten = conn.execute(
            sa.text("SELECT count(*) FROM laag_gezocht_niet_gevonden WHERE niveau = 'gemeente'")
        ).scalar()
    assert set(rows) == {WYCK, "WK093500", MAASTRICHT} and gemeenten == 16
    assert all(r.aantal >= 3 and f"{word} (3)" in r.woorden for r in rows.values())


def test_a_word_searched_once_is_not_published(demo_engine):
    word = nonsense()
    run(demo_engine, tekst=word, gebied="Vaals")
    with demo_engine.connect() as conn:
        woorden = conn.execute(
            sa.text("SELECT woorden FROM laag_gezocht_niet_gevonden WHERE id = 'GM0981'")
        ).scalar()
    assert word not in woorden


def test_one_client_cannot_publish_a_word(demo_engine):
    """A spam phrase searched 200 times by one client (or twice by two) stays unpublished;
    the raw client value is never stored, only a hash with a salt of the day."""
    word = nonsense()
    for _ in range(200):
        run(demo_engine, tekst=f"koop {word} nu", gebied="Vaals", client="198.51.100.7|spam")
    run(demo_engine, tekst=f"koop {word} nu", gebied="Vaals", client="203.0.113.9|ander")
    with demo_engine.connect() as conn:
        layer = conn.execute(
            sa.text("SELECT aantal, woorden FROM laag_gezocht_niet_gevonden WHERE id = 'GM0981'")
        ).one()
        stored = conn.execute(
            sa.text("SELECT count(*) FROM zoekvraag_bezoeker WHERE woord = :w"),
            {"w": f"koop {word} nu"},
        ).scalar()
        raw = conn.execute(
            sa.text(
                "SELECT count(*) FROM zoekvraag_bezoeker WHERE position(convert_to('198.51.100.7', "
                "'UTF8') IN bezoeker) > 0"
            )
        ).scalar()
    assert layer.aantal >= 201 and word not in layer.woorden
    assert stored == 2 and raw == 0  # two clients, one row each for the gemeente
    run(demo_engine, tekst=f"koop {word} nu", gebied="Vaals", client="192.0.2.1|derde")
    with demo_engine.connect() as conn:
        woorden = conn.execute(
            sa.text("SELECT woorden FROM laag_gezocht_niet_gevonden WHERE id = 'GM0981'")
        ).scalar()
    assert f"koop {word} nu (202)" in woorden

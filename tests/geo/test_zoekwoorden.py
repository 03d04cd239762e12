"""The shipped search-word lists (data/zoeken) and their tables (migration 0018).

The migration loads both files; rows editors add or change (bron 'redactie') survive a
reload; the codes and themes in the files exist; a new everyday name works at once.
"""

import shutil

import pytest
import sqlalchemy as sa

from geo.zoekwoorden import (
    AREA_NAMES,
    FOLDER,
    SYNONYMS,
    SearchWordsError,
    load_shipped,
    read_area_names,
    read_synonyms,
)
from layers.pages.search import SearchQuery, search


@pytest.fixture(scope="module")
def db(databases):
    engine = databases.create_with_areas()
    yield engine
    engine.dispose()


def count(conn, sql: str, **params) -> int:
    return conn.execute(sa.text(sql), params).scalar()


def test_the_migration_loads_both_lists(db):
    words, areas = read_synonyms(), read_area_names()
    assert len(words) >= 150 and len(areas) >= 30
    with db.connect() as conn:
        assert count(conn, "SELECT count(*) FROM zoekwoord WHERE bron = 'meegeleverd'") == len(
            words
        )
        assert count(conn, "SELECT count(*) FROM gebied_alias") == len(areas)
        # the domain words the issue names are all there
        needed = [
            "thuiszorg",
            "maaltijdservice",
            "jeugdhulp",
            "mantelzorg",
            "schuldhulp",
            "dagbesteding",
            "huisarts",
            "wijkverpleging",
            "opvoedingsondersteuning",
        ]
        listed = set(conn.execute(sa.text("SELECT woord FROM zoekwoord")).scalars())
        listed |= {
            w for ws in conn.execute(sa.text("SELECT woorden FROM zoekwoord")).scalars() for w in ws
        }
        assert set(needed) <= listed


def test_every_code_in_the_area_names_is_a_shipped_area(db):
    with db.connect() as conn:
        unknown = conn.execute(
            sa.text(
                "SELECT a.naam, c FROM gebied_alias a, unnest(a.codes) c "
                "WHERE NOT EXISTS (SELECT 1 FROM gebied g WHERE g.code = c)"
            )
        ).all()
    assert unknown == []


def test_editor_rows_survive_a_reload_and_removed_rows_go(db, tmp_path):
    shutil.copy(FOLDER / SYNONYMS, tmp_path / SYNONYMS)
    lines = (FOLDER / AREA_NAMES).read_text(encoding="utf-8").splitlines()
    (tmp_path / AREA_NAMES).write_text(
        "\n".join(line for line in lines if not line.startswith("Heerle,")) + "\n",
        encoding="utf-8",
    )
    with db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO gebied_alias (naam, sleutel, codes, bron) "
                "VALUES ('Kasteelbuurt', '', ARRAY['BU09350006'], 'redactie')"
            )
        )
        conn.execute(
            sa.text(
                "UPDATE zoekwoord SET woorden = ARRAY['buurtzorg'], bron = 'redactie' "
                "WHERE woord = 'thuiszorg'"
            )
        )
        load_shipped(conn, tmp_path)
        assert count(conn, "SELECT count(*) FROM gebied_alias WHERE naam = 'Kasteelbuurt'") == 1
        assert count(conn, "SELECT count(*) FROM gebied_alias WHERE naam = 'Heerle'") == 0
        woorden = conn.execute(
            sa.text("SELECT woorden FROM zoekwoord WHERE woord = 'thuiszorg'")
        ).scalar()
        assert woorden == ["buurtzorg"]
        # a name an editor adds is understood by the search at once
        result = search(conn, SearchQuery(gebied="kasteelbuurt"))
        assert result.gebied["code"] == "BU09350006" and result.gebied["naam"] == "Kasteelbuurt"
        conn.rollback()


def test_keys_are_stored_normalised(db):
    with db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO zoekwoord (woord, woorden) VALUES ('Crèche-Plek', ARRAY['Kinder-Opvang'])"
            )
        )
        row = conn.execute(
            sa.text("SELECT woord, stammen, woorden FROM zoekwoord WHERE woord = 'creche plek'")
        ).one()
        assert row.woorden == ["kinder opvang"] and row.stammen
        conn.rollback()


def test_a_broken_file_changes_nothing(db, tmp_path):
    (tmp_path / SYNONYMS).write_text("woord,thema\nx,vervoer\n", encoding="utf-8")
    shutil.copy(FOLDER / AREA_NAMES, tmp_path / AREA_NAMES)
    with db.begin() as conn, pytest.raises(SearchWordsError, match="zoek_ook"):
        load_shipped(conn, tmp_path)

"""Merging two duplicate organisations: chosen fields, services/locations/contacts move over,
the other is archived, the pair is closed; all audited. 'Geen dubbel' closes only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.records import inbox
from geo.records.importer import import_file
from geo.records.merge import MergeError, merge_duplicates, side_by_side
from tests.geo.conftest import CSV

PASSWORD = "een-lang-wachtwoord-123"


@pytest.fixture
def pair(rec_engine):
    import_file(rec_engine, CSV, "test")
    with rec_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM gebruiker"))
        editor = create_user(conn, "merge@example.nl", "redacteur", PASSWORD)
        ids = dict(conn.execute(sa.text("SELECT naam, id FROM organisatie")).all())
        a, b = sorted((ids["Apotheek Markt"], ids["Huisarts Vrijthof"]))
        conn.execute(
            sa.text("INSERT INTO contactpersoon (organisatie_id, naam) VALUES (:b, 'Contact B')"),
            {"b": b},
        )
        pair_id = conn.execute(
            sa.text(
                "INSERT INTO mogelijk_dubbel (organisatie_a, organisatie_b, reden) "
                "VALUES (:a, :b, 'naam_en_afstand') RETURNING id"
            ),
            {"a": a, "b": b},
        ).scalar()
    return rec_engine, editor, pair_id, a, b


def _org(engine, org_id):
    with engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT * FROM organisatie WHERE id = :id"), {"id": org_id})
            .mappings()
            .one()
        )


def test_merge_moves_everything_and_archives_the_other(pair):
    engine, editor, pair_id, a, b = pair
    before_a, before_b = _org(engine, a), _org(engine, b)
    with engine.connect() as conn:
        shown = side_by_side(conn, inbox.get_item(conn, editor, "dubbel", pair_id))
    names = next(v for v in shown["velden"] if v["veld"] == "naam")
    assert (names["a"], names["b"], names["verschil"]) == (before_a["naam"], before_b["naam"], True)
    with engine.begin() as conn:
        kept = merge_duplicates(
            conn, editor, pair_id, "a", {"naam": "b", "telefoon": "a"}, "Zelfde praktijk."
        )
    assert kept == a
    after_a, after_b = _org(engine, a), _org(engine, b)
    assert after_a["naam"] == before_b["naam"]  # chosen from B
    assert after_a["telefoon"] == before_a["telefoon"]
    assert after_b["status"] == "gearchiveerd"
    with engine.connect() as conn:
        moved = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM aanbod WHERE organisatie_id = :b), "
                "(SELECT count(*) FROM locatie WHERE organisatie_id = :b), "
                "(SELECT count(*) FROM contactpersoon WHERE organisatie_id = :b), "
                "(SELECT count(*) FROM contactpersoon WHERE organisatie_id = :a), "
                "(SELECT count(*) FROM aanbod WHERE organisatie_id = :a)"
            ),
            {"a": a, "b": b},
        ).one()
        row = (
            conn.execute(sa.text("SELECT * FROM mogelijk_dubbel WHERE id = :id"), {"id": pair_id})
            .mappings()
            .one()
        )
        audit = conn.execute(
            sa.text(
                "SELECT tabel, record_id, diff FROM wijziging WHERE gebruiker = 'merge@example.nl'"
            )
        ).all()
        public = conn.execute(
            sa.text("SELECT count(*) FROM voorzieningen_basis WHERE organisatie_id = :b"),
            {"b": b},
        ).scalar()
    assert moved == (0, 0, 0, 1, 2)
    assert (row["status"], row["bericht"], row["afgehandeld_door"]) == (
        "samengevoegd",
        "Zelfde praktijk.",
        editor.id,
    )
    tables = {t for t, _, _ in audit}
    assert {"organisatie", "aanbod", "locatie", "contactpersoon"} <= tables
    org_diffs = [d for t, rid, d in audit if t == "organisatie" and rid == b]
    assert any(d.get("status") == ["gepubliceerd", "gearchiveerd"] for d in org_diffs)
    assert public == 0
    with engine.begin() as conn, pytest.raises(MergeError):
        merge_duplicates(conn, editor, pair_id, "a", {})  # already merged


def test_bad_choices_are_refused_and_geen_dubbel_only_closes(pair):
    engine, editor, pair_id, a, b = pair
    with engine.begin() as conn:
        with pytest.raises(MergeError):
            merge_duplicates(conn, editor, pair_id, "c", {})
        with pytest.raises(MergeError):
            merge_duplicates(conn, editor, pair_id, "a", {"wachtwoord": "b"})
        closed = inbox.close(conn, editor, "dubbel", pair_id, "geen_dubbel", "Twee praktijken.")
    assert closed["status"] == "geen_dubbel"
    assert _org(engine, a)["status"] == _org(engine, b)["status"] == "gepubliceerd"


def test_scoped_editor_cannot_merge_elsewhere(pair):
    engine, _, pair_id, _, _ = pair
    with engine.begin() as conn:
        heerlen = create_user(
            conn, "heerlen-merge@example.nl", "redacteur", PASSWORD, gemeenten=("GM0917",)
        )
        with pytest.raises(MergeError):
            merge_duplicates(conn, heerlen, pair_id, "a", {})

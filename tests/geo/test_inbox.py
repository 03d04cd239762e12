"""The editors' queues: counts, scope by gemeente, filters, assigning and closing; import
warnings land in the queue."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.records import inbox
from geo.records.importer import import_file
from tests.geo.conftest import CSV

PASSWORD = "een-lang-wachtwoord-123"


@pytest.fixture(scope="module")
def queue_engine(base_engine):
    """The test records imported once, with editors and one item in every queue."""
    import_file(base_engine, CSV, "test")
    with base_engine.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT naam, id FROM organisatie")).all())
        editors = {
            "alles": create_user(conn, "alles@example.nl", "redacteur", PASSWORD),
            "maastricht": create_user(
                conn, "maastricht@example.nl", "redacteur", PASSWORD, gemeenten=("GM0935",)
            ),
            "heerlen": create_user(
                conn, "heerlen@example.nl", "redacteur", PASSWORD, gemeenten=("GM0917",)
            ),
            "beheer": create_user(conn, "beheer@example.nl", "beheerder", PASSWORD),
            "prof": create_user(conn, "prof@example.nl", "professional", PASSWORD),
        }
        conn.execute(
            sa.text("INSERT INTO melding (organisatie_id, tekst) VALUES (:a, 'fout 1'), (:b, 'x')"),
            {"a": ids["Apotheek Markt"], "b": ids["Stichting Welzijn Heerlen"]},
        )
        a, b = sorted((ids["Apotheek Markt"], ids["Huisarts Vrijthof"]))
        conn.execute(
            sa.text(
                "INSERT INTO mogelijk_dubbel (organisatie_a, organisatie_b, reden) "
                "VALUES (:a, :b, 'naam_en_afstand')"
            ),
            {"a": a, "b": b},
        )
        conn.execute(
            sa.text(
                "INSERT INTO aanmelding (soort, organisatie_id, gegevens, email, gemeentecode) "
                "VALUES ('nieuw', NULL, '{}', 'a@example.nl', 'GM0935'), "
                "('nieuw', NULL, '{}', 'b@example.nl', NULL), "
                "('verificatie', :id, '{}', 'c@example.nl', NULL)"
            ),
            {"id": ids["Stichting Welzijn Heerlen"]},
        )
    return base_engine, ids, editors


def _counts(engine, user):
    with engine.connect() as conn:
        return {k: v["aantal"] for k, v in inbox.inbox_counts(conn, user).items()}


def test_counts_per_queue_and_scope(queue_engine):
    engine, _, editors = queue_engine
    with engine.connect() as conn:
        warnings = conn.execute(sa.text("SELECT count(*) FROM importwaarschuwing")).scalar()
    everything = _counts(engine, editors["alles"])
    assert everything == {
        "meldingen": 2,
        "dubbel": 1,
        "importwaarschuwingen": warnings,
        "aanmeldingen": 2,
        "verificatie": 1,
        "themavoorstellen": 0,  # every row of the test file names its theme
    }
    assert _counts(engine, editors["beheer"]) == everything
    maastricht = _counts(engine, editors["maastricht"])
    assert maastricht["meldingen"] == 1  # Apotheek Markt only
    assert maastricht["dubbel"] == 1  # both organisations lie in Maastricht
    assert maastricht["aanmeldingen"] == 1  # the one with gemeentecode GM0935
    assert maastricht["verificatie"] == 0
    heerlen = _counts(engine, editors["heerlen"])
    assert (heerlen["meldingen"], heerlen["dubbel"], heerlen["verificatie"]) == (1, 0, 1)
    assert set(_counts(engine, editors["prof"]).values()) == {0}


def test_list_filters_by_gemeente_status_and_assignee(queue_engine):
    engine, ids, editors = queue_engine
    user = editors["alles"]
    with engine.begin() as conn:
        items = inbox.list_items(conn, user, "meldingen")
        assert {i["organisatie"] for i in items} == {"Apotheek Markt", "Stichting Welzijn Heerlen"}
        only = inbox.list_items(conn, user, "meldingen", gemeente="GM0935")
        assert [i["organisatie"] for i in only] == ["Apotheek Markt"]
        assert only[0]["gemeenten"] == ["GM0935"]
        assert inbox.list_items(conn, user, "meldingen", status="afgehandeld") == []
        assert inbox.list_items(conn, user, "meldingen", mine=True) == []
        scoped = inbox.list_items(conn, editors["heerlen"], "meldingen", gemeente="GM0935")
        assert scoped == []
        pair = inbox.list_items(conn, user, "dubbel")[0]
        assert {pair["organisatie"], pair["organisatie_b_naam"]} == {
            "Apotheek Markt",
            "Huisarts Vrijthof",
        }
        conn.rollback()


def test_assign_and_close_with_a_message(queue_engine):
    engine, ids, editors = queue_engine
    user, other = editors["maastricht"], editors["alles"]
    with engine.begin() as conn:
        item = inbox.list_items(conn, user, "meldingen")[0]
        # out of scope: the Heerlen editor cannot touch a Maastricht item
        assert inbox.assign(conn, editors["heerlen"], "meldingen", item["id"], other.id) is False
        with pytest.raises(inbox.InboxError):
            inbox.assign(conn, user, "meldingen", item["id"], editors["prof"].id)
        assert inbox.assign(conn, user, "meldingen", item["id"], other.id) is True
        again = inbox.get_item(conn, user, "meldingen", item["id"])
        assert (again["status"], again["toegewezen"]) == ("in_behandeling", "alles@example.nl")
        assert [i["id"] for i in inbox.list_items(conn, other, "meldingen", mine=True)] == [
            item["id"]
        ]
        with pytest.raises(inbox.InboxError):
            inbox.close(conn, user, "meldingen", item["id"], "samengevoegd", "x")
        with pytest.raises(inbox.InboxError):
            inbox.close(conn, user, "meldingen", item["id"], "afgehandeld", "x" * 4001)
        closed = inbox.close(conn, user, "meldingen", item["id"], "afgehandeld", " Aangepast. ")
        assert closed["status"] == "afgehandeld"
        assert closed["bericht"] == "Aangepast."
        assert closed["afgehandeld_door_email"] == "maastricht@example.nl"
        assert closed["afgehandeld_op"] is not None
        # closed items leave the open list and cannot be closed twice
        assert inbox.close(conn, user, "meldingen", item["id"], "afgewezen", None) is None
        assert inbox.list_items(conn, user, "meldingen") == []
        assert len(inbox.list_items(conn, user, "meldingen", status="afgehandeld")) == 1
        conn.rollback()


def test_import_warnings_name_line_column_value_and_organisation(base_engine, tmp_path):
    path = tmp_path / "waarschuwing.csv"
    path.write_text(
        "id,organisatie,thema,postcode,huisnummer,telefoon,email\n"
        "w1,Buurtkamer Waarschuwing,meedoen-ontmoeten,6411AB,12,123,geen-mail\n",
        encoding="utf-8",
    )
    result = import_file(base_engine, path, "waarschuwing")
    assert len(result.warnings) == 2
    with base_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT w.regel, w.kolom, w.waarde, w.reden, o.naam, w.status "
                "FROM importwaarschuwing w JOIN organisatie o ON o.id = w.organisatie_id "
                "WHERE w.import_run_id = :run ORDER BY w.kolom"
            ),
            {"run": result.run_id},
        ).all()
    assert [(r.regel, r.kolom, r.waarde, r.naam, r.status) for r in rows] == [
        (2, "email", "geen-mail", "Buurtkamer Waarschuwing", "open"),
        (2, "telefoon", "123", "Buurtkamer Waarschuwing", "open"),
    ]
    assert all("niet opgeslagen" in r.reden for r in rows)
    with base_engine.connect() as conn:
        report = conn.execute(
            sa.text("SELECT rapport ->> 'waarschuwingen' FROM import_run WHERE id = :run"),
            {"run": result.run_id},
        ).scalar()
    assert report == "2"

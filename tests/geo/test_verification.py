"""Verification rounds and freshness in the database (geo/records/verification.py, freshness.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from geo.records import verification as vf
from geo.records import verification_answers as answers
from geo.records.freshness import is_stale, stale_counts, threshold

SECRET = "test-geheim"
MAASTRICHT = (5.6909, 50.8497)  # GM0935
HEERLEN = (5.9814, 50.8882)  # GM0917
TODAY = dt.date.today()
OLD = TODAY - dt.timedelta(days=800)
FRESH = TODAY - dt.timedelta(days=30)

# name, e-mail, verified on, place, location archived, theme
ORGANISATIONS = (
    ("Oud met mail", "oud@verificatie.example", OLD, MAASTRICHT, False, "zorg-ondersteuning"),
    ("Nooit met mail", "nooit@verificatie.example", None, MAASTRICHT, False, "meedoen-ontmoeten"),
    ("=SOM(1) Zonder mail", None, OLD, MAASTRICHT, False, "zorg-ondersteuning"),
    ("Vers", "vers@verificatie.example", FRESH, MAASTRICHT, False, "zorg-ondersteuning"),
    ("Heerlen oud", "heerlen@verificatie.example", OLD, HEERLEN, False, "zorg-ondersteuning"),
    (
        "Gearchiveerde plek",
        "archief@verificatie.example",
        OLD,
        MAASTRICHT,
        True,
        "zorg-ondersteuning",
    ),
)


def seed(conn: sa.Connection) -> dict[str, int]:
    """The organisations above, one service and one location each; name -> organisation id."""
    ids = {}
    for i, (naam, email, datum, (lon, lat), archived, theme) in enumerate(ORGANISATIONS):
        org = conn.execute(
            sa.text(
                "INSERT INTO organisatie (naam, email, telefoon, bron, bron_id, "
                "laatst_geverifieerd_op) VALUES (:n, :e, '043 123 45 67', 'test', :b, :d) "
                "RETURNING id"
            ),
            {"n": naam, "e": email, "b": f"o{i}", "d": datum},
        ).scalar_one()
        svc = conn.execute(
            sa.text(
                "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id, openingstijden) "
                "VALUES (:o, :n, 'test', :b, '{\"tekst\": \"ma-vr 9-17\"}') RETURNING id"
            ),
            {"o": org, "n": f"Spreekuur {naam}", "b": f"a{i}"},
        ).scalar_one()
        loc = conn.execute(
            sa.text(
                "INSERT INTO locatie (organisatie_id, straat, huisnummer, huisletter, postcode, "
                "woonplaats, geom, geocode_precisie, bron, bron_id, status) VALUES (:o, "
                "'Markt', 1, 'A', '6211CD', 'Maastricht', ST_Transform(ST_SetSRID("
                "ST_MakePoint(:lon, :lat), 4326), 28992), 'adres', 'test', :b, :s) RETURNING id"
            ),
            {
                "o": org,
                "lon": lon + i * 0.001,
                "lat": lat,
                "b": f"l{i}",
                "s": "gearchiveerd" if archived else "gepubliceerd",
            },
        ).scalar_one()
        conn.execute(
            sa.text("INSERT INTO aanbod_locatie (aanbod_id, locatie_id) VALUES (:a, :l)"),
            {"a": svc, "l": loc},
        )
        conn.execute(
            sa.text("INSERT INTO aanbod_thema (aanbod_id, thema_slug) VALUES (:a, :t)"),
            {"a": svc, "t": theme},
        )
        ids[naam] = org
    return ids


@pytest.fixture(scope="module")
def db(databases):
    engine = databases.create_with_areas()
    with engine.begin() as conn:
        ids = seed(conn)
    yield engine, ids
    engine.dispose()


def _start(conn, **kw):
    args = {"months": 12, "link_days": 30, "reminder_days": 14, "started_by": "test"} | kw
    return vf.start_round(conn, "GM0935", **args)


def test_round_picks_stale_organisations_in_the_gemeente(db):
    engine, ids = db
    with engine.begin() as conn:
        ronde, requests = _start(conn)
        names = {r.naam for r in requests}
        assert names == {"Oud met mail", "Nooit met mail", "=SOM(1) Zonder mail"}
        # A second round skips organisations that still have an open request.
        _, again = _start(conn)
        assert again == []
        # --ouder-dan 0: every published organisation in the gemeente, but still no repeats.
        _, zero = _start(conn, months=0)
        assert {r.naam for r in zero} == {"Vers"}
        conn.rollback()


def test_unknown_gemeente_and_bad_months_are_refused(db):
    engine, _ = db
    with engine.begin() as conn:
        with pytest.raises(vf.VerificationError, match="kennen we niet"):
            vf.start_round(
                conn, "GM9999", months=12, link_days=30, reminder_days=14, started_by="t"
            )
        with pytest.raises(vf.VerificationError, match="maanden"):
            _start(conn, months=-1)


def test_token_is_signed_and_single_use(db):
    engine, ids = db
    with engine.begin() as conn:
        _, requests = _start(conn)
        request = next(r for r in requests if r.naam == "Oud met mail")
        token = vf.make_token(SECRET, request.id)
        assert vf.read_token(SECRET, token, 30) == request.id
        with pytest.raises(vf.LinkUnknown):
            vf.read_token("ander-geheim", token, 30)
        with pytest.raises(vf.LinkUnknown):
            vf.read_token(SECRET, token[:-2] + "xx", 30)
        record = answers.open_request(conn, request.id)
        assert record["organisatie"]["naam"] == "Oud met mail"
        assert record["locaties"][0]["huisnummer"] == "1A"
        assert record["aanbod"][0]["openingstijden"] == "ma-vr 9-17"
        answers.confirm(conn, request.id)
        with pytest.raises(vf.LinkGone, match="al gebruikt"):
            answers.open_request(conn, request.id)
        with pytest.raises(vf.LinkGone):
            answers.confirm(conn, request.id)
        dates = conn.execute(
            sa.text(
                "SELECT o.laatst_geverifieerd_op, a.laatst_geverifieerd_op, "
                "l.laatst_geverifieerd_op FROM organisatie o JOIN aanbod a ON "
                "a.organisatie_id = o.id JOIN locatie l ON l.organisatie_id = o.id "
                "WHERE o.id = :id"
            ),
            {"id": ids["Oud met mail"]},
        ).one()
        assert set(dates) == {TODAY}
        audit = conn.execute(
            sa.text(
                "SELECT gebruiker, diff FROM wijziging WHERE tabel = 'organisatie' "
                "AND record_id = :id AND actie = 'update'"
            ),
            {"id": ids["Oud met mail"]},
        ).one()
        assert audit.gebruiker == "verificatie: oud@verificatie.example"
        assert audit.diff["laatst_geverifieerd_op"][1] == TODAY.isoformat()
        conn.rollback()


def test_expired_link_is_gone(db):
    engine, _ = db
    with engine.begin() as conn:
        _, requests = _start(conn)
        conn.execute(
            sa.text("UPDATE verificatie_verzoek SET verloopt_op = now() - interval '1 minute'")
        )
        with pytest.raises(vf.LinkGone, match="verlopen"):
            answers.open_request(conn, requests[0].id)
        with pytest.raises(vf.LinkUnknown):
            answers.open_request(conn, 987654321)
        conn.rollback()


def test_changes_become_an_aanmelding(db):
    engine, ids = db
    with engine.begin() as conn:
        _, requests = _start(conn)
        request = next(r for r in requests if r.naam == "Nooit met mail")
        current = answers.open_request(conn, request.id)
        loc, svc = current["locaties"][0], current["aanbod"][0]
        form = {
            "org-naam": "Nooit met mail (nieuw)",
            "org-email": "nooit@verificatie.example",
            "org-website": "www.nieuw.example",
            f"loc-{loc['id']}-straat": "Vrijthof",
            f"loc-{loc['id']}-huisnummer": "2",
            f"aanbod-{svc['id']}-openingstijden": "ma 9-12",
            f"loc-{loc['id'] + 999}-straat": "niet van deze organisatie",
            "opmerking": "<script>alert(1)</script>",
        }
        gegevens = answers.proposal(current, form)
        assert gegevens["website"] == "https://www.nieuw.example"
        assert gegevens["locaties"] == [
            {
                "id": loc["id"],
                "straat": "Vrijthof",
                "huisnummer": "2",
                "postcode": None,
                "woonplaats": None,
            }
        ]
        with pytest.raises(vf.VerificationError, match="e-mailadres"):
            answers.propose_changes(conn, request.id, gegevens, "geen-mail", None)
        aanmelding = answers.propose_changes(
            conn, request.id, gegevens, "Nooit@Verificatie.example", "Piet"
        )
        row = conn.execute(
            sa.text("SELECT * FROM aanmelding WHERE id = :id"), {"id": aanmelding}
        ).one()
        assert (row.soort, row.organisatie_id, row.email, row.gemeentecode) == (
            "verificatie",
            ids["Nooit met mail"],
            "nooit@verificatie.example",
            "GM0935",
        )
        assert row.gegevens["toelichting"] == "<script>alert(1)</script>"
        # Nothing published changed.
        naam = conn.execute(
            sa.text("SELECT naam FROM organisatie WHERE id = :id"), {"id": ids["Nooit met mail"]}
        ).scalar()
        assert naam == "Nooit met mail"
        [p] = [p for p in vf.progress(conn) if p.ronde_id == request.ronde_id]
        assert (p.verzoeken, p.gewijzigd, p.klopt, p.geen_antwoord, p.zonder_email) == (
            3,
            1,
            0,
            2,
            1,
        )
        with pytest.raises(vf.VerificationError, match="naam"):
            answers.proposal(current, {"org-naam": "  "})
        conn.rollback()


def test_reminders_only_for_unanswered_after_the_interval(db):
    engine, _ = db
    with engine.begin() as conn:
        ronde, requests = _start(conn)
        for r in requests:
            vf.mark_sent(conn, r.id)
        assert vf.due_reminders(conn) == []
        conn.execute(
            sa.text(
                "UPDATE verificatie_verzoek SET verzonden_op = now() - interval '15 days' "
                "WHERE ronde_id = :r"
            ),
            {"r": ronde},
        )
        answered = next(r for r in requests if r.naam == "Oud met mail")
        answers.confirm(conn, answered.id)
        due = vf.due_reminders(conn)
        assert [r.naam for r in due] == ["Nooit met mail"]  # no e-mail: not reminded
        assert vf.due_reminders(conn, ("GM0917",)) == []
        vf.mark_sent(conn, due[0].id, reminder=True)
        assert vf.due_reminders(conn) == []
        conn.rollback()


def test_mail_merge_csv_is_dutch_excel_and_formula_safe(db):
    engine, _ = db
    with engine.begin() as conn:
        ronde, _ = _start(conn)
        requests = vf.round_requests(conn, ronde)
        body = vf.write_mail_merge(requests, lambda r: f"https://kaart.example/verificatie/{r.id}")
        conn.rollback()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(vf.CSV_COLUMNS)
    assert len(rows) == 2
    assert rows[1][0] == "'=SOM(1) Zonder mail"
    assert rows[1][1] == "Markt 1A, 6211 CD Maastricht"
    assert rows[1][3].startswith("https://kaart.example/verificatie/")


def test_mail_text_is_plain_dutch():
    request = vf.Request(1, 1, 1, "Buurthuis", "b@example.nl", None, "", dt.datetime(2027, 1, 5))
    subject, body = vf.mail_text(request, "https://x/verificatie/abc", reminder=True)
    assert subject.startswith("Herinnering")
    assert "https://x/verificatie/abc" in body
    assert "05-01-2027" in body


def test_is_stale_rule():
    today = dt.date(2026, 3, 31)
    assert threshold(1, today) == dt.date(2026, 2, 28)
    assert threshold(12, today) == dt.date(2025, 3, 31)
    assert is_stale(None, 12, today)
    assert is_stale(dt.date(2025, 3, 30), 12, today)
    assert not is_stale(dt.date(2025, 3, 31), 12, today)
    assert not is_stale("2026-01-01", 12, today)


def test_stale_counts_and_actualiteit_layer(db):
    engine, _ = db
    with engine.connect() as conn:
        counts = stale_counts(conn, 12)
        gm = {r.code: r for r in counts["gemeente"]}
        # Maastricht: 4 published (the archived location is left out), 3 stale, 1 never.
        assert (gm["GM0935"].aantal, gm["GM0935"].verouderd, gm["GM0935"].nooit) == (4, 3, 1)
        assert gm["GM0935"].aandeel == 75.0
        assert (gm["GM0917"].aantal, gm["GM0917"].verouderd) == (1, 1)
        assert {r.code for r in stale_counts(conn, 12, ("GM0917",))["gemeente"]} == {"GM0917"}
        themes = {r.code: r for r in counts["thema"]}
        assert themes["meedoen-ontmoeten"].verouderd == 1
        assert sum(r.aantal for r in counts["wijk"]) == 5
        rows = conn.execute(
            sa.text(
                "SELECT code, niveau, aantal_aanbod, aantal_gecontroleerd, "
                "aandeel_gecontroleerd, oudste_controle, drempel_maanden FROM laag_actualiteit "
                "WHERE aantal_aanbod > 0 AND gemeentecode = 'GM0935'"
            )
        ).all()
        assert {r.niveau for r in rows} == {"wijk", "buurt"}
        wijken = [r for r in rows if r.niveau == "wijk"]
        assert sum(r.aantal_aanbod for r in wijken) == 4
        assert sum(r.aantal_gecontroleerd for r in wijken) == 1
        assert all(r.drempel_maanden == 12 for r in rows)
        assert min(r.oudste_controle for r in wijken) == OLD
        # The threshold follows sociale_kaart.verify_months.
        conn.execute(sa.text("SELECT set_config('sociale_kaart.verify_months', '40', false)"))
        total = conn.execute(
            sa.text(
                "SELECT sum(aantal_gecontroleerd) FROM laag_actualiteit "
                "WHERE niveau = 'wijk' AND gemeentecode = 'GM0935'"
            )
        ).scalar()
        assert total == 3  # 800 days is within 40 months
        conn.execute(sa.text("SELECT set_config('sociale_kaart.verify_months', 'x', false)"))
        assert conn.execute(sa.text("SELECT verificatie_maanden()")).scalar() == 12

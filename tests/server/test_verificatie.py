"""A full verification round over a real SMTP server: CLI, mails, links, answers, reminders."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from server import create_app
from tests.conftest import app_config, mail_config
from tests.geo.test_verification import TODAY, seed
from tests.server.test_auth import PASSWORD, login

BASE = "http://kaart.test"
LINK = re.compile(re.escape(BASE) + r"(/verificatie/[A-Za-z0-9_.\-]+)")


@pytest.fixture(scope="module")
def round_app(databases, smtp_server):
    engine = databases.create_with_areas()
    with engine.begin() as conn:
        ids = seed(conn)
        from geo.accounts import create_user

        create_user(conn, "red@verificatie.example", "redacteur", PASSWORD, gemeenten=("GM0935",))
        create_user(conn, "baas@verificatie.example", "beheerder", PASSWORD)
    app = create_app(
        app_config(
            engine.url,
            SECRET_KEY="geheim-voor-de-test",
            PUBLIC_BASE_URL=BASE,
            **mail_config(smtp_server),
        )
    )
    app.config["OWNER_URL"] = engine.url
    app.config["IDS"] = ids
    yield app, engine
    engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def _clear_limits(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))


def _path(inbox, address: str, index: int = 0) -> str:
    return LINK.search(inbox.body(inbox.to(address)[index])).group(1)


@pytest.fixture(scope="module")
def started(round_app, tmp_path_factory):
    """The first round, started through the CLI; yields the mail-merge CSV."""
    app, _ = round_app
    brieven = tmp_path_factory.mktemp("brieven") / "brieven.csv"
    result = app.test_cli_runner().invoke(
        args=[
            "verificatie",
            "start",
            "--gemeente",
            "GM0935",
            "--ouder-dan",
            "12m",
            "--csv",
            str(brieven),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "3 organisaties, 2 met e-mail, 1 zonder" in result.output
    assert "Verstuurd: 2." in result.output
    return brieven


def test_one_mail_per_organisation_with_email(round_app, smtp_server, started):
    app, _ = round_app
    _, _, inbox = smtp_server
    # Exactly one mail per organisation with e-mail; none to fresh or other gemeenten.
    for address in ("oud@verificatie.example", "nooit@verificatie.example"):
        [mail] = inbox.to(address)
        assert mail["Subject"] == "Kloppen uw gegevens op de Sociale Kaart?"
        assert not [p for p in mail.walk() if p.get_content_type() == "text/html"]
        assert LINK.search(inbox.body(mail))
    for address in (
        "vers@verificatie.example",
        "heerlen@verificatie.example",
        "archief@verificatie.example",
    ):
        assert inbox.to(address) == []


def test_organisations_without_email_are_in_the_csv(round_app, started):
    app, _ = round_app
    # The organisation without e-mail is in the mail-merge CSV (Dutch Excel, formula-safe).
    raw = started.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["naam", "adres", "telefoon", "link", "verloopt_op"]
    assert [r[0] for r in rows[1:]] == ["'=SOM(1) Zonder mail"]
    assert LINK.search(rows[1][3])


def test_opening_marks_once_and_klopt_sets_the_date(round_app, smtp_server, started):
    app, engine = round_app
    _, _, inbox = smtp_server
    client = app.test_client()
    ids = app.config["IDS"]
    # Opening shows the current record and marks the request opened, once.
    oud = _path(inbox, "oud@verificatie.example")
    page = client.get(oud)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kloppen de gegevens van Oud met mail?" in html
    assert "Spreekuur Oud met mail" in html and "ma-vr 9-17" in html
    first = _one(
        engine,
        "SELECT geopend_op FROM verificatie_verzoek WHERE organisatie_id = :o",
        o=ids["Oud met mail"],
    ).geopend_op
    assert first is not None
    client.get(oud)
    again = _one(
        engine,
        "SELECT geopend_op FROM verificatie_verzoek WHERE organisatie_id = :o",
        o=ids["Oud met mail"],
    ).geopend_op
    assert again == first

    # "Alles klopt" sets the date on organisation, service and location; the link is used up.
    _clear_limits(engine)
    done = client.post(oud + "/klopt", data={"csrf_token": _csrf(html)})
    assert done.status_code == 200
    assert "Bedankt" in done.get_data(as_text=True)
    row = _one(
        engine,
        "SELECT o.laatst_geverifieerd_op AS o, a.laatst_geverifieerd_op AS a, "
        "l.laatst_geverifieerd_op AS l FROM organisatie o JOIN aanbod a ON "
        "a.organisatie_id = o.id JOIN locatie l ON l.organisatie_id = o.id "
        "WHERE o.id = :id",
        id=ids["Oud met mail"],
    )
    assert (row.o, row.a, row.l) == (TODAY, TODAY, TODAY)
    used = client.get(oud)
    assert used.status_code == 410
    assert "al gebruikt" in used.get_data(as_text=True)
    assert client.post(oud + "/klopt", data={"csrf_token": _csrf(html)}).status_code == 410


def test_forged_links_are_404(round_app, smtp_server, started):
    app, _ = round_app
    _, _, inbox = smtp_server
    client = app.test_client()
    # A forged or tampered link is unknown (404), never a 500.
    nooit = _path(inbox, "nooit@verificatie.example")
    assert client.get(nooit[:-4] + "abcd").status_code == 404
    assert client.get("/verificatie/niet-een-token").status_code == 404
    assert client.get("/verificatie/" + "x" * 500).status_code == 404


def test_changes_become_an_aanmelding(round_app, smtp_server, started):
    app, engine = round_app
    _, _, inbox = smtp_server
    client = app.test_client()
    ids = app.config["IDS"]
    nooit = _path(inbox, "nooit@verificatie.example")
    # Changes go to the editors' queue as an aanmelding (soort verificatie); nothing published.
    html = client.get(nooit).get_data(as_text=True)
    loc = re.search(r'name="loc-(\d+)-straat"', html).group(1)
    form = {
        "csrf_token": _csrf(html),
        "org-naam": "Nooit met mail",
        "org-telefoon": "043 999 99 99",
        f"loc-{loc}-straat": "<script>alert(1)</script>",
        "opmerking": '"><img src=x onerror=alert(1)>',
        "afzender-email": "",
    }
    _clear_limits(engine)
    bad = client.post(nooit + "/wijzigen", data=form)
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "Vul uw e-mailadres in" in body
    assert "<script>alert(1)</script>" not in body and "onerror=alert(1)>" not in body
    form["afzender-email"] = "piet@verificatie.example"
    changed = client.post(nooit + "/wijzigen", data=form)
    assert changed.status_code == 200
    aanmelding = _one(
        engine,
        "SELECT soort, status, email, gegevens FROM aanmelding WHERE organisatie_id = :o",
        o=ids["Nooit met mail"],
    )
    assert (aanmelding.soort, aanmelding.status) == ("verificatie", "nieuw")
    assert aanmelding.gegevens["telefoon"] == "043 999 99 99"
    assert aanmelding.gegevens["locaties"][0]["straat"] == "<script>alert(1)</script>"
    telefoon = _one(
        engine, "SELECT telefoon FROM organisatie WHERE id = :o", o=ids["Nooit met mail"]
    ).telefoon
    assert telefoon == "043 123 45 67"
    assert client.get(nooit).status_code == 410


def test_expired_link_is_410(round_app, started):
    app, engine = round_app
    client = app.test_client()
    ids = app.config["IDS"]
    rows = list(csv.reader(io.StringIO(started.read_bytes().decode("utf-8-sig")), delimiter=";"))
    letter_path = LINK.search(rows[1][3]).group(1)
    # An expired link is refused (410).
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE verificatie_verzoek SET verloopt_op = now() - interval '1 "
                "minute' WHERE organisatie_id = :o"
            ),
            {"o": ids["=SOM(1) Zonder mail"]},
        )
    expired = client.get(letter_path)
    assert expired.status_code == 410
    assert "verlopen" in expired.get_data(as_text=True)


def test_progress_counts(round_app, started):
    app, _ = round_app
    # Progress: sent, opened, confirmed, changed, no answer.
    status = app.test_cli_runner().invoke(args=["verificatie", "status", "--gemeente", "GM0935"])
    assert status.exit_code == 0, status.output
    assert "verzonden 2, geopend 2, klopt 1, gewijzigd 1, geen antwoord 1" in status.output


def test_reminders_go_only_to_unanswered_after_the_interval(round_app, smtp_server):
    app, engine = round_app
    _, _, inbox = smtp_server
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["verificatie", "start", "--gemeente", "gm0935", "--ouder-dan", "0m"]
    )
    assert result.exit_code == 0, result.output
    assert len(inbox.to("vers@verificatie.example")) == 1
    # Not yet due.
    assert "Herinneringen verstuurd: 0." in runner.invoke(args=["verificatie", "herinneren"]).output
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE verificatie_verzoek SET verzonden_op = now() - "
                "interval '15 days' WHERE beantwoord_op IS NULL"
            )
        )
    # Nooit answers its new link; Vers does not.
    client = app.test_client()
    nooit = _path(inbox, "nooit@verificatie.example", 1)
    html = client.get(nooit).get_data(as_text=True)
    _clear_limits(engine)
    assert client.post(nooit + "/klopt", data={"csrf_token": _csrf(html)}).status_code == 200
    out = runner.invoke(args=["verificatie", "herinneren"]).output
    assert "Herinneringen verstuurd: 1." in out
    [reminder] = [
        m for m in inbox.to("vers@verificatie.example") if m["Subject"].startswith("Herinnering")
    ]
    assert LINK.search(inbox.body(reminder))
    assert len(inbox.to("nooit@verificatie.example")) == 2  # the two rounds, no reminder
    assert "Herinneringen verstuurd: 0." in runner.invoke(args=["verificatie", "herinneren"]).output


def test_bad_cli_input_is_one_dutch_line(round_app):
    app, _ = round_app
    runner = app.test_cli_runner()
    out = runner.invoke(args=["verificatie", "start", "--gemeente", "GM9999"])
    assert out.exit_code == 1 and "kennen we niet" in out.output
    out = runner.invoke(args=["verificatie", "start", "--gemeente", "GM0935", "--ouder-dan", "x"])
    assert out.exit_code == 2 and "12m" in out.output
    out = runner.invoke(args=["verificatie", "csv", "--ronde", "999", "x.csv"])
    assert out.exit_code == 1 and "bestaat niet" in out.output


# --------------------------------------------------------------------------- /beheer pages
def _signed_in(app, engine, email):
    _clear_limits(engine)
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_beheer_pages_are_for_editors(round_app):
    app, _ = round_app
    anonymous = app.test_client()
    for path in ("/beheer/verificatie", "/beheer/actualiteit", "/beheer/verificatie/1/brieven.csv"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/beheer/inloggen" in response.location


def test_progress_page_and_scoped_redacteur(round_app, smtp_server):
    app, engine = round_app
    _, _, inbox = smtp_server
    red = _signed_in(app, engine, "red@verificatie.example")
    page = _text(red.get("/beheer/verificatie"))
    assert "Voortgang per ronde" in page and "Maastricht (GM0935)" in page
    assert '<option value="GM0917"' not in page  # a scoped redacteur only sees Maastricht
    ronde = re.search(r"/beheer/verificatie/(\d+)/brieven.csv", page).group(1)
    csv_response = red.get(f"/beheer/verificatie/{ronde}/brieven.csv")
    assert csv_response.status_code == 200
    assert csv_response.data.startswith(b"\xef\xbb\xbf") and b"Zonder mail" in csv_response.data
    assert red.get("/beheer/verificatie/999999/brieven.csv").status_code == 404
    csrf = _csrf(page)
    refused = red.post(
        "/beheer/verificatie", data={"csrf_token": csrf, "gemeente": "GM0917", "maanden": "12"}
    )
    assert refused.status_code == 403
    assert inbox.to("heerlen@verificatie.example") == []

    # A beheerder starts a round for Heerlen with the button; the mail goes out.
    baas = _signed_in(app, engine, "baas@verificatie.example")
    page = _text(baas.get("/beheer/verificatie"))
    started = baas.post(
        "/beheer/verificatie",
        data={"csrf_token": _csrf(page), "gemeente": "GM0917", "maanden": "12"},
    )
    assert started.status_code == 303
    assert len(inbox.to("heerlen@verificatie.example")) == 1
    page = _text(baas.get("/beheer/verificatie"))
    assert "is gestart: 1 organisaties. 1 e-mails verstuurd" in page
    assert "Heerlen (GM0917)" in page
    bad = baas.post(
        "/beheer/verificatie",
        data={"csrf_token": _csrf(page), "gemeente": "GM0917", "maanden": "veel"},
    )
    assert bad.status_code == 303
    assert "aantal maanden" in _text(baas.get("/beheer/verificatie"))
    reminded = baas.post("/beheer/verificatie/herinneren", data={"csrf_token": _csrf(page)})
    assert reminded.status_code == 303


def test_actualiteit_dashboard(round_app):
    app, engine = round_app
    baas = _signed_in(app, engine, "baas@verificatie.example")
    page = _text(baas.get("/beheer/actualiteit"))
    assert "Per gemeente" in page and "Per wijk" in page and "Per thema" in page
    assert '<th scope="row">Maastricht</th>' in page and '<th scope="row">Heerlen</th>' in page
    assert "/ogc/collections/actualiteit/items?niveau=wijk" in page
    assert "niveau=buurt" in _text(baas.get("/beheer/actualiteit?niveau=buurt"))
    assert _text(baas.get("/beheer/actualiteit?niveau=%3Cscript%3E")).count("<script>") == 0
    red = _signed_in(app, engine, "red@verificatie.example")
    page = _text(red.get("/beheer/actualiteit"))
    assert '<th scope="row">Heerlen</th>' not in page
    assert "gemeentecode=GM0935" in page


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_demo_writes_eml_files_and_uses_the_demo_key(round_app, tmp_path):
    """Without MAIL_SERVER (the demo) mails are .eml files; without SECRET_KEY the links are
    signed with the demo's key in DATA_DIR/secret_key, the key the demo server uses."""
    _, engine = round_app
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE verificatie_verzoek SET verloopt_op = now()"))
    config = app_config(engine.url, DATA_DIR=str(tmp_path), MAIL_DIR=str(tmp_path / "mail"))
    demo = create_app(config | {"TESTING": False, "ENV": "development"})
    result = demo.test_cli_runner().invoke(args=["verificatie", "start", "--gemeente", "GM0917"])
    assert result.exit_code == 0, result.output
    [eml] = (tmp_path / "mail").glob("*.eml")
    assert b"heerlen@verificatie.example" in eml.read_bytes()
    key = (tmp_path / "secret_key").read_text().strip()
    served = create_app(app_config(engine.url, SECRET_KEY=key)).test_client()
    from email import message_from_bytes
    from email.policy import default

    body = message_from_bytes(eml.read_bytes(), policy=default).get_body().get_content()
    path = re.search(r"https?://[^/\s]+(/verificatie/\S+)", body).group(1)
    assert served.get(path).status_code == 200

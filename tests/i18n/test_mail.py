"""E-mails to the public go out in the language of the form (aanmelding.taal, melding.taal).

A resident sends "Meld een fout" and a self-registration from English pages; the editor
answers later from Dutch /beheer pages; the answers arrive in English over real SMTP.
The same from Dutch pages stays Dutch.
"""

import re

import pytest
import sqlalchemy as sa

from server import create_app
from tests.conftest import app_config, mail_config
from tests.server.test_aanmelden import SECRET, clear_limits, make_engine_with_records, new_form
from tests.server.test_auth import login


@pytest.fixture(scope="module")
def site(databases, smtp_server):
    engine = make_engine_with_records(databases)
    app = create_app(app_config(engine.url, SECRET_KEY=SECRET, **mail_config(smtp_server)))
    yield app, engine, smtp_server[2]
    engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _resident(app, language: str):
    client = app.test_client()
    client.set_cookie("taal", language)
    return client


def _editor(app):
    editor = app.test_client()
    login(editor, "redactie@example.nl")
    return editor


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ("Dear reader,", "Message from our editors:", "Kind regards,"), "Beste lezer"),
        ("nl", ("Beste lezer,", "Bericht van de redactie:", "Met vriendelijke groet,"), "Dear"),
    ],
)
def test_answer_to_a_report_in_the_language_of_the_page(site, language, expected, absent):
    app, engine, inbox = site
    clear_limits(engine)
    with engine.connect() as conn:
        org = conn.execute(sa.text("SELECT min(id) FROM organisatie")).scalar_one()
    resident = _resident(app, language)
    page = resident.get(f"/organisatie/{org}").get_data(as_text=True)
    address = f"melder-{language}@example.nl"
    sent = resident.post(
        f"/organisatie/{org}/melding",
        data={
            "csrf_token": _csrf(page),
            "tekst": "Het telefoonnummer klopt niet",
            "email": address,
        },
    )
    assert sent.status_code == 303
    with engine.connect() as conn:
        melding, taal = conn.execute(
            sa.text("SELECT id, taal FROM melding WHERE email = :e"), {"e": address}
        ).one()
    assert taal == language
    editor = _editor(app)
    url = f"/beheer/wachtrijen/meldingen/{melding}"
    form = editor.get(url).get_data(as_text=True)
    assert '<html lang="nl"' in form  # the editors' pages stay Dutch
    done = editor.post(
        url + "/afhandelen",
        data={"csrf_token": _csrf(form), "status": "afgehandeld", "bericht": "Aangepast."},
    )
    assert done.status_code == 303
    mail = inbox.to(address)[-1]
    body = inbox.body(mail)
    for text in expected:
        assert text in body, body
    assert absent not in body and "Aangepast." in body
    subject = {"en": "Your report on the social map", "nl": "Uw melding op de sociale kaart"}
    assert mail["Subject"] == subject[language]


def test_answer_to_an_english_registration_is_english(site):
    app, engine, inbox = site
    clear_limits(engine)
    resident = _resident(app, "en")
    form = new_form(resident, contact_email="newcomer@example.nl", naam="Buurtkamer English")
    form["csrf_token"] = _csrf(resident.get("/aanmelden/nieuw").get_data(as_text=True))
    sent = resident.post("/aanmelden/versturen", data=form)
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert "Thank you!" in resident.get("/aanmelden/bedankt").get_data(as_text=True)
    with engine.connect() as conn:
        item, taal = conn.execute(
            sa.text("SELECT id, taal FROM aanmelding WHERE email = 'newcomer@example.nl'")
        ).one()
    assert taal == "en"
    editor = _editor(app)
    url = f"/beheer/wachtrijen/aanmeldingen/{item}"
    page = editor.get(url).get_data(as_text=True)
    done = editor.post(
        url + "/afhandelen",
        data={"csrf_token": _csrf(page), "status": "afgewezen", "bericht": "Buiten onze regio."},
    )
    assert done.status_code == 303
    mail = inbox.to("newcomer@example.nl")[-1]
    body = inbox.body(mail)
    assert mail["Subject"] == "Your request for the social map: Buurtkamer English"
    assert "We will not put them on the social map." in body and "Buiten onze regio." in body
    assert "Wij hebben" not in body and "Met vriendelijke groet" not in body


def test_verification_page_follows_the_browser(site):
    """The page a verification link opens is in the reader's language (the mail is Dutch)."""
    from geo.records import verification as vf

    app, engine, _ = site
    with engine.begin() as conn:
        _, requests = vf.start_round(
            conn, "GM0917", months=0, link_days=30, reminder_days=14, started_by="test"
        )
    token = vf.make_token(SECRET, requests[0].id)
    client = app.test_client()
    english = client.get(f"/verificatie/{token}", headers={"Accept-Language": "en"})
    page = english.get_data(as_text=True)
    assert english.status_code == 200 and '<html lang="en" dir="ltr">' in page
    for text in ("Are the details of", "Everything is correct", "Send the changes", "Street"):
        assert text in page, text
    for text in ("Kloppen de gegevens", "Alles klopt", "Stuur de wijzigingen", ">Straat<"):
        assert text not in page, text
    dutch = client.get(f"/verificatie/{token}").get_data(as_text=True)
    assert "Alles klopt" in dutch

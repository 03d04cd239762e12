"""/aanmelden: a new organisation or a change waits for an editor; guards refuse without
storing; approval publishes through the ORM and answers by e-mail (real SMTP server)."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from geo.accounts import create_user
from geo.bag_loader import load_bag
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from server.routes.aanmelden import SALT
from tests.conftest import app_config, mail_config
from tests.geo.conftest import CSV, DATA, TESTDATA
from tests.server.test_auth import PASSWORD, login

SECRET = "test-geheim-voor-aanmelden"
XSS = "<script>alert('x')</script>"


def make_engine_with_records(databases) -> sa.Engine:
    """Areas, postcodes, a BAG sample and the test records (owner engine)."""
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
    import_file(engine, CSV, "test")
    with engine.begin() as conn:
        create_user(conn, "redactie@example.nl", "redacteur", PASSWORD, naam="Rik")
        create_user(conn, "heerlen@example.nl", "redacteur", PASSWORD, gemeenten=("GM0917",))
        create_user(conn, "prof@example.nl", "professional", PASSWORD)
    return engine


@pytest.fixture(scope="module")
def site(databases, smtp_server):
    engine = make_engine_with_records(databases)
    app = create_app(app_config(engine.url, SECRET_KEY=SECRET, **mail_config(smtp_server)))
    yield app, engine, smtp_server[2]
    engine.dispose()


def token(age_seconds: float) -> str:
    """A form time signed with the app's key, ``age_seconds`` in the past."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_seconds)

    return URLSafeTimedSerializer(SECRET, salt=SALT, signer=Earlier).dumps("aanmelden")


def csrf(client, path="/aanmelden/nieuw") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def new_form(client, **changes) -> dict:
    form = {
        "csrf_token": csrf(client),
        "formulier_tijd": token(10),
        "naam": f"Buurtkamer Zonnebloem {XSS}",
        "omschrijving": f"Koffie en een praatje.\n{XSS}",
        "telefoon": "045 560 00 00",
        "email": "info@zonnebloem.example",
        "website": "zonnebloem.example",
        "locaties-0-straat": "Bongerd",
        "locaties-0-huisnummer": "12",
        "locaties-0-postcode": "6411 ab",
        "locaties-0-woonplaats": "Heerlen",
        "aanbod-0-naam": f"Koffie-ochtend {XSS}",
        "aanbod-0-themas": ["meedoen-ontmoeten"],
        "aanbod-0-openingstijden": "ma-vr 09:00-12:00",
        "toelichting": f"Graag snel {XSS}",
        "contact_naam": f"Piet {XSS}",
        "contact_email": "piet@example.nl",
    }
    form.update(changes)
    return form


def count(engine, sql="SELECT count(*) FROM aanmelding", **params) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def clear_limits(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))


def public_names(client, word: str) -> str:
    """What anonymous visitors can find: the list page and the OGC items."""
    page = client.get(f"/lijst?q={word}").get_data(as_text=True)
    items = client.get("/ogc/collections/voorzieningen/items?f=json&limit=1000")
    return page + items.get_data(as_text=True)


def test_choice_page_and_search_of_published_organisations(site):
    app, _, _ = site
    client = app.test_client()
    page = client.get("/aanmelden").get_data(as_text=True)
    assert "Staat uw organisatie er niet bij? Meld haar aan" in page
    assert 'href="/aanmelden/nieuw"' in page
    found = client.get("/aanmelden?q=apotheek").get_data(as_text=True)
    assert "Apotheek Markt" in found and "/aanmelden/wijziging/" in found
    hidden = client.get("/aanmelden?q=opvang").get_data(as_text=True)
    assert "Opvang Veilig Thuis" not in hidden  # internal organisation
    assert client.get("/aanmelden?q=" + "x" * 101).status_code == 400


def _published(engine, aanmelding_id):
    """The approved organisation, the closed aanmelding, the audit writers, the location."""
    with engine.connect() as conn:
        org = (
            conn.execute(sa.text("SELECT * FROM organisatie WHERE naam = 'Buurtkamer Zonnebloem'"))
            .mappings()
            .one()
        )
        closed = (
            conn.execute(sa.text("SELECT * FROM aanmelding WHERE id = :id"), {"id": aanmelding_id})
            .mappings()
            .one()
        )
        writers = set(
            conn.execute(
                sa.text(
                    "SELECT DISTINCT gebruiker FROM wijziging WHERE tabel = 'organisatie' "
                    "AND record_id = :id"
                ),
                {"id": org["id"]},
            ).scalars()
        )
        located = conn.execute(
            sa.text(
                "SELECT gemeentecode, geocode_precisie FROM locatie WHERE organisatie_id = :id"
            ),
            {"id": org["id"]},
        ).one()
    return org, closed, writers, located


def test_new_organisation_waits_then_is_published_with_mail(site):
    app, engine, inbox = site
    clear_limits(engine)
    client = app.test_client()
    response = client.post("/aanmelden/versturen", data=new_form(client))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.location.endswith("/aanmelden/bedankt")
    assert "Bedankt" in client.get("/aanmelden/bedankt").get_data(as_text=True)
    with engine.connect() as conn:
        row = (
            conn.execute(sa.text("SELECT * FROM aanmelding ORDER BY id DESC LIMIT 1"))
            .mappings()
            .one()
        )
    assert (row["soort"], row["status"], row["gemeentecode"]) == ("nieuw", "nieuw", "GM0917")
    data = row["gegevens"]
    assert data["telefoon"] == "045 560 0000"
    assert data["website"] == "https://zonnebloem.example"
    assert data["locaties"][0]["postcode"] == "6411AB"
    assert "Koffie-ochtend" not in public_names(client, "Zonnebloem")  # nothing public yet

    editor = app.test_client()
    login(editor, "redactie@example.nl")
    queue = editor.get("/beheer/wachtrijen/aanmeldingen").get_data(as_text=True)
    page = editor.get(f"/beheer/wachtrijen/aanmeldingen/{row['id']}").get_data(as_text=True)
    for html in (queue, page):
        assert XSS not in html and "&lt;script&gt;" in html
    assert "(nieuw)" in page
    form = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
        **{k: v for k, v in new_form(client).items() if k not in ("csrf_token", "formulier_tijd")},
        "naam": "Buurtkamer Zonnebloem",
        "aanbod-0-naam": "Koffie-ochtend",
        "bericht": f"Welkom! {XSS}",
    }
    done = editor.post(f"/beheer/wachtrijen/aanmeldingen/{row['id']}/goedkeuren", data=form)
    assert done.status_code == 303
    shown = editor.get(done.location).get_data(as_text=True)
    assert "Goedgekeurd" in shown, shown
    org, closed, writers, located = _published(engine, row["id"])
    assert (closed["status"], closed["organisatie_id"]) == ("goedgekeurd", org["id"])
    assert writers == {"redactie@example.nl"}
    assert tuple(located) == ("GM0917", "adres")
    assert "Koffie-ochtend" in public_names(client, "Zonnebloem")
    mails = inbox.to("piet@example.nl")
    assert len(mails) == 1
    mail = mails[0]
    assert not mail.is_multipart() and mail.get_content_type() == "text/plain"
    body = inbox.body(mail)
    assert f"Welkom! {XSS}" in body  # plain text: shown as typed, never as HTML
    assert f"/organisatie/{org['id']}" in body


def test_guards_refuse_without_storing(site):
    app, engine, _ = site
    clear_limits(engine)
    client = app.test_client()
    before = count(engine)
    honey = client.post("/aanmelden/versturen", data=new_form(client, homepage="http://spam"))
    assert honey.status_code == 400
    assert "niet verstuurd" in honey.get_data(as_text=True)
    fresh = new_form(client)
    fresh["formulier_tijd"] = re.search(
        r'name="formulier_tijd" value="([^"]+)"',
        client.get("/aanmelden/nieuw").get_data(as_text=True),
    ).group(1)
    fast = client.post("/aanmelden/versturen", data=fresh)
    assert fast.status_code == 400 and "erg snel" in fast.get_data(as_text=True)
    assert "Buurtkamer Zonnebloem" in fast.get_data(as_text=True)  # what was typed stays
    old = client.post("/aanmelden/versturen", data=new_form(client, formulier_tijd=token(7300)))
    assert old.status_code == 400 and "langer dan 2 uur" in old.get_data(as_text=True)
    forged = client.post("/aanmelden/versturen", data=new_form(client, formulier_tijd="x.y.z"))
    assert forged.status_code == 400
    assert count(engine) == before


def test_bad_values_get_dutch_messages_and_nothing_is_stored(site):
    app, engine, _ = site
    clear_limits(engine)
    client = app.test_client()
    before = count(engine)
    form = new_form(client, **{"locaties-0-postcode": "64 AB", "contact_email": "geen"})
    form["aanbod-0-themas"] = []
    response = client.post("/aanmelden/versturen", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "geen Nederlandse postcode" in html
    assert "Kies minstens één onderwerp." in html
    assert "Vul uw e-mailadres in" in html
    assert 'aria-invalid="true"' in html
    outside = client.post(
        "/aanmelden/versturen", data=new_form(client, **{"locaties-0-postcode": "9999 XX"})
    )
    assert outside.status_code == 400
    assert "Wij vinden dit adres niet" in outside.get_data(as_text=True)
    assert count(engine) == before


def test_change_is_reviewed_side_by_side_and_rejected_or_approved(site):
    app, engine, inbox = site
    clear_limits(engine)
    client = app.test_client()
    with engine.connect() as conn:
        org_id = conn.execute(
            sa.text("SELECT id FROM organisatie WHERE naam = 'Apotheek Markt'")
        ).scalar()
        internal = conn.execute(
            sa.text("SELECT id FROM organisatie WHERE naam = 'Opvang Veilig Thuis'")
        ).scalar()
    assert client.get(f"/aanmelden/wijziging/{internal}").status_code == 404
    page = client.get(f"/aanmelden/wijziging/{org_id}").get_data(as_text=True)
    assert 'value="Apotheek Markt"' in page and 'value="043 321 0000"' in page
    fields = dict(re.findall(r'name="([^"]+)" (?:type="[^"]+" )?value="([^"]*)"', page))
    assert "locaties-0-id" in fields and "aanbod-0-id" in fields
    form = {
        **fields,
        "formulier_tijd": token(10),
        "telefoon": "043 999 00 00",
        "aanbod-0-themas": ["zorg-ondersteuning"],
        "contact_naam": "Anna",
        "contact_email": "anna@example.nl",
    }
    for _ in range(2):
        assert client.post("/aanmelden/versturen", data=form).status_code == 303
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                sa.text(
                    "SELECT id FROM aanmelding WHERE soort = 'wijziging' AND organisatie_id = :o ORDER BY id"
                ),
                {"o": org_id},
            ).scalars()
        )
    assert len(ids) == 2
    editor = app.test_client()
    login(editor, "redactie@example.nl")
    review = editor.get(f"/beheer/wachtrijen/aanmeldingen/{ids[0]}").get_data(as_text=True)
    assert "043 321 0000" in review and "043 999 0000" in review
    assert 'class="verschil"' in review
    heerlen = app.test_client()
    login(heerlen, "heerlen@example.nl")
    assert heerlen.get(f"/beheer/wachtrijen/aanmeldingen/{ids[0]}").status_code == 404
    token_ = re.search(r'name="csrf_token" value="([^"]+)"', review).group(1)
    no = editor.post(
        f"/beheer/wachtrijen/aanmeldingen/{ids[0]}/afhandelen",
        data={"csrf_token": token_, "status": "afgewezen", "bericht": "Dit nummer klopt niet."},
    )
    assert no.status_code == 303
    rejected = inbox.to("anna@example.nl")[-1]
    assert "Dit nummer klopt niet." in inbox.body(rejected)
    assert "niet op de sociale kaart" in inbox.body(rejected)
    assert count(engine, "SELECT count(*) FROM organisatie WHERE telefoon = '043 999 0000'") == 0
    approve = {**{k: v for k, v in form.items() if k not in ("csrf_token", "formulier_tijd")}}
    approve["csrf_token"] = token_
    yes = editor.post(f"/beheer/wachtrijen/aanmeldingen/{ids[1]}/goedkeuren", data=approve)
    assert yes.status_code == 303
    assert count(engine, "SELECT count(*) FROM organisatie WHERE telefoon = '043 999 0000'") == 1
    assert count(engine, "SELECT count(*) FROM organisatie WHERE naam = 'Apotheek Markt'") == 1
    assert len(inbox.to("anna@example.nl")) == 2


def test_rate_limit_refuses_without_storing(databases, smtp_server, monkeypatch):
    from server import ratelimit

    monkeypatch.setitem(ratelimit.LIMITED, "aanmelden.versturen", "RATELIMIT_AANMELDEN")
    engine = make_engine_with_records(databases)
    app = create_app(
        app_config(
            engine.url,
            SECRET_KEY=SECRET,
            RATELIMIT_AANMELDEN="2 per minute",
            **mail_config(smtp_server),
        )
    )
    client = app.test_client()
    codes = [
        client.post("/aanmelden/versturen", data=new_form(client)).status_code for _ in range(4)
    ]
    assert codes == [303, 303, 429, 429]
    assert count(engine) == 2
    engine.dispose()

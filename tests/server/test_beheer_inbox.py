"""The queue pages (/beheer/wachtrijen) as the web role: counts, escaping, scope, actions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from server import create_app
from tests.conftest import app_config, mail_config
from tests.server.test_aanmelden import SECRET, XSS, make_engine_with_records
from tests.server.test_auth import login


@pytest.fixture(scope="module")
def queues(databases, smtp_server):
    engine = make_engine_with_records(databases)
    with engine.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT naam, id FROM organisatie")).all())
        melding = conn.execute(
            sa.text(
                "INSERT INTO melding (organisatie_id, tekst, email) "
                "VALUES (:id, :tekst, 'bewoner@example.nl') RETURNING id"
            ),
            {"id": ids["Apotheek Markt"], "tekst": f"Adres klopt niet {XSS}"},
        ).scalar()
        a, b = sorted((ids["Apotheek Markt"], ids["Huisarts Vrijthof"]))
        pair = conn.execute(
            sa.text(
                "INSERT INTO mogelijk_dubbel (organisatie_a, organisatie_b, reden, afstand_m) "
                "VALUES (:a, :b, 'naam_en_afstand', 40) RETURNING id"
            ),
            {"a": a, "b": b},
        ).scalar()
        conn.execute(
            sa.text(
                "INSERT INTO importwaarschuwing (bron, regel, kolom, waarde, reden, organisatie_id) "
                "VALUES ('test', 3, 'telefoon', :w, 'telefoonnummer klopt niet', :id)"
            ),
            {"w": XSS, "id": ids["Apotheek Markt"]},
        )
        conn.execute(
            sa.text(
                "INSERT INTO aanmelding (soort, organisatie_id, gegevens, email) VALUES "
                "('verificatie', :id, CAST(:g AS jsonb), 'org@example.nl')"
            ),
            {
                "id": ids["Stichting Welzijn Heerlen"],
                "g": '{"naam": "Stichting Welzijn Heerlen", "telefoon": "045 560 0001", '
                '"locaties": [], "aanbod": []}',
            },
        )
    app = create_app(app_config(engine.url, SECRET_KEY=SECRET, **mail_config(smtp_server)))
    yield app, engine, smtp_server[2], {"melding": melding, "pair": pair, "a": a, "b": b}
    engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_start_page_counts_link_every_queue(queues):
    app, *_ = queues
    client = app.test_client()
    login(client, "redactie@example.nl")
    html = client.get("/beheer").get_data(as_text=True)
    for name in ("meldingen", "dubbel", "importwaarschuwingen", "aanmeldingen", "verificatie"):
        assert f'href="/beheer/wachtrijen/{name}"' in html
        page = client.get(f"/beheer/wachtrijen/{name}")
        assert page.status_code == 200
        assert XSS not in page.get_data(as_text=True)
    assert '<span class="aantal">1</span> meldingen van fouten' in html
    overview = client.get("/beheer/wachtrijen").get_data(as_text=True)
    assert "antwoorden op verificatie" in overview


def test_access_and_bad_input(queues):
    app, _, _, ids = queues
    anonymous = app.test_client().get("/beheer/wachtrijen/meldingen")
    assert anonymous.status_code == 302
    prof = app.test_client()
    login(prof, "prof@example.nl")
    assert prof.get("/beheer/wachtrijen").status_code == 403
    client = app.test_client()
    login(client, "redactie@example.nl")
    assert client.get("/beheer/wachtrijen/onbekend").status_code == 404
    assert client.get("/beheer/wachtrijen/meldingen?status=weg").status_code == 400
    assert client.get("/beheer/wachtrijen/meldingen?gemeente=GM9999").status_code == 400
    assert client.get("/beheer/wachtrijen/meldingen/999999").status_code == 404
    heerlen = app.test_client()
    login(heerlen, "heerlen@example.nl")
    assert heerlen.get(f"/beheer/wachtrijen/meldingen/{ids['melding']}").status_code == 404
    listed = heerlen.get("/beheer/wachtrijen/meldingen").get_data(as_text=True)
    assert "Apotheek Markt" not in listed


def test_melding_is_escaped_assigned_and_answered_by_mail(queues):
    app, engine, inbox, ids = queues
    client = app.test_client()
    login(client, "redactie@example.nl")
    url = f"/beheer/wachtrijen/meldingen/{ids['melding']}"
    html = client.get(url).get_data(as_text=True)
    assert XSS not in html and "Adres klopt niet &lt;script&gt;" in html
    filtered = client.get("/beheer/wachtrijen/meldingen?gemeente=GM0935").get_data(as_text=True)
    assert f"#{ids['melding']}" in filtered
    assert f"#{ids['melding']}" not in client.get(
        "/beheer/wachtrijen/meldingen?gemeente=GM0917"
    ).get_data(as_text=True)
    assert (
        client.post(url + "/toewijzen", data={"csrf_token": _csrf(html), "aan": "ik"}).status_code
        == 303
    )
    mine = client.get("/beheer/wachtrijen/meldingen?van=mij").get_data(as_text=True)
    assert f"#{ids['melding']}" in mine and "redactie@example.nl" in mine
    done = client.post(
        url + "/afhandelen",
        data={"csrf_token": _csrf(html), "status": "afgehandeld", "bericht": f"Aangepast {XSS}"},
    )
    assert done.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "afgehandeld" in page and "Aangepast &lt;script&gt;" in page
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT status, bericht FROM melding WHERE id = :id"), {"id": ids["melding"]}
        ).one()
    assert tuple(row) == ("afgehandeld", f"Aangepast {XSS}")
    mail = inbox.to("bewoner@example.nl")[-1]
    assert not mail.is_multipart() and mail.get_content_type() == "text/plain"
    assert f"Aangepast {XSS}" in inbox.body(mail)


def test_merge_through_the_page(queues):
    app, engine, _, ids = queues
    client = app.test_client()
    login(client, "redactie@example.nl")
    url = f"/beheer/wachtrijen/dubbel/{ids['pair']}"
    html = client.get(url).get_data(as_text=True)
    assert "(verschilt)" in html and "40 meter" in html
    response = client.post(
        f"/beheer/wachtrijen/dubbel/{ids['pair']}/samenvoegen",
        data={"csrf_token": _csrf(html), "houden": "a", "veld-naam": "b"},
    )
    assert response.status_code == 303
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(
                sa.text("SELECT id, status FROM organisatie WHERE id IN (:a, :b)"),
                {"a": ids["a"], "b": ids["b"]},
            ).all()
        )
        pair = conn.execute(
            sa.text("SELECT status FROM mogelijk_dubbel WHERE id = :id"), {"id": ids["pair"]}
        ).scalar()
    assert statuses == {ids["a"]: "gepubliceerd", ids["b"]: "gearchiveerd"}
    assert pair == "samengevoegd"
    assert "samengevoegd" in client.get(url).get_data(as_text=True)

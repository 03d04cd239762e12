"""Wijkteam pages: /wijk, /wijk/<code>, print and PDF, notes, the wijkteam mark in /beheer."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.server.test_auth import _token
from tests.server.test_scope import (
    CRISIS,
    PUBLIC_ORG,
    WIJKTEAM,
    _client,
    build_scope_database,
)

CONTACT = ("Petra Prof", "06-11223344")


@pytest.fixture(scope="module")
def wijk(databases):
    app, url, facts = build_scope_database(databases)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, functie, telefoon) "
                "VALUES (:o, :n, 'wijkcoach', :t)"
            ),
            {"o": facts["heerlen"]["org"], "n": CONTACT[0], "t": CONTACT[1]},
        )
    engine.dispose()
    return app, url, facts


def _mark_wijkteam(app, facts) -> None:
    editor = _client(app, "redacteur@example.nl")
    org = facts["heerlen"]["org"]
    form = editor.get(f"/beheer/organisaties/{org}/wijkteam")
    assert form.status_code == 200
    response = editor.post(
        f"/beheer/organisaties/{org}/wijkteam",
        data={
            "csrf_token": _token(form.get_data(True)),
            "actief": "ja",
            "soort": "buurtteam",
            "gebieden": facts["heerlen"]["wijkcode"],
        },
    )
    assert response.status_code == 302


def test_page_shows_internal_data_inside_scope(wijk):
    app, url, facts = wijk
    _mark_wijkteam(app, facts)
    code = facts["heerlen"]["wijkcode"]
    client = _client(app, "heerlen@example.nl")
    page = client.get(f"/wijk/{code}")
    assert page.status_code == 200
    html = page.get_data(True)
    assert WIJKTEAM in html and PUBLIC_ORG in html and CRISIS not in html
    assert CONTACT[0] in html and CONTACT[1] in html
    assert "Wijkteam en buurtteam" in html and "(buurtteam)" in html
    assert "Vertrouwelijk — alleen voor professionals" in html
    assert "Inwoners" in html and "65 jaar en ouder" in html
    assert "De laatste 30 dagen" in html and "Aanbod nieuw" in html
    assert "Gezocht, niet gevonden" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    listing = client.get("/wijk").get_data(True)
    assert f"/wijk/{code}" in listing
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        who = conn.execute(
            sa.text("SELECT gebruiker FROM wijziging WHERE tabel = 'wijkteam'")
        ).scalar()
    engine.dispose()
    assert who == "redacteur@example.nl"


def test_buurt_page_inside_the_scoped_wijk(wijk):
    app, _, facts = wijk
    client = _client(app, "heerlen@example.nl")
    page = client.get(f"/wijk/{facts['heerlen']['buurtcode']}")
    assert page.status_code == 200 and WIJKTEAM in page.get_data(True)


def test_outside_scope_unknown_and_anonymous(wijk):
    app, _, facts = wijk
    code = facts["heerlen"]["wijkcode"]
    other = _client(app, "maastricht@example.nl")
    refused = other.get(f"/wijk/{code}")
    assert refused.status_code == 403 and WIJKTEAM not in refused.get_data(True)
    assert other.get(f"/wijk/{code}/print").status_code == 403
    assert other.get(f"/wijk/{facts['heerlen']['gemeentecode']}").status_code == 403
    assert other.get("/wijk/WK999999").status_code == 404
    assert other.get("/wijk/onzin").status_code == 404
    anonymous = _client(app, None).get(f"/wijk/{code}")
    assert anonymous.status_code == 302 and "/beheer/inloggen" in anonymous.headers["Location"]
    editor = _client(app, "redacteur@example.nl").get(f"/wijk/{code}")
    assert editor.status_code == 200 and WIJKTEAM in editor.get_data(True)


def test_notes_stay_inside_the_scope(wijk):
    app, url, facts = wijk
    code = facts["heerlen"]["wijkcode"]
    org = facts["heerlen"]["org"]
    client = _client(app, "heerlen@example.nl")
    page = client.get(f"/wijk/{code}").get_data(True)
    response = client.post(
        f"/wijk/{code}/notitie",
        data={"csrf_token": _token(page), "organisatie_id": org, "tekst": "wachtlijst 8 weken"},
    )
    assert response.status_code == 302
    assert "wachtlijst 8 weken" in client.get(f"/wijk/{code}").get_data(True)
    empty = client.post(
        f"/wijk/{code}/notitie",
        data={"csrf_token": _token(page), "organisatie_id": org, "tekst": "  "},
    )
    assert empty.status_code == 302
    assert "Het tekstvak is nog leeg" in client.get(f"/wijk/{code}").get_data(True)
    elsewhere = client.post(
        f"/wijk/{code}/notitie",
        data={
            "csrf_token": _token(page),
            "organisatie_id": facts["maastricht"]["org"],
            "tekst": "x",
        },
    )
    assert elsewhere.status_code == 400
    # Never in public output, nor for a professional of another area.
    assert "wachtlijst" not in _client(app, None).get(f"/organisatie/{org}").get_data(True)
    maastricht = _client(app, "maastricht@example.nl")
    for path in ("/ogc/collections/voorzieningen/items?f=csv", f"/organisatie/{org}"):
        assert "wachtlijst" not in maastricht.get(path).get_data(True)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        audit = conn.execute(
            sa.text("SELECT gebruiker FROM wijziging WHERE tabel = 'notitie'")
        ).scalar()
    engine.dispose()
    assert audit == "heerlen@example.nl"


def test_print_and_pdf(wijk):
    app, _, facts = wijk
    code = facts["heerlen"]["wijkcode"]
    client = _client(app, "heerlen@example.nl")
    html = client.get(f"/wijk/{code}/print").get_data(True)
    assert WIJKTEAM in html and "Vertrouwelijk — alleen voor professionals" in html
    assert "Afgedrukt op" in html and "<script" not in html and 'name="tekst"' not in html
    assert re.search(r'<g class="marker">', html)
    pdf = client.get(f"/wijk/{code}/print.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 5_000


def test_pdf_marks_every_page_confidential(wijk):
    from weasyprint import HTML

    from layers.pages.wijk import wijk_page
    from server.database import get_engine
    from server.routes.wijk import _print_html

    app, _, facts = wijk
    code = facts["heerlen"]["wijkcode"]
    with app.test_request_context(), get_engine(app).connect() as conn:
        page = wijk_page(conn, code, ("openbaar", "professional"), (code,))
        html = _print_html(page, pdf=True)
    document = HTML(string=html).render()

    def texts(box):
        if hasattr(box, "text"):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from texts(child)

    assert document.pages
    for p in document.pages:
        found = " ".join(texts(p._page_box))
        assert "Vertrouwelijk — alleen voor professionals" in found
        assert "Afgedrukt op" in found


def test_wijkteam_form_refuses_bad_codes(wijk):
    app, _, facts = wijk
    editor = _client(app, "redacteur@example.nl")
    org = facts["public"]["org"]
    form = editor.get(f"/beheer/organisaties/{org}/wijkteam").get_data(True)
    bad = editor.post(
        f"/beheer/organisaties/{org}/wijkteam",
        data={"csrf_token": _token(form), "actief": "ja", "soort": "wijkteam", "gebieden": "XX1"},
    )
    assert bad.status_code == 400 and "geen CBS-code" in bad.get_data(True)
    prof = _client(app, "heerlen@example.nl")
    assert prof.get(f"/beheer/organisaties/{org}/wijkteam").status_code == 403

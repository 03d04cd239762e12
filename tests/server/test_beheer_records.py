"""The editors' record screens over HTTP (as the web role): every screen as redacteur, the
conflict view, archive and restore, gemeente scope, bad input, and stored XSS attempts
rendered harmlessly in editor pages, the public pages, map data, list, print and PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from geo.accounts import create_user
from geo.bag_loader import load_bag
from server import create_app
from tests.conftest import app_config
from tests.server.test_auth import PASSWORD, login

TESTDATA = Path(__file__).resolve().parents[1] / "data"
RIA, PIET, SCOPED = "ria@example.nl", "piet@example.nl", "maastricht@example.nl"
MAASTRICHT = {"lon": "5.6908", "lat": "50.8487"}
HEERLEN = {"lon": "5.9797", "lat": "50.8880"}
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def beheer_app(databases):
    engine = databases.create_with_areas()
    load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
    with engine.begin() as conn:
        create_user(conn, RIA, "redacteur", PASSWORD, naam="Ria")
        create_user(conn, PIET, "redacteur", PASSWORD, naam="Piet")
        create_user(conn, SCOPED, "redacteur", PASSWORD, gemeenten=("GM0935",))
    app = create_app(app_config(engine.url))
    app.config["OWNER_URL"] = engine.url
    engine.dispose()
    return app


def owner(app):
    return sa.create_engine(app.config["OWNER_URL"])


def signed_in(app, email=RIA):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def token(client, path):
    page = client.get(path)
    assert page.status_code == 200, path
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]


def post(client, path, data, form_path=None):
    data = {"csrf_token": token(client, form_path or path), **data}
    return client.post(path, data=data)


def new_org(client, name, point=MAASTRICHT, **extra):
    """Organisation + located location + a service there, through the screens; ids."""
    response = post(
        client,
        "/beheer/organisaties/nieuw",
        {"naam": name, "zichtbaarheid": "openbaar", "gecontroleerd": "ja", **extra},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    org = int(response.location.rstrip("/").split("/")[-1])
    response = post(
        client,
        f"/beheer/organisaties/{org}/locatie/nieuw",
        {"straat": "Vrijthof", "zichtbaarheid": "openbaar", "gecontroleerd": "ja", **point},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    loc = int(response.location.split("/")[-1])
    response = post(
        client,
        f"/beheer/organisaties/{org}/aanbod/nieuw",
        {
            "naam": f"Spreekuur {name}",
            "themas": "informatie-advies",
            "doelgroepen": "iedereen",
            "locaties": str(loc),
            "zichtbaarheid": "openbaar",
            "gecontroleerd": "ja",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return org, loc, int(response.location.split("/")[-1])


def test_every_screen_as_redacteur(beheer_app):
    client = signed_in(beheer_app)
    org, loc, svc = new_org(client, "Wijkcentrum Wyck")
    response = post(
        client,
        f"/beheer/organisaties/{org}/contactpersoon/nieuw",
        {"naam": "Anna de Vries", "functie": "coördinator", "email": "anna@example.nl"},
    )
    assert response.status_code == 302
    contact = int(response.location.split("/")[-1])
    pages = [
        "/beheer/organisaties",
        "/beheer/organisaties?q=Wyck&gemeente=GM0935&thema=informatie-advies&status=gepubliceerd"
        "&zichtbaarheid=openbaar&verouderd=ja&pagina=2",
        "/beheer/organisaties/nieuw",
        f"/beheer/organisaties/{org}",
        f"/beheer/organisaties/{org}/geschiedenis",
        f"/beheer/organisaties/{org}/aanbod/{svc}",
        f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis",
        f"/beheer/organisaties/{org}/locatie/{loc}",
        f"/beheer/organisaties/{org}/locatie/{loc}/geschiedenis",
        f"/beheer/organisaties/{org}/contactpersoon/{contact}",
        f"/beheer/organisaties/{org}/aanbod/nieuw",
        f"/beheer/organisaties/{org}/locatie/nieuw",
        f"/beheer/organisaties/{org}/contactpersoon/nieuw",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store"
    listing = client.get("/beheer/organisaties?q=Wyck").get_data(as_text=True)
    assert "Wijkcentrum Wyck" in listing and "Maastricht" in listing
    location = client.get(f"/beheer/organisaties/{org}/locatie/{loc}").get_data(as_text=True)
    assert "precisie: handmatig" in location and "beheer_kaart.js" in location
    history = client.get(f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis")
    assert RIA in history.get_data(as_text=True)
    for path in (
        "/beheer/organisaties/999999",
        f"/beheer/organisaties/{org}/aanbod/{loc + 999}",
        f"/beheer/organisaties/{org}/onzin/1",
    ):
        assert client.get(path).status_code == 404, path
    assert beheer_app.test_client().get(f"/beheer/organisaties/{org}").status_code == 302


def test_place_by_address_and_edit_shows_on_the_public_map(beheer_app):
    client = signed_in(beheer_app)
    org, loc, _svc = new_org(client, "Buurthuis Bongerd", HEERLEN)
    page = f"/beheer/organisaties/{org}/locatie/{loc}"
    response = post(
        client,
        page,
        {
            "versie": "1",
            "straat": "Bongerd",
            "huisnummer": "12",
            "postcode": "6411 AB",
            "woonplaats": "Heerlen",
            "zichtbaarheid": "openbaar",
            "plaatsen": "adres",
            **HEERLEN,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = client.get(page).get_data(as_text=True)
    assert "precisie: adres (bron: BAG (test))" in shown
    response = post(
        client,
        f"/beheer/organisaties/{org}",
        {"versie": "1", "naam": "Buurthuis De Bongerd", "zichtbaarheid": "openbaar"},
    )
    assert response.status_code == 302
    items = beheer_app.test_client().get("/ogc/collections/voorzieningen/items?limit=1000")
    assert "Buurthuis De Bongerd" in items.get_data(as_text=True)


def test_second_editor_gets_the_conflict_view_and_nothing_is_overwritten(beheer_app):
    ria, piet = signed_in(beheer_app, RIA), signed_in(beheer_app, PIET)
    org, _loc, _svc = new_org(ria, "Conflicthuis")
    path = f"/beheer/organisaties/{org}"
    ria_token, piet_token = token(ria, path), token(piet, path)
    first = ria.post(
        path,
        data={
            "csrf_token": ria_token,
            "versie": "1",
            "naam": "Versie Ria",
            "zichtbaarheid": "openbaar",
        },
    )
    assert first.status_code == 302
    second = piet.post(
        path,
        data={
            "csrf_token": piet_token,
            "versie": "1",
            "naam": "Versie Piet",
            "telefoon": "043 123 45 67",
            "zichtbaarheid": "openbaar",
        },
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Versie Ria" in html and "Versie Piet" in html and "niet</strong> opgeslagen" in html
    assert RIA in html  # who saved the stored version
    engine = owner(beheer_app)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT naam FROM organisatie WHERE id = :i"), {"i": org}).scalar()
            == "Versie Ria"
        )
    # Piet keeps the stored name and his own phone number, against the new version.
    versie = re.search(r'name="versie" value="(\d+)"', html)[1]
    resolved = piet.post(
        path,
        data={
            "csrf_token": piet_token,
            "versie": versie,
            "naam": "Versie Piet",
            "telefoon": "043 123 45 67",
            "zichtbaarheid": "openbaar",
            "keuze__naam": "opgeslagen",
            "keuze__telefoon": "mijn",
        },
    )
    assert resolved.status_code == 302
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT naam, telefoon FROM organisatie WHERE id = :i"), {"i": org}
        ).one()
    engine.dispose()
    assert tuple(row) == ("Versie Ria", "043 123 4567")


def test_archive_and_restore_an_earlier_version(beheer_app):
    client = signed_in(beheer_app)
    org, _loc, svc = new_org(client, "Archiefhuis")
    public = beheer_app.test_client()
    assert "Spreekuur Archiefhuis" in public.get(f"/organisatie/{org}").get_data(as_text=True)
    response = post(
        client,
        f"/beheer/organisaties/{org}/aanbod/{svc}/status",
        {"versie": "1", "status": "gearchiveerd"},
        f"/beheer/organisaties/{org}",
    )
    assert response.status_code == 303
    assert "Spreekuur Archiefhuis" not in public.get(f"/organisatie/{org}").get_data(as_text=True)
    assert (
        client.get("/beheer/organisaties?status=gearchiveerd&q=Archiefhuis")
        .get_data(as_text=True)
        .count("Archiefhuis")
        >= 1
    )
    response = post(
        client,
        f"/beheer/organisaties/{org}/aanbod/{svc}/status",
        {"versie": "2", "status": "gepubliceerd"},
        f"/beheer/organisaties/{org}",
    )
    assert response.status_code == 303
    # Rename, then restore the version before the rename in one step.
    post(
        client,
        f"/beheer/organisaties/{org}/aanbod/{svc}",
        {
            "versie": "3",
            "naam": "Andere naam",
            "themas": "informatie-advies",
            "doelgroepen": "iedereen",
            "locaties": str(_loc),
            "zichtbaarheid": "openbaar",
        },
    )
    history = client.get(f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis")
    html = history.get_data(as_text=True)
    assert "Spreekuur Archiefhuis → Andere naam" in html
    ids = [int(i) for i in re.findall(r'name="wijziging" value="(\d+)"', html)]
    before_rename = ids[0]  # newest first; the first button is the change before the rename
    response = post(
        client,
        f"/beheer/organisaties/{org}/aanbod/{svc}/herstellen",
        {"versie": "4", "wijziging": str(before_rename)},
        f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis",
    )
    assert response.status_code == 303
    assert "Spreekuur Archiefhuis" in public.get(f"/organisatie/{org}").get_data(as_text=True)
    latest = client.get(f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis").get_data(
        as_text=True
    )
    assert "Andere naam → Spreekuur Archiefhuis" in latest
    stale = post(
        client,
        f"/beheer/organisaties/{org}/aanbod/{svc}/herstellen",
        {"versie": "1", "wijziging": str(before_rename)},
        f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis",
    )
    assert stale.status_code == 303
    assert "intussen gewijzigd" in client.get(stale.location).get_data(as_text=True)


def test_scoped_redacteur(beheer_app):
    ria = signed_in(beheer_app)
    heerlen, hloc, _ = new_org(ria, "Scope Heerlen", HEERLEN)
    maastricht, _, _ = new_org(ria, "Scope Maastricht")
    scoped = signed_in(beheer_app, SCOPED)
    listing = scoped.get("/beheer/organisaties?q=Scope").get_data(as_text=True)
    assert "Scope Maastricht" in listing and "Scope Heerlen" not in listing
    everything = scoped.get("/beheer/organisaties?q=Scope&alle=ja").get_data(as_text=True)
    assert "Scope Heerlen" in everything
    assert scoped.get(f"/beheer/organisaties/{heerlen}").status_code == 403
    assert scoped.get(f"/beheer/organisaties/{heerlen}/locatie/{hloc}").status_code == 403
    maastricht_token = token(scoped, f"/beheer/organisaties/{maastricht}")
    refused = scoped.post(
        f"/beheer/organisaties/{heerlen}",
        data={
            "csrf_token": maastricht_token,
            "versie": "1",
            "naam": "Gekaapt",
            "zichtbaarheid": "openbaar",
        },
    )
    assert refused.status_code == 403
    assert scoped.get(f"/beheer/organisaties/{maastricht}").status_code == 200
    # Moving a location into another gemeente is refused too.
    moved = post(
        scoped,
        f"/beheer/organisaties/{maastricht}/locatie/nieuw",
        {"straat": "Elders", "zichtbaarheid": "openbaar", **HEERLEN},
    )
    assert moved.status_code == 400
    assert "buiten de gemeenten waar u aan werkt" in moved.get_data(as_text=True)


def test_bad_input_is_a_dutch_400(beheer_app):
    client = signed_in(beheer_app)
    response = post(
        client,
        "/beheer/organisaties/nieuw",
        {"naam": "", "website": "javascript:alert(1)", "email": "geen", "zichtbaarheid": "x"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "vul de naam in" in html and "klopt niet" in html and "aria-invalid" in html
    org, loc, _ = new_org(client, "Foutenhuis")
    for data in ({"naam": "x"}, {"versie": "abc", "naam": "x"}):
        assert post(client, f"/beheer/organisaties/{org}", data).status_code == 400
    outside = post(
        client,
        f"/beheer/organisaties/{org}/locatie/{loc}",
        {"versie": "1", "lon": "4.89", "lat": "52.37", "zichtbaarheid": "openbaar"},
    )
    assert outside.status_code == 400
    assert "buiten het gebied" in outside.get_data(as_text=True)
    assert (
        post(
            client,
            f"/beheer/organisaties/{org}/status",
            {"versie": "1", "status": "weg"},
            f"/beheer/organisaties/{org}",
        ).status_code
        == 400
    )


def _inert(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert 'href="javascript:' not in html.lower(), where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img" in html, where


def test_stored_xss_is_rendered_harmlessly_everywhere(beheer_app):
    client = signed_in(beheer_app)
    refused = post(
        client,
        "/beheer/organisaties/nieuw",
        {"naam": "Xss", "website": "javascript:alert(1)", "zichtbaarheid": "openbaar"},
    )
    assert refused.status_code == 400  # a website is always http(s)
    org, loc, svc = new_org(
        client, f"Xss {SCRIPT}", omschrijving=IMG, website="https://xss.example/?q=<script>"
    )
    text = {"zichtbaarheid": "openbaar", "gecontroleerd": "ja"}
    assert (
        post(
            client,
            f"/beheer/organisaties/{org}/aanbod/{svc}",
            {
                **text,
                "versie": "1",
                "naam": f"Aanbod {SCRIPT}",
                "omschrijving": IMG,
                "themas": "informatie-advies",
                "locaties": str(loc),
                "kosten": SCRIPT,
                "aanmelden": IMG,
                "voorwaarden": SCRIPT,
                "openingstijden": IMG,
            },
        ).status_code
        == 302
    )
    assert (
        post(
            client,
            f"/beheer/organisaties/{org}/locatie/{loc}",
            {
                **text,
                "versie": "1",
                "naam": f"Locatie {IMG}",
                "straat": SCRIPT,
                "woonplaats": IMG,
                "toegankelijkheid": SCRIPT,
                **MAASTRICHT,
            },
        ).status_code
        == 302
    )
    assert (
        post(
            client,
            f"/beheer/organisaties/{org}/contactpersoon/nieuw",
            {"naam": SCRIPT, "functie": IMG},
        ).status_code
        == 302
    )
    editor_pages = [
        "/beheer/organisaties?q=Xss",
        f"/beheer/organisaties/{org}",
        f"/beheer/organisaties/{org}/geschiedenis",
        f"/beheer/organisaties/{org}/aanbod/{svc}",
        f"/beheer/organisaties/{org}/aanbod/{svc}/geschiedenis",
        f"/beheer/organisaties/{org}/locatie/{loc}",
        f"/beheer/organisaties/{org}/locatie/{loc}/geschiedenis",
        f"/beheer/organisaties/{org}/aanbod/nieuw",
    ]
    for path in editor_pages:
        _inert(client.get(path).get_data(as_text=True), path)
    conflict = post(
        client, f"/beheer/organisaties/{org}", {"versie": "0", "naam": SCRIPT, "omschrijving": IMG}
    )
    assert conflict.status_code == 409
    _inert(conflict.get_data(as_text=True), "conflict")
    public = beheer_app.test_client()
    for path in (f"/organisatie/{org}", "/lijst?q=Aanbod", "/print/GM0935"):
        response = public.get(path)
        assert response.status_code == 200, path
        _inert(response.get_data(as_text=True), path)
    points = public.get("/kaart/punten.json")
    assert points.mimetype == "application/json"
    items = public.get("/ogc/collections/voorzieningen/items?limit=1000&f=json")
    assert items.mimetype == "application/geo+json"
    assert "<script>alert(1)</script>" in items.get_json().__repr__()  # data, not markup
    pdf = public.get("/print/GM0935.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # shown as plain text

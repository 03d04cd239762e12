"""The editors' record screens in a real Chromium: two editors in two browser sessions get
the conflict view, placing a location by clicking on the map, keyboard use and axe."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from server import create_app
from tests.browser.conftest import axe_violations, shot
from tests.conftest import app_config, serve
from tests.server.test_auth import PASSWORD

pytestmark = pytest.mark.browser
RIA, PIET = "ria@example.nl", "piet@example.nl"


@pytest.fixture(scope="module")
def editor_server(databases):
    engine = databases.create_with_areas()
    with engine.begin() as conn:
        create_user(conn, RIA, "redacteur", PASSWORD, naam="Ria")
        create_user(conn, PIET, "redacteur", PASSWORD, naam="Piet")
    app = create_app(app_config(engine.url))
    with serve(app) as url:
        yield url, engine
    engine.dispose()


def signed_in(browser, url, email, width=1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=url, locale="nl-NL"
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto("/beheer/inloggen")
    page.fill("#email", email)
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/beheer")
    return page


def new_organisation(page, name):
    page.goto("/beheer/organisaties/nieuw")
    page.fill("#veld-naam", name)
    page.click("text=Opslaan")
    page.wait_for_selector("h1:has-text('" + name + "')")
    return page.url


def test_two_editors_the_second_gets_the_conflict_view(browser, editor_server):
    url, engine = editor_server
    ria, piet = signed_in(browser, url, RIA), signed_in(browser, url, PIET)
    address = new_organisation(ria, "Buurtcentrum Samen")
    piet.goto(address)
    ria.goto(address)
    ria.fill("#veld-naam", "Buurtcentrum Samen (Ria)")
    piet.fill("#veld-naam", "Buurtcentrum Samen (Piet)")
    piet.fill("#veld-telefoon", "043 123 45 67")
    ria.click("button:has-text('Opslaan')")
    ria.wait_for_selector("text=Organisatie is opgeslagen.")
    piet.click("button:has-text('Opslaan')")
    piet.wait_for_selector("h1:has-text('Iemand anders heeft dit ook gewijzigd')")
    rows = piet.locator("table.conflict tbody tr")
    naam = rows.filter(has_text="Naam").first
    assert "Buurtcentrum Samen (Piet)" in naam.inner_text()
    assert "Buurtcentrum Samen (Ria)" in naam.inner_text()
    assert "(door ria@example.nl)" in piet.inner_text("table.conflict thead")
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT naam, telefoon FROM organisatie WHERE naam LIKE 'Buurtcentrum%'")
        ).one()
    assert tuple(stored) == ("Buurtcentrum Samen (Ria)", None)  # nothing overwritten
    assert axe_violations(piet) == []
    shot(piet, "beheer-conflict")
    # Piet keeps Ria's name and his phone number.
    piet.check("input[name='keuze__naam'][value='opgeslagen']")
    piet.click("text=Opslaan met deze keuzes")
    piet.wait_for_selector("text=Organisatie is opgeslagen.")
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT naam, telefoon FROM organisatie WHERE naam LIKE 'Buurtcentrum%'")
        ).one()
    assert tuple(stored) == ("Buurtcentrum Samen (Ria)", "043 123 4567")
    assert ria.errors == [] and piet.errors == []
    ria.context.close()
    piet.context.close()


def test_place_a_location_by_clicking_on_the_map(browser, editor_server):
    url, engine = editor_server
    page = signed_in(browser, url, RIA)
    address = new_organisation(page, "Inloophuis Kaart")
    page.goto(address)
    page.click("text=Locatie toevoegen")
    page.wait_for_function("() => window.beheerKaart && window.beheerKaart.loaded()")
    page.fill("#veld-straat", "Markt")
    page.evaluate("() => window.beheerKaart.jumpTo({center: [5.6909, 50.8510], zoom: 15})")
    page.wait_for_function("() => window.beheerKaart.loaded()")
    page.locator("#plaatskaart").scroll_into_view_if_needed()
    box = page.locator("#plaatskaart").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "handmatig" in page.inner_text("#precisie")
    lon, lat = float(page.input_value("#veld-lon")), float(page.input_value("#veld-lat"))
    assert lon == pytest.approx(5.6909, abs=0.001) and lat == pytest.approx(50.8510, abs=0.001)
    page.click("button:has-text('Opslaan')")
    page.wait_for_selector("text=Locatie is toegevoegd.")
    assert "precisie: handmatig" in page.inner_text("#precisie")
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT geocode_precisie, gemeentecode FROM locatie WHERE straat = 'Markt'")
        ).one()
    assert tuple(row) == ("handmatig", "GM0935")
    assert axe_violations(page) == []
    shot(page, "beheer-locatie")
    assert page.errors == []
    page.context.close()


def test_keyboard_and_axe_on_list_and_edit_pages(browser, editor_server):
    url, _engine = editor_server
    page = signed_in(browser, url, RIA)
    address = new_organisation(page, "Toetsenbordhuis")
    page.goto("/beheer/organisaties?q=Toetsenbord")
    assert axe_violations(page) == []
    page.goto(address)
    assert axe_violations(page) == []
    # Tab to the name field, change it, and submit with Enter.
    page.focus("body")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "veld-naam":
            break
    else:
        pytest.fail("the name field is not reachable with Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Toetsenbordhuis Oost")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Organisatie is opgeslagen.")
    assert page.input_value("#veld-naam") == "Toetsenbordhuis Oost"
    page.goto("/beheer/organisaties/nieuw")
    page.click("button:has-text('Opslaan')")  # empty name: errors, still accessible
    page.wait_for_selector(".veldfout")
    assert axe_violations(page) == []
    assert page.errors == []
    page.context.close()


EDITOR_PAGES = (
    "/beheer",
    "/beheer/organisaties",
    "/beheer/organisaties/nieuw",
    "/beheer/wachtrijen",
    "/beheer/wachtrijen/meldingen",
    "/beheer/verificatie",
    "/beheer/actualiteit",
    "/beheer/gebruikers",
    "/beheer/api-sleutels",
)


def test_editor_pages_on_a_phone_axe_and_no_sideways_scroll(browser, editor_server):
    """Editors' pages are Dutch only; at 375 px they pass axe and fit the screen."""
    url, engine = editor_server
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM inlogpoging"))
        if not conn.execute(
            sa.text("SELECT 1 FROM gebruiker WHERE email = 'bea@example.nl'")
        ).first():
            create_user(conn, "bea@example.nl", "beheerder", PASSWORD, naam="Bea")
    page = signed_in(browser, url, "bea@example.nl", width=375)
    address = new_organisation(page, "Telefoonhuis")
    for path in (*EDITOR_PAGES, address.removeprefix(url)):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert axe_violations(page) == [], path
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 376 && !(e.parentElement && e.parentElement.closest('.tabel-rol')))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.id)"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, (path, wide)
    shot(page, "beheer-organisatie-375")
    assert page.errors == []
    page.context.close()

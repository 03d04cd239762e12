"""Verification and freshness pages in a real Chromium: axe, keyboard, the map, the popup."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.accounts import create_user
from geo.records import verification as vf
from server import create_app
from tests.browser.conftest import axe_violations, shot, wait_for_map
from tests.conftest import app_config, serve
from tests.geo.test_verification import seed
from tests.server.test_auth import PASSWORD

pytestmark = pytest.mark.browser
SECRET = "geheim-voor-de-browsertest"


@pytest.fixture(scope="module")
def site(databases, tmp_path_factory):
    engine = databases.create_with_areas()
    with engine.begin() as conn:
        seed(conn)
        create_user(conn, "baas@actualiteit.example", "beheerder", PASSWORD)
        _, requests = vf.start_round(
            conn, "GM0935", months=12, link_days=30, reminder_days=14, started_by="test"
        )
    tokens = [vf.make_token(SECRET, r.id) for r in requests]
    app = create_app(
        app_config(engine.url, SECRET_KEY=SECRET, MAIL_DIR=str(tmp_path_factory.mktemp("mail")))
    )
    with serve(app) as base:
        yield base, tokens
    engine.dispose()


def _page(browser, base):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        base_url=base,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _login(page):
    page.goto("/beheer/inloggen")
    page.fill("#email", "baas@actualiteit.example")
    page.fill("#wachtwoord", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/beheer")


def test_verification_page_axe_and_keyboard(browser, site):
    base, tokens = site
    page = _page(browser, base)
    page.goto(f"/verificatie/{tokens[0]}")
    assert page.locator("h1").inner_text().startswith("Kloppen de gegevens van")
    assert axe_violations(page) == []
    # The first answer is reachable with Tab and sent with Enter.
    button = page.get_by_role("button", name="Alles klopt")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Alles klopt":
            break
    assert button.evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Bedankt!")
    assert axe_violations(page) == []
    page.goto(f"/verificatie/{tokens[0]}")
    assert "al gebruikt" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    assert page.errors == []
    page.context.close()


def test_beheer_pages_axe_and_the_map_draws(browser, site):
    base, _ = site
    page = _page(browser, base)
    _login(page)
    page.goto("/beheer/verificatie")
    assert "Voortgang per ronde" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.goto("/beheer/actualiteit")
    wait_for_map(page)
    assert page.evaluate("window.actualiteitAantal") > 0
    assert axe_violations(page) == []
    box = page.locator("#kaart canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#gebied-details dl", timeout=10_000)
    assert "Openbaar aanbod" in page.locator("#gebied-details").inner_text()
    shot(page, "actualiteit")
    assert page.errors == []
    page.context.close()


def test_popup_says_mogelijk_verouderd(browser, site):
    base, _ = site
    page = _page(browser, base)
    page.goto("/")
    wait_for_map(page)
    today = dt.date.today().isoformat()
    assert page.evaluate("() => window.verouderd('2020-01-01', 12)") is True
    assert page.evaluate(f"() => window.verouderd('{today}', 12)") is False
    assert page.evaluate("() => window.verouderd(null, 12)") is True
    assert page.evaluate("() => window.verouderdGrens(1, new Date(2026, 2, 31))") == "2026-02-28"
    page.fill("#q", "Oud met mail")
    page.click("#zoekformulier button[type=submit]")
    page.wait_for_selector("#resultaten li button")
    page.locator("#resultaten li button").first.click()
    page.wait_for_selector(".maplibregl-popup .verouderd")
    popup = page.locator(".maplibregl-popup").inner_text()
    assert "Gecontroleerd op" in popup
    assert (
        "Mogelijk verouderd: deze gegevens zijn langer dan 12 maanden niet gecontroleerd." in popup
    )
    page.fill("#q", "Vers")
    page.click("#zoekformulier button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#resultaten li button')]"
        ".some((b) => b.textContent === 'Vers')"
    )
    page.locator("#resultaten li button", has_text="Vers").first.click()
    page.wait_for_selector(".maplibregl-popup:has-text('Spreekuur Vers')")
    assert "Mogelijk verouderd" not in page.locator(".maplibregl-popup").last.inner_text()
    assert page.errors == []
    page.context.close()

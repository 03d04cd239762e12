"""Residents' pages in Dutch and English in Chromium: axe at 375 px and desktop, the map's
scripts in English, the language switch that keeps the page (issue 16, points 7 and 9).

The browser's language (Playwright ``locale``, sent as Accept-Language) picks the page's
language, as it does for a resident who never touches the switch.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, shot, wait_for_map

pytestmark = pytest.mark.browser
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
PAGES = (
    "/",
    "/lijst?q=huisarts&gebied=Heerlen",
    "/lijst?q=xqzwv&gebied=Heerlan",
    "/hulp",
    "ORG",
    "/organisatie/999999999",
    "/print/WK091733",
    "/print?q=huisarts&gebied=Heerlen",
    "/print/Parkstad",
    "/aanmelden",
    "/aanmelden/nieuw",
    "/aanmelden/bedankt",
    "/verificatie/onzin",
)


def _org(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT organisatie_id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' "
                "ORDER BY id LIMIT 1"
            )
        ).scalar()


def _tab(browser, demo_server, language: str, width: int):
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        base_url=demo_server,
        locale=LOCALES[language],
        timezone_id="Europe/Amsterdam",
        is_mobile=width < 700,
        has_touch=width < 700,
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_residents_page_is_axe_clean(browser, demo_server, demo_engine, language, width):
    context, page = _tab(browser, demo_server, language, width)
    found = {}
    for path in PAGES:
        page.goto(f"/organisatie/{_org(demo_engine)}" if path == "ORG" else path)
        assert page.locator("html").get_attribute("lang") == language, path
        if path == "/":
            wait_for_map(page)
        found[path] = axe_violations(page)
        if width == 375:
            overflow = page.evaluate("() => document.documentElement.scrollWidth")
            assert overflow <= 375, (path, overflow)
    assert {p: v for p, v in found.items() if v} == {}
    assert page.errors == []
    context.close()


def test_the_map_speaks_english(browser, demo_server):
    context, page = _tab(browser, demo_server, "en", 1280)
    page.goto("/?q=huisarts&gebied=Heerlen")
    wait_for_map(page)
    page.wait_for_function(
        "() => /We found \\d+ place/.test(document.getElementById('zoekstatus').textContent)"
    )
    for name in ("Zoom in", "Zoom out", "Turn the map back with north at the top"):
        assert page.get_by_role("button", name=name).count(), name
    assert "Move it with the arrow keys" in page.locator("canvas").get_attribute("aria-label")
    assert page.get_by_role("option", name="Everyone").count() == 1
    assert page.locator(".legenda").get_by_text("Care and support").is_visible()
    page.locator("#resultaten button").first.click()
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert not any(
        d in text for d in ("Nu open", "Nu gesloten", "Gecontroleerd", "Bel ", "Sluiten")
    )
    assert page.get_by_role("button", name="Close").count()
    shot(page, "kaart-engels")
    status = page.locator("#zoekstatus").inner_text()
    assert "We vonden" not in status
    page.goto("/?q=xqzwv&gebied=Heerlan")  # finds nothing: no points, so no "klaar" either
    expect(page.locator("#zoekstatus")).to_contain_text("We do not know", timeout=30_000)
    assert page.locator("#zoeksuggesties").get_attribute("aria-label") == "Try this"
    assert page.errors == []
    context.close()


def test_switch_keeps_the_page_and_the_search(browser, demo_server):
    context, page = _tab(browser, demo_server, "nl", 1280)
    page.goto("/lijst?q=huisarts&gebied=Heerlen")
    link = page.get_by_role("link", name="English")
    assert link.get_attribute("lang") == "en"
    link.click()
    page.wait_for_url("**/lijst?q=huisarts&gebied=Heerlen")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Find help in a list").is_visible()
    page.goto("/hulp")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    back = page.get_by_role("link", name="Nederlands")
    assert back.get_attribute("lang") == "nl"
    back.click()
    page.wait_for_url("**/hulp")
    assert page.get_by_role("heading", name="Hoe werkt de sociale kaart?").is_visible()
    context.close()


def test_english_pdf_of_a_search(browser, demo_server):
    context, page = _tab(browser, demo_server, "en", 1280)
    answer = page.request.get(
        demo_server + "/print.pdf?q=huisarts&gebied=Heerlen", headers={"Accept-Language": "en"}
    )
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(answer.body())).pages)
    assert "Social map: huisarts in Heerlen" in " ".join(text.split())
    assert "Gemaakt op" not in text and "Made on" in text
    context.close()

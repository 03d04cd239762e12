"""The residents' journey in a real Chromium: map, theme toggle, search, result, list, print."""

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import axe_violations, shot, wait_for_map

pytestmark = pytest.mark.browser


def test_map_loads_themes_offline(page, demo_server):
    outside = []
    local = (demo_server, "blob:" + demo_server, "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto("/")
    wait_for_map(page)
    counts = page.evaluate("window.kaartTellingen")
    assert len(counts) == 10 and all(n > 0 for n in counts.values())
    assert outside == [] and page.errors == []
    shot(page, "kaart")


def test_theme_toggle_hides_its_layers(page):
    page.goto("/")
    wait_for_map(page)
    box = page.get_by_role("checkbox", name="Vervoer")
    box.uncheck()
    assert page.evaluate("window.socialeKaart.getLayoutProperty('punt-vervoer', 'visibility')") \
        == "none"
    box.check()
    assert page.evaluate("window.socialeKaart.getLayoutProperty('punt-vervoer', 'visibility')") \
        == "visible"


def test_search_huisarts_in_heerlen_and_open_a_result(page, demo_engine):
    page.goto("/")
    wait_for_map(page)
    page.get_by_label("Wat zoekt u?").fill("huisarts")
    page.get_by_label("Waar?").fill("Heerlen")
    page.get_by_role("button", name="Zoeken").click()
    status = page.locator("#zoekstatus")
    page.wait_for_function("/We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)")
    total = int(re.search(r"We vonden (\d+)", status.inner_text())[1])
    assert total > 0
    assert "q=huisarts" in page.url and "gebied=Heerlen" in page.url
    shot(page, "zoeken-huisarts-heerlen")
    first = page.locator("#resultaten li button").first
    name = first.inner_text()
    first.click()
    page.wait_for_selector(".maplibregl-popup .popup-naam")
    page.locator(".maplibregl-popup .popup-naam").click()
    page.wait_for_url(re.compile(r"/organisatie/\d+"))
    assert page.locator("h1").inner_text().strip() == name
    shot(page, "organisatie")
    page.go_back()
    page.wait_for_function("/We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)")
    assert page.get_by_label("Wat zoekt u?").input_value() == "huisarts"


def test_back_button_restores_the_previous_search(page):
    page.goto("/")
    wait_for_map(page)
    for word in ("huisarts", "buurthuis"):
        page.get_by_label("Wat zoekt u?").fill(word)
        page.get_by_role("button", name="Zoeken").click()
        page.wait_for_url(re.compile(f"q={word}"))
    page.go_back()
    page.wait_for_url(re.compile("q=huisarts"))
    assert page.get_by_label("Wat zoekt u?").input_value() == "huisarts"


def test_list_view_works_without_javascript(browser, demo_server):
    context = browser.new_context(java_script_enabled=False, base_url=demo_server)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Wat zoekt u?").fill("huisarts")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"/lijst\?"))
    assert page.locator("main li").count() > 0
    shot(page, "lijst-zonder-javascript")
    context.close()


def test_print_page_and_pdf(page, demo_server):
    page.goto("/print/WK091733")
    assert page.locator("svg circle").count() > 0
    shot(page, "print-wk091733")
    response = page.request.get(demo_server + "/print/WK091733.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_keyboard_reaches_search_results_with_visible_focus(page):
    page.goto("/")
    wait_for_map(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.get_by_label("Wat zoekt u?").focus()
    page.keyboard.type("buurthuis")
    page.keyboard.press("Enter")
    page.wait_for_selector("#resultaten li button")
    page.locator("#resultaten li button").first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_phone_width_has_no_horizontal_scroll(browser, demo_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=demo_server,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    for path in ("/", "/lijst?q=huisarts", "/hulp"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    shot(page, "mobiel-hulp")
    context.close()


def _org_and_area(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT organisatie_id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' "
            "ORDER BY id LIMIT 1")).scalar()


@pytest.mark.parametrize("path", ["/", "/lijst?q=huisarts&gebied=Heerlen", "/hulp",
                                  "ORG", "/print/WK091733"])
def test_no_accessibility_violations(page, demo_engine, path):
    page.goto(f"/organisatie/{_org_and_area(demo_engine)}" if path == "ORG" else path)
    if path == "/":
        wait_for_map(page)
    assert axe_violations(page) == []

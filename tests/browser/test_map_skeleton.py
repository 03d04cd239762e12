"""The map page in a real Chromium (Debian's, driven by Playwright): outlines draw offline."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the background-networking flags Chromium tries Google hosts on this closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_map_draws_area_outlines_without_internet(browser, live_server):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    outside = []
    local = (live_server, "blob:" + live_server, "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/")
    page.wait_for_function(
        "window.socialeKaart && window.socialeKaart.loaded() && "
        "window.socialeKaart.querySourceFeatures('gemeente').length > 0", timeout=30_000)
    gemeenten = page.evaluate(
        "new Set(window.socialeKaart.querySourceFeatures('gemeente')"
        ".map(f => f.properties.code)).size")
    assert gemeenten == 16
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kaart-skeleton.png"))
    assert outside == [] and errors == []
    page.close()


def test_clicking_the_map_names_the_buurt(browser, live_server):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(live_server + "/")
    page.wait_for_function(
        "window.socialeKaart && window.socialeKaart.loaded() && "
        "window.socialeKaart.querySourceFeatures('buurt').length > 0", timeout=30_000)
    # Zoom to the Markt of Maastricht and click the centre of the map.
    page.evaluate("window.socialeKaart.jumpTo({center: [5.6913, 50.8514], zoom: 14})")
    page.wait_for_function("window.socialeKaart.loaded()")
    box = page.locator("#kaart").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    info = page.locator("#gebied-info")
    assert "gemeente Maastricht" in info.inner_text()
    assert "buurt" in info.inner_text()
    page.close()


def test_layer_toggle_is_keyboard_operable(browser, live_server):
    page = browser.new_page()
    page.goto(live_server + "/")
    page.wait_for_function("window.socialeKaart && window.socialeKaart.loaded()", timeout=30_000)
    box = page.locator('input[value="wijk"]')
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    visibility = page.evaluate(
        "window.socialeKaart.getLayoutProperty('wijk-lijn', 'visibility')")
    assert visibility == "none"
    page.close()

"""The advisers' coverage page in a real Chromium: map with areas, area details, axe, phone."""


import pytest

from tests.browser.conftest import ARTIFACTS, axe_violations

pytestmark = pytest.mark.browser
URL = "/dekking?thema=meedoen-ontmoeten&doelgroep=iedereen&niveau=buurt"


@pytest.fixture(scope="module")
def dekking_server(demo_server):
    return demo_server


def shot(page, name: str) -> None:
    """The visible part only: the full table makes a full-page image far too tall."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_page(browser, base, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=base,
                                  locale="nl-NL")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(URL)
    page.wait_for_function("() => document.getElementById('kaart').dataset.klaar === 'ja'",
                           timeout=30_000)
    return page


def test_map_shows_areas_and_click_shows_sentence(browser, dekking_server):
    outside = []
    page = open_page(browser, dekking_server)
    page.on("request", lambda r: None if r.url.startswith((dekking_server, "data:", "blob:"))
            else outside.append(r.url))
    rows = page.locator("#gebiedentabel tbody tr").count()
    assert page.evaluate("window.dekkingAantal") == rows > 0
    # Click the middle of the map: an area there shows its name and sentence.
    box = page.locator("#kaart canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('#gebied-details dl') !== null")
    name = page.locator("#details-titel").inner_text()
    row = page.locator("#gebiedentabel tbody tr", has=page.locator(f"th >> text='{name}'"))
    assert page.locator("#gebied-details .zin").inner_text() == row.locator(".zin").inner_text()
    assert page.errors == [] and outside == []
    shot(page, "dekking")
    page.context.close()


def test_keyboard_choice_from_table_and_axe(browser, dekking_server):
    page = open_page(browser, dekking_server)
    link = page.locator("#gebiedentabel tbody tr th a").first
    name = link.inner_text()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#gebied-details dl') !== null")
    assert page.locator("#details-titel").inner_text() == name
    assert "gebied=" in page.url
    sentence = page.locator("#gebiedentabel tbody tr").first.locator(".zin").inner_text()
    assert page.locator("#gebied-details .zin").inner_text() == sentence
    assert axe_violations(page) == []
    page.context.close()


def test_phone_width_without_horizontal_scroll(browser, dekking_server):
    page = open_page(browser, dekking_server, width=375, height=812)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
    shot(page, "dekking-375")
    page.context.close()


def test_page_works_without_javascript(browser, dekking_server):
    context = browser.new_context(java_script_enabled=False, base_url=dekking_server)
    page = context.new_page()
    page.goto("/dekking")
    page.get_by_label("Gebieden").select_option("wijk")
    page.get_by_role("button", name="Toon dekking").click()
    page.wait_for_url("**niveau=wijk**")
    first = page.locator("#gebiedentabel tbody tr th a").first
    name = first.inner_text()
    first.click()
    assert page.locator("#details-titel").inner_text() == name
    context.close()

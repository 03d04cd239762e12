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
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=base, locale="nl-NL"
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(URL)
    page.wait_for_function(
        "() => document.getElementById('kaart').dataset.klaar === 'ja'", timeout=30_000
    )
    return page


def test_map_shows_areas_and_click_shows_sentence(browser, dekking_server):
    outside = []
    page = open_page(browser, dekking_server)
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((dekking_server, "data:", "blob:")) else outside.append(r.url)
        ),
    )
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


# --- the short list of one gemeente (/dekking?gemeente=…) ---


def open_gemeente(browser, base, width=1280, height=900, **options):
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=base, locale="nl-NL", **options
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto("/dekking?gemeente=GM0928")
    return page


def test_gemeente_chooser_works_without_javascript(browser, dekking_server):
    context = browser.new_context(java_script_enabled=False, base_url=dekking_server)
    page = context.new_page()
    page.goto("/dekking")
    page.get_by_label("Gemeente").select_option(label="Kerkrade")
    page.get_by_label("Voor wie?").select_option("ouderen")
    page.get_by_role("button", name="Toon dekking").click()
    page.wait_for_url("**gemeente=GM0928**")
    assert "doelgroep=ouderen" in page.url
    assert page.locator("#rapport-titel").inner_text().startswith("Korte lijst voor Kerkrade")
    assert page.locator("#matrix-titel").is_visible()
    link = page.locator("#matrix td a").first
    if link.count():  # a marked cell leads to its reason
        target = link.get_attribute("href")
        link.click()
        assert page.url.endswith(target)
        assert page.locator(f"{target} .zin").is_visible()
    context.close()


def test_gemeente_page_axe_and_phone(browser, dekking_server):
    page = open_gemeente(browser, dekking_server)
    started = page.evaluate("performance.getEntriesByType('navigation')[0].duration")
    print(f"\n/dekking?gemeente=GM0928 loaded in {started:.0f} ms")
    assert axe_violations(page) == []
    assert page.errors == []
    shot(page, "dekking-gemeente")
    page.context.close()
    phone = open_gemeente(browser, dekking_server, width=375, height=812)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert (
        phone.locator("#gemeente").is_visible()
        and phone.locator(".kaartjes svg").first.is_visible()
    )
    assert axe_violations(phone) == []
    shot(phone, "dekking-gemeente-375")
    phone.context.close()


def test_printing_the_page_gives_the_short_list(browser, dekking_server):
    page = open_gemeente(browser, dekking_server)
    page.emulate_media(media="print")
    for hidden in ("header.site", ".dekking-form", ".downloads", "footer.site"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.locator("#matrix-titel").is_visible()
    assert page.locator(".kaartjes svg").count() == page.locator(".rapport-thema").count() > 0
    names = page.locator(".rangorde .naam").all_inner_texts()
    assert all(
        page.locator(".rangorde .naam").nth(i).is_visible() for i in range(min(3, len(names)))
    )
    pdf = page.pdf(format="A4")
    from io import BytesIO

    from pypdf import PdfReader

    print(
        f"\nprinting /dekking?gemeente=GM0928 from Chromium: {len(PdfReader(BytesIO(pdf)).pages)} pages"
    )
    page.context.close()

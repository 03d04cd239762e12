"""The residents' map in Chromium: names by zoom, phone layout, popups, keyboard, no JavaScript.

Issue 16, points 3, 5 and 6. Every test runs under the real Content-Security-Policy (see
conftest); the demo data is only read.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, shot, wait_for_map

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, demo_server):
    context = browser.new_context(
        viewport=PHONE,
        base_url=demo_server,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        has_touch=True,
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _jump(page, lon: float, lat: float, zoom: float) -> None:
    page.evaluate(f"() => window.socialeKaart.jumpTo({{center: [{lon}, {lat}], zoom: {zoom}}})")
    page.wait_for_function("() => window.socialeKaart.loaded() && !window.socialeKaart.isMoving()")


def _names(page, layer: str) -> list[str]:
    page.wait_for_function(f"() => window.socialeKaart.getLayer('{layer}')")
    page.wait_for_function("() => window.socialeKaart.loaded()")
    return page.evaluate(f"""() => window.socialeKaart.queryRenderedFeatures(
        {{layers: ['{layer}']}}).map((f) => f.properties.naam)""")


def _xy(page, lon: float, lat: float) -> tuple[float, float]:
    """Map-relative pixel position of a coordinate."""
    return page.evaluate(f"""() => {{ const p = window.socialeKaart.project([{lon}, {lat}]);
        return [p.x, p.y]; }}""")


def _place_with_phone(page, demo_server) -> tuple[float, float]:
    """Position of a place whose first service has a phone number and known hours."""
    for ids, lon, lat, _ in page.request.get(demo_server + "/kaart/punten.json").json():
        d = page.request.get(f"{demo_server}/kaart/plek/{ids[0]}.json").json()["diensten"][0]
        if d["telefoon"] and d["open_nu"] is not None:
            return lon, lat
    raise AssertionError("no place with a phone number and opening hours in the demo")


def _on_top(page, target) -> bool:
    """Whether the middle of ``target`` is inside the popup (nothing lies over it)."""
    b = target.bounding_box()
    return page.evaluate(
        f"""() => !!document.elementFromPoint({b["x"] + b["width"] / 2},
            {b["y"] + b["height"] / 2}).closest('.maplibregl-popup')"""
    )


def _place(page, demo_server, at_least: int = 1) -> tuple[list[int], float, float]:
    """A place with at least ``at_least`` services, from the map's own points list."""
    points = page.request.get(demo_server + "/kaart/punten.json").json()
    return next((ids, lon, lat) for ids, lon, lat, _ in points if len(ids) >= at_least)


def test_names_by_zoom_drawn_offline(page, demo_server, demo_engine):
    """Gemeente names at the first view, wijk and buurt names closer in, streets closest.

    The letters come from the device's font (no glyph requests, nothing from elsewhere)."""
    outside = []
    local = (demo_server, "blob:" + demo_server, "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto("/")
    wait_for_map(page)
    page.wait_for_function(
        "() => window.socialeKaart.getZoom() < 11.5 && window.socialeKaart.getLayer('naam-gemeente')"
    )
    page.wait_for_function("""() => window.socialeKaart.queryRenderedFeatures(
        {layers: ['naam-gemeente']}).length >= 5""")
    gemeenten = _names(page, "naam-gemeente")
    assert len(set(gemeenten)) >= 8 and "Maastricht" in gemeenten
    assert _names(page, "naam-buurt") == []  # not at this zoom
    # Heerlen centre: woonplaats and wijk names at 12.5, buurt names at 14.5, streets at 16.
    _jump(page, 5.98, 50.886, 12.5)
    assert _names(page, "naam-wijk") and _names(page, "naam-woonplaats")
    _jump(page, 5.98, 50.886, 14.5)
    assert _names(page, "naam-buurt")
    with demo_engine.connect() as conn:
        import sqlalchemy as sa

        lon, lat, straat = conn.execute(
            sa.text(
                "SELECT ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326)), straat "
                "FROM adres WHERE straat IS NOT NULL ORDER BY postcode, huisnummer LIMIT 1"
            )
        ).one()
    _jump(page, lon, lat, 16.5)
    page.wait_for_function("""() => window.socialeKaart.queryRenderedFeatures(
        {layers: ['naam-straat']}).length > 0""")
    assert _names(page, "naam-straat")
    assert outside == [] and page.errors == []
    shot(page, "kaart-straatnamen")


def test_one_marker_per_place_lists_its_services(page, demo_server):
    ids, lon, lat = _place(page, demo_server, at_least=2)
    page.goto("/")
    wait_for_map(page)
    _jump(page, lon, lat, 17)
    drawn = page.evaluate(f"""() => window.socialeKaart.queryRenderedFeatures({{layers: ['punt']}})
        .filter((f) => f.id === {ids[0]}).length""")
    assert drawn == 1  # one marker, not one per service
    kaart = page.locator("#kaart").bounding_box()
    x, y = _xy(page, lon, lat)
    page.mouse.click(kaart["x"] + x, kaart["y"] + y)
    page.wait_for_selector(".maplibregl-popup .popup-naam")
    services = page.locator(".maplibregl-popup li").count()
    assert services == len(ids)


def test_popup_on_a_phone_phone_open_now_link_and_a_big_close_button(phone, demo_server):
    page = phone
    page.goto("/")
    wait_for_map(page)
    # The toggle is in the first view and puts the map there at once.
    toggle = page.get_by_role("button", name="Kaart", exact=True)
    assert toggle.bounding_box()["y"] < PHONE["height"]
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    kaart = page.locator("#kaart").bounding_box()
    assert 0 <= kaart["y"] < 120 and kaart["y"] + kaart["height"] <= PHONE["height"] + 1
    assert kaart["height"] > 0.75 * PHONE["height"]
    # A place with a phone number, near the bottom of the screen (where the attribution is).
    lon, lat = _place_with_phone(page, demo_server)
    # The place 40 px above the map's bottom edge, where the attribution is.
    _jump(page, lon, lat, 17)
    page.evaluate("""() => { const m = window.socialeKaart;
        m.panBy([0, -(m.getCanvas().clientHeight / 2 - 40)], {duration: 0}); }""")
    page.wait_for_function("() => window.socialeKaart.loaded() && !window.socialeKaart.isMoving()")
    x, y = _xy(page, lon, lat)
    page.mouse.click(kaart["x"] + x, kaart["y"] + y)
    popup = page.locator(".maplibregl-popup")
    popup.locator(".popup-naam").wait_for()
    assert popup.locator("a.popup-telefoon").get_attribute("href").startswith("tel:")
    assert popup.get_by_text("Nu open").or_(popup.get_by_text("Nu gesloten")).count() > 0
    assert popup.locator(".popup-naam").get_attribute("href").startswith("/organisatie/")
    close = page.get_by_role("button", name="Sluiten")
    size = close.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44
    # Nothing lies over the close button or the popup's link: the attribution is under it.
    page.wait_for_timeout(100)
    for target in (close, popup.locator(".popup-naam"), popup.locator("a.popup-telefoon")):
        assert _on_top(page, target)
    attribution = page.locator(".maplibregl-ctrl-attrib").bounding_box()
    p = popup.bounding_box()
    overlap_y = p["y"] + p["height"] > attribution["y"] and attribution["y"] + 1 > p["y"]
    overlap_x = p["x"] + p["width"] > attribution["x"]
    assert not (overlap_x and overlap_y)
    shot(page, "kaart-telefoon-popup")
    page.keyboard.press("Escape")
    assert popup.count() == 0
    assert page.errors == []


def test_keyboard_opens_a_point_from_the_list_in_view(page):
    page.goto("/")
    wait_for_map(page)
    page.evaluate("() => window.socialeKaart.jumpTo({center: [5.98, 50.886], zoom: 15})")
    summary = page.locator(".in-beeld summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#in-beeld-lijst button').length > 0")
    count = int(page.locator("#in-beeld-aantal").inner_text().strip("()"))
    assert count > 0
    first = page.locator("#in-beeld-lijst button").first
    first.focus()
    page.keyboard.press("Enter")
    page.locator(".maplibregl-popup .popup-naam").wait_for()
    # Focus moved into the popup; Escape closes it and gives the focus back.
    assert page.evaluate("() => !!document.activeElement.closest('.maplibregl-popup')")
    page.keyboard.press("Escape")
    assert page.locator(".maplibregl-popup").count() == 0
    assert page.evaluate("() => document.activeElement.closest('#in-beeld-lijst') !== null")
    assert page.errors == []


def test_controls_in_dutch_targets_big_enough_one_iedereen(page):
    page.goto("/")
    wait_for_map(page)
    for name in ("Inzoomen", "Uitzoomen"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    assert page.get_by_role("button", name="Draai de kaart terug met het noorden boven").count()
    labels = page.evaluate("""() => [...document.querySelectorAll('#kaart [aria-label], #kaart [title]')]
        .map((e) => (e.getAttribute('aria-label') || '') + ' ' + (e.title || ''))""")
    assert not [x for x in labels if any(w in x for w in ("Zoom in", "Zoom out", "Toggle", "Map"))]
    for box in page.locator(".legenda input[type=checkbox]").all():
        if box.is_visible():
            b = box.bounding_box()
            assert b["width"] >= 24 and b["height"] >= 24
    options = page.locator("#doelgroep-keuze option").all_inner_texts()
    assert options.count("Iedereen") == 1
    assert page.errors == []


def test_without_javascript_the_map_points_to_the_list(browser, demo_server):
    context = browser.new_context(base_url=demo_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    message = page.locator("#kaart .zonder-js")
    assert message.is_visible()
    assert "JavaScript" in message.inner_text()
    assert message.get_by_role("link").get_attribute("href") == "/lijst"
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_map_page_axe_clean(browser, demo_server, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, base_url=demo_server, locale="nl-NL"
    )
    page = context.new_page()
    page.goto("/")
    wait_for_map(page)
    if width == 375:
        page.get_by_role("button", name="Kaart", exact=True).click()
    page.evaluate("() => window.socialeKaart.jumpTo({center: [5.98, 50.886], zoom: 15})")
    page.locator(".in-beeld summary").click() if width > 700 else None
    assert axe_violations(page) == []
    context.close()

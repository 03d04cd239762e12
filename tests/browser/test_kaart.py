"""The residents' journey in a real Chromium: map, theme toggle, search, result, list, print."""

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import axe_violations, shot, wait_for_map

pytestmark = pytest.mark.browser
POINT_LAYERS = ["punt", "groep"]


def test_map_loads_themes_offline(page, demo_server):
    outside = []
    local = (demo_server, "blob:" + demo_server, "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto("/")
    wait_for_map(page)
    counts = page.evaluate("window.kaartTellingen")
    assert len(counts) == 10 and all(n > 0 for n in counts.values())
    # The mark is honest: at that moment service points are drawn on the map.
    assert (
        page.evaluate(
            f"window.socialeKaart.queryRenderedFeatures({{layers: {POINT_LAYERS}}}).length"
        )
        > 0
    )
    page.wait_for_function(
        "() => window.socialeKaart.getLayer('punt-icoon') && "
        "window.socialeKaart.hasImage('thema-vervoer')"
    )
    assert outside == [] and page.errors == []
    shot(page, "kaart")


def test_map_points_are_the_published_services(page, demo_server):
    """The compact list the map draws holds exactly the public OGC services, same places."""
    points = page.request.get(demo_server + "/kaart/punten.json").json()
    items = page.request.get(
        demo_server + "/ogc/collections/voorzieningen/items?limit=10000",
        headers={"Accept": "application/geo+json"},
    ).json()["features"]
    assert sorted(i for p in points for i in p[0]) == sorted(f["id"] for f in items)
    published = {f["id"]: f for f in items}
    for ids, lon, lat, themas in points:  # one entry per place, listing its services
        for id_ in ids:
            coordinates = published[id_]["geometry"]["coordinates"]
            assert [lon, lat] == pytest.approx(coordinates, abs=2e-6)
            assert set(published[id_]["properties"]["thema"].split("; ")) <= set(themas)


def test_theme_toggle_hides_its_points(page):
    page.goto("/")
    wait_for_map(page)
    box = page.get_by_role("checkbox", name="Vervoer")
    box.uncheck()
    assert page.evaluate("window.kaartTellingen.vervoer") == 0
    page.wait_for_function(f"""() => window.socialeKaart.queryRenderedFeatures(
        {{layers: {POINT_LAYERS}}}).every((f) => f.properties.thema !== 'vervoer')""")
    box.check()
    assert page.evaluate("window.kaartTellingen.vervoer") > 0
    box.focus()
    page.keyboard.press("Space")  # the legend works with the keyboard too
    assert not box.is_checked() and page.evaluate("window.kaartTellingen.vervoer") == 0


def test_cluster_click_zooms_in_and_point_click_shows_details(page, demo_server):
    page.goto("/")
    wait_for_map(page)
    start = page.evaluate("window.socialeKaart.getZoom()")
    page.mouse.click(*_screen_point(page, "groep"))
    page.wait_for_function(f"() => window.socialeKaart.getZoom() > {start}")
    _, lon, lat, _ = page.request.get(demo_server + "/kaart/punten.json").json()[0]
    page.evaluate(f"window.socialeKaart.jumpTo({{center: [{lon}, {lat}], zoom: 16}})")
    page.wait_for_function("""() => window.socialeKaart.loaded() && window.socialeKaart
        .queryRenderedFeatures({layers: ['punt']}).length > 0""")
    page.mouse.click(*_screen_point(page, "punt"))
    page.wait_for_selector(".maplibregl-popup .popup-naam")
    assert (
        page.locator(".maplibregl-popup .popup-naam")
        .get_attribute("href")
        .startswith("/organisatie/")
    )
    assert page.errors == []


def _screen_point(page, layer: str) -> tuple[float, float]:
    """Page coordinates of the rendered feature of a map layer nearest the map's centre."""
    x, y = page.evaluate(f"""() => {{
        const map = window.socialeKaart, c = map.project(map.getCenter());
        const xy = map.queryRenderedFeatures({{layers: ['{layer}']}})
            .map((f) => map.project(f.geometry.coordinates));
        xy.sort((a, b) => a.dist(c) - b.dist(c));
        return [xy[0].x, xy[0].y]; }}""")
    box = page.locator("#kaart").bounding_box()
    return box["x"] + x, box["y"] + y


def test_online_basemap_setting_draws_pdok_under_the_points(page, demo_app, monkeypatch):
    monkeypatch.setitem(demo_app.config, "ONLINE_BASEMAP", True)
    asked = []
    page.route(
        "https://service.pdok.nl/**", lambda route: (asked.append(route.request.url), route.abort())
    )
    page.goto("/")
    wait_for_map(page)
    layers = page.evaluate("window.socialeKaart.getStyle().layers.map((l) => l.id)")
    assert "brt" in layers and "gemeente-vlak" not in layers
    assert layers.index("brt") < layers.index("punt") and asked


def test_search_huisarts_in_heerlen_and_open_a_result(page, demo_engine):
    page.goto("/")
    wait_for_map(page)
    page.get_by_label("Wat zoekt u?").fill("huisarts")
    page.get_by_label("Waar?").fill("Heerlen")
    page.get_by_role("button", name="Zoeken").click()
    status = page.locator("#zoekstatus")
    page.wait_for_function(
        "() => /We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)"
    )
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
    page.wait_for_function(
        "() => /We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)"
    )
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
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, base_url=demo_server, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    for path in ("/", "/lijst?q=huisarts", "/hulp"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    shot(page, "mobiel-hulp")
    context.close()


def _org_and_area(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT organisatie_id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' "
                "ORDER BY id LIMIT 1"
            )
        ).scalar()


@pytest.mark.parametrize(
    "path", ["/", "/lijst?q=huisarts&gebied=Heerlen", "/hulp", "ORG", "/print/WK091733"]
)
def test_no_accessibility_violations(page, demo_engine, path):
    page.goto(f"/organisatie/{_org_and_area(demo_engine)}" if path == "ORG" else path)
    if path == "/":
        wait_for_map(page)
    assert axe_violations(page) == []

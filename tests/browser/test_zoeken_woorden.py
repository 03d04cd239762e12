"""Residents' words on the map page in a real Chromium (issue 16): 'thuiszorg' in Heerlen,
the everyday name 'Maastricht-West', clickable suggestions when nothing is found, a
"Bedoelt u ...?" link for a misspelt place, area names offered while typing; axe 0."""

import re

import pytest

from tests.browser.conftest import axe_violations, shot, wait_for_map

pytestmark = pytest.mark.browser
FOUND = "() => /We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)"
NOTHING = "() => /We vonden niets/.test(document.getElementById('zoekstatus').textContent)"


def search(page, q: str, gebied: str = "") -> None:
    page.get_by_label("Wat zoekt u?").fill(q)
    page.get_by_label("Waar?").fill(gebied)
    page.get_by_role("button", name="Zoeken").click()


def test_thuiszorg_in_heerlen_finds_home_care(page):
    page.goto("/")
    wait_for_map(page)
    search(page, "thuiszorg", "Heerlen")
    page.wait_for_function(FOUND)
    first = page.locator("#resultaten li").first.inner_text().lower()
    assert re.search(r"buurtzorg|wijkverpleging|verzorging|huishoudelijke", first)
    assert "q=thuiszorg" in page.url and page.errors == []


def test_maastricht_west_is_understood(page):
    page.goto("/?q=huisarts&gebied=Maastricht-West")
    wait_for_map(page)
    page.wait_for_function(FOUND)
    assert "Maastricht" in page.locator("#resultaten li").first.inner_text()
    assert page.errors == []


def test_nothing_found_offers_links_that_search_again(page):
    page.goto("/")
    wait_for_map(page)
    search(page, "tandarts", "Heerlen")
    page.wait_for_function(NOTHING)
    suggestions = page.locator("#zoeksuggesties a")
    assert suggestions.count() >= 2
    nearby = page.locator("#zoeksuggesties a[data-soort='gebied']")
    assert nearby.inner_text() == "Maastricht"
    shot(page, "zoeken-suggesties")
    assert axe_violations(page) == []
    nearby.focus()
    page.keyboard.press("Enter")  # a link works by keyboard, and searches on the map
    page.wait_for_function(FOUND)
    assert page.get_by_label("Waar?").input_value() == "Maastricht"
    assert "gebied=Maastricht" in page.url
    assert page.locator("#zoeksuggesties a").count() == 0
    page.go_back()
    page.wait_for_function(NOTHING)


def test_did_you_mean_a_place_is_a_link(page):
    page.goto("/")
    wait_for_map(page)
    search(page, "huisarts", "Heerlan")
    page.wait_for_function(NOTHING)
    status = page.locator("#zoekstatus").inner_text()
    assert "We kennen de plaats 'Heerlan' niet." in status and "Bedoelt u" not in status
    link = page.get_by_role("link", name="Heerlen", exact=True)
    assert "Bedoelt u" in page.locator("#zoeksuggesties").inner_text()
    link.click()
    page.wait_for_function(FOUND)
    assert page.get_by_label("Waar?").input_value() == "Heerlen"


def test_the_where_field_offers_everyday_area_names(page):
    page.goto("/")
    wait_for_map(page)
    page.get_by_label("Waar?").focus()
    page.wait_for_function("() => document.querySelectorAll('#gebied-namen option').length > 100")
    names = page.eval_on_selector_all("#gebied-namen option", "os => os.map((o) => o.value)")
    assert {"Maastricht-West", "Parkstad", "Heerlen", "Hoensbroek"} <= set(names)
    assert page.get_by_label("Waar?").get_attribute("list") == "gebied-namen"
    assert axe_violations(page) == []

"""/aanmelden in Chromium: usable with the keyboard only, honeypot out of reach, 0 axe
violations on the public pages and on the editors' queue pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server import create_app
from tests.browser.conftest import axe_violations
from tests.conftest import app_config, serve
from tests.server.test_aanmelden import SECRET, make_engine_with_records
from tests.server.test_auth import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(databases, tmp_path_factory):
    engine = make_engine_with_records(databases)
    app = create_app(
        app_config(engine.url, SECRET_KEY=SECRET, MAIL_DIR=str(tmp_path_factory.mktemp("mail")))
    )
    with serve(app) as url:
        yield url, engine
    engine.dispose()


@pytest.fixture
def tab(browser, site):
    context = browser.new_context(base_url=site[0], locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def test_form_by_keyboard_only(tab, site):
    _, engine = site
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))
    tab.goto("/aanmelden")
    assert axe_violations(tab) == []
    tab.goto("/aanmelden/nieuw")
    assert axe_violations(tab) == []
    values = {
        "v-naam": "Buurtkamer Toetsenbord",
        "v-locaties-0-huisnummer": "12",
        "v-locaties-0-postcode": "6411AB",
        "v-contact_email": "toets@example.nl",
    }
    seen = []
    for _ in range(80):
        tab.keyboard.press("Tab")
        focused = _focused(tab)
        seen.append(focused)
        if focused in values:
            tab.keyboard.type(values[focused])
        # the first theme checkbox: ticked with the space bar
        if tab.evaluate("() => document.activeElement.name") == "aanbod-0-themas":
            if not tab.evaluate("() => document.activeElement.checked"):
                tab.keyboard.press("Space")
        if tab.evaluate("() => document.activeElement.type") == "submit":
            break
    assert "v-homepage" not in seen  # the honeypot is never reached
    assert set(values) <= set(seen)
    tab.wait_for_timeout(3200)  # the form refuses what is sent within 3 seconds
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/aanmelden/bedankt")
    assert "Bedankt" in tab.inner_text("h1")
    assert axe_violations(tab) == []
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT gegevens ->> 'naam' FROM aanmelding WHERE email = 'toets@example.nl'")
        ).scalar()
    assert stored == "Buurtkamer Toetsenbord"


def test_errors_and_queue_pages_have_no_axe_violations(tab, site):
    tab.goto("/aanmelden/nieuw")
    tab.wait_for_timeout(3100)
    tab.click("button[type=submit]")
    tab.wait_for_selector(".fout-blok")
    assert axe_violations(tab) == []
    tab.goto("/beheer/inloggen")
    tab.fill("#email", "redactie@example.nl")
    tab.fill("#wachtwoord", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/beheer")
    for path in ("/beheer", "/beheer/wachtrijen", "/beheer/wachtrijen/aanmeldingen"):
        tab.goto(path)
        assert axe_violations(tab) == [], path
    link = tab.locator("table.wachtrij a").first
    link.click()
    tab.wait_for_selector("table.vergelijking")
    assert axe_violations(tab) == []

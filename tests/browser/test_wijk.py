"""The wijkteam journey in a real Chromium: a professional signs in, opens their wijk, finds
the buurtteam and a professional-only contact, prints the PDF; anonymous sees nothing of it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import axe_violations, shot
from tests.conftest import serve
from tests.server.test_auth import PASSWORD
from tests.server.test_scope import CRISIS, WIJKTEAM, build_scope_database, clear_limits

pytestmark = pytest.mark.browser
CONTACT = "Petra Prof"


@pytest.fixture(scope="module")
def wijk_server(databases):
    app, url, facts = build_scope_database(databases)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        org = facts["heerlen"]["org"]
        conn.execute(
            sa.text(
                "INSERT INTO contactpersoon (organisatie_id, naam, telefoon) "
                "VALUES (:o, :n, '06-11223344')"
            ),
            {"o": org, "n": CONTACT},
        )
        conn.execute(
            sa.text(
                "INSERT INTO wijkteam (organisatie_id, soort, gebieden) "
                "VALUES (:o, 'buurtteam', ARRAY[:w])"
            ),
            {"o": org, "w": facts["heerlen"]["wijkcode"]},
        )
    engine.dispose()
    clear_limits(app)
    with serve(app) as base:
        yield base, facts


@pytest.mark.parametrize("width", [1280, 375])
def test_professional_journey(browser, wijk_server, width):
    base, facts = wijk_server
    code = facts["heerlen"]["wijkcode"]
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=base, locale="nl-NL"
    )
    page = context.new_page()
    page.goto("/beheer/inloggen")
    page.fill("#email", "heerlen@example.nl")
    page.fill("#wachtwoord", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/beheer")
    page.click("text=Naar mijn wijk")
    page.wait_for_url("**/wijk")
    page.click(f"a[href='/wijk/{code}']")
    page.wait_for_url(f"**/wijk/{code}")
    team = page.locator(".team")
    assert WIJKTEAM in team.inner_text() and "buurtteam" in team.inner_text()
    assert CONTACT in page.inner_text("main") and CRISIS not in page.inner_text("main")
    assert page.locator(".vertrouwelijk").is_visible()
    # Keyboard: the note form opens and takes text without a mouse.
    page.locator("summary").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("wachtlijst 8 weken")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=wachtlijst 8 weken")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"
    assert axe_violations(page) == []
    shot(page, f"wijk-{width}")
    with page.expect_download() as download:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href; a.download = "
            "'wijk.pdf'; document.body.append(a); a.click(); }",
            f"/wijk/{code}/print.pdf",
        )
    path = download.value.path()
    assert open(path, "rb").read(4) == b"%PDF"
    page.goto(f"/wijk/{code}/print")
    assert "Vertrouwelijk — alleen voor professionals" in page.inner_text("body")
    assert axe_violations(page) == []
    context.close()


def test_same_url_anonymous_shows_nothing(browser, wijk_server):
    base, facts = wijk_server
    code = facts["heerlen"]["wijkcode"]
    context = browser.new_context(base_url=base, locale="nl-NL")
    page = context.new_page()
    page.goto(f"/wijk/{code}")
    assert "/beheer/inloggen" in page.url
    body = page.inner_text("body")
    assert WIJKTEAM not in body and CONTACT not in body
    context.close()

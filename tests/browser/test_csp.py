"""The Content-Security-Policy in a real Chromium: pages run under it, the watch catches
what it blocks, and the map's workers, canvas icons and tiles need nothing more."""

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.browser.conftest import CSP_VIOLATIONS, wait_for_map

pytestmark = pytest.mark.browser


def test_pages_are_served_with_the_csp(page):
    for path in ("/", "/hulp", "/lijst?q=huisarts", "/print/WK091733"):
        response = page.goto(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, path


def test_the_watch_catches_what_the_csp_blocks(page, demo_server):
    """Without this, a broken watch would let every CSP violation pass silently."""
    page.goto("/hulp")
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.head.appendChild(s);
        const img = document.createElement('img');
        img.src = 'https://elders.example/pixel.png';
        document.body.appendChild(img);
        document.body.setAttribute('style', 'color: red');
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.inlineRan === undefined")  # the inline script did not run
    found = "\n".join(CSP_VIOLATIONS)
    assert "script-src" in found and "img-src" in found and "style-src" in found, found
    CSP_VIOLATIONS.clear()  # expected here; any other test fails on them


def test_map_runs_under_the_csp(page):
    """MapLibre: its workers come from blob: URLs, its icons are drawn on a canvas."""
    page.goto("/")
    wait_for_map(page)
    assert page.evaluate("window.kaartTellingen && Object.keys(window.kaartTellingen).length") > 0
    assert page.locator("#kaart canvas").count() == 1
    assert page.errors == []


def test_meld_een_fout_in_a_real_browser(page, demo_engine):
    """The form as a resident sends it: session cookie, CSRF token and the browser's own
    Origin header pass; the thanks shows and the text is stored as typed."""
    with demo_engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))
        org_id = conn.execute(
            sa.text(
                "SELECT id FROM organisatie WHERE zichtbaarheid = 'openbaar' "
                "AND status = 'gepubliceerd' ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    marker = uuid.uuid4().hex
    tekst = f'<b>"Het nummer klopt niet"</b> {marker}'
    page.goto(f"/organisatie/{org_id}")
    page.get_by_label("Wat klopt er niet?").fill(tekst)
    page.get_by_role("button", name="Verstuur melding").click()
    page.wait_for_url(re.compile(r"gemeld=1"))
    assert "Bedankt voor uw melding" in page.locator("#melding").inner_text()
    with demo_engine.connect() as conn:
        stored = (
            conn.execute(
                sa.text("SELECT tekst FROM melding WHERE tekst LIKE :m"), {"m": f"%{marker}%"}
            )
            .scalars()
            .all()
        )
    assert stored == [tekst]
    assert page.errors == []

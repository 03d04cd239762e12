"""Debian's Chromium driven by Playwright's Python package; screenshots go to test-artifacts/.

The pages run under their real Content-Security-Policy. Every browser context made by
these tests is watched: a ``securitypolicyviolation`` event in any page or a console
message about the Content Security Policy fails the test (at teardown), so a change that
the CSP breaks cannot pass unnoticed.
"""

from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium tries Google hosts on a closed network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


CSP_MARK = "CSP-VIOLATION "
# Runs before any page script, in every frame: report each violation on the console.
CSP_PROBE = """document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP-VIOLATION ' + JSON.stringify({directive: e.violatedDirective,
    blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample,
    page: location.href}));
});"""
# Every CSP violation seen since the current test started (cleared per test).
CSP_VIOLATIONS: list[str] = []
AXE_URL = "/__tests__/axe.min.js"  # answered by Playwright from node_modules, never the app


def _is_csp_message(text: str) -> bool:
    return text.startswith(CSP_MARK) or "Content Security Policy" in text


def watch_csp(context) -> None:
    """Record CSP violations of every page, frame and worker of ``context``."""
    context.add_init_script(script=CSP_PROBE)

    def console(message) -> None:
        if _is_csp_message(message.text):
            CSP_VIOLATIONS.append(message.text)

    def page(new_page) -> None:  # MapLibre's workers (blob: URLs) log on their own
        new_page.on("worker", lambda worker: worker.on("console", console))

    context.on("console", console)
    context.on("page", page)


class WatchedBrowser:
    """The Playwright browser, whose new contexts and pages are watched for violations."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        # Dutch unless a test asks otherwise: the pages follow the browser's language.
        options.setdefault("locale", "nl-NL")
        context = self._browser.new_context(**options)
        watch_csp(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fail the test when any page it opened broke the Content-Security-Policy."""
    CSP_VIOLATIONS.clear()
    yield
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(found), pytrace=False)


@pytest.fixture
def page(browser, demo_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860},
        base_url=demo_server,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Run axe-core (from npm) inside the page; WCAG 2.0/2.1 A and AA rules.

    axe is loaded as a same-origin script file (served here by Playwright), so the page's
    CSP (script-src 'self', no inline scripts) allows it like our own scripts."""
    page.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript; charset=utf-8"),
    )
    page.add_script_tag(url=urljoin(page.url, AXE_URL))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def wait_for_map(page) -> None:
    # Predicates are functions: a string expression would make Playwright eval() it in the
    # page, which the CSP (no 'unsafe-eval') refuses.
    page.wait_for_function(
        "() => document.getElementById('kaart').dataset.klaar === 'ja'", timeout=30_000
    )

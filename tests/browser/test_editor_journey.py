"""An editor's day in a real Chromium: a resident reports an error on the public page, the
editor signs in, opens the melding from the start page, fixes the record, closes the
melding with a message (mailed to the resident through a real SMTP server), and the fix
shows on the public map's popup."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from tests.browser.conftest import axe_violations, shot, wait_for_map
from tests.conftest import DATA, app_config, mail_config, serve

pytestmark = pytest.mark.browser
EDITOR = "redacteur@reis.example"
PASSWORD = "een-lang-reis-wachtwoord"
OLD, NEW = "Apotheek Markt", "Apotheek De Markt"


@pytest.fixture(scope="module")
def site(databases, smtp_server):
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    result = import_file(engine, DATA.parent / "tests" / "data" / "organisaties_test.csv", "reis")
    assert result.inserted
    with engine.begin() as conn:
        create_user(conn, EDITOR, "redacteur", PASSWORD, naam="Ria Redacteur")
        org_id = conn.execute(
            sa.text("SELECT id FROM organisatie WHERE naam = :n"), {"n": OLD}
        ).scalar_one()
    app = create_app(app_config(engine.url, RATELIMIT_ENABLED=False, **mail_config(smtp_server)))
    with serve(app) as url:
        yield url, engine, org_id
    engine.dispose()


def _report(resident, org_id: int) -> None:
    """A resident reports the error on the organisation's public page."""
    resident.goto(f"/organisatie/{org_id}")
    resident.fill("#melding-tekst", f"De apotheek heet nu '{NEW}'.")
    resident.fill("#melding-email", "bewoner@reis.example")
    resident.get_by_role("button", name="Verstuur melding").click()
    resident.wait_for_selector("text=Bedankt voor uw melding")


def _sign_in(editor) -> None:
    editor.goto("/beheer/organisaties")  # asks to log in first, then comes back here
    editor.wait_for_url(re.compile(r"/beheer/inloggen"))
    editor.fill("#email", EDITOR)
    editor.fill("#wachtwoord", PASSWORD)
    editor.get_by_role("button", name="Inloggen").click()
    editor.wait_for_url("**/beheer/organisaties")


def _popup_name(resident) -> str:
    """Search on the public map, open the result, read the popup's name."""
    resident.goto("/")
    wait_for_map(resident)
    resident.get_by_label("Wat zoekt u?").fill("apotheek")
    resident.get_by_label("Waar?").fill("Maastricht")
    resident.get_by_role("button", name="Zoeken").click()
    resident.wait_for_function(
        "() => /We vonden \\d+/.test(document.getElementById('zoekstatus').textContent)"
    )
    resident.locator("#resultaten li button", has_text=NEW).first.click()
    resident.wait_for_selector(".maplibregl-popup .popup-naam")
    return resident.locator(".maplibregl-popup .popup-naam").inner_text().strip()


def test_melding_to_fix_on_the_public_map(browser, site, smtp_server):
    url, engine, org_id = site
    inbox = smtp_server[2]
    resident = browser.new_context(base_url=url, locale="nl-NL").new_page()
    _report(resident, org_id)

    # The editor signs in and finds the melding from the start page.
    editor = browser.new_context(base_url=url, locale="nl-NL").new_page()
    _sign_in(editor)
    editor.goto("/beheer")
    assert axe_violations(editor) == []
    editor.get_by_role("link", name=re.compile("melding", re.I)).first.click()
    editor.get_by_role("link", name=re.compile(r"#?\d+|Bekijk|Openen", re.I)).first.click()
    editor.wait_for_selector(f"text=De apotheek heet nu '{NEW}'.")
    melding_url = editor.url

    # The editor fixes the record ...
    editor.goto(f"/beheer/organisaties/{org_id}")
    editor.fill("#veld-naam", NEW)
    editor.get_by_role("button", name="Opslaan").first.click()
    editor.wait_for_selector("text=Organisatie is opgeslagen.")

    # ... and closes the melding with a message to the resident.
    editor.goto(melding_url)
    editor.fill("#af-bericht", "Dank u wel, de naam is aangepast.")
    editor.get_by_role("button", name="Afhandelen").click()
    editor.wait_for_selector("text=Afgehandeld.")
    shot(editor, "beheer-melding-afgehandeld")
    mails = inbox.to("bewoner@reis.example")
    assert mails and "de naam is aangepast" in inbox.body(mails[-1])
    with engine.connect() as conn:
        status, gebruiker = conn.execute(
            sa.text(
                "SELECT m.status, w.gebruiker FROM melding m, wijziging w "
                "WHERE w.tabel = 'organisatie' AND w.record_id = m.organisatie_id "
                "AND w.actie = 'update' ORDER BY w.id DESC LIMIT 1"
            )
        ).one()
    assert (status, gebruiker) == ("afgehandeld", EDITOR)

    # The fix shows on the public map.
    assert _popup_name(resident) == NEW
    shot(resident, "kaart-na-correctie")

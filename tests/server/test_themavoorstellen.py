"""The queue "voorgestelde thema's" as the web role: counts on /beheer, scope by gemeente,
confirm, change and reject (audited), and what cannot be done any more."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.records.importer import import_file
from server import create_app
from tests.conftest import app_config
from tests.server.test_aanmelden import SECRET, make_engine_with_records
from tests.server.test_auth import PASSWORD, login

# A national list: no theme column. Two services in Heerlen, two in Maastricht.
NATIONAL = """\
organisatie,postcode,huisnummer
Thuiszorg Sevagram,6411 AB,12
Fysiotherapie Bongerd,6411 AB,14A
Huisartsenpraktijk Markt,6211 CD,1
Apotheek <b>Vrijthof</b>,6211 CD,3-2
"""


@pytest.fixture(scope="module")
def site(databases, tmp_path_factory):
    engine = make_engine_with_records(databases)
    path = tmp_path_factory.mktemp("thema") / "landelijk.csv"
    path.write_text(NATIONAL, encoding="utf-8")
    assert import_file(engine, path, "landelijk").themes_proposed == 4
    with engine.begin() as conn:
        create_user(conn, "maastricht@example.nl", "redacteur", PASSWORD, gemeenten=("GM0935",))
        ids = dict(
            conn.execute(
                sa.text(
                    "SELECT o.naam, v.id FROM thema_voorstel v JOIN aanbod a ON a.id = v.aanbod_id "
                    "JOIN organisatie o ON o.id = a.organisatie_id"
                )
            ).all()
        )
    app = create_app(app_config(engine.url, SECRET_KEY=SECRET))
    yield app, engine, ids
    engine.dispose()


def _client(app, email="redactie@example.nl"):
    client = app.test_client()
    login(client, email)
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _post(client, path: str, **data):
    page = client.get(path.rsplit("/", 1)[0]).get_data(as_text=True)
    return client.post(path, data={"csrf_token": _csrf(page), **data})


def _themes(engine, naam: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT t.thema_slug FROM aanbod_thema t JOIN aanbod a ON a.id = t.aanbod_id "
                    "WHERE a.naam = :naam ORDER BY 1"
                ),
                {"naam": naam},
            ).scalars()
        )


def _audit(engine, naam: str) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT w.gebruiker, w.diff -> 'themas' FROM wijziging w "
                "JOIN aanbod a ON a.id = w.record_id "
                "WHERE w.tabel = 'aanbod' AND a.naam = :naam AND w.diff ? 'themas' ORDER BY w.id"
            ),
            {"naam": naam},
        ).all()


def test_counts_on_the_start_page_and_scope_by_gemeente(site):
    app, _, ids = site
    label = "voorgestelde thema&#39;s"
    start = _client(app).get("/beheer").get_data(as_text=True)
    assert f'<span class="aantal">4</span> {label}' in start
    assert 'href="/beheer/wachtrijen/themavoorstellen"' in start
    maastricht = _client(app, "maastricht@example.nl")
    assert f'<span class="aantal">2</span> {label}' in maastricht.get("/beheer").get_data(
        as_text=True
    )
    heerlen = _client(app, "heerlen@example.nl")
    listing = heerlen.get("/beheer/wachtrijen/themavoorstellen").get_data(as_text=True)
    assert "Thuiszorg Sevagram: Zorg en ondersteuning (voorgesteld)" in listing
    assert "Huisartsenpraktijk Markt" not in listing
    item = f"/beheer/wachtrijen/themavoorstellen/{ids['Huisartsenpraktijk Markt']}"
    assert heerlen.get(item).status_code == 404
    # the gemeente filter goes through the service's locations
    filtered = _client(app).get("/beheer/wachtrijen/themavoorstellen?gemeente=GM0935")
    html = filtered.get_data(as_text=True)
    assert "Huisartsenpraktijk Markt" in html and "Thuiszorg Sevagram" not in html
    assert "<b>Vrijthof</b>" not in html and "&lt;b&gt;Vrijthof&lt;/b&gt;" in html


def test_item_page_shows_the_proposal_and_why(site):
    app, _, ids = site
    page = _client(app).get(f"/beheer/wachtrijen/themavoorstellen/{ids['Thuiszorg Sevagram']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Zorg en ondersteuning (voorgesteld)" in html
    assert "trefwoord &#39;thuiszorg&#39; in de naam van de organisatie" in html
    assert 'name="thema"' in html and "Thema bevestigen" in html and "Thema afwijzen" in html


def test_confirm_keeps_the_theme(site):
    app, engine, ids = site
    client = _client(app)
    path = f"/beheer/wachtrijen/themavoorstellen/{ids['Thuiszorg Sevagram']}"
    answer = _post(client, path + "/bevestigen", thema="zorg-ondersteuning", bericht="Klopt.")
    assert answer.status_code == 303
    assert _themes(engine, "Thuiszorg Sevagram") == ["zorg-ondersteuning"]
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT v.status, v.gekozen_slug, v.bericht, g.email FROM thema_voorstel v "
                "JOIN gebruiker g ON g.id = v.afgehandeld_door WHERE v.id = :id"
            ),
            {"id": ids["Thuiszorg Sevagram"]},
        ).one()
    assert tuple(row) == ("bevestigd", "zorg-ondersteuning", "Klopt.", "redactie@example.nl")
    assert _audit(engine, "Thuiszorg Sevagram") == []  # nothing changed on the service
    page = client.get(path).get_data(as_text=True)
    assert "Thema bevestigd." in page and "Thema bevestigen" not in page
    again = _post(client, path + "/bevestigen", thema="vervoer")
    assert again.status_code == 303
    assert "Dit kan niet meer" in client.get(path).get_data(as_text=True)
    assert _themes(engine, "Thuiszorg Sevagram") == ["zorg-ondersteuning"]


def test_change_to_another_theme_is_audited(site):
    app, engine, ids = site
    client = _client(app)
    path = f"/beheer/wachtrijen/themavoorstellen/{ids['Fysiotherapie Bongerd']}"
    bad = _post(client, path + "/bevestigen", thema="bestaat-niet")
    assert bad.status_code == 303
    assert "Kies een thema uit de lijst." in client.get(path).get_data(as_text=True)
    assert _themes(engine, "Fysiotherapie Bongerd") == ["zorg-ondersteuning"]
    _post(client, path + "/bevestigen", thema="gezond-blijven")
    assert _themes(engine, "Fysiotherapie Bongerd") == ["gezond-blijven"]
    assert _audit(engine, "Fysiotherapie Bongerd") == [
        ("redactie@example.nl", [["zorg-ondersteuning"], ["gezond-blijven"]])
    ]
    assert "Ander thema gekozen" in client.get(path).get_data(as_text=True)


def test_reject_takes_the_theme_off_and_is_audited(site):
    app, engine, ids = site
    client = _client(app, "maastricht@example.nl")
    path = f"/beheer/wachtrijen/themavoorstellen/{ids['Huisartsenpraktijk Markt']}"
    assigned = _post(client, path + "/toewijzen", aan="ik")
    assert assigned.status_code == 303
    assert "in behandeling" in client.get(path).get_data(as_text=True)
    answer = _post(client, path + "/afhandelen", status="afgewezen", bericht="Geen zorg.")
    assert answer.status_code == 303
    assert _themes(engine, "Huisartsenpraktijk Markt") == []
    assert _audit(engine, "Huisartsenpraktijk Markt") == [
        ("maastricht@example.nl", [["zorg-ondersteuning"], []])
    ]
    with engine.connect() as conn:
        status = conn.execute(
            sa.text("SELECT status FROM thema_voorstel WHERE id = :id"),
            {"id": ids["Huisartsenpraktijk Markt"]},
        ).scalar()
    assert status == "afgewezen"
    listing = client.get("/beheer/wachtrijen/themavoorstellen?status=afgewezen")
    assert "Huisartsenpraktijk Markt" in listing.get_data(as_text=True)


def test_professionals_and_anonymous_cannot_decide(site):
    app, engine, ids = site
    path = f"/beheer/wachtrijen/themavoorstellen/{ids['Apotheek <b>Vrijthof</b>']}"
    assert app.test_client().get(path).status_code == 302
    prof = _client(app, "prof@example.nl")
    assert prof.get(path).status_code == 403
    editor = _client(app)
    token = _csrf(editor.get(path).get_data(as_text=True))
    assert prof.post(path + "/bevestigen", data={"csrf_token": token}).status_code in (400, 403)
    assert _themes(engine, "Apotheek <b>Vrijthof</b>") == ["zorg-ondersteuning"]


def test_import_summary_counts_proposals_and_names_the_queue(site, tmp_path):
    app, _, _ = site
    path = tmp_path / "cli.csv"
    path.write_text(
        "organisatie,postcode,huisnummer\nSchuldhulpverlening Heerlen,6411 AB,12\n"
        "Stichting ABC,6411 AB,14A\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(
        args=["organisations", "import", str(path), "--bron", "cli"]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert "Thema voorgesteld bij 1 aanbod" in output
    assert "/beheer/wachtrijen/themavoorstellen" in output
    assert "geen thema: vul een thema in of voeg een trefwoord toe aan de koppeling" in output

"""/dekking rendered on the server: form, table of areas, numbers from the database, errors."""

import re
from html import unescape

import pytest
import sqlalchemy as sa


@pytest.fixture(scope="module")
def dekking_client(demo_app):
    return demo_app.test_client()


def current(engine, thema="meedoen-ontmoeten", doelgroep="iedereen", niveau="buurt"):
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.text(
                    "SELECT gebiedcode, naam, spar, flagged, zin FROM laag_dekking WHERE actueel AND "
                    "thema = :t AND doelgroep = :d AND niveau = :n ORDER BY spar NULLS LAST"
                ),
                {"t": thema, "d": doelgroep, "n": niveau},
            )
            .mappings()
            .all()
        )


def test_page_has_form_table_and_run(dekking_client, demo_engine):
    response = dekking_client.get(
        "/dekking?thema=meedoen-ontmoeten&doelgroep=iedereen&niveau=buurt"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ('<label for="thema">', '<label for="doelgroep">', '<label for="niveau">'):
        assert label in html
    assert '<option value="meedoen-ontmoeten" selected>' in html
    assert "afstand in rechte lijn × 1,3" in html
    rows = current(demo_engine)
    codes = re.findall(r'<tr data-code="([^"]+)"', html)
    assert sorted(codes) == sorted(r["gebiedcode"] for r in rows)  # every area once
    spar = {r["gebiedcode"]: r["spar"] for r in rows}
    known = [spar[c] for c in codes if spar[c] is not None]
    assert known == sorted(known)  # lowest SPAR first
    assert all(spar[c] is None for c in codes[len(known) :])  # no data last
    assert unescape(html).count(rows[0]["zin"]) >= 1
    flagged = sum(r["flagged"] for r in rows)
    assert f"{flagged} van de {len(rows)} buurten hebben een tekort" in html
    assert "/ogc/collections/dekking/items?actueel=true&amp;thema=meedoen-ontmoeten" in html


def test_spar_value_shown_with_dutch_decimal(dekking_client, demo_engine):
    row = next(r for r in current(demo_engine, niveau="gemeente") if r["spar"] is not None)
    html = dekking_client.get(
        "/dekking?thema=meedoen-ontmoeten&niveau=gemeente&gebied=" + row["gebiedcode"]
    ).get_data(as_text=True)
    expected = f"{row['spar']:.2f}".replace(".", ",")
    details = html.split('id="gebied-details"')[1].split("</section>")[0]
    assert f'<h2 id="details-titel">{row["naam"]}</h2>' in details
    assert expected in details


def test_defaults_and_unknown_area(dekking_client):
    response = dekking_client.get("/dekking")
    assert response.status_code == 200 and "<tr data-code=" in response.get_data(as_text=True)
    html = dekking_client.get("/dekking?gebied=XX999").get_data(as_text=True)
    assert "Dit gebied staat niet in deze kaart" in html


@pytest.mark.parametrize(
    "query",
    [
        "thema=bestaat-niet",
        "doelgroep=katten",
        "niveau=provincie",
        "thema=<script>alert(1)</script>",
    ],
)
def test_bad_parameters_give_400_page(dekking_client, query):
    response = dekking_client.get(f"/dekking?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Deze keuze kennen we niet" in html and "<script>alert" not in html
    assert "<tr data-code=" not in html


def test_area_code_is_escaped(dekking_client):
    html = dekking_client.get('/dekking?gebied="><script>x()</script>').get_data(as_text=True)
    assert "<script>x()" not in html


def test_regional_page_offers_the_gemeente_chooser(dekking_client):
    html = dekking_client.get("/dekking").get_data(as_text=True)
    chooser = html.split('<select id="gemeente" name="gemeente">')[1].split("</select>")[0]
    assert '<option value="">Hele regio (kaart per thema)</option>' in chooser
    assert '<option value="GM0928">Kerkrade</option>' in chooser  # a plain GET form
    assert 'id="rapport-titel"' not in html


def test_method_text_has_no_internal_terms(demo_client):
    """The method shown to advisers names no function or rule identifiers."""
    text = demo_client.get("/dekking").get_data(as_text=True).lower()
    assert "bereikbaarheid" in text and "regel voor een tekort" in text  # the method is shown
    for term in ("gaussian", "e2sfca", "_dai", "spar_matig", "pct_verder", "dekking-2"):
        assert term not in text

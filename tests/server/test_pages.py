"""Organisation page, "meld een fout" and the paper social map, over HTTP on the demo data."""

import html
import re
import time
import uuid
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import escape

from layers.pages.opening_hours import AMSTERDAM
from server.routes.kaart import icon_path
from server.routes.pages import datum_nl

SECRETS = ("Geheime Contactpersoon", "geheim.contact@intern.example", "06-99887766")
THANKS = "Bedankt voor uw melding"
SYNTHETIC_NOTE = "Dit is een verzonnen voorbeeld voor de demo."


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def _rich_org(engine):
    """A public synthetic organisation whose service has themes, groups and day hours."""
    return _one(
        engine,
        """
        SELECT o.id, o.naam, o.laatst_geverifieerd_op, o.telefoon, o.email, a.naam AS aanbod,
               (SELECT t.naam FROM aanbod_thema x JOIN thema t ON t.slug = x.thema_slug
                 WHERE x.aanbod_id = a.id LIMIT 1) AS thema,
               (SELECT t.icoon FROM aanbod_thema x JOIN thema t ON t.slug = x.thema_slug
                 WHERE x.aanbod_id = a.id LIMIT 1) AS icoon,
               (SELECT d.naam FROM aanbod_doelgroep x JOIN doelgroep d ON d.slug = x.doelgroep_slug
                 WHERE x.aanbod_id = a.id LIMIT 1) AS doelgroep, a.kosten
        FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id
        WHERE o.synthetisch AND o.zichtbaarheid = 'openbaar' AND a.zichtbaarheid = 'openbaar'
          AND o.telefoon IS NOT NULL AND o.email IS NOT NULL AND a.kosten IS NOT NULL
          AND a.openingstijden -> 'dagen' <> '{}'::jsonb
          AND EXISTS (SELECT 1 FROM aanbod_doelgroep x WHERE x.aanbod_id = a.id)
          AND EXISTS (SELECT 1 FROM laag_voorzieningen v WHERE v.organisatie_id = o.id
                      AND v.zichtbaarheid = 'openbaar' AND NOT v.vertrouwelijk)
        ORDER BY o.id LIMIT 1""",
    )


CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's


@pytest.fixture(autouse=True)
def _no_rate_limit_counts(demo_engine):
    """Every test starts with empty rate-limit counters (the limits are tested in
    test_ratelimit.py); the counters are shared through the database."""
    with demo_engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


class _OldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3 * 24 * 3600


def _signed(key, value, old: bool = False) -> str:
    signer = {"signer": _OldSigner} if old else {}
    return URLSafeTimedSerializer(key, salt=CSRF_SALT, **signer).dumps(value)


def _headings_in_order(page: str) -> bool:
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", page)]
    return levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


# --------------------------------------------------------------------------- organisation
def test_organisation_page_shows_the_record(demo_client, demo_engine):
    org = _rich_org(demo_engine)
    response = demo_client.get(f"/organisatie/{org.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    for text in (
        org.naam,
        org.aanbod,
        org.thema,
        org.doelgroep,
        org.kosten,
        "Openingstijden",
        "maandag",
        "zondag",
        "Bron: synthetisch (demo)",
        SYNTHETIC_NOTE,
        f"Gecontroleerd op {datum_nl(org.laatst_geverifieerd_op)}",
        "Meld een fout",
    ):
        assert text in page, text
    assert ("Nu open" in page) != ("Nu gesloten" in page)
    # the theme icon is drawn inline (SVG), so the page needs no style attribute under the CSP
    icon = icon_path(demo_client.application.config["NODE_MODULES"], org.icoon)
    assert icon and f'<path fill="#fff" d="{icon}"/>' in page
    assert " style=" not in page
    assert f'href="mailto:{org.email}"' in page
    assert 'href="tel:' + re.sub(r"[^0-9+]", "", org.telefoon) + '"' in page
    assert re.search(
        r'href="https://www\.openstreetmap\.org/directions\?to=5\d\.\d{5},[3-7]\.\d{5}"', page
    )
    assert '<html lang="nl" dir="ltr">' in page and _headings_in_order(page)
    assert '<label for="melding-tekst">' in page and '<label for="melding-email">' in page
    assert "<script" not in page  # works without JavaScript


def test_dutch_dates():
    assert datum_nl(date(2026, 3, 12)) == "12 maart 2026"
    assert datum_nl(date(2025, 10, 1)) == "1 oktober 2025"


def test_confidential_address_never_on_the_page(demo_client, demo_engine):
    loc = _one(
        demo_engine,
        """
        SELECT l.organisatie_id, l.straat, l.huisnummer, l.postcode, l.woonplaats, l.buurtcode,
               ST_Y(ST_Transform(l.geom, 4326)) AS lat, ST_X(ST_Transform(l.geom, 4326)) AS lon
        FROM locatie l JOIN organisatie o ON o.id = l.organisatie_id
        WHERE l.vertrouwelijk AND o.zichtbaarheid = 'openbaar' LIMIT 1""",
    )
    page = html.unescape(
        demo_client.get(f"/organisatie/{loc.organisatie_id}").get_data(as_text=True)
    )
    assert "Het adres is afgeschermd. Bel of mail voor een afspraak." in page
    assert loc.woonplaats in page
    printed = html.unescape(demo_client.get(f"/print/{loc.buurtcode}").get_data(as_text=True))
    assert f"Adres afgeschermd, {loc.woonplaats}" in printed
    assert loc.postcode not in page and f"{loc.postcode[:4]} {loc.postcode[4:]}" not in page
    # (Another organisation in the buurt may share the postcode, so not that on paper.)
    assert f"{loc.straat} {loc.huisnummer}" not in page
    assert f"{loc.straat} {loc.huisnummer}," not in printed
    for text in (page, printed):
        assert f"{loc.lat:.4f}" not in text and f"{loc.lon:.4f}" not in text


def test_contact_persons_never_on_public_pages(demo_client, demo_engine):
    org = _rich_org(demo_engine)
    for path in (f"/organisatie/{org.id}", "/print/GM0917", "/print/WK091733"):
        page = demo_client.get(path).get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in page


def test_internal_or_unknown_organisation_is_an_html_404(demo_client, demo_app, demo_engine):
    internal = _one(demo_engine, "SELECT id FROM organisatie WHERE zichtbaarheid = 'intern'").id
    for path in (
        f"/organisatie/{internal}",
        "/organisatie/999999999",
        "/organisatie/99999999999999999999999",
    ):
        response = demo_client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        assert "Deze pagina kunnen we niet vinden" in response.get_data(as_text=True)
    marker = uuid.uuid4().hex
    public = _rich_org(demo_engine).id
    token = _token(demo_client.get(f"/organisatie/{public}").get_data(as_text=True))
    response = demo_client.post(
        f"/organisatie/{internal}/melding", data={"csrf_token": token, "tekst": marker}
    )
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert _meldingen(demo_engine, marker) == []


# ----------------------------------------------------------------------------- melding
def _meldingen(engine, tekst: str) -> list:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT organisatie_id, tekst, email, status, gemeld_op FROM melding "
                "WHERE tekst LIKE :t"
            ),
            {"t": f"%{tekst}%"},
        ).all()


def test_melding_is_stored_and_redirects_with_thanks(demo_client, demo_engine):
    org = _rich_org(demo_engine)
    token = _token(demo_client.get(f"/organisatie/{org.id}").get_data(as_text=True))
    marker = uuid.uuid4().hex
    response = demo_client.post(
        f"/organisatie/{org.id}/melding",
        data={
            "csrf_token": token,
            "tekst": f"Het telefoonnummer klopt niet. {marker}",
            "email": "bewoner@example.nl",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organisatie/{org.id}?gemeld=1#melding")
    [row] = _meldingen(demo_engine, marker)
    assert (row.organisatie_id, row.email, row.status) == (org.id, "bewoner@example.nl", "nieuw")
    assert row.gemeld_op is not None
    assert THANKS in demo_client.get(f"/organisatie/{org.id}?gemeld=1").get_data(as_text=True)
    # Without e-mail is fine too.
    response = demo_client.post(
        f"/organisatie/{org.id}/melding",
        data={"csrf_token": token, "tekst": f"Ander adres {marker}"},
    )
    assert response.status_code == 303
    assert len(_meldingen(demo_engine, marker)) == 2


def test_melding_stores_no_ip_or_other_tracking(demo_engine):
    with demo_engine.connect() as conn:
        columns = set(
            conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'melding'"
                )
            ).scalars()
        )
    # What the resident sent, plus the editors' handling (migration 0014) and the page's
    # language for the answer (migration 0021): no client data.
    assert columns == {
        "taal",
        "id",
        "organisatie_id",
        "tekst",
        "email",
        "status",
        "gemeld_op",
        "toegewezen_aan",
        "afgehandeld_door",
        "afgehandeld_op",
        "bericht",
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "forged",
        "garbage",
        "other-key",
        "expired",
        "other-session",
        "other-origin",
        "null-origin",
    ],
)
def test_melding_needs_a_valid_token(demo_client, demo_app, demo_engine, case):
    """Flask-WTF's token (per session, 2 days) and the Origin header. Deliberately changed
    with CSRFProtect: the refusal is a short Dutch page that shows nothing of what was sent
    (it used to re-render the form with the text), and a token is per browser session,
    not per organisation."""
    org = _rich_org(demo_engine)
    token = _token(demo_client.get(f"/organisatie/{org.id}").get_data(as_text=True))
    with demo_client.session_transaction() as session:
        raw = session["csrf_token"]
    stranger = demo_app.test_client()
    tokens = {
        "missing": None,
        "garbage": "abc",
        "forged": token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"),
        "other-key": _signed("not-our-key", raw),
        "expired": _signed(demo_app.secret_key, raw, old=True),
        "other-session": _token(stranger.get(f"/organisatie/{org.id}").get_data(as_text=True)),
        "other-origin": token,
        "null-origin": token,
    }
    origins = {"other-origin": "https://kwaadwillend.example", "null-origin": "null"}
    marker = uuid.uuid4().hex
    data = {"tekst": f"Klopt niet {marker}"}
    if tokens[case] is not None:
        data["csrf_token"] = tokens[case]
    headers = {"Origin": origins[case]} if case in origins else {}
    response = demo_client.post(f"/organisatie/{org.id}/melding", data=data, headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Het formulier is verlopen" in page and "Er is niets opgeslagen" in page
    assert marker not in page and "Klopt niet" not in page
    assert _meldingen(demo_engine, marker) == []
    # the same token from this site's own page is accepted
    response = demo_client.post(
        f"/organisatie/{org.id}/melding",
        data={"csrf_token": token, "tekst": f"Klopt echt niet {marker}"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 303
    assert len(_meldingen(demo_engine, marker)) == 1


@pytest.mark.parametrize(
    ("tekst", "email", "message"),
    [
        ("x" * 2001, "", "te lang"),
        ("   ", "", "nog leeg"),
        ("Klopt niet", "geen-adres", "e-mailadres klopt niet"),
    ],
)
def test_melding_bad_input_shows_the_form_again(demo_client, demo_engine, tekst, email, message):
    org = _rich_org(demo_engine)
    token = _token(demo_client.get(f"/organisatie/{org.id}").get_data(as_text=True))
    with demo_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM melding")).scalar_one()
    response = demo_client.post(
        f"/organisatie/{org.id}/melding", data={"csrf_token": token, "tekst": tekst, "email": email}
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert message in page and 'aria-invalid="true"' in page
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM melding")).scalar_one() == before


# ------------------------------------------------------------------------------- print
def _expected(engine, code: str) -> dict:
    """Theme name -> set of organisation names, and distinct (organisation, point) count."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT t.naam AS thema, v.organisatie_id, v.organisatie "
                "FROM laag_voorzieningen v CROSS JOIN unnest(v.themas) u(slug) "
                "JOIN thema t ON t.slug = u.slug WHERE v.zichtbaarheid = 'openbaar' "
                "AND :code IN (v.gemeentecode, v.wijkcode, v.buurtcode)"
            ),
            {"code": code},
        ).all()
        points = conn.execute(
            sa.text(
                "SELECT count(DISTINCT (organisatie_id, geom)) FROM laag_voorzieningen "
                "WHERE zichtbaarheid = 'openbaar' AND :code IN (gemeentecode, wijkcode, buurtcode)"
            ),
            {"code": code},
        ).scalar_one()
    themes: dict[str, set] = {}
    for r in rows:
        themes.setdefault(r.thema, set()).add((r.organisatie_id, r.organisatie))
    return {
        "themes": themes,
        "points": points,
        "organisations": len({r.organisatie_id for r in rows}),
    }


def _parse_print(page: str) -> tuple[dict, list, list]:
    sections = {}
    for part in page.split('<section class="thema"')[1:]:
        theme = html.unescape(re.search(r"<h2[^>]*>(.*?)</h2>", part)[1])
        sections[theme] = [  # (map numbers, organisation name)
            (tuple(int(n) for n in re.findall(r"\d+", numbers)), html.unescape(name))
            for numbers, name in re.findall(
                r'<h3>((?:<span class="nummer">\d+</span> )+)<span class="naam">(.*?)</span>', part
            )
        ]
    circles = re.findall(r"<circle ", page)
    marker_numbers = [
        int(n)
        for n in re.findall(r'<g class="marker"><circle [^>]*/><text [^>]*>(\d+)</text></g>', page)
    ]
    return sections, circles, marker_numbers


@pytest.mark.parametrize("code", ["GM0935", "WK091733", "BU09350000"])
def test_print_lists_each_organisation_once_with_map_numbers(demo_client, demo_engine, code):
    """One index: every organisation once, under one of its themes, with its map number(s);
    the map's markers are numbered 1..n and never overlap (see test_print_search.py)."""
    response = demo_client.get(f"/print/{code}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    expected = _expected(demo_engine, code)
    assert expected["organisations"] > 0
    sections, circles, marker_numbers = _parse_print(page)
    listed = [name for entries in sections.values() for _, name in entries]
    assert len(listed) == expected["organisations"]
    all_names = {name for names in expected["themes"].values() for _, name in names}
    assert set(listed) == all_names
    for theme, entries in sections.items():  # each under one of its own themes
        assert {name for _, name in entries} <= {n for _, n in expected["themes"][theme]}
    used = {n for entries in sections.values() for numbers, _ in entries for n in numbers}
    assert len(circles) == len(marker_numbers) <= expected["points"]
    assert set(marker_numbers) == used == set(range(1, len(marker_numbers) + 1))
    assert "Sociale kaart van " in page and '<html lang="nl" dir="ltr">' in page
    assert f"Gemaakt op {datum_nl(datetime.now(AMSTERDAM).date())}." in page
    assert _headings_in_order(page) and "<script" not in page


def test_print_pdf(demo_client):
    started = time.perf_counter()
    response = demo_client.get("/print/GM0935.pdf")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="sociale-kaart-GM0935.pdf"'
    assert response.data.startswith(b"%PDF") and len(response.data) > 10_000
    print(f"PDF of Maastricht: {len(response.data)} bytes in {elapsed:.2f} s")


@pytest.mark.parametrize(
    "path",
    [
        "/print/GM9999",
        "/print/GM9999.pdf",
        "/print/WK999999",
        "/print/BU99999999",
        "/print/GM09",
        "/print/gm0917",
        "/print/BU0935000",
        "/print/XX0917.pdf",
        "/print/GM0917%3Cscript%3E",
        "/print/%20GM0917",
    ],
)
def test_print_unknown_or_malformed_code_is_404(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


# ----------------------------------------------------------------------------- escaping
def test_hostile_organisation_name_is_escaped(demo_client, demo_engine):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & "Co"'
    org = _one(
        demo_engine,
        """
        SELECT o.id, o.naam FROM organisatie o JOIN laag_voorzieningen v ON v.organisatie_id = o.id
        WHERE v.wijkcode = 'WK091733' AND v.zichtbaarheid = 'openbaar' LIMIT 1""",
    )
    with demo_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisatie SET naam = :n WHERE id = :id"), {"n": hostile, "id": org.id}
        )
    try:
        for path in (f"/organisatie/{org.id}", "/print/WK091733"):
            page = demo_client.get(path).get_data(as_text=True)
            assert "<script>" not in page and "<img src=x" not in page, path
            assert "&lt;script&gt;alert(" in page, path
            assert str(escape(hostile)) in page, path
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE organisatie SET naam = :n WHERE id = :id"),
                {"n": org.naam, "id": org.id},
            )

"""The authorisation matrix: anonymous and every role × every route and method.

Each rule of the URL map falls under one policy, decided by its blueprint or endpoint:
public (everyone), signed-in staff, editors, or beheerders. For each role the outcome must
be as designed: allowed (anything but a login redirect, 401 or 403, and never a 500),
sent to the login page (anonymous GET), 401 (anonymous POST) or 403 (signed in without the
role). A new route whose policy is unknown fails the test, so nobody adds an unguarded
editor page by accident.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from tests.conftest import DATA, app_config

PASSWORD = "matrix-wachtwoord-123"
ROLES = ("anoniem", "professional", "redacteur-gm0935", "redacteur", "beheerder")
ACCOUNTS = {
    "professional": ("professional", ()),
    "redacteur-gm0935": ("redacteur", ("GM0935",)),
    "redacteur": ("redacteur", ()),
    "beheerder": ("beheerder", ()),
}
# Who may use each kind of route.
EVERYONE = set(ROLES)
STAFF = {"professional", "redacteur-gm0935", "redacteur", "beheerder"}
EDITORS = {"redacteur-gm0935", "redacteur", "beheerder"}
BEHEERDERS = {"beheerder"}
PUBLIC_BLUEPRINTS = {
    "kaart",
    "vendor",
    "ogc",
    "ogc_items",
    "tiles",
    "pages",
    "zoeken",
    "dekking",
    "health",
    "inloggen",
    "aanmelden",
    "verificatie",
    "hsds",
}
EDITOR_BLUEPRINTS = {
    "beheer_records",
    "beheer_geschiedenis",
    "beheer_inbox",
    "beheer_verificatie",
    "beheer_locaties",
}
POLICY_BY_ENDPOINT = {
    "static": EVERYONE,
    "beheer.start": STAFF,
    "beheer.gebruikers": BEHEERDERS,
    "beheer.gebruiker_maken": BEHEERDERS,
    "beheer.gebruiker_wijzigen": BEHEERDERS,
    # Wijkteam pages (issue 14): staff; a scoped professional outside their areas gets
    # 403 (tests/server/test_wijk.py). The wijkteam mark is for editors.
    "wijk.overzicht": STAFF,
    "wijk.pagina": STAFF,
    "wijk.afdruk": STAFF,
    "wijk.afdruk_pdf": STAFF,
    "wijk.notitie": STAFF,
    "wijk_beheer.sleutels": STAFF,
    "wijk_beheer.sleutel_maken": STAFF,
    "wijk_beheer.sleutel_intrekken": STAFF,
    "wijk_beheer.wijkteam": EDITORS,
    "wijk_beheer.wijkteam_opslaan": EDITORS,
}
# Posts with side effects on the session itself, tested in test_auth.py.
SKIP_POSTS = {"inloggen.uitloggen", "inloggen.inloggen_post"}


def policy(endpoint: str) -> set[str]:
    """Who may use ``endpoint``; an unknown endpoint fails the test."""
    if endpoint in POLICY_BY_ENDPOINT:
        return POLICY_BY_ENDPOINT[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    if blueprint in PUBLIC_BLUEPRINTS:
        return EVERYONE
    if blueprint in EDITOR_BLUEPRINTS:
        return EDITORS
    raise AssertionError(f"no authorisation policy for endpoint {endpoint!r}")


@pytest.fixture(scope="module")
def matrix(databases, tmp_path_factory):
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    result = import_file(engine, DATA.parent / "tests" / "data" / "organisaties_test.csv", "matrix")
    assert result.inserted
    with engine.begin() as conn:
        for name, (rol, gemeenten) in ACCOUNTS.items():
            create_user(conn, f"{name}@matrix.example", rol, PASSWORD, gemeenten=gemeenten)
        # A record inside the scoped redacteur's gemeente (out-of-scope records: 403, tested
        # in test_beheer_records.py).
        org_id = conn.execute(
            sa.text("SELECT min(organisatie_id) FROM locatie WHERE gemeentecode = 'GM0935'")
        ).scalar()
    mail = tmp_path_factory.mktemp("matrix-mail")
    app = create_app(app_config(engine.url, RATELIMIT_ENABLED=False, MAIL_DIR=str(mail)))
    yield app, org_id
    engine.dispose()


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def client_for(app, role: str):
    client = app.test_client()
    if role == "anoniem":
        return client, _csrf(client, "/beheer/inloggen")
    response = client.post(
        "/beheer/inloggen",
        data={
            "email": f"{role}@matrix.example",
            "wachtwoord": PASSWORD,
            "csrf_token": _csrf(client, "/beheer/inloggen"),
        },
    )
    assert response.status_code == 302, role
    return client, _csrf(client, "/beheer")


SAMPLES = {
    "collection_id": "voorzieningen",
    "tms_id": "WebMercatorQuad",
    "code": "GM0935",
    "gemeente": "GM0935",
    "fmt": "csv",
    "niveau": "buurt",
    "package": "maplibre-gl",
    "filename": "favicon.svg",
    "token": "onbekend-token",
    "z": "10",
    "x": "528",
    "y": "343",
    "feature_id": "1",
    "naam": "meldingen",
    "kind": "aanbod",
}


def _path(rule, org_id: int) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name in SAMPLES:
            return SAMPLES[name]
        if converter and converter.startswith("int"):
            return str(org_id)
        return "1"

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?([a-z_]+)>", value, rule.rule)


def _cases(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.mark.parametrize("role", ROLES)
def test_every_route_and_method(matrix, role):
    app, org_id = matrix
    client, token = client_for(app, role)
    checked = 0
    for rule, method in _cases(app):
        allowed = role in policy(rule.endpoint)
        if method == "POST" and rule.endpoint in SKIP_POSTS:
            continue
        path = _path(rule, org_id)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.open(path, method=method, data={"csrf_token": token})
        where = f"{role} {method} {path} ({rule.endpoint})"
        assert response.status_code < 500, where
        login = response.status_code == 302 and "/beheer/inloggen" in response.location
        if allowed:
            assert response.status_code not in (401, 403) and not login, where
        elif role == "anoniem":
            if method == "GET":
                assert login, where
            else:
                assert response.status_code == 401, where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked > 40


def test_signed_in_forms_need_their_token(matrix):
    """CSRF on every form also for signed-in editors: no token, no effect."""
    app, org_id = matrix
    client, _ = client_for(app, "beheerder")
    for rule, method in _cases(app):
        if method != "POST":
            continue
        response = client.post(_path(rule, org_id), data={"email": "x@example.nl"})
        assert response.status_code == 400, rule.rule
    assert client.get("/beheer").status_code == 200  # still signed in: nothing happened

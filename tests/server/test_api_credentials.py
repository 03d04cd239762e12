"""QGIS and scripts with credentials: OWSLib over real HTTP with Basic auth or an API token."""

from __future__ import annotations

import re

import pytest
import requests
import sqlalchemy as sa
from owslib.ogcapi.features import Features
from owslib.util import Authentication

from tests.conftest import serve
from tests.server.test_auth import PASSWORD, _token
from tests.server.test_scope import (
    CRISIS,
    PUBLIC_ORG,
    WIJKTEAM,
    _client,
    build_scope_database,
    clear_limits,
)


@pytest.fixture(autouse=True)
def _owslib_shared_headers():
    """OWSLib's Features(headers=...) updates its module-wide REQUEST_HEADERS in place, so a
    Bearer token given here would be sent by every later OWSLib client in this process.
    Restore the shared dict after each test."""
    from owslib.ogcapi import REQUEST_HEADERS

    saved = dict(REQUEST_HEADERS)
    yield
    REQUEST_HEADERS.clear()
    REQUEST_HEADERS.update(saved)


@pytest.fixture(scope="module")
def api(databases):
    app, url, facts = build_scope_database(databases)
    with serve(app) as base:
        yield app, url, facts, base


def _names(features: dict) -> set[str]:
    return {f["properties"]["organisatie"] for f in features["features"]}


def _issue_token(app) -> str:
    client = _client(app, "heerlen@example.nl")
    form = client.get("/beheer/api-sleutels").get_data(True)
    page = client.post(
        "/beheer/api-sleutels", data={"csrf_token": _token(form), "naam": "QGIS werk"}
    ).get_data(True)
    token = re.search(r'id="nieuwe-sleutel"[^>]*value="([^"]+)"', page)
    assert token, page
    again = client.get("/beheer/api-sleutels").get_data(True)
    assert token.group(1) not in again and "QGIS werk" in again  # shown once only
    return token.group(1)


def test_owslib_with_basic_auth_sees_the_scope(api):
    app, _, _, base = api
    clear_limits(app)
    auth = Authentication(username="heerlen@example.nl", password=PASSWORD)
    features = Features(base + "/ogc/", auth=auth)
    names = _names(features.collection_items("voorzieningen", limit=100))
    assert {PUBLIC_ORG, WIJKTEAM} <= names and CRISIS not in names
    assert features.collection("voorzieningen")["itemCount"] == 2
    anonymous = _names(Features(base + "/ogc/").collection_items("voorzieningen", limit=100))
    assert anonymous == {PUBLIC_ORG}


def test_owslib_with_a_token(api):
    app, _, facts, base = api
    token = _issue_token(app)
    features = Features(base + "/ogc/", headers={"Authorization": f"Bearer {token}"})
    names = _names(features.collection_items("voorzieningen", limit=100))
    assert WIJKTEAM in names and CRISIS not in names
    response = requests.get(
        base + "/ogc/collections/voorzieningen/items",
        params={"f": "csv", "wijkcode": facts["heerlen"]["wijkcode"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200 and WIJKTEAM in response.text
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in response.headers["Vary"]
    gpkg = requests.get(
        base + "/ogc/collections/voorzieningen/items",
        params={"f": "gpkg", "wijkcode": facts["heerlen"]["wijkcode"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert gpkg.status_code == 200 and WIJKTEAM.encode() in gpkg.content


def test_revoked_token_and_wrong_password_are_refused(api):
    app, _, _, base = api
    token = _issue_token(app)
    client = _client(app, "heerlen@example.nl")
    page = client.get("/beheer/api-sleutels").get_data(True)
    ids = re.findall(r"/beheer/api-sleutels/(\d+)/intrekken", page)
    for token_id in ids:
        client.post(f"/beheer/api-sleutels/{token_id}/intrekken", data={"csrf_token": _token(page)})
    url = base + "/ogc/collections/voorzieningen/items"
    refused = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert refused.status_code == 401 and "WWW-Authenticate" in refused.headers
    assert WIJKTEAM not in refused.text
    clear_limits(app)
    wrong = requests.get(url, auth=("heerlen@example.nl", "niet-het-wachtwoord"), timeout=30)
    assert wrong.status_code == 401
    odd = requests.get(url, headers={"Authorization": "Negotiate abc"}, timeout=30)
    assert odd.status_code == 401
    garbage = requests.get(url, headers={"Authorization": "Basic %%%"}, timeout=30)
    assert garbage.status_code == 401


def test_basic_auth_uses_the_login_lockout(api):
    app, url, _, base = api
    clear_limits(app)
    items = base + "/ogc/collections/voorzieningen/items"
    for _ in range(5):
        requests.get(items, auth=("maastricht@example.nl", "fout-fout-fout"), timeout=30)
    locked = requests.get(items, auth=("maastricht@example.nl", PASSWORD), timeout=30)
    assert locked.status_code == 401 and "try again" in locked.json()["detail"]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM inlogpoging"))
    engine.dispose()


def test_credentials_only_on_the_ogc_api(api):
    app, _, _, base = api
    clear_limits(app)
    page = requests.get(
        base + "/wijk", auth=("heerlen@example.nl", PASSWORD), allow_redirects=False, timeout=30
    )
    assert page.status_code == 302  # web pages need a session, not Basic auth


def test_a_remembered_basic_check_ends_with_the_account(api):
    """Disabling an account or changing its password elsewhere (another server process, the
    CLI, plain SQL) applies to the very next request, even within the remembered minute."""
    app, url, _, base = api
    clear_limits(app)
    items = base + "/ogc/collections/voorzieningen/items"
    auth = ("heerlen@example.nl", PASSWORD)
    first = requests.get(items, auth=auth, timeout=30)
    assert first.status_code == 200 and WIJKTEAM in first.text
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE gebruiker SET actief = false WHERE email = :e"), {"e": auth[0]}
            )
        disabled = requests.get(items, auth=auth, timeout=30)
        assert disabled.status_code == 401 and WIJKTEAM not in disabled.text
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE gebruiker SET actief = true WHERE email = :e"), {"e": auth[0]}
            )
            conn.execute(sa.text("DELETE FROM inlogpoging"))
        assert requests.get(items, auth=auth, timeout=30).status_code == 200
        with engine.begin() as conn:  # a new password (hash) elsewhere
            conn.execute(
                sa.text("UPDATE gebruiker SET wachtwoord_hash = :h WHERE email = :e"),
                {
                    "h": "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$ZmFrZWhhc2hmYWtlaGFzaA",
                    "e": auth[0],
                },
            )
        assert requests.get(items, auth=auth, timeout=30).status_code == 401
    finally:
        from geo.accounts import hash_password

        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE gebruiker SET actief = true, wachtwoord_hash = :h WHERE email = :e"
                ),
                {"h": hash_password(PASSWORD), "e": auth[0]},
            )
            conn.execute(sa.text("DELETE FROM inlogpoging"))
        engine.dispose()

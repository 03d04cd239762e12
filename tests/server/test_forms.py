"""Forms: CSRF on every POST, the request size limit, and hostile text kept raw but escaped."""

import html
import http.client
import re
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from markupsafe import escape

from server import create_app
from server.security import API_PREFIXES

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_rate_limit_counts(demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))


def _org_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT id FROM organisatie WHERE zichtbaarheid = 'openbaar' "
                "AND status = 'gepubliceerd' ORDER BY id LIMIT 1"
            )
        ).scalar_one()


def _token(client, org_id: int) -> str:
    page = client.get(f"/organisatie/{org_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def _stored(engine, marker: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text("SELECT tekst FROM melding WHERE tekst LIKE :m"), {"m": f"%{marker}%"}
            ).scalars()
        )


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM melding")).scalar_one()


# ---------------------------------------------------------------------------- CSRF
def test_every_post_route_needs_a_form_token(demo_app, demo_engine):
    """Whatever POST routes exist (later: login, editors), none works without a token."""
    client = demo_app.test_client()
    org_id = _org_id(demo_engine)
    posts = [rule for rule in demo_app.url_map.iter_rules() if "POST" in rule.methods]
    assert any(rule.endpoint == "pages.melding" for rule in posts)
    before = _count(demo_engine)
    for rule in posts:
        path = re.sub(r"<(?:int:)?organisatie_id>", str(org_id), rule.rule)
        path = re.sub(r"<int:[^>]+>", "1", path)
        path = re.sub(r"<[^>]+>", "x", path)
        response = client.post(path, data={"tekst": "zonder token"})
        assert response.status_code == 400, path
    assert _count(demo_engine) == before


def test_csrf_refusal_is_problem_json_for_programs(demo_client, demo_engine):
    org_id = _org_id(demo_engine)
    response = demo_client.post(
        f"/organisatie/{org_id}/melding",
        json={"tekst": "geheim-123"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 400 and "geheim-123" not in response.get_data(as_text=True)


def test_origin_of_this_site_or_public_base_url_is_accepted(demo_url, demo_engine):
    from tests.conftest import url_string

    app = create_app(
        {
            "DATABASE_URL": url_string(demo_url),
            "TESTING": True,
            "PUBLIC_BASE_URL": "https://kaart.example.nl/",
        }
    )
    client = app.test_client()
    org_id = _org_id(demo_engine)
    token = _token(client, org_id)
    marker = uuid.uuid4().hex
    for origin, status in (
        ("http://localhost", 303),
        ("https://kaart.example.nl", 303),
        ("https://kaart.example.nl.evil.example", 400),
        ("http://kaart.example.nl", 400),
        (None, 303),
    ):
        headers = {"Origin": origin} if origin else {}
        response = client.post(
            f"/organisatie/{org_id}/melding",
            headers=headers,
            data={"csrf_token": token, "tekst": f"{origin} {marker}"},
        )
        assert response.status_code == status, origin
    assert len(_stored(demo_engine, marker)) == 3


# ------------------------------------------------------------------------------- 413
@pytest.mark.parametrize("kind", ["form", "multipart"])
def test_20_mb_form_post_is_413_page_without_the_body(demo_client, demo_engine, kind):
    org_id = _org_id(demo_engine)
    token = _token(demo_client, org_id)
    marker = uuid.uuid4().hex
    before = _count(demo_engine)
    tekst = marker + "x" * (20 * MB)
    if kind == "form":
        response = demo_client.post(
            f"/organisatie/{org_id}/melding", data={"csrf_token": token, "tekst": tekst}
        )
    else:
        response = demo_client.post(
            f"/organisatie/{org_id}/melding",
            content_type="multipart/form-data",
            data={"csrf_token": token, "tekst": tekst},
        )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Uw bericht is te groot" in page and "Er is niets opgeslagen" in page
    assert marker not in page and "xxxx" not in page and len(page) < 20_000
    assert _count(demo_engine) == before


def test_form_just_under_the_limit_is_read(demo_client, demo_engine):
    """64 KB is the limit: a normal form is far below it and gets its ordinary answer."""
    org_id = _org_id(demo_engine)
    token = _token(demo_client, org_id)
    response = demo_client.post(
        f"/organisatie/{org_id}/melding", data={"csrf_token": token, "tekst": "x" * 60_000}
    )
    assert response.status_code == 400  # read and refused as too long (2000 characters)
    assert "te lang" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", [f"{p.rstrip('/')}/x" for p in API_PREFIXES[:2]])
def test_20_mb_api_post_is_413_problem_json(demo_client, path):
    marker = uuid.uuid4().hex
    response = demo_client.post(
        path, data=(marker + "y" * (20 * MB)).encode(), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 413
    assert marker not in response.get_data(as_text=True)


def test_20_mb_post_over_real_http_is_refused_early(demo_server, demo_engine):
    """On a real socket: the answer is 413 (the server never reads the 20 MB)."""
    org_id = _org_id(demo_engine)
    url = urlsplit(demo_server)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", f"/organisatie/{org_id}/melding")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(20 * MB))
    conn.endheaders()
    try:
        conn.send(b"tekst=" + b"z" * (1 * MB))  # the server may answer before all is sent
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 413
    assert "zzzz" not in body
    assert response.getheader("Server") == "sociale-kaart"


# ------------------------------------------------------------------------ hostile text
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_melding_text_is_stored_raw_and_escaped_on_the_page(
    demo_client, demo_engine, hostile
):
    org_id = _org_id(demo_engine)
    token = _token(demo_client, org_id)
    marker = uuid.uuid4().hex
    tekst = f"{hostile} {marker}"
    # a validation error (bad e-mail) shows the form again with the text in the textarea
    response = demo_client.post(
        f"/organisatie/{org_id}/melding",
        data={"csrf_token": token, "tekst": tekst, "email": hostile},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert hostile not in page
    assert f">{escape(tekst)}</textarea>" in page  # kept in the textarea, escaped
    assert f'value="{escape(hostile)}"' in page  # the e-mail field too
    assert "<img src=x" not in page and "<script>alert" not in page
    assert _stored(demo_engine, marker) == []
    # stored: exactly as typed (escaping belongs to whoever shows it)
    response = demo_client.post(
        f"/organisatie/{org_id}/melding", data={"csrf_token": token, "tekst": tekst}
    )
    assert response.status_code == 303
    assert _stored(demo_engine, marker) == [tekst]

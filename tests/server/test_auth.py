"""Accounts and sign-in: argon2 hashes, sessions in the database, lockout, reset, CLI."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from server import create_app
from tests.conftest import app_config

PASSWORD = "een-lang-wachtwoord-123"


@pytest.fixture(scope="module")
def auth_app(databases):
    engine = databases.create_with_areas()
    url = engine.url
    app = create_app(app_config(url, MAIL_DIR=databases_tmp()))
    with engine.begin() as conn:
        create_user(conn, "redacteur@example.nl", "redacteur", PASSWORD, naam="Ria Redacteur")
        create_user(conn, "beheerder@example.nl", "beheerder", PASSWORD)
        create_user(conn, "prof@example.nl", "professional", PASSWORD)
    engine.dispose()
    app.config["OWNER_URL"] = url
    return app


def databases_tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="sk-mail-")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, email, password=PASSWORD, volgende=""):
    page = client.get("/beheer/inloggen")
    return client.post(
        "/beheer/inloggen",
        data={
            "email": email,
            "wachtwoord": password,
            "csrf_token": _token(page.get_data(as_text=True)),
            "volgende": volgende,
        },
    )


def _clear_limits(app):
    engine = sa.create_engine(app.config["OWNER_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT limiet_wissen(NULL)"))
        conn.execute(sa.text("DELETE FROM inlogpoging"))
    engine.dispose()


def test_password_is_argon2(auth_app):
    engine = sa.create_engine(auth_app.config["OWNER_URL"])
    with engine.connect() as conn:
        hashed = conn.execute(
            sa.text("SELECT wachtwoord_hash FROM gebruiker WHERE email = 'redacteur@example.nl'")
        ).scalar()
    engine.dispose()
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_anonymous_is_sent_to_login(auth_app):
    response = auth_app.test_client().get("/beheer/organisaties")
    assert response.status_code == 302
    assert "/beheer/inloggen?volgende=/beheer/organisaties" in response.location


def test_login_renews_session_and_sets_safe_cookie(auth_app):
    _clear_limits(auth_app)
    client = auth_app.test_client()
    client.get("/beheer/inloggen")
    before = client.get_cookie("session").value
    response = login(client, "redacteur@example.nl", volgende="/beheer/organisaties")
    assert response.status_code == 302 and response.location == "/beheer/organisaties"
    cookie = client.get_cookie("session")
    assert cookie.value != before
    assert cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/beheer")
    assert page.status_code == 200
    assert "redacteur@example.nl" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    # The pre-login cookie (what an attacker could have planted) is not signed in.
    other = auth_app.test_client()
    other.set_cookie("session", before)
    assert other.get("/beheer").status_code == 302


def test_logout_ends_the_session_everywhere(auth_app):
    _clear_limits(auth_app)
    client = auth_app.test_client()
    login(client, "redacteur@example.nl")
    stolen = client.get_cookie("session").value
    page = client.get("/beheer")
    client.post("/beheer/uitloggen", data={"csrf_token": _token(page.get_data(as_text=True))})
    thief = auth_app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/beheer").status_code == 302


def test_wrong_password_and_open_redirect(auth_app):
    _clear_limits(auth_app)
    client = auth_app.test_client()
    response = login(client, "redacteur@example.nl", "fout-wachtwoord-123")
    assert response.status_code == 401
    assert "klopt niet" in response.get_data(as_text=True)
    response = login(client, "redacteur@example.nl", volgende="//evil.example/x")
    assert response.location == "/beheer"


def test_lockout_is_per_client(auth_app):
    _clear_limits(auth_app)
    attacker = auth_app.test_client()
    for _ in range(5):
        login(attacker, "beheerder@example.nl", "geraden-wachtwoord-1")
    response = login(attacker, "beheerder@example.nl")  # right password, still locked
    assert response.status_code == 429
    assert "minuten opnieuw" in response.get_data(as_text=True)
    # The real editor from another address is not locked out.
    editor = auth_app.test_client()
    editor.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert login(editor, "beheerder@example.nl").status_code == 302
    _clear_limits(auth_app)


def test_idle_timeout(auth_app):
    _clear_limits(auth_app)
    client = auth_app.test_client()
    login(client, "redacteur@example.nl")
    assert client.get("/beheer").status_code == 200
    engine = sa.create_engine(auth_app.config["OWNER_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE sessie SET laatst_actief = now() - interval '31 minutes'"))
    engine.dispose()
    assert client.get("/beheer").status_code == 302


def test_roles(auth_app):
    _clear_limits(auth_app)
    prof = auth_app.test_client()
    login(prof, "prof@example.nl")
    assert prof.get("/beheer").status_code == 200
    assert prof.get("/beheer/organisaties").status_code == 403
    assert prof.get("/beheer/gebruikers").status_code == 403
    editor = auth_app.test_client()
    login(editor, "redacteur@example.nl")
    assert editor.get("/beheer/gebruikers").status_code == 403
    admin = auth_app.test_client()
    login(admin, "beheerder@example.nl")
    assert admin.get("/beheer/gebruikers").status_code == 200


def test_password_reset_link_works_once(auth_app, tmp_path):
    from pathlib import Path

    _clear_limits(auth_app)
    client = auth_app.test_client()
    page = client.get("/beheer/wachtwoord-vergeten")
    client.post(
        "/beheer/wachtwoord-vergeten",
        data={"email": "prof@example.nl", "csrf_token": _token(page.get_data(as_text=True))},
    )
    mails = sorted(Path(auth_app.config["MAIL_DIR"]).glob("*.eml"))
    assert mails
    text = message_from_bytes(mails[-1].read_bytes(), policy=default).get_content()
    link = re.search(r"http://localhost(/beheer/wachtwoord-herstellen/\S+)", text).group(1)
    form = client.get(link)
    assert form.status_code == 200
    new = "nieuw-wachtwoord-456"
    response = client.post(
        link,
        data={
            "wachtwoord": new,
            "herhaling": new,
            "csrf_token": _token(form.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert client.get(link).status_code == 410  # single use
    assert login(auth_app.test_client(), "prof@example.nl", new).status_code == 302
    assert login(auth_app.test_client(), "prof@example.nl").status_code == 401


def test_users_cli(auth_app):
    runner = auth_app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--rol",
            "redacteur",
            "--email",
            "Nieuw@Example.nl",
            "--gemeente",
            "GM0935",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Wachtwoord (wordt maar één keer getoond):" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--rol",
            "professional",
            "--email",
            "wijk@example.nl",
            "--gebied",
            "WK093501",
            "--wachtwoord-stdin",
        ],
        input="mijn-eigen-wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    assert "Wachtwoord" not in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--rol",
            "redacteur",
            "--email",
            "x@example.nl",
            "--gemeente",
            "GM9999",
        ]
    )
    assert result.exit_code == 1 and "Onbekend gebied: GM9999" in result.output
    result = runner.invoke(args=["users", "list"])
    assert "nieuw@example.nl" in result.output and "WK093501" in result.output
    assert runner.invoke(args=["users", "disable", "wijk@example.nl"]).exit_code == 0
    _clear_limits(auth_app)
    assert (
        login(auth_app.test_client(), "wijk@example.nl", "mijn-eigen-wachtwoord").status_code == 401
    )


def test_activity_is_written_at_most_once_a_minute(auth_app):
    _clear_limits(auth_app)
    client = auth_app.test_client()
    login(client, "beheerder@example.nl")
    engine = sa.create_engine(auth_app.config["OWNER_URL"])
    marker = "SELECT laatst_actief FROM sessie WHERE beeindigd_op IS NULL ORDER BY aangemaakt_op DESC LIMIT 1"
    try:
        for ago, written in (("30 seconds", False), ("5 minutes", True)):
            with engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE sessie SET laatst_actief = now() - CAST(:ago AS interval) "
                        "WHERE token_hash = (SELECT token_hash FROM sessie "
                        "ORDER BY aangemaakt_op DESC LIMIT 1)"
                    ),
                    {"ago": ago},
                )
                before = conn.execute(sa.text(marker)).scalar()
            assert client.get("/beheer").status_code == 200
            with engine.connect() as conn:
                after = conn.execute(sa.text(marker)).scalar()
            assert (after != before) is written, ago
    finally:
        engine.dispose()

"""Sign-in for editors and professionals: Flask-Login over the sessions in the database.

- The cookie (Flask's signed session: HttpOnly, SameSite=Lax, Secure outside development)
  carries a random session token; ``sessie`` keeps its hash (geo/accounts.py). A login
  clears the old session and starts a new token (no session fixation); logging out,
  disabling the account or a password reset ends the session in the database too.
- Idle timeout: ``SESSION_IDLE_MINUTES`` in the database (authoritative) and as the
  cookie's lifetime.
- ``role_required`` guards views: anonymous people are sent to the login page (API paths
  get 401 problem+json), signed-in people without the role get 403.
- Responses to a signed-in user are ``Cache-Control: private, no-store``: what they see
  may include data no shared cache may keep.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from geo.accounts import User
from geo.sessions import end_session, load_session, start_session
from layers.visibility import PUBLIC, Visibility, for_account
from server.database import get_engine
from server.security import API_PREFIXES, error_response

TRUE = {"1", "true", "yes", "ja", "on"}


class SessionUser(UserMixin):
    """The signed-in account; ``get_id`` is the session token, never the account id."""

    def __init__(self, user: User, token: str):
        self.user = user
        self.token = token

    def get_id(self) -> str:
        """The session token (what Flask-Login keeps in the cookie)."""
        return self.token

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


login_manager = LoginManager()
login_manager.login_view = "inloggen.inloggen"
login_manager.login_message = "Log in om deze pagina te zien."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load(token: str) -> SessionUser | None:
    idle = int(current_app.config["SESSION_IDLE_MINUTES"])
    with get_engine().begin() as conn:
        user = load_session(conn, token, idle)
    return None if user is None else SessionUser(user, token)


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if request.path.startswith(API_PREFIXES) or request.method not in ("GET", "HEAD"):
        return error_response(
            401,
            "Unauthorized",
            "Log eerst in.",
            "Log eerst in",
            "Deze pagina is alleen voor ingelogde medewerkers. Log in en probeer het opnieuw.",
        )
    return redirect(url_for("inloggen.inloggen", volgende=request.full_path.rstrip("?")))


def signed_in_user() -> User | None:
    """The signed-in account, or None (no database work for anonymous requests).

    On /ogc, API credentials (server/api_auth.py) count as signed in.
    """
    api = g.get("api_user")
    if api is not None:
        return api
    if not session.get("_user_id"):
        return None
    if current_user.is_authenticated:
        return current_user.user
    return None


def visibility() -> Visibility:
    """What the current request may see (layers/visibility.py).

    A professional scoped to gemeenten, wijken or buurten sees professional records only
    inside those areas and the public view elsewhere.
    """
    user = signed_in_user()
    if user is None:
        return PUBLIC
    return for_account(user.rol, user.gemeenten, user.gebieden)


def sign_in(user: User) -> None:
    """Start a fresh session for ``user`` (the pre-login session is discarded)."""
    with get_engine().begin() as conn:
        token = start_session(conn, user.id)
    session.clear()
    session.permanent = True
    login_user(SessionUser(user, token))


def sign_out() -> None:
    """End the current session in the database and in the cookie."""
    if current_user.is_authenticated:
        with get_engine().begin() as conn:
            end_session(conn, current_user.token)
    logout_user()
    session.clear()


def role_required(*roles: str) -> Callable:
    """Only signed-in accounts with one of ``roles`` (login redirect, else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.rol not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def editor_required(view: Callable) -> Callable:
    """Beheerders and redacteuren."""
    return role_required("beheerder", "redacteur")(view)


def _private(response: Response) -> Response:
    if session.get("_user_id") and not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    """Install Flask-Login and the cookie settings on ``app``."""
    login_manager.init_app(app)
    secure = str(app.config["SESSION_COOKIE_SECURE"]).strip().lower()
    development = bool(app.extensions.get("sociale_kaart.development"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(not development)
        if secure == "auto"
        else secure in {"1", "true", "yes", "ja", "on"},
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=int(app.config["SESSION_IDLE_MINUTES"])),
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_DURATION=timedelta(0),
    )
    app.after_request(_private)

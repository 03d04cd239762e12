"""Credentials for QGIS and scripts on the OGC API: HTTP Basic or a personal token.

A request under ``/ogc`` with an ``Authorization`` header is read as that account:

- ``Basic`` with e-mail address and password: checked like the login form, with the same
  lockout per address and client (geo/accounts.py). A successful check is remembered for
  ``REMEMBER_SECONDS`` under a hash of the header, so QGIS fetching a hundred tiles does
  not pay the password hash a hundred times; a remembered check still reads the account
  by primary key on every request, so a disabled account, a changed role or scope, or a
  new password applies to the very next request.
- ``Bearer <token>``: a token issued in /beheer/api-sleutels (geo/api_tokens.py).

Wrong credentials get 401 problem+json with ``WWW-Authenticate`` (never the public view
instead: a script must notice). The request then gets the account's visibility
(server/auth.visibility) and the answer is ``private, no-store`` with ``Vary:
Authorization``. Other paths ignore the header (the web pages use the session).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time

from flask import Flask, Response, g, request

from geo.accounts import User, authenticate, password_hash, still_valid
from geo.api_tokens import user_for_token
from server.database import get_engine
from server.ratelimit import client_key
from server.security import error_response

PREFIX = "/ogc"
REMEMBER_SECONDS = 60
REMEMBER_MAX = 256
_remembered: dict[str, tuple[float, int, str]] = {}  # key -> (until, account id, hash)


def api_user() -> User | None:
    """The account of this request's API credentials, or None."""
    return g.get("api_user")


def _refused(detail: str) -> Response:
    response = error_response(
        401,
        "Unauthorized",
        detail,
        "Inloggen mislukt",
        "Deze gegevens horen bij geen actief account. Controleer uw e-mailadres en wachtwoord "
        "of uw API-sleutel.",
    )
    response.headers["WWW-Authenticate"] = 'Basic realm="Sociale Kaart", charset="UTF-8"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _basic(value: str) -> User | Response:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return _refused("The Basic credentials are not valid base64 of 'e-mail:password'.")
    email, sep, password = decoded.partition(":")
    if not sep:
        return _refused("The Basic credentials must be 'e-mail:password'.")
    key = hashlib.sha256(f"{client_key()}\0{decoded}".encode()).hexdigest()
    found = _remembered.get(key)
    if found and found[0] > time.monotonic():
        with get_engine().connect() as conn:
            current = still_valid(conn, found[1], found[2])
        if current is not None:
            return current
        _remembered.pop(key, None)
    with get_engine().begin() as conn:
        user, wait = authenticate(conn, email, password, client_key())
        hashed = password_hash(conn, user.id) if user is not None else None
    if user is None:
        if wait:
            return _refused(f"Too many failed attempts; try again in {wait} seconds.")
        return _refused("Unknown e-mail address or wrong password.")
    if len(_remembered) >= REMEMBER_MAX:
        _remembered.clear()
    if hashed is not None:
        _remembered[key] = (time.monotonic() + REMEMBER_SECONDS, user.id, hashed)
    return user


def _bearer(token: str) -> User | Response:
    with get_engine().begin() as conn:
        user = user_for_token(conn, token.strip())
    return user if user is not None else _refused("Unknown or revoked API token.")


def _read_credentials() -> Response | None:
    if not request.path.startswith(PREFIX):
        return None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "basic":
        found = _basic(value.strip())
    elif scheme.lower() == "bearer":
        found = _bearer(value)
    else:
        return _refused("Use HTTP Basic (e-mail and password) or 'Bearer <API token>'.")
    if isinstance(found, Response):
        return found
    g.api_user = found
    return None


def _private(response: Response) -> Response:
    if request.path.startswith(PREFIX):
        response.vary.add("Authorization")
        if g.get("api_user") is not None:
            response.headers["Cache-Control"] = "private, no-store"
    return response


def forget() -> None:
    """Drop remembered Basic checks (a disabled account or a new password takes effect)."""
    _remembered.clear()


def init_app(app: Flask) -> None:
    """Read API credentials before every /ogc request."""
    app.before_request(_read_credentials)
    app.after_request(_private)

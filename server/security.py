"""Request hardening: security headers, CSRF and Origin checks, the body size limit.

``init_app`` installs everything on an app:

- every response gets ``X-Content-Type-Options: nosniff`` and a neutral ``Server`` header
  (Werkzeug's development server then adds no ``Werkzeug/x Python/y`` banner); HTML
  responses also a Content-Security-Policy, ``X-Frame-Options`` and ``Referrer-Policy``;
  ``Strict-Transport-Security`` when the request came over HTTPS or ``PUBLIC_BASE_URL`` is
  an https URL.
- Flask-WTF's ``CSRFProtect`` checks a token on every POST, PUT, PATCH and DELETE (forms
  render ``csrf_token()``); a request whose ``Origin`` header names another site is refused
  as well, whatever the scheme.
- ``MAX_CONTENT_LENGTH`` bounds every request body (413).
- with ``TRUSTED_PROXIES`` > 0, werkzeug's ``ProxyFix`` takes the client address, scheme
  and host from that many reverse proxies' ``X-Forwarded-*`` headers (rate limits key on
  the client address, HSTS and the Origin check on scheme and host). Never set it when
  clients can reach the app directly: they could then choose their own address.

The error pages of this module (400 for a bad form token, 413) never show anything of
the submitted body: problem+json for API clients, a short Dutch page for people.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from server.responses import problem

SERVER_NAME = "sociale-kaart"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Machine clients: these paths answer in problem+json, whatever the client accepts.
API_PREFIXES = ("/api/", "/ogc", "/kaart/", "/healthz", "/vendor/")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PDOK_BASEMAP = "https://service.pdok.nl"
HSTS = "max-age=31536000; includeSubDomains"
CSRF_TIME_LIMIT = 2 * 24 * 3600  # seconds a form may stay open before its token expires


@cache
def content_security_policy(online_basemap: bool) -> str:
    """The CSP of every HTML page.

    Our own files only, plus what MapLibre needs (workers from blob: URLs, canvas images
    as data:/blob:) and the PDOK tiles when switched on.
    """
    extra = f" {PDOK_BASEMAP}" if online_basemap else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: blob:{extra}",
        "font-src": "'self'",
        "connect-src": f"'self'{extra}",
        "worker-src": "blob:",
        "child-src": "blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def wants_html() -> bool:
    """Whether an error should be a page for people rather than problem+json.

    Not on API paths; yes for form posts and for browsers that prefer HTML.
    """
    if request.path.startswith(API_PREFIXES):
        return False
    if request.mimetype in FORM_TYPES:
        return True
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def error_response(
    status: int, title: str, detail: str, page_title: str, page_text: str
) -> Response:
    """An error for people (Dutch HTML page) or programs (problem+json).

    Neither includes anything the client sent.
    """
    if not wants_html():
        return problem(status, title, detail)
    from server.form_messages import form_message  # the page in the reader's language

    html = render_template(
        "fout.html", titel=form_message(page_title), tekst=form_message(page_text)
    )
    return Response(html, status=status, mimetype="text/html")


def _csrf_failed(exc: CSRFError) -> Response:
    current_app.logger.info("form refused on %s: %s", request.path, exc.description)
    return error_response(
        400,
        "Bad Request",
        "De beveiligingscode van het formulier ontbreekt of klopt niet.",
        "Het formulier is verlopen",
        "Het formulier was te lang open, of het kwam niet van deze website. Er is niets "
        "opgeslagen. Ga terug naar de vorige pagina, laad die opnieuw en verstuur het "
        "formulier nog een keer.",
    )


def _too_large(exc: RequestEntityTooLarge) -> Response:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return error_response(
        413,
        "Content Too Large",
        f"Het verzoek is groter dan {limit} bytes.",
        "Uw bericht is te groot",
        "Wat u verstuurde is te groot. Er is niets opgeslagen. Maak uw tekst korter en "
        "probeer het opnieuw.",
    )


def _allowed_origins() -> set[str]:
    origins = {f"{request.scheme}://{request.host}".lower()}
    base = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "")
    if base.scheme and base.netloc:
        origins.add(f"{base.scheme}://{base.netloc}".lower())
    return origins


def _check_request() -> None:
    """Refuse bodies over the limit and unsafe requests from another site's page.

    Bodies over the limit are refused before anything reads them; an unsafe request came
    from another site's page when its ``Origin`` header names that site (``null`` too).
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()
    if request.method in UNSAFE_METHODS:
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/").lower() not in _allowed_origins():
            raise CSRFError("The Origin header names another site.")


def https_site(config) -> bool:
    """The site is served over HTTPS according to the settings (PUBLIC_BASE_URL)."""
    return str(config.get("PUBLIC_BASE_URL") or "").lower().startswith("https://")


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Server"] = SERVER_NAME
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = content_security_policy(
            bool(current_app.config.get("ONLINE_BASEMAP"))
        )
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if request.is_secure or https_site(current_app.config):
        headers["Strict-Transport-Security"] = HSTS
    return response


def _send_response_without_banner(self, code: int, message: str | None = None) -> None:
    """``BaseHTTPRequestHandler.send_response`` without its ``Server`` banner line.

    Werkzeug writes ``Server: Werkzeug/x Python/y``; the app's own (neutral) ``Server``
    header is to be the only one.
    """
    self.log_request(code)
    self.send_response_only(code, message)
    self.send_header("Date", self.date_time_string())


def init_app(app: Flask) -> None:
    """Install CSRF protection, the Origin and size checks and the security headers."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", CSRF_TIME_LIMIT)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = https_site(app.config)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # client address, scheme and host as the trusted proxies saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.before_request(_check_request)  # before CSRFProtect's check: cheap refusals first
    CSRFProtect(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.after_request(_add_headers)
    # Werkzeug's development server (`sociale-kaart run`, the tests' live servers) writes a
    # version banner before the app's headers; production servers are configured instead
    # (gunicorn: see README "Settings" / the gunicorn config).
    WSGIRequestHandler.send_response = (  # type: ignore[method-assign]  # on purpose, see above
        _send_response_without_banner
    )

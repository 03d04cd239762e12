"""Rate limits that hold across server processes: Flask-Limiter with counters in PostgreSQL.

The counters live in the UNLOGGED table ``limiet_teller`` (migration 0011). The web app
never writes that table itself: it calls the SECURITY DEFINER functions
``limiet_verhogen``, ``limiet_stand`` and ``limiet_wissen``, so its least-privilege role
only needs EXECUTE on them. Every worker and every machine on the same database therefore
shares one count (fixed-window strategy).

A client is its address (an IPv6 client its /64 network, which one household usually
gets), as a keyed hash: the counters hold no IP addresses. Behind a reverse proxy set
``TRUSTED_PROXIES`` (server/security.py), or every client counts as the proxy.

Limited: "meld een fout" (``RATELIMIT_MELDING``) and the PDF paper map
(``RATELIMIT_PDF``, seconds of CPU each). Over the limit: 429 with ``Retry-After``,
problem+json for programs and a short Dutch page for people; the view does not run, so
nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits.errors import ConfigurationError
from limits.storage import Storage

from server.database import get_engine
from server.security import error_response

EXTENSION_KEY = "sociale_kaart.limiter"
# endpoint -> the setting with its limits ("5 per minute;20 per day")
LIMITED = {
    "pages.melding": "RATELIMIT_MELDING",
    "pages.print_pdf": "RATELIMIT_PDF",
    "pages.print_search_pdf": "RATELIMIT_PDF",
    "inloggen.inloggen_post": "RATELIMIT_LOGIN",
    "inloggen.wachtwoord_vergeten_post": "RATELIMIT_LOGIN",
    "inloggen.herstellen_post": "RATELIMIT_LOGIN",
    "aanmelden.versturen": "RATELIMIT_AANMELDEN",
    "verificatie.klopt": "RATELIMIT_AANMELDEN",
    "verificatie.wijzigen": "RATELIMIT_AANMELDEN",
}

INCR = sa.text("SELECT limiet_verhogen(:sleutel, :seconden, :aantal)")
STAND = sa.text("SELECT aantal, verloopt FROM limiet_stand(:sleutel)")
WISSEN = sa.text("SELECT limiet_wissen(:sleutel)")
PING = sa.text("SELECT 1")


class PostgresStorage(Storage):
    """A ``limits`` storage over the database functions of migration 0011.

    ``engine`` is a callable returning the SQLAlchemy engine (called on use, so building
    the app connects to nothing). Each call is one short transaction of its own.
    """

    STORAGE_SCHEME = ["sociale-kaart"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Callable[[], sa.Engine] | None = None,
        **options,
    ) -> None:
        if engine is None:
            raise ConfigurationError("sociale-kaart:// storage needs engine=<callable>")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        """The errors of this storage that ``limits`` treats as storage failures."""
        return sa.exc.SQLAlchemyError

    def _scalar(self, statement: sa.TextClause, **params):
        with self._engine().begin() as conn:
            return conn.execute(statement, params).scalar_one()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the window of ``key``; a new window lasts ``expiry`` seconds."""
        return int(
            self._scalar(INCR, sleutel=key, seconden=int(math.ceil(expiry)), aantal=int(amount))
        )

    def _stand(self, key: str) -> tuple[int, float]:
        with self._engine().begin() as conn:
            row = conn.execute(STAND, {"sleutel": key}).one()
        return int(row.aantal), float(row.verloopt)

    def get(self, key: str) -> int:
        """The count in the current window of ``key`` (0 when none or expired)."""
        return self._stand(key)[0]

    def get_expiry(self, key: str) -> float:
        """When the window of ``key`` ends (epoch seconds; now when there is none)."""
        return self._stand(key)[1]

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            self._scalar(PING)
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Remove every counter."""
        self._scalar(WISSEN, sleutel=None)
        return None

    def clear(self, key: str) -> None:
        """Remove the counter of ``key`` (and any expired ones)."""
        self._scalar(WISSEN, sleutel=key)


def client_address() -> str:
    """The client's address as rate limits see it: IPv4 as is, IPv6 as its /64 network."""
    raw = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "onbekend"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_key() -> str:
    """A keyed hash of :func:`client_address` (SECRET_KEY, the same on every worker)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, client_address().encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def _too_many(exc: RateLimitExceeded) -> Response:
    limiter: Limiter | None = current_app.extensions.get(EXTENSION_KEY)
    current = limiter.current_limit if limiter is not None else None
    reset_at = current.window[0] if current is not None else time.time() + 60  # epoch
    retry_after = max(1, int(math.ceil(reset_at - time.time())))
    response = error_response(
        429,
        "Too Many Requests",
        f"Te veel verzoeken (hoogstens {_limit_text(exc)}). "
        f"Probeer het over {_wait_text(retry_after)} opnieuw.",
        "Even wachten, alstublieft",
        "U heeft dit kort na elkaar te vaak gedaan. Er is niets opgeslagen. Probeer het "
        f"over {_wait_text(retry_after)} opnieuw.",
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


_PERIODS = {1: "seconde", 60: "minuut", 3600: "uur", 86400: "dag"}


def _limit_text(exc: RateLimitExceeded) -> str:
    """The limit that was hit, in Dutch: "5 per uur" (flask-limiter's own text is English)."""
    item = exc.limit.limit
    seconds = item.get_expiry()
    per = _PERIODS.get(seconds) or _wait_text(seconds)
    return f"{item.amount} per {per}"


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconden" if seconds != 1 else "1 seconde"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minuten"
    hours = round(seconds / 3600)
    return "1 uur" if hours == 1 else f"{hours} uur"


def init_app(app: Flask) -> Limiter | None:
    """Rate-limit the endpoints in :data:`LIMITED` on ``app``, after its blueprints are registered.

    One Limiter per app: each app counts in its own database.
    """
    app.register_error_handler(RateLimitExceeded, _too_many)
    if not app.config.get("RATELIMIT_ENABLED", True):
        return None
    limiter = Limiter(
        key_func=client_key,
        storage_uri="sociale-kaart://",
        # flask-limiter types the options as str | int; they are our storage's arguments
        storage_options={"engine": lambda: get_engine(app)},  # type: ignore[dict-item]
        strategy="fixed-window",
        key_prefix="sk",
        headers_enabled=False,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    for endpoint, setting in LIMITED.items():
        value = app.config.get(setting)
        if value and endpoint in app.view_functions:
            # wrap this app's view only; the blueprint's function stays as it was
            # flask-limiter's decorator is typed for async views too; it keeps ours sync
            app.view_functions[endpoint] = limiter.limit(value)(  # type: ignore[assignment]
                app.view_functions[endpoint]
            )
    return limiter

"""Map every error to an HTTP status and an ``application/problem+json`` body (RFC 9457)."""

from __future__ import annotations

import logging

import psycopg
import sqlalchemy as sa
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from analysis.errors import AnalysisError
from geo.errors import AreaLoadError, DatabaseUnavailable, GeoError, NotFound
from layers.errors import FeatureNotFound, LayerError, UnknownCollection, UnknownLevel
from server.responses import problem

log = logging.getLogger(__name__)

# Domain errors carry no HTTP knowledge; this table is the only place that maps them.
STATUS = {
    UnknownCollection: 404,
    FeatureNotFound: 404,
    LayerError: 400,
    NotFound: 404,
    UnknownLevel: 404,
    AreaLoadError: 400,
    DatabaseUnavailable: 503,
    GeoError: 400,
    AnalysisError: 400,
}


def _status_for(exc: Exception) -> int | None:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return None


def handle_http(exc: HTTPException) -> Response:
    """Werkzeug's HTTP errors (404, 405, …) as problem+json, with ``Allow`` on a 405."""
    response = problem(exc.code or 500, exc.name, exc.description)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


UNAVAILABLE = "De database is even niet bereikbaar. Probeer het zo opnieuw."
TOO_SLOW = (
    "De database had te lang nodig voor deze vraag. Probeer het zo opnieuw, "
    "of vraag minder tegelijk op."
)
RETRY_AFTER = "2"


def database_outage(exc: BaseException) -> str | None:
    """The Dutch detail for a database that cannot answer now, or None for other errors.

    The database is down, unreachable, busy or too slow: a 503, try again later. None
    when ``exc`` is not such an error.

    Connect failures, dropped connections, a server shutting down, a full pool and a
    query cancelled by ``statement_timeout`` are all OperationalError (psycopg) or
    InterfaceError, wrapped by SQLAlchemy or not. Errors in our SQL or missing grants are
    not: those stay a 500.
    """
    cause: BaseException | None = exc
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return UNAVAILABLE
        cause = exc.orig
    if isinstance(cause, psycopg.errors.QueryCanceled):
        return TOO_SLOW
    if isinstance(cause, (psycopg.OperationalError, psycopg.InterfaceError, sa.exc.TimeoutError)):
        return UNAVAILABLE
    return None


def handle_any(exc: Exception) -> Response:
    """Every other error as problem+json: its status from :data:`STATUS`, else a 500."""
    detail = database_outage(exc)
    if detail is not None:
        log.warning(
            "database unavailable on %s: %s: %s",
            request.path,
            type(exc).__name__,
            getattr(exc, "orig", exc),
        )
        response = problem(503, "Service Unavailable", detail)
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    status = _status_for(exc)
    if status is None:
        log.exception("unhandled error on %s", request.path)
        return problem(500, "Internal Server Error", "Er ging iets mis aan onze kant.")
    titles = {404: "Not Found", 400: "Bad Request", 503: "Service Unavailable"}
    response = problem(status, titles.get(status, "Error"), str(exc))
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_any)

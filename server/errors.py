"""Map every error to an HTTP status and an ``application/problem+json`` body (RFC 9457)."""

from __future__ import annotations

import json
import logging

import psycopg
import sqlalchemy as sa
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from analysis.errors import AnalysisError
from geo.errors import AreaLoadError, DatabaseUnavailable, GeoError, NotFound
from layers.errors import FeatureNotFound, LayerError, UnknownCollection, UnknownLevel

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
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


def problem(status: int, title: str, detail: str | None = None, **extra) -> Response:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)


def _status_for(exc: Exception) -> int | None:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return None


def handle_http(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.name, exc.description)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


UNAVAILABLE = "De database is even niet bereikbaar. Probeer het zo opnieuw."
TOO_SLOW = ("De database had te lang nodig voor deze vraag. Probeer het zo opnieuw, "
            "of vraag minder tegelijk op.")
RETRY_AFTER = "2"


def database_outage(exc: BaseException) -> str | None:
    """The Dutch detail for a database that is down, unreachable, busy or too slow (a 503:
    try again later), or None when ``exc`` is not such an error.

    Connect failures, dropped connections, a server shutting down, a full pool and a
    query cancelled by ``statement_timeout`` are all OperationalError (psycopg) or
    InterfaceError, wrapped by SQLAlchemy or not. Errors in our SQL or missing grants are
    not: those stay a 500.
    """
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return UNAVAILABLE
        exc = exc.orig
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return TOO_SLOW
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError,
                        sa.exc.TimeoutError)):
        return UNAVAILABLE
    return None


def handle_any(exc: Exception) -> Response:
    detail = database_outage(exc)
    if detail is not None:
        log.warning("database unavailable on %s: %s: %s", request.path,
                    type(exc).__name__, getattr(exc, "orig", exc))
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

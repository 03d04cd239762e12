"""Map every error to an HTTP status and an ``application/problem+json`` body (RFC 9457)."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from geo.errors import AreaLoadError, DatabaseUnavailable, GeoError, NotFound
from layers.errors import FeatureNotFound, LayerError, UnknownCollection
from layers.outlines import UnknownLevel

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


def handle_any(exc: Exception) -> Response:
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        log.warning("database connection lost on %s: %s", request.path, exc.orig)
        response = problem(503, "Service Unavailable",
                           "De database is even niet bereikbaar. Probeer het zo opnieuw.")
        response.headers["Retry-After"] = "2"
        return response
    status = _status_for(exc)
    if status is None:
        log.exception("unhandled error on %s", request.path)
        return problem(500, "Internal Server Error", "Er ging iets mis aan onze kant.")
    titles = {404: "Not Found", 400: "Bad Request", 503: "Service Unavailable"}
    return problem(status, titles.get(status, "Error"), str(exc))


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_any)

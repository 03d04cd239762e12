"""``/healthz``: is the database reachable, which PostgreSQL, PostGIS and schema revision."""

from flask import Blueprint, jsonify

from geo.db import server_info
from server.database import get_health_engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The database's state as JSON: 200 when PostGIS answers, 503 otherwise."""
    # Its own tiny pool (web role): health never waits behind busy feature pages.
    info = server_info(get_health_engine())  # DatabaseUnavailable -> 503 problem+json
    status = "ok" if info["postgis"] else "degraded"
    response = jsonify({"status": status, "database": info})
    response.headers["Cache-Control"] = "no-store"
    return response, (200 if info["postgis"] else 503)

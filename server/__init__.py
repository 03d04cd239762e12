"""Flask application: HTTP and CLI only. ``create_app`` builds everything; nothing at import."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import click
from flask import Flask

from server.commands import register_commands
from server.database import web_database_url
from server.errors import register_error_handlers
from server.responses import JsonProvider
from server.settings import check_production, is_development, load_settings


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from defaults, SOCIALE_KAART_* environment and ``config`` (in that order)."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    # Development (README "Settings"): ENV=development, debug or testing mode, or built by
    # the sociale-kaart command line (its commands and dev server); else production.
    development = is_development(app.config) or click.get_current_context(silent=True) is not None
    app.extensions["sociale_kaart.development"] = development
    if not development:
        check_production(app.config)  # ConfigError naming the missing SECRET_KEY
        web_database_url(app.config, development=False)  # WebRoleMissing without a web role
    # Whether a fixed key was configured (commands that sign links for the server need one).
    app.extensions["sociale_kaart.secret_configured"] = bool(app.config["SECRET_KEY"])
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or secrets.token_hex(32)
    app.json = JsonProvider(app)

    from server.input_guard import register_input_guard

    register_input_guard(app)  # first before_request: control characters are a 400
    from flask_compress import Compress
    from flask_cors import CORS

    from server.routes import (
        aanmelden,
        beheer,
        beheer_geschiedenis,
        beheer_inbox,
        beheer_records,
        beheer_verificatie,
        dekking,
        health,
        hsds,
        inloggen,
        kaart,
        ogc,
        ogc_items,
        pages,
        tiles,
        vendor,
        verificatie,
        wijk,
        wijk_beheer,
        zoeken,
    )

    for blueprint in (
        health.bp,
        kaart.bp,
        vendor.bp,
        ogc.bp,
        ogc_items.bp,
        tiles.bp,
        pages.bp,
        zoeken.bp,
        dekking.bp,
        inloggen.bp,
        beheer.bp,
        beheer_records.bp,
        beheer_geschiedenis.bp,
        beheer_inbox.bp,
        beheer_verificatie.bp,
        aanmelden.bp,
        verificatie.bp,
        hsds.bp,
        wijk.bp,
        wijk_beheer.bp,
    ):
        app.register_blueprint(blueprint)
    # Public data may be read from any web page; compress JSON, GeoJSON, HTML and CSV.
    CORS(
        app,
        resources={r"/ogc/*": {"origins": "*"}, r"/kaart/*": {"origins": "*"}},
        expose_headers=["Content-Crs", "Link", "ETag"],
        send_wildcard=True,
    )
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "application/json",
            "application/geo+json",
            "application/schema+json",
            "application/vnd.oai.openapi+json;version=3.0",
            "text/html",
            "text/css",
            "text/javascript",
            "text/csv",
            "application/vnd.mapbox-vector-tile",
        ],
    )
    # gzip level 1: a page of 1000 features (1 MB) costs ~10 ms instead of ~30 ms at the
    # default 6, for about a third more bytes; GDAL asks for gzip, and at level 6 the
    # compression was most of a warm page (bench/ogc_bench.py, GDAL copy 1.74x -> 1.38x
    # the local-file floor at 150,000 features). Whole responses that get gzip are
    # compressed with ISA-L instead (server/gzip_fast.py: ~1.5 ms for that page).
    app.config.setdefault("COMPRESS_LEVEL", 1)
    compress = Compress(app)
    from server import gzip_fast

    gzip_fast.init_app(app, compress.enabled_algorithms)
    from server import api_auth, auth, i18n, ratelimit, security

    i18n.init_app(app)  # languages of the residents' pages (Flask-Babel, ?taal=, Vary)

    auth.init_app(app)  # Flask-Login over the sessions table; private responses when signed in
    api_auth.init_app(app)  # HTTP Basic or API token on /ogc (QGIS, scripts)
    security.init_app(app)  # CSRF and Origin checks, body size limit, security headers
    ratelimit.init_app(app)  # after the blueprints: it wraps the limited views
    register_error_handlers(app)
    register_commands(app)
    return app

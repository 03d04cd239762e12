"""Flask application: HTTP and CLI only. ``create_app`` builds everything; nothing at import."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import Flask

from server.commands import register_commands
from server.errors import register_error_handlers
from server.settings import load_settings


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app from defaults, SOCIALE_KAART_* environment and ``config`` (in that order)."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or secrets.token_hex(32)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from server.routes import health, kaart, vendor

    app.register_blueprint(health.bp)
    app.register_blueprint(kaart.bp)
    app.register_blueprint(vendor.bp)
    register_error_handlers(app)
    register_commands(app)
    return app

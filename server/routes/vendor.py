"""Front-end packages installed by npm, served by us (no CDN): MapLibre GL JS and Maki icons."""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# Allow-list: URL name -> folder inside node_modules. Nothing else is reachable.
PACKAGES = {
    "maplibre-gl": "maplibre-gl/dist",
    "maki": "@mapbox/maki/icons",
}


@bp.get("/<package>/<path:filename>")
def asset(package: str, filename: str):
    """A file of one of the allowed npm packages, cached by browsers for a day."""
    if package not in PACKAGES:
        abort(404)
    folder = Path(current_app.config["NODE_MODULES"]) / PACKAGES[package]
    response = send_from_directory(folder, filename, max_age=86400)
    return response

"""Our app for the layer-service benchmark: ``server.create_app()`` plus, when the tiles
blueprint exists but is not registered yet, that blueprint (bench only).

    gunicorn --pythonpath bench 'ogc_app:create()'
"""

from __future__ import annotations

import importlib

from server import create_app

TILE_RULE_PART = "/tiles/WebMercatorQuad/"


def has_tiles_route(app) -> bool:
    return any(TILE_RULE_PART in rule.rule and rule.rule.startswith("/ogc/collections/")
               for rule in app.url_map.iter_rules())


def create():
    app = create_app()
    if not has_tiles_route(app):
        try:
            module = importlib.import_module("server.routes.tiles")
        except ImportError:
            module = None
        blueprint = getattr(module, "bp", None)
        if blueprint is not None and blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app

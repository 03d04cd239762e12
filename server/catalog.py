"""The app's layer catalogue, read once from the database and cached on the app."""

from __future__ import annotations

from flask import Flask, current_app

from layers.cache import LayerCache
from layers.catalog import Collection, load_catalog
from layers.errors import UnknownCollection
from layers.visibility import Visibility
from server.auth import visibility
from server.database import get_engine

EXTENSION_KEY = "sociale_kaart.catalog"
CACHE_KEY = "sociale_kaart.layer_cache"


def get_catalog(app: Flask | None = None, refresh: bool = False) -> dict[str, Collection]:
    """Published collections by id (loaded on first use)."""
    app = app or current_app
    if refresh or EXTENSION_KEY not in app.extensions:
        with get_engine(app).connect() as conn:
            app.extensions[EXTENSION_KEY] = load_catalog(conn)
    return app.extensions[EXTENSION_KEY]


def get_layer_cache(app: Flask | None = None) -> LayerCache:
    """The process's cache of features, counts and tiles (LAYER_CACHE_MB; 0 = off)."""
    app = app or current_app
    cache = app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = app.extensions[CACHE_KEY] = LayerCache(int(app.config["LAYER_CACHE_MB"]) << 20)
    return cache


def get_collection(collection_id: str) -> Collection:
    """One collection, or UnknownCollection (404)."""
    collection = get_catalog().get(collection_id)
    if collection is None:
        raise UnknownCollection(f"Unknown collection '{collection_id}'")
    return collection


def current_visibility() -> Visibility:
    """What the current request may see: the signed-in account's visibility, else public."""
    return visibility()

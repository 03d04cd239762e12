"""The published catalogue: collections, their SQL queries (GeoJSON built in PostGIS) and tiles.

Imports ``geo`` only; never ``analysis`` (they meet in the database).

The public API is re-exported here (see ``__all__``); names are loaded on first use, so
``import layers`` (or ``layers.errors``) stays cheap. The read models of our own pages are
in :mod:`layers.pages`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from layers.catalog import Collection, load_catalog
    from layers.crs import CRS84, STORAGE, SUPPORTED
    from layers.errors import (
        FeatureNotFound,
        FilterError,
        InvalidParameter,
        LayerError,
        UnknownCollection,
        UnknownLevel,
    )
    from layers.exports import (
        Export,
        csv_chunks,
        prepare_csv,
        prepare_geopackage,
        write_geopackage,
    )
    from layers.features import ItemsQuery, Page, item
    from layers.pages.kaartpunten import map_points_json
    from layers.pages.organisation import address, organisation
    from layers.pages.outlines import outlines_geojson
    from layers.pages.print_map import print_area
    from layers.pages.search import SearchQuery, SearchResult, search
    from layers.pages.search_places import suggest_place

_EXPORTS = {
    "FeatureNotFound": "layers.errors",
    "FilterError": "layers.errors",
    "InvalidParameter": "layers.errors",
    "LayerError": "layers.errors",
    "UnknownCollection": "layers.errors",
    "UnknownLevel": "layers.errors",
    "Collection": "layers.catalog",
    "load_catalog": "layers.catalog",
    "CRS84": "layers.crs",
    "STORAGE": "layers.crs",
    "SUPPORTED": "layers.crs",
    "ItemsQuery": "layers.features",
    "Page": "layers.features",
    "item": "layers.features",
    "Export": "layers.exports",
    "csv_chunks": "layers.exports",
    "prepare_csv": "layers.exports",
    "prepare_geopackage": "layers.exports",
    "write_geopackage": "layers.exports",
    "SearchQuery": "layers.pages.search",
    "SearchResult": "layers.pages.search",
    "search": "layers.pages.search",
    "suggest_place": "layers.pages.search_places",
    "address": "layers.pages.organisation",
    "organisation": "layers.pages.organisation",
    "print_area": "layers.pages.print_map",
    "map_points_json": "layers.pages.kaartpunten",
    "outlines_geojson": "layers.pages.outlines",
}

__all__ = [
    "address",
    "Collection",
    "CRS84",
    "csv_chunks",
    "Export",
    "FeatureNotFound",
    "FilterError",
    "InvalidParameter",
    "item",
    "ItemsQuery",
    "LayerError",
    "load_catalog",
    "map_points_json",
    "organisation",
    "outlines_geojson",
    "Page",
    "prepare_csv",
    "prepare_geopackage",
    "print_area",
    "search",
    "SearchQuery",
    "SearchResult",
    "STORAGE",
    "suggest_place",
    "SUPPORTED",
    "UnknownCollection",
    "UnknownLevel",
    "write_geopackage",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

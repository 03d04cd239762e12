"""The components of the OpenAPI document: the shared parameters and the response schemas.

:mod:`server.openapi` builds the paths from them. Every parameter schema is as strict as
the server's own checks (see there).
"""

from __future__ import annotations

from layers.crs import SUPPORTED
from layers.ogc_params import (
    DATETIME_PATTERN,
    DEFAULT_LIMIT,
    FEATURE_FORMATS,
    FORMAT_ORDER,
    FORMATS,
    HTML_MAX_LIMIT,
    IGNORED,
    ITEM_PARAMETERS,
    MAX_LIMIT,
    RESOURCE_FORMATS,
)

PROBLEM = "application/problem+json"
CSV = "text/csv"
GPKG = "application/geopackage+sqlite3"
# server/input_guard.py refuses C0 control characters and DEL in every query parameter
NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"
TEXT = {"type": "string", "pattern": NO_CONTROL}
CRS_URIS = [crs.uri for crs in SUPPORTED]
LARGEST = 999_999_999_999  # the server reads at most 12 digits


def query_param(name: str, schema: dict, description: str, **extra) -> dict:
    """An optional query parameter (form style, not exploded: ``bbox=1,2,3,4``)."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": description,
        "schema": schema,
        **extra,
    }


def _format(formats: set[str], what: str) -> dict:
    return query_param(
        "f",
        {"type": "string", "enum": [f for f in FORMAT_ORDER if f in formats]},
        f"Output format of {what}. Without f the Accept header decides between "
        "JSON and HTML (JSON unless text/html is preferred).",
    )


PARAMETERS = {
    "limit": query_param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"Maximum number of features per page (GDAL and QGIS read their page "
        f"size from maximum). As OGC API Features requires, a larger value (up to "
        f"12 digits) is not an error but is clamped to {MAX_LIMIT}; f=html pages "
        f"show at most {HTML_MAX_LIMIT} rows (with a "
        "note linking to GeoJSON and CSV). Without limit, f=csv and f=gpkg "
        "download the whole filtered set (at most 100,000 features).",
    ),
    "offset": query_param(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": LARGEST, "default": 0},
        "Number of features to skip (offset paging, e.g. OWSLib). Next/prev "
        "links keep using offsets when the request used one.",
    ),
    "cursor": query_param(
        "cursor",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "Opaque keyset cursor: copy it from a next/prev link. A cursor that is "
        "not one of ours, or belongs to other filters, is a 400.",
    ),
    "bbox": query_param(
        "bbox",
        {
            "type": "array",
            "minItems": 4,
            "maxItems": 6,
            "not": {"minItems": 5, "maxItems": 5},
            "items": {"type": "number"},
        },
        "minx,miny,maxx,maxy (or 6 numbers with heights, which are ignored) in bbox-crs. "
        "The lower corner must not be above or right of the upper corner, and in a "
        "geographic CRS longitudes lie within ±180 and latitudes within ±90; otherwise 400.",
    ),
    "bbox-crs": query_param(
        "bbox-crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of bbox (default CRS84, longitude/latitude).",
    ),
    "crs": query_param(
        "crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of the geometries in the response (default CRS84); echoed in the "
        "Content-Crs header. Short spellings such as EPSG:28992 are accepted too; "
        "an empty value is a 400.",
    ),
    "datetime": query_param(
        "datetime",
        {"type": "string", "format": "ogc-datetime", "pattern": DATETIME_PATTERN},
        "RFC 3339 date or date-time, or an interval start/end with '..' or "
        "an empty string for an open end, on laatst_geverifieerd_op. The "
        "start may not be after the end; otherwise 400.",
    ),
    "filter": query_param(
        "filter",
        {"type": "string", "format": "cql2", "minLength": 1, "pattern": NO_CONTROL},
        "A CQL2 filter (text or JSON, see filter-lang) on the queryables; an "
        "expression that does not parse or uses anything else is a 400.",
    ),
    "filter-lang": query_param(
        "filter-lang",
        {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
        "Language of filter.",
    ),
    "filter-crs": query_param(
        "filter-crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of geometries in filter (default CRS84).",
    ),
    "items-f": _format(
        FORMATS, "the features (csv and gpkg are downloads of the whole filtered set)"
    ),
    "feature-f": _format(FEATURE_FORMATS, "the feature"),
    "f": _format(RESOURCE_FORMATS, "this resource"),
    "api-f": query_param("f", {"type": "string", "enum": ["json"]}, "Only JSON."),
    "apikey": query_param(
        "apikey",
        TEXT,
        "Accepted and ignored (some GIS clients always send one); the data is public.",
    ),
    "_": query_param("_", TEXT, "Accepted and ignored (a cache-buster some web clients add)."),
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "The feature's id (404 when there is no such feature).",
        "schema": TEXT,
    },
}
# The parameter lists come from layers/ogc_params.py, the one definition the server checks
# requests against; f has its own component per kind of resource (items-f, feature-f, f).
COMMON = list(IGNORED)
ITEM_PARAMS = [*ITEM_PARAMETERS, "items-f", *COMMON]

LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
        "templated": {"type": "boolean"},
    },
}
LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
SCHEMAS = {
    "problem": {
        "type": "object",
        "required": ["type", "title", "status"],
        "description": "RFC 9457 problem details; detail says what to change.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
    "link": LINK,
    "landing": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": LINKS,
        },
    },
    "conformance": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}},
            "links": LINKS,
        },
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": LINKS,
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
            "itemCount": {"type": "integer"},
            "extent": {"type": "object"},
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": LINKS,
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
            "crs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "feature": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object", "nullable": True},
            "links": LINKS,
        },
    },
    "featureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/feature"}},
            "links": LINKS,
            "timeStamp": {"type": "string"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "queryables": {
        "type": "object",
        "required": ["properties"],
        "properties": {"properties": {"type": "object"}},
    },
    "openapi": {"type": "object", "required": ["openapi", "paths"]},
}

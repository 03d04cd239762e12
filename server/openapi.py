"""The OpenAPI 3.0 document, generated per collection (QGIS and GDAL read it for paging).

It describes what the server really does, and ``tests/server/test_openapi_schemathesis.py``
holds it to that: every status and media type a path can answer is declared, and every
parameter schema is as strict as the server's own checks (no stricter, or valid requests
would be called invalid). What JSON Schema cannot say is in the descriptions: the CQL2
grammar of ``filter``, the corner order of ``bbox``, the RFC 3339 forms of ``datetime``
and that a ``cursor`` is an opaque token taken from a ``next``/``prev`` link.
"""

from __future__ import annotations

from layers.catalog import Collection
from layers.crs import SUPPORTED
from layers.ogc_params import DATETIME_PATTERN, DEFAULT_LIMIT, HTML_MAX_LIMIT, MAX_LIMIT
from layers.tiles import COUNT_PROPERTY, MAX_ZOOM, TILE_MATRIX_SET_ID
from server.responses import GEOJSON, HTML, JSON, MVT, OPENAPI, SCHEMA, absolute

PROBLEM = "application/problem+json"
CSV = "text/csv"
GPKG = "application/geopackage+sqlite3"
# server/input_guard.py refuses C0 control characters and DEL in every query parameter
NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"
TEXT = {"type": "string", "pattern": NO_CONTROL}
CRS_URIS = [crs.uri for crs in SUPPORTED]
LARGEST = 999_999_999_999  # the server reads at most 12 digits


def _query(name: str, schema: dict, description: str, **extra) -> dict:
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


def _format(formats: list[str], what: str) -> dict:
    return _query(
        "f",
        {"type": "string", "enum": formats},
        f"Output format of {what}. Without f the Accept header decides between "
        "JSON and HTML (JSON unless text/html is preferred).",
    )


PARAMETERS = {
    "limit": _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"Maximum number of features per page (GDAL and QGIS read their page "
        f"size from maximum). As OGC API Features requires, a larger value (up to "
        f"12 digits) is not an error but is clamped to {MAX_LIMIT}; f=html pages "
        f"show at most {HTML_MAX_LIMIT} rows (with a "
        "note linking to GeoJSON and CSV). Without limit, f=csv and f=gpkg "
        "download the whole filtered set (at most 100,000 features).",
    ),
    "offset": _query(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": LARGEST, "default": 0},
        "Number of features to skip (offset paging, e.g. OWSLib). Next/prev "
        "links keep using offsets when the request used one.",
    ),
    "cursor": _query(
        "cursor",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "Opaque keyset cursor: copy it from a next/prev link. A cursor that is "
        "not one of ours, or belongs to other filters, is a 400.",
    ),
    "bbox": _query(
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
    "bbox-crs": _query(
        "bbox-crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of bbox (default CRS84, longitude/latitude).",
    ),
    "crs": _query(
        "crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of the geometries in the response (default CRS84); echoed in the "
        "Content-Crs header. Short spellings such as EPSG:28992 are accepted too; "
        "an empty value is a 400.",
    ),
    "datetime": _query(
        "datetime",
        {"type": "string", "format": "ogc-datetime", "pattern": DATETIME_PATTERN},
        "RFC 3339 date or date-time, or an interval start/end with '..' or "
        "an empty string for an open end, on laatst_geverifieerd_op. The "
        "start may not be after the end; otherwise 400.",
    ),
    "filter": _query(
        "filter",
        {"type": "string", "format": "cql2", "minLength": 1, "pattern": NO_CONTROL},
        "A CQL2 filter (text or JSON, see filter-lang) on the queryables; an "
        "expression that does not parse or uses anything else is a 400.",
    ),
    "filter-lang": _query(
        "filter-lang",
        {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
        "Language of filter.",
    ),
    "filter-crs": _query(
        "filter-crs",
        {"type": "string", "enum": CRS_URIS},
        "CRS of geometries in filter (default CRS84).",
    ),
    "items-f": _format(
        ["json", "geojson", "html", "csv", "gpkg"],
        "the features (csv and gpkg are downloads of the whole filtered set)",
    ),
    "feature-f": _format(["json", "geojson", "html"], "the feature"),
    "f": _format(["json", "html"], "this resource"),
    "api-f": _query("f", {"type": "string", "enum": ["json"]}, "Only JSON."),
    "apikey": _query(
        "apikey",
        TEXT,
        "Accepted and ignored (some GIS clients always send one); the data is public.",
    ),
    "_": _query("_", TEXT, "Accepted and ignored (a cache-buster some web clients add)."),
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "The feature's id (404 when there is no such feature).",
        "schema": TEXT,
    },
}
COMMON = ["apikey", "_"]
ITEM_PARAMS = [
    "limit",
    "offset",
    "cursor",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
    "items-f",
    *COMMON,
]

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


def _schema(name: str) -> dict:
    return {"schema": {"$ref": f"#/components/schemas/{name}"}}


def _problem(description: str) -> dict:
    return {"description": description, "content": {PROBLEM: _schema("problem")}}


ETAG = {
    "ETag": {
        "description": "Send it back in If-None-Match to get a 304.",
        "schema": {"type": "string"},
    }
}


def _responses(ok: dict, *, not_found: bool = False, conditional: bool = True) -> dict:
    """200 with ``ok`` (media type → content), then every status the server can answer."""
    out = {"200": {"description": "OK", "content": ok}}
    if conditional:
        out["200"]["headers"] = ETAG
        out["304"] = {"description": "Not Modified (If-None-Match matched the ETag)."}
    out["400"] = _problem(
        "A query parameter is unknown or has a value we cannot use, or "
        "the address contains a control character or invalid UTF-8."
    )
    if not_found:
        out["404"] = _problem("No such collection or feature.")
    out["500"] = _problem("An error on our side.")
    out["503"] = _problem("The database is not reachable for a moment (Retry-After).")
    return out


def _json_or_html(schema: str, media: str = JSON) -> dict:
    return {media: _schema(schema), HTML: {"schema": {"type": "string"}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _property_param(collection: Collection, name: str) -> dict:
    prop = collection.property(name)
    kind = prop.json_type if prop else "string"
    schema = TEXT if kind == "string" else {"type": kind}
    return _query(
        name,
        schema,
        f"Only features with this {name}"
        + (" (one of the values in the list)" if name in collection.array_filters else ""),
    )


def _collection_paths(c: Collection) -> dict:
    base = f"/collections/{c.id}"
    simple = [_property_param(c, n) for n in (*c.filters, *c.array_filters)]
    features = {
        GEOJSON: _schema("featureCollection"),
        HTML: {"schema": {"type": "string"}},
        CSV: {"schema": {"type": "string"}},
        GPKG: {"schema": {"type": "string", "format": "binary"}},
    }
    items_responses = _responses(features)
    items_responses["200"]["headers"] = {
        **ETAG,
        "Content-Crs": {
            "description": "CRS of the geometries, as <URI>.",
            "schema": {"type": "string"},
        },
    }
    return {
        base: {
            "get": {
                "summary": c.title,
                "operationId": f"describe-{c.id}",
                "parameters": [_ref("f"), *map(_ref, COMMON)],
                "responses": _responses(_json_or_html("collection")),
            }
        },
        f"{base}/items": {
            "get": {
                "summary": f"Features of {c.title}",
                "operationId": f"items-{c.id}",
                "parameters": [_ref(p) for p in ITEM_PARAMS] + simple,
                "responses": items_responses,
            }
        },
        f"{base}/items/{{featureId}}": {
            "get": {
                "summary": f"One feature of {c.title}",
                "operationId": f"item-{c.id}",
                "parameters": [
                    _ref("featureId"),
                    _ref("crs"),
                    _ref("feature-f"),
                    *map(_ref, COMMON),
                ],
                "responses": _responses(_json_or_html("feature", GEOJSON), not_found=True),
            }
        },
        f"{base}/queryables": {
            "get": {
                "summary": f"Queryables of {c.title}",
                "operationId": f"queryables-{c.id}",
                "parameters": [_ref("f"), *map(_ref, COMMON)],
                "responses": _responses(_json_or_html("queryables", SCHEMA)),
            }
        },
        **_tile_paths(c),
    }


def _tile_paths(c: Collection) -> dict:
    """OGC API – Tiles: the tilesets, the tileset and one vector tile of a collection."""
    base = f"/collections/{c.id}/tiles"
    names = ["id", *(p.name for p in c.properties)]
    if c.geometry_type == "Point":
        names.append(COUNT_PROPERTY)
    tile_params = [
        {
            "name": "tileMatrix",
            "in": "path",
            "required": True,
            "description": f"Zoom level 0..{MAX_ZOOM}.",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
        },
        {
            "name": "tileRow",
            "in": "path",
            "required": True,
            "description": "Row (y), 0..2^tileMatrix − 1; a row outside the matrix is a 400.",
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**MAX_ZOOM - 1},
        },
        {
            "name": "tileCol",
            "in": "path",
            "required": True,
            "description": "Column (x), 0..2^tileMatrix − 1; outside the matrix is a 400.",
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**MAX_ZOOM - 1},
        },
        _query(
            "properties",
            {
                "type": "array",
                "uniqueItems": True,
                "minItems": 1,
                "items": {"type": "string", "enum": names},
            },
            "Properties to put in the tile, comma-separated, each once (default: a "
            "compact set); empty or repeated names are a 400.",
        ),
        _query("f", TEXT, "Accepted and ignored: a tile is always a Mapbox vector tile."),
        _query("v", TEXT, "Accepted and ignored: a data version that only keys caches."),
        *(_property_param(c, n) for n in (*c.filters, *c.array_filters)),
    ]
    tile_responses = {
        "200": {
            "description": "The tile.",
            "headers": ETAG,
            "content": {MVT: {"schema": {"type": "string", "format": "binary"}}},
        },
        "204": {"description": "No feature falls in this tile."},
        "304": {"description": "Not Modified (If-None-Match matched the ETag)."},
        "400": _problem(
            "A tile outside the matrix, an unknown filter or property, or a "
            "control character or invalid UTF-8 in the address."
        ),
        "404": _problem("The tile address is not a number (no such tile)."),
        "500": _problem("An error on our side."),
        "503": _problem("The database is not reachable for a moment (Retry-After)."),
    }
    metadata = _responses({JSON: {"schema": {"type": "object"}}}, conditional=False)
    return {
        base: {
            "get": {
                "summary": f"Tilesets of {c.title}",
                "operationId": f"tilesets-{c.id}",
                "responses": metadata,
            }
        },
        f"{base}/{TILE_MATRIX_SET_ID}": {
            "get": {
                "summary": f"Vector tileset of {c.title}",
                "operationId": f"tileset-{c.id}",
                "responses": metadata,
            }
        },
        f"{base}/{TILE_MATRIX_SET_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": {
            "get": {
                "summary": f"A vector tile of {c.title}",
                "operationId": f"tile-{c.id}",
                "parameters": tile_params,
                "responses": tile_responses,
            }
        },
    }


def openapi_document(catalog: dict[str, Collection]) -> dict:
    """OpenAPI 3.0.3 with an explicit path per collection (GDAL reads them literally)."""
    resource = [_ref("f"), *map(_ref, COMMON)]
    paths = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "landing",
                "parameters": resource,
                "responses": _responses(_json_or_html("landing")),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "conformance",
                "parameters": resource,
                "responses": _responses(_json_or_html("conformance")),
            }
        },
        "/api": {
            "get": {
                "summary": "This document",
                "operationId": "api",
                "parameters": [_ref("api-f"), *map(_ref, COMMON)],
                "responses": _responses({OPENAPI: _schema("openapi")}, conditional=False),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "collections",
                "parameters": resource,
                "responses": _responses(_json_or_html("collections")),
            }
        },
        "/tileMatrixSets": {
            "get": {
                "summary": "Tile matrix sets",
                "operationId": "tileMatrixSets",
                "responses": _responses({JSON: {"schema": {"type": "object"}}}, conditional=False),
            }
        },
        "/tileMatrixSets/{tileMatrixSetId}": {
            "get": {
                "summary": "A tile matrix set",
                "operationId": "tileMatrixSet",
                "parameters": [
                    {
                        "name": "tileMatrixSetId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": [TILE_MATRIX_SET_ID]},
                        "description": "Only WebMercatorQuad (others: 404).",
                    }
                ],
                "responses": _responses(
                    {JSON: {"schema": {"type": "object"}}}, conditional=False, not_found=True
                ),
            }
        },
    }
    for collection in catalog.values():
        paths.update(_collection_paths(collection))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Sociale Kaart – OGC API Features",
            "version": "1.0.0",
            "description": "Voorzieningen voor zorg, welzijn, wonen en ondersteuning per "
            "thema, met CBS-gemeenten, -wijken en -buurten.",
            "contact": {"name": "Sociale Kaart", "url": absolute("/")},
            "license": {"name": "Data: CC BY 4.0 (CBS / Kadaster), ODbL (OpenStreetMap)"},
        },
        "servers": [{"url": absolute("/ogc")}],
        "paths": paths,
        "components": {"parameters": PARAMETERS, "schemas": SCHEMAS},
    }

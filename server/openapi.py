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
from layers.tiles import COUNT_PROPERTY, MAX_ZOOM, TILE_MATRIX_SET_ID
from server.openapi_components import (
    COMMON,
    CSV,
    GPKG,
    ITEM_PARAMS,
    PARAMETERS,
    PROBLEM,
    SCHEMAS,
    TEXT,
    query_param,
)
from server.responses import GEOJSON, HTML, JSON, MVT, OPENAPI, SCHEMA, absolute


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
    return query_param(
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
        query_param(
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
        query_param("f", TEXT, "Accepted and ignored: a tile is always a Mapbox vector tile."),
        query_param("v", TEXT, "Accepted and ignored: a data version that only keys caches."),
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

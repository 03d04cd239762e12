"""The OpenAPI 3.0 document, generated per collection (QGIS and GDAL read it for paging)."""

from __future__ import annotations

from layers.catalog import Collection
from server.links import GEOJSON, JSON, OPENAPI, SCHEMA, absolute
from server.ogc_params import DEFAULT_LIMIT, MAX_LIMIT

PARAMETERS = {
    "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
              "description": "Maximum number of features per page (larger values are clamped).",
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                         "default": DEFAULT_LIMIT}},
    "offset": {"name": "offset", "in": "query", "required": False, "style": "form",
               "explode": False, "description": "Number of features to skip.",
               "schema": {"type": "integer", "minimum": 0, "default": 0}},
    "cursor": {"name": "cursor", "in": "query", "required": False, "style": "form",
               "explode": False, "description": "Opaque keyset cursor from next/prev links.",
               "schema": {"type": "string"}},
    "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
             "schema": {"type": "array", "minItems": 4, "maxItems": 6,
                        "items": {"type": "number"}}},
    "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False, "style": "form",
                 "explode": False, "schema": {"type": "string", "format": "uri"}},
    "crs": {"name": "crs", "in": "query", "required": False, "style": "form", "explode": False,
            "schema": {"type": "string", "format": "uri"}},
    "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form",
                 "explode": False, "schema": {"type": "string"},
                 "description": "Instant or interval on laatst_geverifieerd_op (RFC 3339)."},
    "filter": {"name": "filter", "in": "query", "required": False, "style": "form",
               "explode": False, "schema": {"type": "string"}},
    "filter-lang": {"name": "filter-lang", "in": "query", "required": False, "style": "form",
                    "explode": False,
                    "schema": {"type": "string", "enum": ["cql2-text", "cql2-json"],
                               "default": "cql2-text"}},
    "filter-crs": {"name": "filter-crs", "in": "query", "required": False, "style": "form",
                   "explode": False, "schema": {"type": "string", "format": "uri"}},
    "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
          "schema": {"type": "string", "enum": ["json", "html", "csv", "gpkg"]}},
    "featureId": {"name": "featureId", "in": "path", "required": True,
                  "schema": {"type": "string"}},
}
ITEM_PARAMS = ["limit", "offset", "cursor", "bbox", "bbox-crs", "crs", "datetime", "filter",
               "filter-lang", "filter-crs", "f"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _response(description: str, media: str) -> dict:
    return {"200": {"description": description, "content": {media: {}}},
            "400": {"description": "Bad request",
                    "content": {"application/problem+json": {}}}}


def _property_param(collection: Collection, name: str) -> dict:
    prop = collection.property(name)
    kind = prop.json_type if prop else "string"
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "schema": {"type": kind},
            "description": f"Only features with this {name}" +
                           (" (one of the values in the list)" if name in collection.array_filters
                            else "")}


def _collection_paths(c: Collection) -> dict:
    base = f"/collections/{c.id}"
    simple = [_property_param(c, n) for n in (*c.filters, *c.array_filters)]
    return {
        base: {"get": {"summary": c.title, "operationId": f"describe-{c.id}",
                       "parameters": [_ref("f")], "responses": _response("Collection", JSON)}},
        f"{base}/items": {"get": {
            "summary": f"Features of {c.title}", "operationId": f"items-{c.id}",
            "parameters": [_ref(p) for p in ITEM_PARAMS] + simple,
            "responses": _response("Features", GEOJSON)}},
        f"{base}/items/{{featureId}}": {"get": {
            "summary": f"One feature of {c.title}", "operationId": f"item-{c.id}",
            "parameters": [_ref("featureId"), _ref("crs"), _ref("f")],
            "responses": _response("Feature", GEOJSON)}},
        f"{base}/queryables": {"get": {
            "summary": f"Queryables of {c.title}", "operationId": f"queryables-{c.id}",
            "responses": _response("JSON Schema", SCHEMA)}},
    }


def openapi_document(catalog: dict[str, Collection]) -> dict:
    """OpenAPI 3.0.3 with an explicit path per collection (GDAL reads them literally)."""
    paths = {
        "/": {"get": {"summary": "Landing page", "operationId": "landing",
                      "parameters": [_ref("f")], "responses": _response("Landing", JSON)}},
        "/conformance": {"get": {"summary": "Conformance classes", "operationId": "conformance",
                                 "parameters": [_ref("f")],
                                 "responses": _response("Conformance", JSON)}},
        "/api": {"get": {"summary": "This document", "operationId": "api",
                         "responses": _response("OpenAPI", OPENAPI)}},
        "/collections": {"get": {"summary": "Collections", "operationId": "collections",
                                 "parameters": [_ref("f")],
                                 "responses": _response("Collections", JSON)}},
    }
    for collection in catalog.values():
        paths.update(_collection_paths(collection))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Sociale Kaart – OGC API Features", "version": "1.0.0",
                 "description": "Voorzieningen voor zorg, welzijn, wonen en ondersteuning per "
                                "thema, met CBS-gemeenten, -wijken en -buurten.",
                 "contact": {"name": "Sociale Kaart", "url": absolute("/")},
                 "license": {"name": "Data: CC BY 4.0 (CBS / Kadaster), ODbL (OpenStreetMap)"}},
        "servers": [{"url": absolute("/ogc")}],
        "paths": paths,
        "components": {"parameters": PARAMETERS},
    }

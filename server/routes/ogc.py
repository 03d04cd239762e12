"""OGC API – Features: landing page, conformance, OpenAPI, collections, queryables."""

from __future__ import annotations

from flask import Blueprint, Response, json, request

from layers import cql2
from layers.catalog import Collection
from layers.crs import CRS84, STORAGE, SUPPORTED
from layers.errors import InvalidParameter
from layers.feature_cache import cached_extent
from layers.ogc_params import COMMON, check_known
from server.catalog import current_visibility, get_catalog, get_collection, get_layer_cache
from server.database import get_engine
from server.openapi import openapi_document
from server.responses import GEOJSON, HTML, JSON, MVT, OPENAPI, SCHEMA, absolute, link, respond
from server.responses import self_and_alternates as alternates

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    *cql2.CONFORMANCE,
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
)


@bp.get("/")
def landing():
    """The OGC API landing page."""
    check_known(request.args, COMMON)
    data = {
        "title": "Sociale Kaart",
        "description": "Wie biedt zorg, welzijn, wonen en ondersteuning, en waar: "
        "per thema, met CBS-gemeenten, -wijken en -buurten.",
        "links": [
            *alternates("/ogc/"),
            link("service-desc", absolute("/ogc/api"), OPENAPI, "OpenAPI-definitie"),
            link("conformance", absolute("/ogc/conformance"), JSON, "Conformiteit"),
            link("data", absolute("/ogc/collections"), JSON, "Collecties"),
            link(
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                absolute("/ogc/tileMatrixSets"),
                JSON,
                "Tegelschema's",
            ),
        ],
    }
    return respond(data)


@bp.get("/conformance")
def conformance():
    """The conformance classes we implement."""
    check_known(request.args, COMMON)
    return respond(
        {
            "title": "Conformiteit",
            "conformsTo": list(CONFORMANCE),
            "links": alternates("/ogc/conformance"),
        }
    )


@bp.get("/api")
def api():
    """The OpenAPI document of the current catalogue (JSON only)."""
    check_known(request.args, COMMON)
    if request.args.get("f", "json") != "json":
        raise InvalidParameter("f moet json zijn: het OpenAPI-document is er alleen als JSON.")
    document = openapi_document(get_catalog())
    return Response(json.dumps(document, ensure_ascii=False), mimetype=OPENAPI)


def _extent(collection: Collection) -> tuple[list | None, int]:
    """The collection's extent and item count, from the layer cache under the data version.

    /collections must stay fast with tens of thousands of features, and itemCount/extent
    are exact right after a write.
    """
    with get_engine().connect() as conn:
        return cached_extent(conn, collection, current_visibility(), get_layer_cache())


def collection_json(c: Collection) -> dict:
    """The OGC description of one collection: extent, item count, CRSs and links."""
    bbox, count = _extent(c)
    base = f"/ogc/collections/{c.id}"
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [crs.uri for crs in SUPPORTED],
        "storageCrs": STORAGE.uri,
        "extent": {"spatial": {"bbox": [bbox] if bbox else [], "crs": CRS84.uri}},
        "itemCount": count,
        "links": [
            *alternates(base),
            link("items", absolute(base + "/items"), GEOJSON, "Objecten (GeoJSON)"),
            link("items", absolute(base + "/items", {"f": "html"}), HTML, "Objecten (webpagina)"),
            link(
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                absolute(base + "/queryables"),
                SCHEMA,
                "Filterbare eigenschappen",
            ),
            link(
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                absolute(base + "/tiles"),
                JSON,
                "Vectortegels",
            ),
            link(
                "enclosure",
                absolute(base + "/items", {"f": "gpkg"}),
                "application/geopackage+sqlite3",
                "Download als GeoPackage",
            ),
            link(
                "license",
                "https://creativecommons.org/licenses/by/4.0/",
                HTML,
                "CC BY 4.0 (CBS / Kadaster); OpenStreetMap-gegevens: ODbL",
            ),
        ],
        "tiles": absolute(base + "/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"),
        "tilesType": MVT,
    }


@bp.get("/collections")
def collections():
    """Every published collection."""
    check_known(request.args, COMMON)
    data = {
        "title": "Collecties",
        "links": alternates("/ogc/collections"),
        "collections": [collection_json(c) for c in get_catalog().values()],
        "crs": [crs.uri for crs in SUPPORTED],
    }
    return respond(data)


@bp.get("/collections/<collection_id>")
@bp.get("/collections/<collection_id>/")
def collection(collection_id: str):
    """One collection's description."""
    check_known(request.args, COMMON)
    return respond(collection_json(get_collection(collection_id)))


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """The properties a CQL2 filter on the collection may use (JSON Schema)."""
    check_known(request.args, COMMON)
    c = get_collection(collection_id)
    schema = cql2.queryables(c)
    schema["$id"] = absolute(f"/ogc/collections/{c.id}/queryables")
    return respond(schema, SCHEMA, title=f"Filterbare eigenschappen van {c.title}")

"""OGC API – Tiles for the published collections: Mapbox vector tiles in WebMercatorQuad.

``/ogc/collections/<id>/tiles`` lists the tileset, ``…/tiles/WebMercatorQuad`` describes it
and ``…/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`` serves one tile (note: row,
that is y, before column x). ``/ogc/tileMatrixSets`` publishes the tile matrix set.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from layers.catalog import Collection
from layers.errors import InvalidParameter
from layers.tiles import (
    COUNT_PROPERTY,
    CRS_3857,
    MAX_ZOOM,
    THIN_MAX_ZOOM,
    TILE_MATRIX_SET_ID,
    TILE_MATRIX_SET_URI,
    cached_tile,
    tile_matrix_set,
    tile_properties,
)
from layers.visibility import Visibility
from server.catalog import current_visibility, get_collection, get_layer_cache
from server.database import get_read_engine
from server.responses import JSON, MVT, absolute, conditional, link

bp = Blueprint("tiles", __name__, url_prefix="/ogc")

TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
# Query parameters that are not property filters: properties to include; f (format) and
# v (a data version, only there to key caches) are accepted and ignored.
NOT_FILTERS = {"properties", "f", "v"}
TILE_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, no-cache"
METADATA_CACHE = "public, max-age=300"


def _tileset_summary(collection: Collection) -> dict:
    """A tileset entry with links to itself, its tiling scheme and the tile template."""
    url = absolute(f"/ogc/collections/{collection.id}/tiles/{TILE_MATRIX_SET_ID}")
    return {
        "title": f"{collection.title} (vector tiles)",
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TILE_MATRIX_SET_URI,
        "links": [
            link("self", url, JSON, f"{collection.title}: tileset {TILE_MATRIX_SET_ID}"),
            link(
                TILING_SCHEME,
                absolute(f"/ogc/tileMatrixSets/{TILE_MATRIX_SET_ID}"),
                JSON,
                f"Tile matrix set {TILE_MATRIX_SET_ID}",
            ),
            link(
                "item",
                url + "/{tileMatrix}/{tileRow}/{tileCol}",
                MVT,
                f"{collection.title}: Mapbox vector tiles",
                templated=True,
            ),
        ],
    }


def _collection_link(collection: Collection) -> dict:
    return link("collection", absolute(f"/ogc/collections/{collection.id}"), JSON, collection.title)


def _json(body: dict) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = METADATA_CACHE
    return response


@bp.get("/collections/<collection_id>/tiles")
def tilesets(collection_id: str):
    """The tilesets of one collection (one: vector tiles in WebMercatorQuad)."""
    collection = get_collection(collection_id)
    return _json(
        {
            "links": [
                link(
                    "self",
                    absolute(f"/ogc/collections/{collection.id}/tiles"),
                    JSON,
                    "Tilesets of this collection",
                ),
                _collection_link(collection),
            ],
            "tilesets": [_tileset_summary(collection)],
        }
    )


@bp.get(f"/collections/<collection_id>/tiles/{TILE_MATRIX_SET_ID}")
def tileset(collection_id: str):
    """The tileset: its layer, zoom range and the properties a tile carries by default."""
    collection = get_collection(collection_id)
    body = _tileset_summary(collection)
    body["description"] = collection.description
    body["links"].append(_collection_link(collection))
    schema = {
        name: {"type": "integer" if name == "id" else _json_type(collection, name)}
        for name in tile_properties(collection)
    }
    if collection.geometry_type == "Point":
        schema[COUNT_PROPERTY] = {
            "type": "integer",
            "description": "Aantal punten dat dit punt voorstelt "
            f"(tot zoom {THIN_MAX_ZOOM} samengevoegd)",
        }
    body["layers"] = [
        {
            "id": collection.id,
            "title": collection.title,
            "dataType": "vector",
            "geometryDimension": 0 if collection.geometry_type == "Point" else 2,
            "minTileMatrix": "0",
            "maxTileMatrix": str(MAX_ZOOM),
            "propertiesSchema": {"type": "object", "properties": schema},
        }
    ]
    return _json(body)


def _json_type(collection: Collection, name: str) -> str:
    prop = collection.property(name)
    return prop.json_type if prop else "string"


@bp.get(
    f"/collections/<collection_id>/tiles/{TILE_MATRIX_SET_ID}"
    "/<int(signed=True):z>/<int(signed=True):y>/<int(signed=True):x>"
)
def collection_tile(collection_id: str, z: int, y: int, x: int):
    """One Mapbox vector tile: tile matrix ``z``, row ``y``, column ``x`` (XYZ numbering).

    Query parameters: property filters of the collection (``gemeentecode=GM0935``,
    ``thema=vervoer``, …) and ``properties`` (comma-separated) to choose the properties.

    Responses: 200 with ``application/vnd.mapbox-vector-tile``, an ``ETag`` (so
    ``If-None-Match`` answers 304) and ``Cache-Control``; **204 No Content whenever no
    feature falls in the tile** (also outside the region), with the same Cache-Control;
    400 (problem+json) for a tile outside the matrix set or a bad parameter; 404 for an
    unknown collection.
    """
    collection = get_collection(collection_id)
    visibility = current_visibility()
    body, etag = _tile(collection, z, x, y, visibility)
    cache = TILE_CACHE if visibility.public else PRIVATE_CACHE
    if not body:
        response = Response(status=204)
        response.headers.pop("Content-Type", None)
        response.headers["Cache-Control"] = cache
        return response
    response = Response(body, mimetype=MVT)
    response.headers["Cache-Control"] = cache
    response.set_etag(etag)
    return conditional(response)


def _tile(
    collection: Collection, z: int, x: int, y: int, visibility: Visibility
) -> tuple[bytes, str]:
    """The tile and its ETag, from the layer cache while the data version is unchanged."""
    filters = {k: v for k, v in request.args.items() if k not in NOT_FILTERS}
    with get_read_engine().connect() as conn:
        return cached_tile(
            conn, collection, z, x, y, visibility, filters, _properties(), get_layer_cache()
        )


def _properties() -> list[str] | None:
    """``?properties=a,b`` as a list; None (the default set) when absent."""
    value = request.args.get("properties")
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    if not all(names) or len(set(names)) != len(names):  # as the OpenAPI document says
        raise InvalidParameter(
            "properties: geef een of meer namen van eigenschappen, elk "
            "één keer, gescheiden door komma's (bijvoorbeeld "
            "properties=naam,code)."
        )
    return names


@bp.get("/tileMatrixSets")
def tile_matrix_sets():
    """The tile matrix sets this service uses (only WebMercatorQuad)."""
    tms = tile_matrix_set()
    href = absolute(f"/ogc/tileMatrixSets/{tms['id']}")
    return _json(
        {
            "links": [link("self", absolute("/ogc/tileMatrixSets"), JSON, "Tile matrix sets")],
            "tileMatrixSets": [
                {
                    "id": tms["id"],
                    "title": tms["title"],
                    "uri": tms["uri"],
                    "links": [
                        link("self", href, JSON, tms["title"]),
                        link(TILING_SCHEME, href, JSON, tms["title"]),
                    ],
                }
            ],
        }
    )


@bp.get("/tileMatrixSets/<tms_id>")
def tile_matrix_set_definition(tms_id: str):
    """The definition of one tile matrix set (OGC 17-083r4 JSON)."""
    if tms_id != TILE_MATRIX_SET_ID:
        raise NotFound(f"Unknown tile matrix set '{tms_id}'; available: {TILE_MATRIX_SET_ID}")
    return _json(tile_matrix_set())

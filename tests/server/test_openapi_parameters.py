"""The OpenAPI document declares exactly the query parameters the server accepts.

Both come from one definition (``layers/ogc_params.py``); this pins the derivation: the
names of each operation and the values of ``f`` are the sets the server checks against.
"""

from __future__ import annotations

import pytest
from flask import Flask

from layers.catalog import Collection, Property
from layers.ogc_params import (
    COMMON,
    FEATURE_FORMATS,
    FORMATS,
    RESOURCE_FORMATS,
    allowed_items_parameters,
)
from server.openapi import openapi_document

PROPS = (Property("naam", "text", "string"), Property("tags", "text[]", "array"))
CATALOG = {
    "a": Collection(
        "a", "v_a", "A", "d", PROPS, "Point", "integer", filters=("naam",),
        array_filters={"tags": "text"},
    ),
    "b": Collection("b", "v_b", "B", "d", PROPS[:1], "MultiPolygon", "text"),
}  # fmt: skip


@pytest.fixture(scope="module")
def document() -> dict:
    app = Flask(__name__)
    app.config["PUBLIC_BASE_URL"] = "https://kaart.example.nl"
    with app.test_request_context("/"):
        return openapi_document(CATALOG)


def _query(document: dict, path: str) -> dict[str, dict]:
    """Name → parameter object of the query parameters of GET ``path``."""
    found = {}
    for param in document["paths"][path]["get"]["parameters"]:
        if "$ref" in param:
            param = document["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        if param["in"] == "query":
            found[param["name"]] = param
    return found


@pytest.mark.parametrize("cid", sorted(CATALOG))
def test_items_declares_what_the_server_accepts(document, cid):
    params = _query(document, f"/collections/{cid}/items")
    assert set(params) == allowed_items_parameters(CATALOG[cid])
    assert set(params["f"]["schema"]["enum"]) == FORMATS


@pytest.mark.parametrize("cid", sorted(CATALOG))
def test_one_feature_and_resources_declare_what_the_server_accepts(document, cid):
    feature = _query(document, f"/collections/{cid}/items/{{featureId}}")
    assert set(feature) == COMMON | {"crs"}
    assert set(feature["f"]["schema"]["enum"]) == FEATURE_FORMATS
    for path in (f"/collections/{cid}", f"/collections/{cid}/queryables", "/collections", "/"):
        params = _query(document, path)
        assert set(params) == COMMON, path
        assert set(params["f"]["schema"]["enum"]) == RESOURCE_FORMATS, path

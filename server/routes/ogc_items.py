"""OGC API – Features items: pages of GeoJSON built in PostGIS, single features, downloads."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, render_template, request

from layers.exports import (
    Export,
    csv_chunks,
    prepare_csv,
    prepare_geopackage,
    write_geopackage,
)
from layers.feature_cache import cached_items_page
from layers.features import ItemsQuery, Page, item
from layers.ogc_params import (
    COMMON,
    FEATURE_FORMATS,
    FORMATS,
    HTML_MAX_LIMIT,
    check_known,
    crs_parameter,
    encode_cursor,
    filter_checksum,
    items_query,
)
from server.catalog import current_visibility, get_collection, get_layer_cache
from server.database import get_engine, get_read_engine
from server.responses import (
    GEOJSON,
    HTML,
    absolute,
    conditional,
    link,
    temporary_download,
    wanted_format,
)

bp = Blueprint("ogc_items", __name__, url_prefix="/ogc")
GPKG = "application/geopackage+sqlite3"


def _args(**replace) -> list[tuple[str, str]]:
    """The request's query parameters (all of them, repeated ones too) with replacements."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in replace]
    return kept + [(k, str(v)) for k, v in replace.items() if v is not None]


def _paging_links(query: ItemsQuery, page: Page, path: str) -> list[dict]:
    links = []
    if "offset" in request.args:  # offset paging (OWSLib): keep using offsets
        if page.more_after:
            links.append(("next", _args(offset=query.offset + query.limit, cursor=None)))
        if query.offset > 0:
            links.append(("prev", _args(offset=max(query.offset - query.limit, 0), cursor=None)))
    else:
        checksum = filter_checksum(request.args, query.collection)
        if page.more_after and page.number_returned:
            links.append(("next", _args(cursor=encode_cursor("after", page.last_id, checksum))))
        if page.more_before and page.number_returned:
            links.append(("prev", _args(cursor=encode_cursor("before", page.first_id, checksum))))
    return [
        link(
            rel,
            absolute(path, [(k, v) for k, v in params if k != "f"] + [("f", "json")]),
            GEOJSON,
            "Volgende pagina" if rel == "next" else "Vorige pagina",
        )
        for rel, params in links
    ]


def _headers(response: Response, query: ItemsQuery, links: list[dict]) -> Response:
    public = query.visibility.public
    response.headers["Content-Crs"] = f"<{query.crs.uri}>"
    response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-store"
    nxt = [lk["href"] for lk in links if lk["rel"] == "next"]
    if nxt:
        response.headers["Link"] = f'<{nxt[0]}>; rel="next"; type="{GEOJSON}"'
    response.vary.update(("Accept", "Accept-Encoding"))
    return response


def _feature_collection(query: ItemsQuery, page: Page, path: str) -> tuple[bytes, list]:
    links = [
        link("self", absolute(path, _args(f="json")), GEOJSON, "Deze pagina"),
        link("alternate", absolute(path, _args(f="html")), HTML, "Als webpagina"),
        *_paging_links(query, page, path),
    ]
    head = {
        "type": "FeatureCollection",
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "numberMatched": page.number_matched,
        "numberReturned": page.number_returned,
        "links": links,
    }
    # Splice the SQL-built feature text in: no per-feature Python objects.
    text = json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[' + page.features + "]}"
    return text.encode("utf-8"), links


def _etag(query: ItemsQuery, page: Page, links: list) -> str:
    """Unchanged data and request keep their ETag; the timeStamp does not count.

    With a data version (cached reads) the version stands for the features, so the 1 MB
    body of a large page is not hashed; without one the feature text is.
    """
    digest = hashlib.sha1(
        json.dumps([page.version, page.number_matched, links, query.visibility.key]).encode()
    )
    if page.version is None:
        digest.update(page.features.encode("utf-8"))
    return digest.hexdigest()


def _download(query: ItemsQuery, fmt: str) -> Response:
    """CSV or GeoPackage of the whole filtered set.

    Everything is validated and the statement is built (and for CSV already run, its first
    rows read) before the response starts, so bad input is a 400 problem, not a broken
    download. Nothing stays behind: the CSV's connection is closed when the response is
    (also when the client goes away), the GeoPackage's folder is removed before sending.
    """
    name = f"{query.collection.id}.{fmt}"
    if fmt == "csv":
        return _csv_download(prepare_csv(query), name)
    export = prepare_geopackage(query)

    def write(path: Path) -> None:
        with get_engine().connect() as conn:
            write_geopackage(conn, export, path)

    return temporary_download(name, GPKG, write, prefix="sk-gpkg-")


def _csv_download(export: Export, name: str) -> Response:
    conn = get_engine().connect()
    try:
        chunks = csv_chunks(conn, export)
        first = next(chunks)  # runs the statement: a database error is still an error page
    except BaseException:
        conn.close()
        raise

    def generate():
        try:
            yield first
            yield from chunks
        finally:
            chunks.close()
            conn.close()

    response = Response(generate(), mimetype="text/csv")
    response.call_on_close(conn.close)  # also when the body is never read
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features (GeoJSON, HTML), or the filtered set as CSV or GeoPackage."""
    collection = get_collection(collection_id)
    query = items_query(request.args, collection, current_visibility())
    fmt = wanted_format(allowed=FORMATS)
    if fmt in ("csv", "gpkg"):
        if "limit" not in request.args:
            query.limit = 100_000  # a download is the whole filtered set
        return _download(query, fmt)
    path = f"/ogc/collections/{collection.id}/items"
    capped = None
    if fmt == "html" and query.limit > HTML_MAX_LIMIT:
        # A browser table of 10,000 rows takes seconds to render and to show; more rows
        # are for GeoJSON or CSV (linked from the note on the page).
        capped = {
            "limit": HTML_MAX_LIMIT,
            "asked": query.limit,
            "geojson": absolute(path, _args(f="json")),
            "csv": absolute(path, _args(f="csv")),
        }
        query.limit = HTML_MAX_LIMIT
    with get_read_engine().connect() as conn:
        page = cached_items_page(conn, query, get_layer_cache())
    body, links = _feature_collection(query, page, path)
    if fmt == "html":
        data = json.loads(body)
        response = Response(
            render_template(
                "ogc.html",
                title=collection.title,
                data=data,
                features=data["features"],
                collection=collection,
                capped=capped,
            ),
            mimetype=HTML,
        )
    else:
        response = Response(body, mimetype=GEOJSON)
    response.set_etag(_etag(query, page, links) + ("-html" if fmt == "html" else ""))
    return conditional(_headers(response, query, links))


@bp.get("/collections/<collection_id>/items/<feature_id>")
def feature(collection_id: str, feature_id: str):
    """One feature, as GeoJSON or HTML."""
    check_known(request.args, COMMON | {"crs"})
    collection = get_collection(collection_id)
    query = ItemsQuery(collection, current_visibility(), crs=crs_parameter(request.args, "crs"))
    with get_read_engine().connect() as conn:
        text = item(conn, collection, feature_id, query.crs, query.visibility)
    path = f"/ogc/collections/{collection.id}/items/{feature_id}"
    links = [
        link("self", absolute(path, {"f": "json"}), GEOJSON, "Dit object"),
        link("alternate", absolute(path, {"f": "html"}), HTML, "Als webpagina"),
        link(
            "collection",
            absolute(f"/ogc/collections/{collection.id}"),
            "application/json",
            collection.title,
        ),
    ]
    body = text[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}"
    if wanted_format(allowed=FEATURE_FORMATS) == "html":
        data = json.loads(body)
        response = Response(
            render_template(
                "ogc.html",
                title=collection.title,
                data=data,
                features=[data],
                collection=collection,
            ),
            mimetype=HTML,
        )
    else:
        response = Response(body.encode("utf-8"), mimetype=GEOJSON)
    return conditional(_headers(response, query, links))

"""Response helpers of every route.

Media types, absolute links (from the configured public base URL behind a proxy, or the
request), ETag/conditional answers, the OGC JSON/HTML rendering of a resource and the
error body (``problem``, problem+json). Which error gets which status is decided in
``server/errors.py``.
"""

from __future__ import annotations

import json as std_json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

from flask import Response, current_app, json, render_template, request, send_file
from flask.json.provider import DefaultJSONProvider

from layers.ogc_params import RESOURCE_FORMATS, requested_format

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
MVT = "application/vnd.mapbox-vector-tile"
PROBLEM = "application/problem+json"


class JsonProvider(DefaultJSONProvider):
    """The app's JSON (``jsonify``, ``flask.json``): text as is, keys in the order made."""

    ensure_ascii = False
    sort_keys = False


def base_url() -> str:
    """The public base URL: ``PUBLIC_BASE_URL`` when configured, else the request's root."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def absolute(path: str, params: dict | list | None = None) -> str:
    """``/ogc/collections`` → ``https://kaart.example.nl/ogc/collections?...``."""
    url = base_url() + path
    if params:
        url += "?" + urlencode(params, doseq=True)
    return url


def link(rel: str, href: str, type_: str, title: str | None = None, **extra) -> dict:
    """An OGC link object: ``rel``, ``type``, ``href``, ``title`` when given, and ``extra``."""
    out = {"rel": rel, "type": type_, "href": href}
    if title:
        out["title"] = title
    out.update(extra)
    return out


def self_and_alternates(path: str, json_type: str = JSON, params: dict | None = None) -> list:
    """``self`` (JSON) and ``alternate`` (HTML) links for a resource."""
    params = {k: v for k, v in (params or {}).items() if k != "f"}
    return [
        link("self", absolute(path, {**params, "f": "json"}), json_type, "Dit document"),
        link("alternate", absolute(path, {**params, "f": "html"}), HTML, "Als webpagina"),
    ]


def wanted_format(default: str = "json", allowed: set[str] = RESOURCE_FORMATS) -> str:
    """The request's format: ``f``, else the Accept header (``layers.ogc_params``)."""
    return requested_format(request.args, request.headers.get("Accept"), default, allowed)


def respond(
    data: dict,
    media: str = JSON,
    title: str = "",
    template_data: dict | None = None,
    public: bool = True,
) -> Response:
    """JSON (exact media type) or the HTML rendering of the same resource."""
    if wanted_format() == "html":
        html = render_template(
            "ogc.html", title=title or data.get("title", ""), data=data, **(template_data or {})
        )
        response = Response(html, mimetype=HTML)
    else:
        response = Response(json.dumps(data, ensure_ascii=False), mimetype=media)
    response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-store"
    response.vary.update(("Accept", "Accept-Encoding"))
    return conditional(response)


def conditional(response: Response) -> Response:
    """ETag (from the body unless set); If-None-Match gives 304 Not Modified."""
    if not response.get_etag()[0]:
        response.add_etag()
    response.make_conditional(request)  # in place (it returns the same object)
    return response


def problem(status: int, title: str, detail: str | None = None, **extra) -> Response:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(std_json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)


def temporary_download(
    name: str, mimetype: str, write: Callable[[Path], object], prefix: str = "sk-"
) -> Response:
    """A file written by ``write(path)`` into a temporary folder, sent as an attachment.

    The folder is removed before the response starts; the open file outlives it, so the
    space is freed when the response closes the file (also on errors and disconnects).
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        path = Path(folder) / name
        write(path)
        handle = path.open("rb")
    size = os.fstat(handle.fileno()).st_size
    try:
        response = send_file(
            handle,
            mimetype=mimetype,
            as_attachment=True,
            download_name=name,
            max_age=0,
            etag=False,
            conditional=False,
        )
    except BaseException:
        handle.close()
        raise
    response.content_length = size
    return response


def render_pdf(html: str) -> bytes:
    """The print page as PDF, without network.

    The page loads nothing external and the stylesheet is read from our static folder.
    """
    from weasyprint import CSS, HTML  # heavy import: only when a PDF is asked for

    try:  # newer WeasyPrint: refuse every URL except inline data, should one ever appear
        from weasyprint.urls import URLFetcher

        fetcher = {"url_fetcher": URLFetcher(allowed_protocols=("data",))}
    except (ImportError, TypeError):
        fetcher = {}
    static = cast(str, current_app.static_folder)  # server/static: never None for our app
    css = Path(static, "print.css").read_text(encoding="utf-8")
    return HTML(string=html, **fetcher).write_pdf(stylesheets=[CSS(string=css, **fetcher)])

"""Response helpers of every route: media types, absolute links (from the configured public
base URL behind a proxy, or the request), ETag/conditional answers and the OGC JSON/HTML
rendering of a resource. Error bodies (problem+json) are made in ``server/errors.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, current_app, json, render_template, request

from layers.ogc_params import RESOURCE_FORMATS, requested_format

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
MVT = "application/vnd.mapbox-vector-tile"


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def absolute(path: str, params: dict | list | None = None) -> str:
    """``/ogc/collections`` → ``https://kaart.example.nl/ogc/collections?...``."""
    url = base_url() + path
    if params:
        url += "?" + urlencode(params, doseq=True)
    return url


def link(rel: str, href: str, type_: str, title: str | None = None, **extra) -> dict:
    out = {"rel": rel, "type": type_, "href": href}
    if title:
        out["title"] = title
    out.update(extra)
    return out


def self_and_alternates(path: str, json_type: str = JSON, params: dict | None = None) -> list:
    """``self`` (JSON) and ``alternate`` (HTML) links for a resource."""
    params = {k: v for k, v in (params or {}).items() if k != "f"}
    return [link("self", absolute(path, {**params, "f": "json"}), json_type, "Dit document"),
            link("alternate", absolute(path, {**params, "f": "html"}), HTML, "Als webpagina")]


def wanted_format(default: str = "json", allowed: set[str] = RESOURCE_FORMATS) -> str:
    """The request's format: ``f``, else the Accept header (``layers.ogc_params``)."""
    return requested_format(request.args, request.headers.get("Accept"), default, allowed)


def respond(data: dict, media: str = JSON, title: str = "", template_data: dict | None = None,
            public: bool = True) -> Response:
    """JSON (exact media type) or the HTML rendering of the same resource."""
    if wanted_format() == "html":
        html = render_template("ogc.html", title=title or data.get("title", ""), data=data,
                               **(template_data or {}))
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
    return response.make_conditional(request)

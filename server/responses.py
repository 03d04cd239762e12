"""Absolute links from the configured public base URL (behind a proxy) or the request."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request

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

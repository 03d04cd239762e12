"""Residents' map page, the help page, and the area outlines the map draws as basemap."""

from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from geo.taxonomy import groups, themes
from layers.errors import InvalidParameter
from layers.pages.kaartpunten import cached_map_points, place_services
from layers.pages.labels import place_names_geojson, street_names_geojson
from layers.pages.outlines import extent, outlines_geojson
from server.catalog import current_visibility, get_collection, get_layer_cache
from server.database import get_engine, get_read_engine
from server.i18n import translated
from server.kaart_texts import map_texts
from server.responses import conditional

bp = Blueprint("kaart", __name__)
MAKI = Path("@mapbox/maki/icons")
SVG_PATH = "{http://www.w3.org/2000/svg}path"


@cache
def icon_path(node_modules: str, icoon: str) -> str:
    """SVG path data of a Maki icon (viewBox 0 0 15 15); empty when the icon does not exist.

    The legend draws it inline and the map draws it on a canvas, so the page needs no
    icon images (each SVG image costs the browser a document of its own).
    """
    try:
        svg = ElementTree.parse(Path(node_modules) / MAKI / f"{icoon}.svg").getroot()
    except (FileNotFoundError, ElementTree.ParseError):
        return ""
    return " ".join(" ".join(p.get("d", "").split()) for p in svg.iter(SVG_PATH))


@bp.get("/")
def kaart():
    """The residents' map page, with the themes' legend icons inline."""
    with get_engine().connect() as conn:
        bbox, theme_list, group_list = extent(conn), themes(conn), groups(conn)
    for theme in theme_list:
        theme["pad"] = icon_path(current_app.config["NODE_MODULES"], theme["icoon"])
    return render_template(
        "kaart.html",
        bbox=bbox,
        punten_url=url_for("kaart.punten", bbox=_around(bbox)) if bbox else url_for("kaart.punten"),
        themes=translated(theme_list, "omschrijving"),
        groups=translated(group_list, "omschrijving"),
        teksten=map_texts(),
        args=request.args,
        online_basemap=current_app.config["ONLINE_BASEMAP"],
    )


def _around(bbox: list[float]) -> str:
    """The box the map loads first: its first view with half its size added on each side."""
    w, s, e, n = bbox
    dx, dy = (e - w) / 2, (n - s) / 2
    box = (max(w - dx, -180), max(s - dy, -90), min(e + dx, 180), min(n + dy, 90))
    return ",".join(f"{v:.4f}" for v in box)


def _box(value: str | None) -> tuple[float, float, float, float] | None:
    """``bbox=west,south,east,north`` in lon/lat (the map's view), or None for all places."""
    if value is None:
        return None
    try:
        w, s, e, n = (round(float(v), 4) for v in value.split(","))
    except ValueError:
        raise InvalidParameter(
            "bbox moet vier getallen zijn: west,zuid,oost,noord (lengte- en breedtegraad)."
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InvalidParameter("bbox: west moet kleiner zijn dan oost en zuid kleiner dan noord.")
    return w, s, e, n


@bp.get("/kaart/punten.json")
def punten():
    """The map's places: ``[[[id, ...], lon, lat, [theme, ...]], ...]`` (details: plek).

    With ``bbox`` only the places in that box; a crowded box gives one entry per grid
    cell with the number of places as a fifth element.
    """
    visibility = current_visibility()
    bbox = _box(request.args.get("bbox"))
    with get_read_engine().connect() as conn:
        body, version = cached_map_points(
            conn, visibility, bbox, get_layer_cache(), get_collection("voorzieningen")
        )
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = (
        "public, max-age=60" if visibility.public else "private, no-store"
    )
    response.set_etag(f"{version}-{visibility.key}-{bbox}")
    return conditional(response)


@bp.get("/kaart/plek/<int:dienst>.json")
def plek(dienst: int):
    """Every service at the place of one service, for the map's popup (404 when hidden)."""
    visibility = current_visibility()
    with get_read_engine().connect() as conn:
        place = place_services(conn, dienst, visibility)
    if place is None:
        abort(404)
    response = jsonify(place)
    response.headers["Cache-Control"] = "no-store" if not visibility.public else "max-age=60"
    return response


def _geojson(body: bytes, max_age: int) -> Response:
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/kaart/namen.geojson")
def namen():
    """Label points of gemeenten, woonplaatsen, wijken and buurten (public geography)."""
    with get_engine().connect() as conn:
        return _geojson(place_names_geojson(conn), 3600)


@bp.get("/kaart/straten.geojson")
def straten():
    """Label points of the streets of the loaded BAG addresses (empty when none are loaded)."""
    with get_engine().connect() as conn:
        return _geojson(street_names_geojson(conn), 3600)


@bp.get("/hulp")
def hulp():
    """The help page."""
    return render_template("hulp.html")


@bp.get("/kaart/gebieden/<niveau>.geojson")
def gebieden(niveau: str):
    """The outlines of one area level as GeoJSON, optionally of one municipality."""
    gemeentecode = request.args.get("gemeentecode") or None
    with get_engine().connect() as conn:
        body = outlines_geojson(conn, niveau, gemeentecode)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

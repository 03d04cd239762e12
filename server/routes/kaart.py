"""Residents' map page, the help page, and the area outlines the map draws as basemap."""

from flask import Blueprint, Response, current_app, render_template, request

from layers.outlines import extent, outlines_geojson
from layers.taxonomy import groups, themes
from server.database import get_engine

bp = Blueprint("kaart", __name__)


@bp.get("/")
def kaart():
    with get_engine().connect() as conn:
        bbox, theme_list, group_list = extent(conn), themes(conn), groups(conn)
    return render_template(
        "kaart.html", bbox=bbox, themes=theme_list, groups=group_list, args=request.args,
        online_basemap=current_app.config["ONLINE_BASEMAP"])


@bp.get("/hulp")
def hulp():
    return render_template("hulp.html")


@bp.get("/kaart/gebieden/<niveau>.geojson")
def gebieden(niveau: str):
    gemeentecode = request.args.get("gemeentecode") or None
    with get_engine().connect() as conn:
        body = outlines_geojson(conn, niveau, gemeentecode)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

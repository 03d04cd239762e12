"""Residents' map page and the area outlines it draws as its offline basemap."""

from flask import Blueprint, Response, current_app, render_template, request

from layers.outlines import extent, outlines_geojson
from server.database import get_engine

bp = Blueprint("kaart", __name__)


@bp.get("/")
def kaart():
    with get_engine().connect() as conn:
        bbox = extent(conn)
    return render_template(
        "kaart.html", bbox=bbox, online_basemap=current_app.config["ONLINE_BASEMAP"]
    )


@bp.get("/kaart/gebieden/<niveau>.geojson")
def gebieden(niveau: str):
    gemeentecode = request.args.get("gemeentecode") or None
    with get_engine().connect() as conn:
        body = outlines_geojson(conn, niveau, gemeentecode)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

"""Advisers' coverage page: a choropleth per theme and target group, with a table that works
without JavaScript. The map reads the polygons from the OGC collection ``dekking``."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from geo.spar_classes import NO_DATA, SPAR_CLASSES
from layers.pages.coverage import (
    GROUPS,
    LEVELS,
    area_rows,
    coverage_themes,
    decimal,
    latest_run,
    method_lines,
)
from layers.pages.outlines import extent
from server.database import get_engine
from server.routes.pages import datum_nl

bp = Blueprint("dekking", __name__)


@bp.app_template_filter("nl")
def nl(value, digits: int = 0) -> str:
    return decimal(value, digits)


def _choice(name: str, allowed, default: str | None) -> tuple[str | None, str | None]:
    value = request.args.get(name, default)
    if value is None or value in allowed:
        return value, None
    return None, f"Onbekende waarde voor '{name}'. Kies uit: {', '.join(allowed)}."


@bp.get("/dekking")
def dekking():
    with get_engine().connect() as conn:
        themes, bbox = coverage_themes(conn), extent(conn)
        slugs = [t["slug"] for t in themes]
        thema, e1 = _choice("thema", slugs, slugs[0] if slugs else None)
        doelgroep, e2 = _choice("doelgroep", GROUPS, "iedereen")
        niveau, e3 = _choice("niveau", LEVELS, "buurt")
        errors = [e for e in (e1, e2, e3) if e]
        rows = area_rows(conn, thema, doelgroep, niveau) if thema and not errors else []
        runs = sorted({r["run_id"] for r in rows})  # the latest run per area may differ
        run = latest_run(conn, runs[-1] if runs else None)
    code = request.args.get("gebied")
    chosen = next((r for r in rows if r["gebiedcode"] == code), None)
    theme = next((t for t in themes if t["slug"] == thema), None)
    html = render_template(
        "dekking.html", themes=themes, groups=GROUPS, levels=LEVELS, thema=thema,
        theme=theme, doelgroep=doelgroep, niveau=niveau, rows=rows, run=run, runs=runs,
        chosen=chosen,
        errors=errors, gebied_onbekend=bool(code) and chosen is None and not errors,
        method=method_lines(run["parameters"], thema) if run else [],
        datum_nl=datum_nl, classes=SPAR_CLASSES, no_data=NO_DATA, bbox=bbox,
        klassen=[[lo, colour] for lo, _, colour, _ in SPAR_CLASSES],
        online_basemap=current_app.config["ONLINE_BASEMAP"])
    return html, 400 if errors else 200

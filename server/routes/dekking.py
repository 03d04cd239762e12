"""Advisers' coverage page: a choropleth per theme and target group, and its downloads.

The page has a table that works without JavaScript. The map reads the polygons from the
OGC collection ``dekking``.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, render_template, request

from geo.dutch import datum_nl
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
from layers.pages.coverage_downloads import write_csv, write_geopackage
from layers.pages.coverage_report import (
    REPORT_LEVELS,
    GemeenteReport,
    gemeente_report,
    report_gemeenten,
)
from layers.pages.coverage_results import FLAG_SYMBOLS, describe_rule
from layers.pages.outlines import extent
from server.database import get_engine
from server.responses import problem, render_pdf, temporary_download

bp = Blueprint("dekking", __name__)


@bp.app_template_filter("nl")
def nl(value, digits: int = 0) -> str:
    """The template filter ``nl``: a number in Dutch notation with ``digits`` decimals."""
    return decimal(value, digits)


def _choice(name: str, allowed, default: str | None) -> tuple[str | None, str | None]:
    value = request.args.get(name, default)
    if value is None or value in allowed:
        return value, None
    return None, f"Onbekende waarde voor '{name}'. Kies uit: {', '.join(allowed)}."


@bp.get("/dekking")
def dekking():
    """The coverage page: the map and table of one theme, or the short list of a gemeente.

    Unknown choices give the page with a message and status 400; an unknown gemeente gives
    status 404.
    """
    gemeente = request.args.get("gemeente") or None
    with get_engine().connect() as conn:
        themes, bbox = coverage_themes(conn), extent(conn)
        gemeenten = report_gemeenten(conn)
        slugs = [t["slug"] for t in themes]
        thema, e1 = _choice("thema", slugs, slugs[0] if slugs else None)
        doelgroep, e2 = _choice("doelgroep", GROUPS, "iedereen")
        niveau, e3 = _choice("niveau", LEVELS, "buurt")
        errors = [e for e in (e1, e2, e3) if e]
        report = None
        if gemeente and not errors:
            niveau = niveau if niveau in REPORT_LEVELS else "buurt"
            report = load_report(conn, gemeente, doelgroep, niveau)
            rows = []
            runs = report.run_ids if report else []
        else:
            rows = area_rows(conn, thema, doelgroep, niveau) if thema and not errors else []
            runs = sorted({r["run_id"] for r in rows})  # the latest run per area may differ
        run = latest_run(conn, runs[-1] if runs else None)
    code = request.args.get("gebied")
    chosen = next((r for r in rows if r["gebiedcode"] == code), None)
    theme = next((t for t in themes if t["slug"] == thema), None)
    unknown = bool(gemeente) and not errors and report is None
    html = render_template(
        "dekking.html",
        themes=themes,
        groups=GROUPS,
        levels=LEVELS,
        thema=thema,
        theme=theme,
        doelgroep=doelgroep,
        niveau=niveau,
        rows=rows,
        run=run,
        runs=runs,
        chosen=chosen,
        gemeenten=gemeenten,
        gemeente=gemeente,
        report=report,
        gemeente_onbekend=unknown,
        errors=errors,
        gebied_onbekend=bool(code) and chosen is None and not errors,
        method=method_lines(run["parameters"], thema) if run else [],
        datum_nl=datum_nl,
        classes=SPAR_CLASSES,
        no_data=NO_DATA,
        bbox=bbox,
        klassen=[[lo, colour] for lo, _, colour, _ in SPAR_CLASSES],
        online_basemap=current_app.config["ONLINE_BASEMAP"],
        **REPORT_HELPERS,
    )
    return html, 400 if errors else 404 if unknown else 200


REPORT_HELPERS = {"flag_symbols": FLAG_SYMBOLS, "describe_rule": describe_rule}


def load_report(conn, gemeente: str, doelgroep: str, niveau: str) -> GemeenteReport | None:
    """The short list of one gemeente, ordered by the flag rule of its run.

    One function for the page, the downloads and ``sociale-kaart analyse --gemeente``.
    """
    return gemeente_report(conn, gemeente.upper(), doelgroep, niveau)


def report_html(report: GemeenteReport, run: dict | None) -> str:
    """The stand-alone A4 report (the PDF's HTML): map per theme, short lists, reasons."""
    return render_template(
        "dekking_rapport.html",
        report=report,
        run=run,
        pdf=True,
        datum_nl=datum_nl,
        classes=SPAR_CLASSES,
        no_data=NO_DATA,
        **REPORT_HELPERS,
    )


def report_pdf(report: GemeenteReport) -> bytes:
    """The report of one gemeente as PDF (WeasyPrint, A4, print.css)."""
    with get_engine().connect() as conn:
        run = latest_run(conn, report.run_ids[-1] if report.run_ids else None)
    return render_pdf(report_html(report, run))


def report_csv(report: GemeenteReport) -> str:
    """The short lists as CSV text, with the BOM that Dutch Excel needs for UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    write_csv(report, buffer)
    return buffer.getvalue()


DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
    "pdf": "application/pdf",
}


@bp.get("/dekking/<gemeente>.<fmt>")
def download(gemeente: str, fmt: str):
    """The short list of one gemeente as CSV, GeoPackage or PDF.

    Exactly what the page shows for the same ``doelgroep`` and ``niveau``. Bad choices are a
    problem+json.
    """
    if fmt not in DOWNLOADS:
        return problem(404, "Onbekend formaat", f"Kies uit: {', '.join(DOWNLOADS)}.")
    doelgroep = request.args.get("doelgroep", "iedereen")
    niveau = request.args.get("niveau", "buurt")
    if doelgroep not in GROUPS:
        return problem(400, "Onbekende doelgroep", f"Kies uit: {', '.join(GROUPS)}.")
    if niveau not in REPORT_LEVELS:
        return problem(400, "Onbekend niveau", f"Kies uit: {', '.join(REPORT_LEVELS)}.")
    with get_engine().connect() as conn:
        report = load_report(conn, gemeente, doelgroep, niveau)
        if report is None:
            return problem(
                404,
                "Onbekende gemeente",
                "Voor deze gemeente zijn er geen resultaten. Gebruik een code zoals GM0928.",
            )
        if fmt == "gpkg":
            return _geopackage(conn, report)
    name = f"{report.filename}.{fmt}"
    if fmt == "csv":
        body = report_csv(report).encode("utf-8")
        disposition = "attachment"
    else:
        body, disposition = report_pdf(report), "inline"
    response = Response(body, mimetype=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def _geopackage(conn, report: GemeenteReport) -> Response:
    """Written to a temporary folder that is removed before sending (as the OGC download)."""
    return temporary_download(
        f"{report.filename}.gpkg",
        DOWNLOADS["gpkg"],
        lambda path: write_geopackage(conn, report, path),
        prefix="sk-dekking-",
    )

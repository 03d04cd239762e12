"""Server-rendered public pages: an organisation, "meld een fout" and the paper social map.

They work without JavaScript. Unknown or hidden records get a friendly HTML 404 page here
(not the problem+json of the API). The "meld een fout" form carries Flask-WTF's CSRF token
(``csrf_token()``, checked for every POST by server/security.py), so other sites cannot
post it blindly; its rate limit is in server/ratelimit.py.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from geo.codes import is_area_code
from geo.records.melding import MELDING_MAX, MeldingError, add_melding, clean_melding
from geo.taxonomy import themes
from layers.errors import InvalidParameter
from layers.pages.area_names import print_target
from layers.pages.opening_hours import AMSTERDAM, open_now, opening_rows
from layers.pages.organisation import address, organisation
from layers.pages.print_map import PrintArea, print_area, print_services
from layers.pages.search import SearchQuery, search
from server.catalog import current_visibility
from server.database import get_engine
from server.form_messages import form_message
from server.i18n import N_, hours_rows, language, long_date, translated
from server.i18n import gettext as _
from server.responses import render_pdf
from server.routes.kaart import icon_path

bp = Blueprint("pages", __name__)

LEVELS = {"gemeente": N_("Gemeente"), "wijk": N_("Wijk"), "buurt": N_("Buurt")}
GONE = N_("Deze organisatie staat niet (meer) op de sociale kaart.")
NOTHING_TO_PRINT = N_("We vonden niets om te printen. Zoek eerst op de kaart of in de lijst.")
UNKNOWN_AREA = N_("Dit gebied kennen we niet. Gebruik een code zoals GM0917.")


def website_label(url: str | None) -> str:
    """A website address as residents read it: without ``https://`` and a trailing slash."""
    return re.sub(r"^https?://(www\.)?", "", url or "").rstrip("/")


def tel_href(number: str | None) -> str:
    """``tel:`` link target: digits and a leading plus only."""
    return "tel:" + re.sub(r"[^0-9+]", "", number or "")


datum_nl = long_date  # '12 maart 2026' (Dutch) or '12 March 2026' (English)
HELPERS = {"datum_nl": datum_nl, "website_label": website_label, "tel_href": tel_href}


def not_found(message: str = N_("Deze pagina bestaat niet (meer).")) -> tuple[str, int]:
    """The HTML 404 page for residents (``message`` in Dutch, shown in the page's language)."""
    return render_template("404.html", message=_(message), **HELPERS), 404


def _location_label(loc: dict) -> str:
    """How a service names the place where it is offered (never a confidential address)."""
    if loc["vertrouwelijk"]:
        return ", ".join(p for p in (_("Adres afgeschermd"), loc["plaats"]) if p)
    return (
        loc["naam"]
        or address(loc["straat"], loc["huisnummer"], loc["postcode"], loc["plaats"])
        or _("Adres onbekend")
    )


def _organisation_page(organisatie_id: int, status: int = 200, **form):
    with get_engine().connect() as conn:
        record = organisation(conn, organisatie_id, current_visibility())
    if record is None:
        return not_found(GONE)
    now = datetime.now(AMSTERDAM)
    for service in record["aanbod"]:
        for theme in service["themas"] or ():  # icons drawn inline: no style attribute, no request
            theme["pad"] = icon_path(current_app.config["NODE_MODULES"], theme["icoon"])
        rows = opening_rows(service["openingstijden"], now)
        service["uren"] = hours_rows(rows, service["openingstijden"])
        service["open_nu"] = open_now(service["openingstijden"], now)
    for loc in record["locaties"]:
        loc["label"] = _location_label(loc)
    locations = {loc["id"]: loc for loc in record["locaties"]}
    html = render_template(
        "organisatie.html",
        org=record,
        locations=locations,
        now=now,
        melding_max=MELDING_MAX,
        gemeld=request.args.get("gemeld") == "1",
        form=form,
        **HELPERS,
    )
    return html, status


@bp.get("/organisatie/<int:organisatie_id>")
def organisatie(organisatie_id: int):
    """The public page of one organisation (404 page when it is unknown or not public)."""
    return _organisation_page(organisatie_id)


@bp.post("/organisatie/<int:organisatie_id>/melding")
def melding(organisatie_id: int):
    """Store a reported error and go back to the page (303), or show the form again (400).

    The CSRF token and the rate limit were checked before this runs. The text is stored as
    typed (templates escape it wherever it is shown).
    """
    tekst, email = request.form.get("tekst"), request.form.get("email")
    kept = {"tekst": tekst or "", "email": email or ""}
    try:
        tekst, email = clean_melding(tekst, email)
    except MeldingError as exc:
        return _organisation_page(organisatie_id, 400, fout=str(exc), **kept)
    with get_engine().begin() as conn:
        stored = add_melding(
            conn, organisatie_id, tekst, email, current_visibility().levels, language()
        )
    if stored is None:
        return not_found(GONE)
    target = url_for(
        "pages.organisatie", organisatie_id=organisatie_id, gemeld=1, _anchor="melding"
    )
    return redirect(target, code=303)


def _print_html(code: str, pdf: bool) -> str | None:
    if not is_area_code(code):
        return None
    with get_engine().connect() as conn:
        area = print_area(conn, code, current_visibility())
    if area is None:
        return None
    return _render_print(area, pdf, url_for("pages.print_pdf", code=code))


def _render_print(area: PrintArea, pdf: bool, pdf_url: str, **extra) -> str:
    return render_template(
        "print.html",
        area=area,
        level=_(LEVELS[area.niveau]) if area.niveau in LEVELS else "",
        pdf=pdf,
        pdf_url=pdf_url,
        printed=datetime.now(AMSTERDAM).date(),
        **extra,
        **HELPERS,
    )


# A resident's own search on paper: /print?q=&gebied=&thema=&doelgroep=&dichtbij=
PRINT_PARAMS = ("q", "gebied", "thema", "doelgroep", "dichtbij", "afstand")
PRINT_LIMIT = 200  # results on one paper map
DISTANCES = ("1", "3", "5", "10", "25")  # km around "dichtbij", as on the map


def _print_search(pdf: bool) -> tuple[str, int]:
    """The paper map of the search in the query string (400 page for bad input)."""
    unknown = sorted(set(request.args) - set(PRINT_PARAMS))
    value = {k: (request.args.get(k) or "").strip()[:200] or None for k in PRINT_PARAMS}
    if unknown or not any(value.values()):
        return not_found(
            N_(
                "Geef een zoekwoord, onderwerp of plaats. "
                "Bijvoorbeeld: /print?q=huisarts&gebied=Heerlen"
            )
        )[0], 400
    visibility = current_visibility()
    query = SearchQuery(
        tekst=value["q"],
        thema=value["thema"],
        doelgroep=value["doelgroep"],
        gebied=value["gebied"],
        dichtbij=value["dichtbij"],
        limit=PRINT_LIMIT,
        afstand_km=float(value["afstand"]) if value["afstand"] in DISTANCES else 3.0,
        visibility=visibility,
    )
    with get_engine().connect() as conn:  # never committed: printing counts no search
        try:
            result = search(conn, query)
        except InvalidParameter as exc:
            message = _("Deze zoekopdracht begrijpen we niet.") + " " + form_message(str(exc))
            return render_template("404.html", message=message), 400
        names = {t["slug"]: t["naam"] for t in translated(themes(conn))}
        gebied = result.gebied or {}
        code = gebied.get("code") if gebied.get("niveau") in LEVELS else None
        titel = _search_title(value, result, names)
        area = print_services(conn, [i["id"] for i in result.items], titel, visibility, code)
    if area is None:
        return not_found(NOTHING_TO_PRINT)
    uitleg = _search_explained(result, names, value)
    args = {k: v for k, v in value.items() if v}
    return _render_print(
        area, pdf, url_for("pages.print_search_pdf") + "?" + urlencode(args), zoek_uitleg=uitleg
    ), 200


def _search_title(value: dict, result, names: dict) -> str:
    """'huisarts in Heerlen', 'Vervoer dichtbij 6411 AB 12', ..."""
    wat = value["q"] or names.get(value["thema"] or "", "") or _("Hulp")
    if result.gebied:
        return _("%(wat)s in %(waar)s", wat=wat, waar=result.gebied["naam"])
    if result.dichtbij:
        return _("%(wat)s dichtbij %(adres)s", wat=wat, adres=result.dichtbij["label"])
    return wat


def _search_explained(result, names: dict, value: dict) -> str:
    parts = []
    if value["thema"] and value["thema"] in names:
        parts.append(_("onderwerp %(naam)s", naam=names[value["thema"]]))
    if result.total > len(result.items):
        parts.append(
            _("de eerste %(n)s van %(totaal)s plekken", n=len(result.items), totaal=result.total)
        )
    if result.melding:
        parts.append(result.melding)
    return "; ".join(parts)


@bp.get("/print")
def print_search():
    """The paper social map of a resident's own search (same parameters as /lijst)."""
    return _print_search(pdf=False)


@bp.get("/print.pdf")
def print_search_pdf():
    """The same as PDF."""
    html, status = _print_search(pdf=True)
    if status != 200:
        return html, status
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="sociale-kaart-zoekopdracht.pdf"'
    return response


def _print_by_name(name: str, pdf: bool):
    """A name instead of a code: redirect to the code's URL, or offer a choice (or 404)."""
    if is_area_code(name.strip().upper()):  # a code in the wrong case or with spaces
        return not_found(UNKNOWN_AREA)
    with get_engine().connect() as conn:
        target = print_target(conn, name)
    endpoint = "pages.print_pdf" if pdf else "pages.print_page"
    if target.code:
        return redirect(url_for(endpoint, code=target.code), code=302)
    for keuze in target.keuzes:
        keuze["url"] = url_for(endpoint, code=keuze["code"])
    suggestie = url_for(endpoint, code=target.suggestie) if target.suggestie else None
    levels = {k: _(v) for k, v in LEVELS.items()}
    html = render_template("print_kiezen.html", target=target, suggestie=suggestie, levels=levels)
    return html, (200 if target.keuzes else 404)


@bp.get("/print/<code>")
def print_page(code: str):
    """The paper social map of a gemeente, wijk or buurt as an A4 HTML page.

    ``code`` may also be a name ('Heerlen', 'Maastricht-West'): one area redirects to its
    code's URL, several ('Parkstad') give a page to choose from.
    """
    if not is_area_code(code):
        return _print_by_name(code, pdf=False)
    html = _print_html(code, pdf=False)
    return not_found(UNKNOWN_AREA) if html is None else html


@bp.get("/print/<code>.pdf")
def print_pdf(code: str):
    """The same page as PDF (WeasyPrint); a name redirects as for the HTML page."""
    if not is_area_code(code):
        return _print_by_name(code, pdf=True)
    html = _print_html(code, pdf=True)
    if html is None:
        return not_found(UNKNOWN_AREA)
    started = time.perf_counter()
    body = render_pdf(html)
    current_app.logger.info("print %s: pdf in %.2f s", code, time.perf_counter() - started)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="sociale-kaart-{code}.pdf"'
    return response

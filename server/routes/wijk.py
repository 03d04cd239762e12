"""Wijkteam pages (/wijk): professionals see their own neighbourhood, with internal data.

- ``/wijk``: the areas of the signed-in account's scope (every gemeente without one).
- ``/wijk/<code>``: services with contacts and notes, the wijkteam, changes, coverage
  flags, "gezocht, niet gevonden" and key figures (layers/pages/wijk.py).
- ``/wijk/<code>/print`` and ``/wijk/<code>/print.pdf``: the same for the team meeting.
- ``POST /wijk/<code>/notitie``: a dated internal note about an organisation.

Professionals open areas inside their scope only (403 elsewhere); editors open every
area. Every answer is ``private, no-store`` (server/auth.py).
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from geo.codes import is_area_code
from geo.dutch import datum_nl
from geo.records.wijkteam import NOTE_MAX, WijkteamError, add_note
from layers.pages.opening_hours import AMSTERDAM
from layers.pages.wijk import WijkPage, change_label, scope_areas, scope_covers, when, wijk_page
from server.auth import role_required
from server.database import get_engine
from server.responses import render_pdf
from server.routes.pages import HELPERS, not_found

bp = Blueprint("wijk", __name__, url_prefix="/wijk")

READERS = ("professional", "beheerder", "redacteur")
LEVEL_NAMES = {"gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}
UNKNOWN = "Dit gebied kennen we niet. Gebruik een code zoals WK091700."
OUTSIDE = "Dit gebied valt buiten uw werkgebied. U ziet hier alleen uw eigen wijken en buurten."


def _scope() -> tuple[str, ...]:
    """The reader's scope: a professional's areas; editors (and unscoped accounts) none."""
    user = current_user.user
    if user.rol != "professional":
        return ()
    return tuple(user.gemeenten) + tuple(user.gebieden)


def _levels() -> tuple[str, ...]:
    return tuple(current_user.user.visibility)


def _page(code: str) -> WijkPage | tuple[str, int]:
    """The page data, or the 404/403 answer for an unknown or out-of-scope area."""
    if not is_area_code(code):
        return not_found(UNKNOWN)
    with get_engine().connect() as conn:
        if not scope_covers(conn, (), code):
            return not_found(UNKNOWN)
        if not scope_covers(conn, _scope(), code):
            return render_template("wijk/buiten.html", message=OUTSIDE), 403
        page = wijk_page(conn, code, _levels(), _scope())
    return page if page is not None else not_found(UNKNOWN)


def _context(page: WijkPage) -> dict:
    level, naam = LEVEL_NAMES[page.gebied["niveau"]], page.gebied["naam"]
    return {
        "p": page,
        "g": page.gebied,
        "level": level,
        # CBS names often start with the level already ("Wijk 33 Heerlen-Centrum").
        "titel": naam if naam.lower().startswith(level.lower()) else f"{level} {naam}",
        "change_label": change_label,
        "when": when,
        "printed": datetime.now(AMSTERDAM).date(),
        "note_max": NOTE_MAX,
        **HELPERS,
    }


@bp.get("")
@role_required(*READERS)
def overzicht():
    """The areas of the signed-in account's scope."""
    with get_engine().connect() as conn:
        areas = scope_areas(conn, _scope())
    return render_template("wijk/overzicht.html", areas=areas, scoped=bool(_scope()))


@bp.get("/<code>")
@role_required(*READERS)
def pagina(code: str):
    """The wijkteam page of one gemeente, wijk or buurt."""
    page = _page(code)
    if not isinstance(page, WijkPage):
        return page
    return render_template("wijk/pagina.html", **_context(page))


def _print_html(page: WijkPage, pdf: bool) -> str:
    return render_template("wijk/print.html", pdf=pdf, **_context(page))


@bp.get("/<code>/print")
@role_required(*READERS)
def afdruk(code: str):
    """The page for the team meeting, as an A4 HTML page."""
    page = _page(code)
    if not isinstance(page, WijkPage):
        return page
    return _print_html(page, pdf=False)


@bp.get("/<code>/print.pdf")
@role_required(*READERS)
def afdruk_pdf(code: str):
    """The same as PDF (WeasyPrint), "vertrouwelijk" on every page when it holds internal data."""
    page = _page(code)
    if not isinstance(page, WijkPage):
        return page
    started = time.perf_counter()
    body = render_pdf(_print_html(page, pdf=True))
    current_app.logger.info("wijk %s: pdf in %.2f s", code, time.perf_counter() - started)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="wijk-{code}.pdf"'
    return response


@bp.post("/<code>/notitie")
@role_required(*READERS)
def notitie(code: str):
    """Add a dated internal note to an organisation shown on the page of ``code``."""
    page = _page(code)
    if not isinstance(page, WijkPage):
        return page
    try:
        organisatie_id = int(request.form.get("organisatie_id", ""))
    except ValueError:
        abort(400, "Kies een organisatie.")
    shown = {e.organisatie_id for g in page.groups for e in g.entries}
    shown |= {t["organisatie_id"] for t in page.wijkteams}
    if organisatie_id not in shown:
        abort(400, "Deze organisatie staat niet op deze pagina.")
    try:
        with get_engine().begin() as conn:
            add_note(conn, current_user.user, organisatie_id, request.form.get("tekst", ""))
    except WijkteamError as exc:
        flash(str(exc), "fout")
        return redirect(url_for("wijk.pagina", code=code, _anchor=f"org-{organisatie_id}"))
    flash(f"Uw notitie is opgeslagen ({datum_nl(datetime.now(AMSTERDAM).date())}).", "info")
    return redirect(url_for("wijk.pagina", code=code, _anchor=f"org-{organisatie_id}"))

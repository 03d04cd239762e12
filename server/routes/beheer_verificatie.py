"""Verification rounds and freshness for editors: /beheer/verificatie and /beheer/actualiteit.

- /beheer/verificatie: every round with its progress per gemeente (sent, opened, confirmed,
  changed, no answer), a form to start a round for a gemeente ("ouder dan N maanden"),
  the mail-merge CSV of a round, and sending due reminders.
- /beheer/actualiteit: stale services per gemeente, wijk and theme (geo/records/freshness.py)
  and a map of the public OGC collection ``actualiteit`` per wijk or buurt.

Editors only. A redacteur scoped to gemeenten sees and starts rounds in those gemeenten
only (403 for others) and sees the dashboard of those gemeenten.
"""

from __future__ import annotations

import sqlalchemy as sa
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

from geo.records import verification as vf
from geo.records.freshness import stale_counts
from layers.pages.outlines import extent
from server.auth import editor_required
from server.database import get_engine
from server.verification_mail import deliver, mail_merge, start_round

bp = Blueprint("beheer_verificatie", __name__, url_prefix="/beheer")
LEVELS = {"wijk": "Wijken", "buurt": "Buurten"}
# Share verified (percent): lower bounds and colours (ColorBrewer YlGnBu, 4 classes).
CLASSES = (
    (0, "#ffffcc", "minder dan 25%"),
    (25, "#a1dab4", "25 tot 50%"),
    (50, "#41b6c4", "50 tot 75%"),
    (75, "#225ea8", "75% of meer"),
)
NO_DATA = "#d9d9d9"


def _scope() -> tuple[str, ...]:
    """The gemeenten a scoped redacteur works in; empty: everywhere."""
    user = current_user.user
    return tuple(user.gemeenten) if user.rol == "redacteur" else ()


def _gemeenten(conn) -> list:
    scope = _scope()
    rows = conn.execute(
        sa.text(
            "SELECT code, naam FROM gebied WHERE niveau = 'gemeente' "
            "AND (cardinality(CAST(:g AS text[])) = 0 OR code = ANY(:g)) ORDER BY naam"
        ),
        {"g": list(scope)},
    )
    return list(rows)


@bp.get("/verificatie")
@editor_required
def rondes():
    """The rounds with their progress, and the form to start one."""
    with get_engine().connect() as conn:
        rounds = vf.progress(conn, _scope())
        gemeenten = _gemeenten(conn)
        due = len(vf.due_reminders(conn, _scope()))
    return render_template(
        "beheer/verificatie.html",
        rounds=rounds,
        gemeenten=gemeenten,
        due=due,
        months=int(current_app.config["VERIFY_MONTHS"]),
    )


@bp.post("/verificatie")
@editor_required
def ronde_starten():
    """Start a round for one gemeente and mail the links (303 back to the list)."""
    code = request.form.get("gemeente", "").strip().upper()
    if not code:
        flash("Kies een gemeente.", "fout")
        return redirect(url_for("beheer_verificatie.rondes"), code=303)
    if not current_user.user.may_edit_gemeente(code):
        abort(403)
    try:
        months = int(request.form.get("maanden", ""))
    except ValueError:
        flash("Vul bij 'ouder dan' een aantal maanden in, zoals 12.", "fout")
        return redirect(url_for("beheer_verificatie.rondes"), code=303)
    try:
        ronde, requests = start_round(code, months, current_user.email)
    except vf.VerificationError as exc:
        flash(str(exc), "fout")
        return redirect(url_for("beheer_verificatie.rondes"), code=303)
    sent, failed = deliver(requests)
    without = sum(1 for r in requests if not r.email)
    message = (
        f"Ronde {ronde} is gestart: {len(requests)} organisaties. {sent} e-mails verstuurd, "
        f"{without} zonder e-mailadres (download de brieven)."
    )
    flash(message, "info")
    if failed:
        flash(
            f"{len(failed)} e-mails konden niet worden verstuurd. Probeer het later "
            "opnieuw met 'Herinneringen versturen'.",
            "fout",
        )
    return redirect(url_for("beheer_verificatie.rondes"), code=303)


@bp.get("/verificatie/<int:ronde_id>/brieven.csv")
@editor_required
def brieven(ronde_id: int):
    """The mail-merge CSV of a round (organisations without e-mail)."""
    with get_engine().connect() as conn:
        code = vf.round_gemeente(conn, ronde_id) if 0 < ronde_id < 2**63 else None
    if code is None:
        abort(404)
    if not current_user.user.may_edit_gemeente(code):
        abort(403)
    response = Response(mail_merge(ronde_id), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="verificatie-{ronde_id}-{code}-brieven.csv"'
    )
    return response


@bp.post("/verificatie/herinneren")
@editor_required
def herinneren():
    """Send every due reminder (in the editor's gemeenten)."""
    with get_engine().connect() as conn:
        due = vf.due_reminders(conn, _scope())
    sent, failed = deliver(due, reminder=True)
    flash(f"{sent} herinneringen verstuurd.", "info")
    if failed:
        flash(f"{len(failed)} herinneringen konden niet worden verstuurd.", "fout")
    return redirect(url_for("beheer_verificatie.rondes"), code=303)


@bp.get("/actualiteit")
@editor_required
def actualiteit():
    """Stale services per gemeente, wijk and theme, and the map of share verified."""
    niveau = request.args.get("niveau", "wijk")
    if niveau not in LEVELS:
        niveau = "wijk"
    months = int(current_app.config["VERIFY_MONTHS"])
    with get_engine().connect() as conn:
        counts = stale_counts(conn, months, _scope())
        bbox = extent(conn)
    params = {"niveau": niveau, "limit": 10000}
    if len(_scope()) == 1:
        params["gemeentecode"] = _scope()[0]
    return render_template(
        "beheer/actualiteit.html",
        counts=counts,
        months=months,
        niveau=niveau,
        levels=LEVELS,
        items_params=params,
        bbox=bbox,
        classes=CLASSES,
        no_data=NO_DATA,
        online_basemap=current_app.config["ONLINE_BASEMAP"],
    )

"""Editors' record history, restore and archive (under /beheer/organisaties).

The history page lists every audit row of a record (who, when, which fields old -> new);
"Zet terug" restores the version of one row in one step (``geo.records.history.restore``),
itself a new audited change. Archiving never deletes: ``status = 'gearchiveerd'``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from geo.records import editing, history
from server.auth import editor_required
from server.database import get_engine
from server.routes.beheer_records import (
    TITLES,
    check_scope,
    form_versie,
    load,
    organisation,
    record_url,
    write,
)

bp = Blueprint("beheer_geschiedenis", __name__, url_prefix="/beheer/organisaties")


@bp.post("/<int:org>/status", defaults={"kind": "organisatie", "rid": None})
@bp.post("/<int:org>/<kind>/<int:rid>/status")
@editor_required
def status(org: int, kind: str, rid: int | None):
    """Archive a record, or publish it again."""
    rid = org if rid is None else rid
    new = request.form.get("status", "")
    if new not in ("gepubliceerd", "gearchiveerd"):
        abort(400)
    versie = form_versie()
    with get_engine().connect() as conn:
        load(Session(bind=conn), org, kind, rid)
        check_scope(conn, org)
    try:
        write(lambda s: editing.set_status(s, kind, rid, versie, new))
    except editing.EditConflict:
        flash("Iemand anders heeft dit intussen gewijzigd. Bekijk het opnieuw.", "fout")
        return redirect(record_url(org, kind, rid)), 303
    word = "gearchiveerd" if new == "gearchiveerd" else "weer gepubliceerd"
    flash(f"{TITLES[kind]} is {word}.", "info")
    return redirect(url_for("beheer_records.bewerken", org=org)), 303


@bp.get("/<int:org>/geschiedenis", defaults={"kind": "organisatie", "rid": None})
@bp.get("/<int:org>/<kind>/<int:rid>/geschiedenis")
@editor_required
def geschiedenis(org: int, kind: str, rid: int | None):
    """Every change of a record (who, when, which fields old -> new), each restorable."""
    rid = org if rid is None else rid
    with get_engine().connect() as conn:
        session = Session(bind=conn)
        record = load(session, org, kind, rid)
        check_scope(conn, org)
        changes = history.history(session, kind, rid)
        org_record = organisation(session, org)
    return render_template(
        "beheer/geschiedenis.html",
        kind=kind,
        title=TITLES[kind],
        record=record,
        org=org_record,
        changes=list(reversed(changes)),
        back=record_url(org, kind, rid),
        restore=record_url(org, kind, rid, "beheer_geschiedenis.herstellen"),
    )


@bp.post("/<int:org>/herstellen", defaults={"kind": "organisatie", "rid": None})
@bp.post("/<int:org>/<kind>/<int:rid>/herstellen")
@editor_required
def herstellen(org: int, kind: str, rid: int | None):
    """Restore the version of one audit row in one step (a new, audited change)."""
    rid = org if rid is None else rid
    versie = form_versie()
    try:
        change = int(request.form.get("wijziging", ""))
    except ValueError:
        abort(400)
    with get_engine().connect() as conn:
        load(Session(bind=conn), org, kind, rid)
        check_scope(conn, org)
    try:
        changed = write(lambda s: history.restore(s, kind, rid, change, versie))
    except KeyError:
        abort(404)
    except editing.EditConflict:
        flash("Iemand anders heeft dit intussen gewijzigd. Bekijk de geschiedenis opnieuw.", "fout")
        return redirect(record_url(org, kind, rid, "beheer_geschiedenis.geschiedenis")), 303
    if changed:
        flash(f"De eerdere versie is teruggezet ({len(changed)} velden).", "info")
    else:
        flash("Deze versie is gelijk aan de huidige: er is niets gewijzigd.", "info")
    return redirect(record_url(org, kind, rid)), 303

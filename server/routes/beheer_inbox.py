"""The editors' queues (/beheer/wachtrijen): lists per queue, one page per item, actions.

Domain logic lives in geo/records/inbox.py (lists, scope, assign, close),
geo/records/merge.py (duplicates), geo/records/aanmelding_review.py (proposals) and
geo/records/theme_review.py (proposed themes); this module is HTTP only. Answers to
submitters go out by e-mail (server/mail.py, plain text).
"""

from __future__ import annotations

import smtplib

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geo.records import aanmelding_review as review
from geo.records import inbox, queues, theme_review
from geo.records.aanmelding import AanmeldingError, parse_form
from geo.records.merge import MERGE_FIELDS, MergeError, merge_duplicates, side_by_side
from geo.taxonomy import names as taxonomy_names
from server.auth import editor_required
from server.database import get_engine
from server.mail import send_mail
from server.public_mail import registration_reply, report_reply
from server.responses import absolute

bp = Blueprint("beheer_inbox", __name__, url_prefix="/beheer/wachtrijen")


def queue_counts(conn) -> dict:
    """Open items per queue for the signed-in editor, each with the url of its list."""
    counts = inbox.inbox_counts(conn, current_user.user)
    for name, item in counts.items():
        item["url"] = url_for("beheer_inbox.wachtrij", naam=name)
    return counts


def _queue(naam: str) -> queues.Queue:
    if naam not in queues.QUEUES:
        abort(404)
    return queues.QUEUES[naam]


def _gemeenten(conn) -> list[dict]:
    rows = conn.execute(
        sa.text("SELECT code, naam FROM gebied WHERE niveau = 'gemeente' ORDER BY naam")
    ).mappings()
    scope = current_user.user.gemeenten
    return [dict(r) for r in rows if not scope or r["code"] in scope]


@bp.get("")
@editor_required
def overzicht():
    """Every queue with its number of open items."""
    with get_engine().connect() as conn:
        counts = queue_counts(conn)
    return render_template("beheer/wachtrijen.html", counts=counts)


@bp.get("/<naam>")
@editor_required
def wachtrij(naam: str):
    """One queue's items, filtered by status, gemeente and assignee."""
    q = _queue(naam)
    status = request.args.get("status", "open")
    if status not in ("open", "alle", *q.all_statuses):
        abort(400)
    with get_engine().connect() as conn:
        gemeenten = _gemeenten(conn)
        gemeente = request.args.get("gemeente") or None
        if gemeente and gemeente not in {g["code"] for g in gemeenten}:
            abort(400)
        items = inbox.list_items(
            conn,
            current_user.user,
            naam,
            status=status,
            gemeente=gemeente,
            mine=request.args.get("van") == "mij",
        )
        themas = taxonomy_names(conn)[0] if naam == "themavoorstellen" else {}
    return render_template(
        "beheer/wachtrij.html",
        q=q,
        themas=themas,
        items=items,
        status=status,
        gemeente=gemeente,
        gemeenten=gemeenten,
        van=request.args.get("van", ""),
        labels=queues.STATUS_LABELS,
    )


@bp.get("/<naam>/<int:item_id>")
@editor_required
def item(naam: str, item_id: int):
    """One item: details, the comparison (duplicates, proposals) and the actions."""
    q = _queue(naam)
    extra: dict = {}
    with get_engine().connect() as conn:
        found = inbox.get_item(conn, current_user.user, naam, item_id)
        if found is None:
            abort(404)
        editors = inbox.editors(conn)
        if naam == "dubbel":
            extra["paar"] = side_by_side(conn, found)
            extra["velden"] = MERGE_FIELDS
        elif q.table.name == "aanmelding":
            extra["delen"] = review.compare(conn, found)
            extra["themas"], extra["doelgroepen"] = taxonomy_names(conn)
        elif naam == "themavoorstellen":
            extra["themas"] = taxonomy_names(conn)[0]
            extra["huidig"] = theme_review.current_themes(conn, found["aanbod_id"])
    return render_template(
        "beheer/wachtrij_item.html",
        q=q,
        item=found,
        editors=editors,
        labels=queues.STATUS_LABELS,
        open=found["status"] in q.open_statuses,
        **extra,
    )


def _back(naam: str, item_id: int):
    return redirect(url_for("beheer_inbox.item", naam=naam, item_id=item_id), code=303)


@bp.post("/<naam>/<int:item_id>/toewijzen")
@editor_required
def toewijzen(naam: str, item_id: int):
    """Assign to me, to another editor, or to nobody."""
    _queue(naam)
    choice = request.form.get("aan", "")
    if choice == "ik":
        assignee: int | None = current_user.id
    elif choice == "":
        assignee = None
    elif choice.isdigit() and len(choice) < 19:
        assignee = int(choice)
    else:
        abort(400)
    try:
        with get_engine().begin() as conn:
            done = inbox.assign(conn, current_user.user, naam, item_id, assignee)
    except inbox.InboxError as exc:
        flash(str(exc), "fout")
        return _back(naam, item_id)
    flash("Toegewezen." if done else "Dit kan niet meer: het is al afgehandeld.", "info")
    return _back(naam, item_id)


def _mail(to: str | None, subject: str, body: str) -> None:
    if not to:
        return
    try:
        send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException):
        flash("Opgeslagen, maar de e-mail kon niet worden verstuurd.", "fout")


@bp.post("/<naam>/<int:item_id>/afhandelen")
@editor_required
def afhandelen(naam: str, item_id: int):
    """Close with a status and a message (a rejected proposal is answered by e-mail)."""
    q = _queue(naam)
    status = request.form.get("status", "")
    bericht = request.form.get("bericht")
    closed: dict | None
    try:
        with get_engine().begin() as conn:
            if q.table.name == "aanmelding":
                closed = review.reject(conn, current_user.user, item_id, q.soorten[0], bericht)
            elif naam == "themavoorstellen":
                closed = theme_review.decide(conn, current_user.user, item_id, False, None, bericht)
            else:
                closed = inbox.close(conn, current_user.user, naam, item_id, status, bericht)
    except (inbox.InboxError, AanmeldingError) as exc:
        flash(str(exc), "fout")
        return _back(naam, item_id)
    if closed is None:
        flash("Dit kan niet meer: het is al afgehandeld.", "fout")
        return _back(naam, item_id)
    if q.table.name == "aanmelding":
        _mail(closed["email"], *registration_reply(closed, False, None))
    elif naam == "meldingen" and closed.get("bericht"):
        _mail(closed["email"], *report_reply(closed))
    flash("Afgehandeld.", "info")
    return _back(naam, item_id)


@bp.post("/dubbel/<int:item_id>/samenvoegen")
@editor_required
def samenvoegen(item_id: int):
    """Merge a duplicate pair with the editor's choice per field."""
    keep = request.form.get("houden", "")
    choices = {field: request.form.get(f"veld-{field}", keep) for field, _ in MERGE_FIELDS}
    try:
        with get_engine().begin() as conn:
            merge_duplicates(
                conn, current_user.user, item_id, keep, choices, request.form.get("bericht")
            )
    except MergeError as exc:
        flash(str(exc), "fout")
        return _back("dubbel", item_id)
    flash("Samengevoegd.", "info")
    return _back("dubbel", item_id)


@bp.post("/<naam>/<int:item_id>/goedkeuren")
@editor_required
def goedkeuren(naam: str, item_id: int):
    """Approve a proposal (with the editor's edits) and answer the submitter by e-mail."""
    q = _queue(naam)
    if q.table.name != "aanmelding":
        abort(404)
    try:
        with get_engine().begin() as conn:
            themes, groups = taxonomy_names(conn)
            found = inbox.get_item(conn, current_user.user, naam, item_id)
            if found is None:
                abort(404)
            data = parse_form(request.form, themes, groups, new=found["organisatie_id"] is None)
            data["toelichting"] = found["gegevens"].get("toelichting")
            closed = review.approve(
                conn, current_user.user, item_id, found["soort"], data, request.form.get("bericht")
            )
    except (AanmeldingError, inbox.InboxError) as exc:
        for text in getattr(exc, "fouten", {"": str(exc)}).values():
            flash(text, "fout")
        return _back(naam, item_id)
    page = absolute(url_for("pages.organisatie", organisatie_id=closed["organisatie_id"]))
    _mail(closed["email"], *registration_reply(closed, True, page))
    flash("Goedgekeurd en op de kaart gezet.", "info")
    return _back(naam, item_id)


@bp.post("/themavoorstellen/<int:item_id>/bevestigen")
@editor_required
def bevestigen(item_id: int):
    """Keep a proposed theme, or replace it with the theme the editor chose."""
    chosen = request.form.get("thema") or None
    try:
        with get_engine().begin() as conn:
            closed = theme_review.decide(
                conn, current_user.user, item_id, True, chosen, request.form.get("bericht")
            )
    except inbox.InboxError as exc:
        flash(str(exc), "fout")
        return _back("themavoorstellen", item_id)
    if closed is None:
        flash("Dit kan niet meer: het is al afgehandeld.", "fout")
        return _back("themavoorstellen", item_id)
    changed = closed["gekozen_slug"] != closed["thema_slug"]
    flash("Ander thema gekozen en opgeslagen." if changed else "Thema bevestigd.", "info")
    return _back("themavoorstellen", item_id)

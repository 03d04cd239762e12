"""Editors' record screens (/beheer/organisaties): search, create, edit, archive, history.

An organisation's page holds its form and the lists of its services, locations and contact
persons; each of those has an edit page of its own under the organisation's URL. Writes go
through ``geo.records.editing`` (the ORM) as the web role, with the editor named in the
audit trail. A form names the ``versie`` it was rendered from; when someone saved in between,
the conflict view (409) shows both versions field by field and nothing is overwritten.
A redacteur scoped to gemeenten gets 403 for organisations outside them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from geo.records import editing, history
from geo.records.audit import set_writer
from geo.records.editing_search import (
    Filters,
    gemeenten,
    may_edit_organisation,
    search,
)
from geo.taxonomy import groups, themes
from layers.pages.outlines import extent
from server.auth import editor_required
from server.database import get_engine
from server.geocoder import online_geocoder

bp = Blueprint("beheer_records", __name__, url_prefix="/beheer/organisaties")

SUB_KINDS = ("aanbod", "locatie", "contactpersoon")
TITLES = {
    "organisatie": "Organisatie",
    "aanbod": "Aanbod",
    "locatie": "Locatie",
    "contactpersoon": "Contactpersoon",
}
SKIP_FORM = {"csrf_token", "versie", "gecontroleerd"}


def _arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value[:200] or None


@bp.get("")
@editor_required
def zoeken():
    """The record list: search by name, filter on gemeente, theme, status, visibility, age."""
    try:
        page = max(1, min(int(request.args.get("pagina", "1")), 10_000))
    except ValueError:
        page = 1
    status, visible = _arg("status"), _arg("zichtbaarheid")
    filters = Filters(
        q=_arg("q"),
        gemeente=_arg("gemeente"),
        thema=_arg("thema"),
        status=status if status in editing.STATUS_LABELS else None,
        zichtbaarheid=visible if visible in editing.VISIBILITY else None,
        verouderd=request.args.get("verouderd") == "ja",
        alle_gemeenten=request.args.get("alle") == "ja",
        pagina=page,
    )
    months = int(current_app.config["VERIFY_MONTHS"])
    with get_engine().connect() as conn:
        rows, total = search(conn, filters, current_user.user, months)
        areas, theme_list = gemeenten(conn), themes(conn, ("slug", "naam"))
    return render_template(
        "beheer/zoeken.html",
        rows=rows,
        total=total,
        filters=filters,
        areas=areas,
        themes=theme_list,
        statuses=editing.STATUS_LABELS,
        visibilities=editing.VISIBILITY,
        months=months,
        per_page=50,
        scoped=bool(current_user.gemeenten) and current_user.rol == "redacteur",
    )


def check_scope(conn: Any, org: int) -> None:
    """403 unless the signed-in editor may edit organisation ``org``."""
    if not may_edit_organisation(conn, current_user.user, org):
        abort(403)


def load(session: Session, org: int, kind: str, rid: int) -> Any:
    """A record of organisation ``org`` (404 when it does not exist or is not of ``org``)."""
    if kind not in editing.MODELS:
        abort(404)
    try:
        record = editing.load(session, kind, rid)
    except editing.NotFound:
        abort(404)
    if kind != "organisatie" and record.organisatie_id != org:
        abort(404)
    return record


def _known(session: Session, org: int) -> dict[str, set]:
    conn = session.connection()
    return {
        "themas": {t["slug"] for t in themes(conn, ("slug",))},
        "doelgroepen": {g["slug"] for g in groups(conn, ("slug",))},
        "locaties": {loc.id for loc in organisation(session, org).locaties},
    }


def organisation(session: Session, org: int) -> Any:
    """The organisation ``org`` (404 when it does not exist)."""
    return load(session, org, "organisatie", org)


def _choices(session: Session, org: int) -> dict:
    conn = session.connection()
    return {
        "themas": [(t["slug"], t["naam"]) for t in themes(conn, ("slug", "naam"))],
        "doelgroepen": [(g["slug"], g["naam"]) for g in groups(conn, ("slug", "naam"))],
        "locaties": [
            (str(loc.id), _location_label(loc)) for loc in organisation(session, org).locaties
        ],
    }


def _location_label(loc: Any) -> str:
    number = "".join(str(p or "") for p in (loc.huisnummer, loc.huisletter))
    street = " ".join(p for p in (loc.straat, number) if p)
    text = ", ".join(p for p in (loc.naam, street, loc.woonplaats) if p) or f"Locatie {loc.id}"
    return f"{text} (gearchiveerd)" if loc.status == "gearchiveerd" else text


def write(fn: Callable[[Session], Any]) -> Any:
    """Run ``fn(session)`` in one transaction as the web role, the editor named as writer."""
    with get_engine().begin() as conn:
        session = Session(bind=conn)
        set_writer(session, current_user.email)
        result = fn(session)
        session.flush()
        return result


def _page(session: Session, org: int, kind: str, record: Any, form: dict, errors: dict) -> str:
    """The edit page of a record (or a new one: ``record`` None)."""
    org_record = organisation(session, org) if org else None
    place = (
        {"precisie": record.geocode_precisie, "bron": record.geocode_bron}
        if kind == "locatie" and record is not None and record.geocode_precisie
        else None
    )
    template = "organisatie.html" if kind == "organisatie" and record else "organisatie_record.html"
    return render_template(
        f"beheer/{template}",
        kind=kind,
        title=TITLES[kind],
        org=org_record,
        record=record,
        fields=editing.FIELDS[kind],
        form=form,
        errors=errors,
        choices=_choices(session, org) if org else {},
        visibilities=editing.VISIBILITY,
        place=place,
        location_label=_location_label,
        bbox=_bbox(session),
    )


def _bbox(session: Session) -> Any:
    return extent(session.connection())


@bp.route("/nieuw", methods=["GET", "POST"])
@editor_required
def nieuw():
    """A new organisation."""
    form = request.form.to_dict(flat=False) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            record = write(lambda s: editing.save(s, "organisatie", form, checked=_checked()))
        except editing.EditError as exc:
            with get_engine().connect() as conn:
                return _page(Session(bind=conn), 0, "organisatie", None, form, exc.errors), 400
        flash(f"Organisatie '{record.naam}' is aangemaakt.", "info")
        return redirect(url_for("beheer_records.bewerken", org=record.id))
    with get_engine().connect() as conn:
        return _page(Session(bind=conn), 0, "organisatie", None, {}, {})


def _checked() -> bool:
    return request.form.get("gecontroleerd") == "ja"


def form_versie() -> int:
    """The form's ``versie`` (400 when missing or not a number)."""
    try:
        return int(request.form.get("versie", ""))
    except ValueError:
        abort(400)


@bp.route("/<int:org>", methods=["GET", "POST"], defaults={"kind": "organisatie", "rid": None})
@bp.route("/<int:org>/<kind>/<int:rid>", methods=["GET", "POST"])
@editor_required
def bewerken(org: int, kind: str, rid: int | None):
    """The edit page of an organisation or one of its records; POST saves it."""
    rid = org if rid is None else rid
    if kind not in editing.MODELS:
        abort(404)
    with get_engine().connect() as conn:
        session = Session(bind=conn)
        record = load(session, org, kind, rid)
        check_scope(conn, org)
        if request.method == "GET":
            return _page(session, org, kind, record, editing.form_values(session, kind, record), {})
    return _save(org, kind, rid)


def _resolved_form(kind: str, rid: int, org: int) -> dict:
    """The submitted form; in a conflict answer the fields chosen as "opgeslagen" are reread."""
    form = request.form.to_dict(flat=False)
    taken = [
        k[len("keuze__") :]
        for k, v in form.items()
        if k.startswith("keuze__") and v == ["opgeslagen"]
    ]
    if taken:
        with get_engine().connect() as conn:
            session = Session(bind=conn)
            stored = editing.form_values(session, kind, load(session, org, kind, rid))
        for name in taken:
            names = ("lon", "lat") if name == "punt" else (name,)
            for key in names:
                form[key] = stored.get(key, [])
    return {k: v for k, v in form.items() if not k.startswith("keuze__")}


def _save(org: int, kind: str, rid: int):
    versie = form_versie()
    form = _resolved_form(kind, rid, org)

    def save(session: Session) -> Any:
        record = editing.save(
            session,
            kind,
            form,
            record_id=rid,
            versie=versie,
            checked=_checked(),
            known=_known(session, org) if kind == "aanbod" else None,
            online=online_geocoder(current_app.config),
        )
        _check_location_scope(kind, record)
        return record

    try:
        write(save)
    except editing.EditError as exc:
        with get_engine().connect() as conn:
            session = Session(bind=conn)
            record = load(session, org, kind, rid)
            return _page(session, org, kind, record, form, exc.errors), 400
    except editing.EditConflict:
        return _conflict(org, kind, rid, form)
    flash(f"{TITLES[kind]} is opgeslagen.", "info")
    return redirect(record_url(org, kind, rid))


def _check_location_scope(kind: str, record: Any) -> None:
    if kind == "locatie" and not current_user.user.may_edit_gemeente(record.gemeentecode):
        raise editing.EditError(
            {"punt": "Plaats op de kaart: deze plek ligt buiten de gemeenten waar u aan werkt."}
        )


def record_url(org: int, kind: str, rid: int, endpoint: str = "beheer_records.bewerken") -> str:
    """The URL of a record's page (or its history/restore: ``endpoint``)."""
    if kind == "organisatie":
        return url_for(endpoint, org=org)
    return url_for(endpoint, org=org, kind=kind, rid=rid)


def _conflict(org: int, kind: str, rid: int, form: dict):
    with get_engine().connect() as conn:
        session = Session(bind=conn)
        record = load(session, org, kind, rid)
        view = editing.conflict(session, kind, record, form)
        changes = history.history(session, kind, rid)
    last = changes[-1] if changes else None
    mine = [(k, v) for k, vs in form.items() if k not in SKIP_FORM and k != "plaatsen" for v in vs]
    html = render_template(
        "beheer/conflict.html",
        kind=kind,
        title=TITLES[kind],
        view=view,
        last=last,
        mine=mine,
        action=record_url(org, kind, rid),
        back=record_url(org, kind, rid),
        checked=_checked(),
    )
    return html, 409


@bp.route("/<int:org>/<kind>/nieuw", methods=["GET", "POST"])
@editor_required
def toevoegen(org: int, kind: str):
    """A new service, location or contact person of an organisation."""
    if kind not in SUB_KINDS:
        abort(404)
    with get_engine().connect() as conn:
        organisation(Session(bind=conn), org)
        check_scope(conn, org)
    if request.method == "GET":
        with get_engine().connect() as conn:
            return _page(Session(bind=conn), org, kind, None, {}, {})
    form = request.form.to_dict(flat=False)

    def save(session: Session) -> Any:
        record = editing.save(
            session,
            kind,
            form,
            organisatie_id=org,
            checked=_checked(),
            known=_known(session, org) if kind == "aanbod" else None,
            online=online_geocoder(current_app.config),
        )
        _check_location_scope(kind, record)
        return record.id

    try:
        rid = write(save)
    except editing.EditError as exc:
        with get_engine().connect() as conn:
            return _page(Session(bind=conn), org, kind, None, form, exc.errors), 400
    flash(f"{TITLES[kind]} is toegevoegd.", "info")
    return redirect(url_for("beheer_records.bewerken", org=org, kind=kind, rid=rid))

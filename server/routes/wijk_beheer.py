"""Workspace screens for wijkteams: personal API tokens and marking an organisation as wijkteam.

- ``/beheer/api-sleutels``: every signed-in account issues (shown once) and revokes its
  own tokens for QGIS and scripts (server/api_auth.py reads them on /ogc only).
- ``/beheer/organisaties/<id>/wijkteam``: editors mark an organisation as the wijkteam or
  buurtteam of CBS areas, or switch the mark off (audited).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geo.accounts import AccountError
from geo.api_tokens import create_token, list_tokens, revoke_token
from geo.records.editing_search import may_edit_organisation
from geo.records.wijkteam import SOORTEN, WijkteamError, get_wijkteam, parse_codes, set_wijkteam
from server.auth import editor_required, role_required
from server.database import get_engine

bp = Blueprint("wijk_beheer", __name__, url_prefix="/beheer")


@bp.get("/api-sleutels")
@role_required("professional", "beheerder", "redacteur")
def sleutels():
    """The account's API tokens and the form for a new one."""
    with get_engine().connect() as conn:
        tokens = list_tokens(conn, current_user.id)
    return render_template("wijk/sleutels.html", tokens=tokens, nieuw=None)


@bp.post("/api-sleutels")
@role_required("professional", "beheerder", "redacteur")
def sleutel_maken():
    """Issue a token and show it once (it is never shown or stored again)."""
    try:
        with get_engine().begin() as conn:
            token = create_token(conn, current_user.id, request.form.get("naam", ""))
    except AccountError as exc:
        flash(str(exc), "fout")
        return redirect(url_for("wijk_beheer.sleutels"))
    with get_engine().connect() as conn:
        tokens = list_tokens(conn, current_user.id)
    return render_template("wijk/sleutels.html", tokens=tokens, nieuw=token)


@bp.post("/api-sleutels/<int:token_id>/intrekken")
@role_required("professional", "beheerder", "redacteur")
def sleutel_intrekken(token_id: int):
    """Revoke one of the account's own tokens."""
    with get_engine().begin() as conn:
        done = revoke_token(conn, current_user.id, token_id)
    flash("De sleutel is ingetrokken." if done else "Deze sleutel bestaat niet (meer).", "info")
    return redirect(url_for("wijk_beheer.sleutels"))


def _organisation(conn: sa.Connection, organisatie_id: int) -> str:
    naam = conn.execute(
        sa.text("SELECT naam FROM organisatie WHERE id = :id"),
        {"id": organisatie_id},
    ).scalar()
    if naam is None:
        abort(404)
    if not may_edit_organisation(conn, current_user.user, organisatie_id):
        abort(403)
    return naam


@bp.get("/organisaties/<int:organisatie_id>/wijkteam")
@editor_required
def wijkteam(organisatie_id: int):
    """The wijkteam form of an organisation."""
    with get_engine().connect() as conn:
        naam = _organisation(conn, organisatie_id)
        mark = get_wijkteam(conn, organisatie_id)
    return render_template(
        "wijk/wijkteam_form.html",
        organisatie_id=organisatie_id,
        naam=naam,
        mark=mark or {"soort": "wijkteam", "gebieden": [], "actief": False},
        soorten=SOORTEN,
    )


@bp.post("/organisaties/<int:organisatie_id>/wijkteam")
@editor_required
def wijkteam_opslaan(organisatie_id: int):
    """Store the wijkteam mark (400 with the form again on bad input)."""
    actief = request.form.get("actief") == "ja"
    soort = request.form.get("soort", "wijkteam")
    gebieden = parse_codes(request.form.get("gebieden", ""))
    try:
        with get_engine().begin() as conn:
            naam = _organisation(conn, organisatie_id)
            set_wijkteam(
                conn,
                organisatie_id,
                actief=actief,
                soort=soort,
                gebieden=gebieden,
                writer=current_user.email,
            )
    except WijkteamError as exc:
        return render_template(
            "wijk/wijkteam_form.html",
            organisatie_id=organisatie_id,
            naam=naam,
            mark={"soort": soort, "gebieden": gebieden, "actief": actief},
            soorten=SOORTEN,
            fout=str(exc),
        ), 400
    flash(
        "Het wijkteam is opgeslagen." if actief else "Deze organisatie is geen wijkteam meer.",
        "info",
    )
    return redirect(url_for("wijk_beheer.wijkteam", organisatie_id=organisatie_id))

"""The editors' workspace start page and user management (/beheer, /beheer/gebruikers).

The start page shows each queue with its count (geo/records/inbox.py) and the stale
records (geo/records/freshness.py); professionals see a short page pointing to their
wijk pages. User management is for beheerders only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geo.accounts import (
    ROLES,
    AccountError,
    create_user,
    generate_password,
    list_users,
    update_user,
)
from server.auth import role_required
from server.database import get_engine

bp = Blueprint("beheer", __name__, url_prefix="/beheer")

# The workspace menu for editors: (endpoint, label), in this order.
MENU = (
    ("beheer_records.zoeken", "Organisaties"),
    ("beheer_inbox.overzicht", "Wachtrijen"),
    ("beheer_verificatie.rondes", "Verificatie"),
    ("beheer_verificatie.actualiteit", "Actualiteit"),
)


@bp.app_context_processor
def _menu() -> dict:
    return {"beheer_menu": MENU}


@bp.get("")
@role_required("beheerder", "redacteur", "professional")
def start():
    """The start page: queues with counts (editors), or a short page (professionals)."""
    counts: dict = {}
    if current_user.is_editor:
        from server.routes.beheer_inbox import queue_counts

        with get_engine().connect() as conn:
            counts = queue_counts(conn)
    return render_template("beheer/start.html", counts=counts)


def _codes(field: str) -> tuple[str, ...]:
    raw = request.form.get(field, "")
    return tuple(c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip())


@bp.get("/gebruikers")
@role_required("beheerder")
def gebruikers():
    """Every account, editable by a beheerder."""
    with get_engine().connect() as conn:
        accounts = list_users(conn)
    return render_template("beheer/gebruikers.html", accounts=accounts, rollen=ROLES)


@bp.post("/gebruikers")
@role_required("beheerder")
def gebruiker_maken():
    """Create an account with a generated password shown once."""
    password = generate_password()
    try:
        with get_engine().begin() as conn:
            user = create_user(
                conn,
                request.form.get("email", ""),
                request.form.get("rol", ""),
                password,
                naam=request.form.get("naam") or None,
                gemeenten=_codes("gemeenten"),
                gebieden=_codes("gebieden"),
            )
    except AccountError as exc:
        flash(str(exc), "fout")
        return redirect(url_for("beheer.gebruikers"))
    flash(
        f"Account {user.email} aangemaakt. Tijdelijk wachtwoord (wordt maar één keer "
        f"getoond): {password}",
        "info",
    )
    return redirect(url_for("beheer.gebruikers"))


@bp.post("/gebruikers/<int:gebruiker_id>")
@role_required("beheerder")
def gebruiker_wijzigen(gebruiker_id: int):
    """Change an account's role, scope, name or active flag."""
    if gebruiker_id == current_user.id and request.form.get("actief") != "ja":
        flash("U kunt uw eigen account niet uitschakelen.", "fout")
        return redirect(url_for("beheer.gebruikers"))
    try:
        with get_engine().begin() as conn:
            user = update_user(
                conn,
                gebruiker_id,
                rol=request.form.get("rol", ""),
                gemeenten=_codes("gemeenten"),
                gebieden=_codes("gebieden"),
                naam=request.form.get("naam") or None,
                actief=request.form.get("actief") == "ja",
            )
    except AccountError as exc:
        flash(str(exc), "fout")
        return redirect(url_for("beheer.gebruikers"))
    if user is None:
        abort(404)
    flash(f"Account {user.email} opgeslagen.", "info")
    return redirect(url_for("beheer.gebruikers"))

"""Login, logout and password reset for editors and professionals (/beheer/inloggen ...).

Every form carries the CSRF token; the posts are rate-limited per client (RATELIMIT_LOGIN,
server/ratelimit.py) and a login is locked per address and client after repeated failures
(geo/accounts.py). The reset form answers the same for known and unknown addresses.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from geo.accounts import AccountError, authenticate
from geo.sessions import create_reset, reset_valid, use_reset
from server.auth import sign_in, sign_out
from server.database import get_engine
from server.mail import send_mail
from server.ratelimit import client_key

bp = Blueprint("inloggen", __name__, url_prefix="/beheer")


def _safe_next(target: str | None) -> str:
    """Only a local path; never another site (open redirect)."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return url_for("beheer.start")
    if "\\" in target:
        return url_for("beheer.start")
    return target


def _home_for(rol: str) -> str:
    return url_for("beheer.start")


@bp.get("/inloggen")
def inloggen():
    """The login form."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user.rol))
    return render_template("beheer/inloggen.html", volgende=request.args.get("volgende", ""))


@bp.post("/inloggen")
def inloggen_post():
    """Check the login; a fresh session on success."""
    email = request.form.get("email", "")
    volgende = request.form.get("volgende", "")
    with get_engine().begin() as conn:
        user, wait = authenticate(conn, email, request.form.get("wachtwoord", ""), client_key())
    if user is None:
        if wait:
            minutes = max(1, round(wait / 60))
            fout = (
                "Te vaak een verkeerd wachtwoord. Probeer het over "
                f"{minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw, of vraag een "
                "nieuw wachtwoord aan."
            )
        else:
            fout = "Dit e-mailadres of wachtwoord klopt niet."
        return (
            render_template("beheer/inloggen.html", fout=fout, email=email, volgende=volgende),
            429 if wait else 401,
        )
    sign_in(user)
    return redirect(_safe_next(volgende))


@bp.post("/uitloggen")
def uitloggen():
    """Log out (POST with CSRF token)."""
    sign_out()
    return redirect(url_for("inloggen.inloggen", uitgelogd=1))


@bp.get("/wachtwoord-vergeten")
def wachtwoord_vergeten():
    """The form asking for a reset link."""
    return render_template("beheer/wachtwoord_vergeten.html")


@bp.post("/wachtwoord-vergeten")
def wachtwoord_vergeten_post():
    """Mail a single-use reset link; the same answer for unknown addresses."""
    with get_engine().begin() as conn:
        found = create_reset(conn, request.form.get("email", ""))
    if found is not None:
        user, token = found
        link = url_for("inloggen.herstellen", token=token, _external=True)
        base = current_app.config.get("PUBLIC_BASE_URL")
        if base:
            link = base.rstrip("/") + url_for("inloggen.herstellen", token=token)
        send_mail(
            user.email,
            "Nieuw wachtwoord voor de Sociale Kaart",
            "Beste collega,\n\n"
            "Iemand (hopelijk u) vroeg een nieuw wachtwoord aan voor de Sociale Kaart.\n"
            f"Kies een nieuw wachtwoord via deze link:\n\n{link}\n\n"
            "De link werkt één keer en is 1 uur geldig. Vroeg u niets aan? Dan hoeft u niets "
            "te doen; uw wachtwoord blijft hetzelfde.\n",
        )
    return render_template("beheer/wachtwoord_vergeten.html", verstuurd=True)


@bp.get("/wachtwoord-herstellen/<token>")
def herstellen(token: str):
    """The new-password form (410 when the link is used or expired)."""
    with get_engine().connect() as conn:
        valid = reset_valid(conn, token)
    return render_template("beheer/wachtwoord_herstellen.html", geldig=valid), 200 if valid else 410


@bp.post("/wachtwoord-herstellen/<token>")
def herstellen_post(token: str):
    """Set the new password and end every session of the account."""
    nieuw = request.form.get("wachtwoord", "")
    if nieuw != request.form.get("herhaling", ""):
        return (
            render_template(
                "beheer/wachtwoord_herstellen.html",
                geldig=True,
                fout="De twee wachtwoorden zijn niet gelijk.",
            ),
            400,
        )
    try:
        with get_engine().begin() as conn:
            user = use_reset(conn, token, nieuw)
    except AccountError as exc:
        return (
            render_template("beheer/wachtwoord_herstellen.html", geldig=True, fout=str(exc)),
            400,
        )
    if user is None:
        return render_template("beheer/wachtwoord_herstellen.html", geldig=False), 410
    sign_out()
    return redirect(url_for("inloggen.inloggen", hersteld=1))

"""Self-registration (/aanmelden): an organisation proposes a new record or a change.

Nothing is published here: a proposal waits in the editors' queue (geo/records/inbox.py)
until a redacteur approves it. No third-party captcha; three guards instead, and each
refuses without storing anything:

- a honeypot field (``homepage``) people never see or reach (hidden with CSS, skipped by
  screen readers and the keyboard) — a bot that fills it gets a friendly refusal;
- a signed form time (itsdangerous with ``SECRET_KEY``): sent within 3 seconds of
  opening, or more than 2 hours later, the form is refused with a Dutch explanation;
- the rate limit ``RATELIMIT_AANMELDEN`` on the POST endpoint ``aanmelden.versturen``
  (server/ratelimit.py).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from geo.records.aanmelding import (
    AanmeldingError,
    clean_contact,
    find_public,
    parse_form,
    public_record,
    submit,
)
from geo.taxonomy import names as taxonomy_names
from server.database import get_engine
from server.i18n import language

bp = Blueprint("aanmelden", __name__, url_prefix="/aanmelden")

SALT = "aanmelden-formulier"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600
HONEYPOT = "homepage"
TE_SNEL = (
    "U was erg snel. Wacht een paar seconden, kijk uw gegevens na en verstuur het "
    "formulier opnieuw."
)
VERLOPEN = (
    "Het formulier stond langer dan 2 uur open. Daarom is het niet verstuurd. "
    "Kijk uw gegevens na en verstuur het opnieuw."
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def form_token() -> str:
    """A signed token with the moment the form was opened."""
    return _serializer().dumps("aanmelden")


def token_age(token: str) -> float | None:
    """Seconds since the form was opened; None when the token is forged or too old."""
    try:
        _, signed_at = _serializer().loads(token, max_age=MAX_SECONDS, return_timestamp=True)
    except (SignatureExpired, BadSignature):
        return None
    return time.time() - signed_at.timestamp()


def _taxonomy() -> tuple[dict[str, str], dict[str, str]]:
    with get_engine().connect() as conn:
        return taxonomy_names(conn)


def _empty() -> dict[str, Any]:
    return {"locaties": [{}], "aanbod": [{"doelgroepen": []}]}


def _form_page(
    data: dict,
    organisatie_id: int | None,
    *,
    status: int = 200,
    fouten: dict[str, str] | None = None,
    melding: str | None = None,
    token: str | None = None,
    contact: dict | None = None,
):
    themes, groups = _taxonomy()
    data = dict(data)
    data["locaties"] = data.get("locaties") or [{}]
    data["aanbod"] = data.get("aanbod") or [{"doelgroepen": []}]
    html = render_template(
        "aanmelden_formulier.html",
        data=data,
        organisatie_id=organisatie_id,
        themas=themes,
        doelgroepen=groups,
        fouten=fouten or {},
        melding=melding,
        token=token or form_token(),
        contact=contact or {},
        honeypot=HONEYPOT,
    )
    return html, status


@bp.get("")
def keuze():
    """Choose: a new organisation, or a change to an existing one (with a search)."""
    q = request.args.get("q", "")
    if len(q) > 100:
        abort(400)
    with get_engine().connect() as conn:
        found = find_public(conn, q) if q.strip() else []
    return render_template("aanmelden.html", q=q, gevonden=found)


@bp.get("/nieuw")
def nieuw():
    """The form for a new organisation."""
    return _form_page(_empty(), None)


@bp.get("/wijziging/<int:organisatie_id>")
def wijziging(organisatie_id: int):
    """The form for a change, filled with what the organisation shows publicly now."""
    with get_engine().connect() as conn:
        current = public_record(conn, organisatie_id)
    if current is None:
        abort(404)
    return _form_page(current, organisatie_id)


@bp.post("/versturen")
def versturen():
    """Check the guards and the values, store the proposal, thank (303) — or explain (400)."""
    form = request.form
    raw_id = form.get("organisatie_id", "")
    organisatie_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else None
    if raw_id and organisatie_id is None:
        abort(400)
    contact = {"naam": form.get("contact_naam", ""), "email": form.get("contact_email", "")}
    if form.get(HONEYPOT):
        return render_template("aanmelden_geweigerd.html"), 400
    token = form.get("formulier_tijd", "")
    age = token_age(token)
    themes, groups = _taxonomy()
    echo = _echo(form)
    if age is None or age < MIN_SECONDS:  # forged, expired or too fast: nothing stored
        return _form_page(
            echo,
            organisatie_id,
            status=400,
            melding=VERLOPEN if age is None else TE_SNEL,
            token=None if age is None else token,
            contact=contact,
        )
    fouten: dict[str, str] = {}
    data: dict[str, Any] = {}
    naam, email = None, ""
    try:
        data = parse_form(form, themes, groups, new=organisatie_id is None)
    except AanmeldingError as exc:
        fouten |= exc.fouten
    try:
        naam, email = clean_contact(contact["naam"], contact["email"])
    except AanmeldingError as exc:
        fouten |= exc.fouten
    try:
        if not fouten:
            soort = "nieuw" if organisatie_id is None else "wijziging"
            with get_engine().begin() as conn:
                submit(conn, soort, organisatie_id, data, naam, email, language())
    except AanmeldingError as exc:
        fouten |= exc.fouten
    if fouten:
        return _form_page(
            echo, organisatie_id, status=400, fouten=fouten, token=token, contact=contact
        )
    return redirect(url_for("aanmelden.bedankt"), code=303)


def _echo(form) -> dict:
    """The submitted values as typed, to show the form again after a mistake."""
    data: dict[str, Any] = {k: form.get(k, "") for k in form if "-" not in k}
    for part in ("locaties", "aanbod"):
        data[part] = []
        for i in range(5):
            prefix = f"{part}-{i}-"
            keys = [k for k in form if k.startswith(prefix)]
            if not keys:
                continue
            item = {k[len(prefix) :]: form.get(k, "") for k in keys}
            for many in ("themas", "doelgroepen"):
                item[many] = form.getlist(prefix + many)
            data[part].append(item)
    return data


@bp.get("/bedankt")
def bedankt():
    """Thank you: what happens next."""
    return render_template("aanmelden_bedankt.html")

"""Answers to verification links (/verificatie/<token>) and the mails that carry them.

The link opens the organisation's current record without an account: "Alles klopt" sets
the verified date, "Er is iets veranderd" sends the changes to the editors' queue (see
geo/records/verification.py). A forged or unknown link is a friendly 404 page, a used or
expired one a 410 page; never a 500. Both POST forms carry the CSRF token; their rate
limit is ``RATELIMIT_AANMELDEN`` (server/ratelimit.py).

``deliver`` sends the mails of a round (or its reminders) for the CLI and /beheer; the
freshness rule is offered to every template as ``verouderd(date)`` and ``verify_months``.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable

from flask import Blueprint, current_app, has_request_context, render_template, request

from geo.records import verification as vf
from geo.records import verification_answers as answers
from geo.records.freshness import is_stale
from server.database import get_engine
from server.i18n import long_date
from server.mail import send_mail

bp = Blueprint("verificatie", __name__)
MAX_TOKEN = 200


@bp.app_context_processor
def _freshness() -> dict:
    months = int(current_app.config["VERIFY_MONTHS"])
    return {"verify_months": months, "verouderd": lambda checked: is_stale(checked, months)}


# ----------------------------------------------------------------------------- sending
def public_base() -> str:
    """Base of links in mails: PUBLIC_BASE_URL, else the request's root, else HOST:PORT."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        base = request.url_root
    if not base:
        base = f"http://{current_app.config['HOST']}:{current_app.config['PORT']}"
    return str(base).rstrip("/")


def link_for(verzoek_id: int) -> str:
    """The absolute, signed link of a request."""
    token = vf.make_token(current_app.config["SECRET_KEY"], verzoek_id)
    return f"{public_base()}/verificatie/{token}"


def start_round(gemeente: str, months: int, started_by: str) -> tuple[int, list[vf.Request]]:
    """Start a round with this deployment's link validity and reminder interval."""
    config = current_app.config
    with get_engine().begin() as conn:
        return vf.start_round(
            conn,
            gemeente,
            months=months,
            link_days=int(config["VERIFY_LINK_DAYS"]),
            reminder_days=int(config["VERIFY_REMINDER_DAYS"]),
            started_by=started_by,
        )


def deliver(
    requests: Iterable[vf.Request],
    reminder: bool = False,
    on_each: Callable[[vf.Request, bool], None] | None = None,
) -> tuple[int, list[str]]:
    """Mail every request that has an e-mail address; returns (sent, failed addresses).

    Each mail is recorded as sent (``verzonden_op``/``herinnerd_op``) right after the
    server accepted it, so a failure half-way leaves the rest to send again later.
    """
    sent, failed = 0, []
    for r in requests:
        if not r.email:
            continue
        subject, body = vf.mail_text(r, link_for(r.id), reminder)
        try:
            send_mail(r.email, subject, body)
        except (smtplib.SMTPException, OSError) as exc:
            current_app.logger.warning("verificatie: mail aan %s mislukt: %s", r.email, exc)
            failed.append(r.email)
            ok = False
        else:
            with get_engine().begin() as conn:
                vf.mark_sent(conn, r.id, reminder)
            sent += 1
            ok = True
        if on_each:
            on_each(r, ok)
    return sent, failed


def mail_merge(ronde_id: int) -> bytes:
    """The mail-merge CSV (requests without e-mail) of a round, with fresh links."""
    with get_engine().connect() as conn:
        requests = vf.round_requests(conn, ronde_id)
    return vf.write_mail_merge(requests, lambda r: link_for(r.id))


# ----------------------------------------------------------------------------- answers
def _gone(exc: vf.VerificationError):
    status = 410 if isinstance(exc, vf.LinkGone) else 404
    return render_template("verificatie_fout.html", melding=str(exc), status=status), status


def _request_id(token: str) -> int:
    if len(token) > MAX_TOKEN:
        raise vf.LinkUnknown("Deze link kennen we niet.")
    return vf.read_token(
        current_app.config["SECRET_KEY"], token, int(current_app.config["VERIFY_LINK_DAYS"])
    )


def _page(token: str, record: dict, status: int = 200, fout: str | None = None, form=None):
    html = render_template(
        "verificatie.html",
        token=token,
        record=record,
        form=form or {},
        fout=fout,
        datum_nl=long_date,
    )
    return html, status


@bp.get("/verificatie/<token>")
def verificatie(token: str):
    """The organisation's current record with the two answers (opening is recorded once)."""
    try:
        verzoek_id = _request_id(token)
        with get_engine().begin() as conn:
            record = answers.open_request(conn, verzoek_id)
    except vf.VerificationError as exc:
        return _gone(exc)
    return _page(token, record)


@bp.post("/verificatie/<token>/klopt")
def klopt(token: str):
    """'Alles klopt': the record is verified today; the link is used up."""
    try:
        verzoek_id = _request_id(token)
        with get_engine().begin() as conn:
            answers.confirm(conn, verzoek_id)
    except vf.VerificationError as exc:
        return _gone(exc)
    return render_template("verificatie_bedankt.html", gewijzigd=False)


@bp.post("/verificatie/<token>/wijzigen")
def wijzigen(token: str):
    """'Er is iets veranderd': the changes go to the editors (400 with the form on bad input)."""
    form = request.form.to_dict()
    try:
        verzoek_id = _request_id(token)
        with get_engine().begin() as conn:
            record = answers.open_request(conn, verzoek_id)
            try:
                gegevens = answers.proposal(record, form)
                answers.propose_changes(
                    conn,
                    verzoek_id,
                    gegevens,
                    form.get("afzender-email", ""),
                    form.get("afzender-naam"),
                )
            except (vf.LinkUnknown, vf.LinkGone):
                raise
            except vf.VerificationError as exc:
                return _page(token, record, 400, str(exc), form)
    except vf.VerificationError as exc:
        return _gone(exc)
    return render_template("verificatie_bedankt.html", gewijzigd=True)

"""Answers to verification links (/verificatie/<token>) and the mails that carry them.

The link opens the organisation's current record without an account: "Alles klopt" sets
the verified date, "Er is iets veranderd" sends the changes to the editors' queue (see
geo/records/verification.py). A forged or unknown link is a friendly 404 page, a used or
expired one a 410 page; never a 500. Both POST forms carry the CSRF token; their rate
limit is ``RATELIMIT_AANMELDEN`` (server/ratelimit.py).

The mails of a round are sent by server/verification_mail.py; the freshness rule is
offered to every template as ``verouderd(date)`` and ``verify_months``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from geo.records import verification as vf
from geo.records import verification_answers as answers
from geo.records.freshness import is_stale
from server.database import get_engine
from server.i18n import long_date

bp = Blueprint("verificatie", __name__)
MAX_TOKEN = 200


@bp.app_context_processor
def _freshness() -> dict:
    months = int(current_app.config["VERIFY_MONTHS"])
    return {"verify_months": months, "verouderd": lambda checked: is_stale(checked, months)}


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

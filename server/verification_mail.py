"""Verification rounds: start one, send its mails (or reminders), and the mail-merge file.

Used by the CLI (``sociale-kaart verificatie``) and /beheer/verificatie; the links lead to
the public answer page (server/routes/verificatie.py). Mails stay Dutch: the
organisations never chose a language (docs/ARCHITECTURE.md §15).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable

from flask import current_app, has_request_context, request

from geo.records import verification as vf
from server.database import get_engine
from server.mail import send_mail


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

"""E-mail: one function, ``send_mail``, over SMTP or into ``.eml`` files.

With ``MAIL_SERVER`` set, mail goes through that SMTP server (``MAIL_PORT``,
``MAIL_STARTTLS``, ``MAIL_USERNAME``/``MAIL_PASSWORD``); without it every mail is written
to ``MAIL_DIR`` (default ``DATA_DIR/mail``) as an ``.eml`` file any mail program opens, which
is what the demo does. Bodies are plain text (Dutch, B1); nothing from a user is ever
interpreted as HTML in a mail.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import Flask, current_app


def mail_dir(app: Flask) -> Path:
    """Where .eml files go without an SMTP server."""
    return Path(app.config["MAIL_DIR"] or Path(app.config["DATA_DIR"]) / "mail")


def build_message(app: Flask, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from MAIL_FROM."""
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="sociale-kaart.invalid")
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str, app: Flask | None = None) -> EmailMessage:
    """Send one plain-text mail (or write it to MAIL_DIR); returns the message."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    message = build_message(app, to, subject, body)
    server = app.config["MAIL_SERVER"]
    if not server:
        folder = mail_dir(app)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(bytes(message))
        return message
    with smtplib.SMTP(server, int(app.config["MAIL_PORT"]), timeout=30) as smtp:
        if app.config["MAIL_STARTTLS"]:
            smtp.starttls()
        if app.config["MAIL_USERNAME"]:
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return message

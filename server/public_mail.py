"""E-mails to the public in the language they used: answers to /aanmelden and "Meld een fout".

The form's language is stored with it (``aanmelding.taal``, ``melding.taal``); the answer
an editor sends later is rendered from ``templates/mail/*.txt`` in that language (Dutch
when the language is no longer configured). Plain text: nothing is interpreted as HTML.
"""

from __future__ import annotations

from flask import render_template

from server.i18n import force_locale, languages
from server.i18n import gettext as _


def _language(item: dict) -> str:
    taal = str(item.get("taal") or "nl")
    return taal if taal in languages() else "nl"


def registration_reply(item: dict, approved: bool, page_url: str | None) -> tuple[str, str]:
    """Subject and body of the answer to a self-registration or proposed change."""
    with force_locale(_language(item)):
        organisatie = item["gegevens"].get("naam") or _("uw organisatie")
        subject = (
            _("Uw gegevens staan op de sociale kaart: %(naam)s", naam=organisatie)
            if approved
            else _("Uw aanmelding voor de sociale kaart: %(naam)s", naam=organisatie)
        )
        body = render_template(
            "mail/aanmelding_antwoord.txt",
            naam=item.get("naam"),
            organisatie=organisatie,
            goedgekeurd=approved,
            pagina=page_url,
            bericht=item.get("bericht"),
        )
    return subject, body.strip() + "\n"


def report_reply(item: dict) -> tuple[str, str]:
    """Subject and body of the editors' answer to a "Meld een fout" report."""
    with force_locale(_language(item)):
        subject = _("Uw melding op de sociale kaart")
        body = render_template(
            "mail/melding_antwoord.txt",
            organisatie=item.get("organisatie") or _("een organisatie"),
            bericht=item.get("bericht"),
        )
    return subject, body.strip() + "\n"

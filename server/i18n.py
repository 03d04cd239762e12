"""Languages of the residents' pages (Flask-Babel): which language a request gets, the switch.

Dutch is the source language: the msgids in templates and code are the Dutch texts
themselves, so a page reads as it is shown, Dutch needs no catalog and anything without a
translation falls back to Dutch. Other languages are catalogs in ``server/translations``
(or a folder in ``TRANSLATIONS_DIRS``) plus their code in the ``LANGUAGES`` setting; no
code changes (docs/ARCHITECTURE.md §15).

The language of a request, on residents' pages only: ``?taal=xx`` (sets the ``taal``
cookie and redirects to the same page without it) > the ``taal`` cookie > the browser's
``Accept-Language`` > Dutch. Pages of editors, wijkteams and advisers stay Dutch.
Responses that depend on the language carry ``Vary: Cookie, Accept-Language`` and
``Content-Language`` so no cache hands an English page to a Dutch reader.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, has_request_context, redirect, request
from flask_babel import Babel, force_locale, format_date, format_decimal, get_locale, gettext

from geo import dutch

__all__ = ["N_", "force_locale", "gettext", "init_app", "language", "languages"]

COOKIE = "taal"
SOURCE = "nl"
RTL = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi"})
COOKIE_MAX_AGE = 365 * 24 * 3600
# Blueprints of editors, wijkteams, advisers and machine clients: always Dutch.
DUTCH_ONLY = frozenset(
    {
        "beheer",
        "beheer_geschiedenis",
        "beheer_inbox",
        "beheer_records",
        "beheer_verificatie",
        "dekking",
        "inloggen",
        "wijk",
        "wijk_beheer",
        "ogc",
        "ogc_items",
        "tiles",
        "hsds",
        "health",
    }
)
# Each language's own name, for the switch; a language not listed shows its code.
NAMES = {"nl": "Nederlands", "en": "English", "ar": "العربية", "de": "Deutsch"}


def languages(app: Flask | None = None) -> list[str]:
    """The configured languages (setting LANGUAGES), Dutch first and always present."""
    app = app or current_app
    codes = [c.strip().lower() for c in str(app.config["LANGUAGES"]).split(",") if c.strip()]
    return [SOURCE] + [c for c in dict.fromkeys(codes) if c != SOURCE]


def resident_request() -> bool:
    """Whether this request may be answered in another language than Dutch."""
    return request.blueprint not in DUTCH_ONLY


def _select() -> str:
    if not has_request_context() or not resident_request():  # commands render in Dutch
        return SOURCE
    known = languages()
    chosen = request.cookies.get(COOKIE, "")
    if chosen in known:
        return chosen
    return request.accept_languages.best_match(known, default=SOURCE) or SOURCE


def language() -> str:
    """The language of the current request ('nl' outside a request)."""
    locale = get_locale()
    return str(locale.language) if locale else SOURCE


def translated(rows: list[dict], *fields: str) -> list[dict]:
    """Taxonomy rows (themes, doelgroepen) with ``naam`` (and ``fields``) in the page's language.

    Their Dutch texts come from the database; the catalog has them because the extractor
    reads the taxonomy's seed file (babel.cfg, server/i18n_extract.py).
    """
    keys = ("naam", *fields)
    return [{**r, **{k: gettext(r[k]) for k in keys if r.get(k)}} for r in rows]


def N_(text: str) -> str:  # noqa: N802 (Babel's keyword for "extract, translate later")
    """Mark a Dutch text for the catalog; it is translated where it is shown."""
    return text


# Texts made outside server/ (layers, geo) that residents see, translated where shown.
DAY_NAMES = (
    N_("maandag"),
    N_("dinsdag"),
    N_("woensdag"),
    N_("donderdag"),
    N_("vrijdag"),
    N_("zaterdag"),
    N_("zondag"),
)


def hours_rows(rows: list[dict], openingstijden: dict | None) -> list[dict]:
    """Opening-hours rows (layers.pages.opening_hours) written in the page's language."""
    days = (openingstijden or {}).get("dagen") or {}
    codes = ("ma", "di", "wo", "do", "vr", "za", "zo")
    out = []
    for row, day in zip(rows, codes, strict=False):
        ranges = days.get(day) or ()
        times = gettext(" en ").join(
            gettext("%(van)s tot %(tot)s", van=start, tot=end) for start, end in ranges
        )
        out.append({**row, "dag": gettext(row["dag"]), "tijden": times or gettext("gesloten")})
    return out


def long_date(value: date | None) -> str:
    """``12 maart 2026`` / ``12 March 2026``; empty for no date."""
    if not value:
        return ""
    if language() == SOURCE:
        return dutch.long_date(value)
    return format_date(value, "d MMMM y")


def number(value: float, digits: int = 0) -> str:
    """A number in the page's language (Dutch: 12.345 and 1,5)."""
    if language() == SOURCE:
        return dutch.number(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern)


def distance(metres: float) -> str:
    """``1,5 kilometer`` / ``1.5 kilometres``; whole metres below 1 km."""
    if language() == SOURCE:
        return dutch.distance(metres, long=True)
    if metres < 1000:
        return gettext("%(n)s meter", n=f"{metres:.0f}")
    return gettext("%(n)s kilometer", n=number(metres / 1000, 1))


def _choose():
    """``?taal=xx`` on a GET: remember the choice and show the same page without it."""
    if request.method != "GET" or COOKIE not in request.args:
        return None
    chosen = request.args.get(COOKIE, "").strip().lower()
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != COOKIE]
    target = request.path + ("?" + urlencode(rest) if rest else "")
    response = redirect(target, code=303)
    if chosen in languages():
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def _switch_links() -> dict:
    """Template context: the page's language, direction and links to the other languages."""
    current = language()
    if not has_request_context():  # a mail rendered by a command
        return {"taal": current, "taal_richting": "rtl" if current in RTL else "ltr"}
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != COOKIE]
    links = [
        {
            "code": code,
            "naam": NAMES.get(code, code),
            "url": request.path + "?" + urlencode([*rest, (COOKIE, code)]),
        }
        for code in languages()
        if code != current
    ]
    return {
        "taal": current,
        "taal_richting": "rtl" if current in RTL else "ltr",
        "andere_talen": links if resident_request() else [],
    }


def _vary(response: Response) -> Response:
    """Language-dependent answers: say so to every cache on the way."""
    if resident_request() and getattr(g, "_flask_babel", None) is not None:
        if getattr(g._flask_babel, "babel_locale", None) is not None:
            response.vary.update(("Cookie", "Accept-Language"))
            response.headers["Content-Language"] = language()
    return response


def init_app(app: Flask) -> None:
    """Flask-Babel with our locale choice, the ``?taal=`` redirect and the Vary header."""
    folders = [d for d in str(app.config["TRANSLATIONS_DIRS"]).split(";") if d.strip()]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([*folders, "translations"])
    app.config["BABEL_DEFAULT_LOCALE"] = SOURCE
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Amsterdam"
    Babel(app, locale_selector=_select)
    app.jinja_env.filters["vertaal"] = gettext  # Dutch text from data: taxonomy labels
    from server.form_messages import form_message

    app.jinja_env.filters["foutmelding"] = form_message  # checks' messages (geo/records)
    app.before_request(_choose)
    app.context_processor(_switch_links)
    app.after_request(_vary)

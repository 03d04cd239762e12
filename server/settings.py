"""The one registry of settings: defaults -> SOCIALE_KAART_* environment -> explicit mapping.

Every setting is documented in README.md (a test checks it). Only ``server/`` reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "SOCIALE_KAART_"


def _bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class Setting:
    """One setting: name (without prefix), default, parser and a line of help."""

    name: str
    default: object
    help: str
    # text from the environment, or any value given to create_app (str, int, float, _bool
    # all take both)
    parse: Callable[[Any], object] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of an existing PostGIS database (postgresql+psycopg://...). "
        "Empty: use the embedded cluster in DATA_DIR.",
    ),
    Setting(
        "WEB_DATABASE_URL",
        "",
        "URL of the web app's least-privilege login role (a member of sociale_kaart_web, "
        "see `sociale-kaart db roles-sql`); every request connects with it. Empty with the "
        "embedded cluster: derived automatically; empty with DATABASE_URL: refused outside "
        "development.",
    ),
    Setting(
        "WEB_STATEMENT_TIMEOUT_MS",
        10000,
        "PostgreSQL statement_timeout of every web query (milliseconds); a query that "
        "takes longer is cancelled and answered with 503.",
        int,
    ),
    Setting(
        "ENV",
        "production",
        "'development' relaxes the start-up checks (SECRET_KEY, WEB_DATABASE_URL); so do "
        "Flask debug/testing mode and the sociale-kaart command line.",
        lambda value: str(value).strip().lower(),
    ),
    Setting(
        "DATA_DIR",
        str(PROJECT_ROOT / "var"),
        "Folder for the embedded database cluster, caches and logs.",
    ),
    Setting(
        "DB_PORT",
        54329,
        "Port of the embedded cluster (127.0.0.1 and a socket in DATA_DIR/run); "
        "chosen so it never collides with a system PostgreSQL on 5432.",
        int,
    ),
    Setting("HOST", "127.0.0.1", "Interface the demo server listens on."),
    Setting("PORT", 5000, "Port the demo server listens on.", int),
    Setting(
        "PUBLIC_BASE_URL",
        "",
        "Absolute base URL used in links (e.g. https://kaart.example.nl). "
        "Empty: derived from each request.",
    ),
    Setting(
        "NODE_MODULES",
        str(PROJECT_ROOT / "node_modules"),
        "Folder with the front-end packages installed by npm (MapLibre GL JS, Maki).",
    ),
    Setting(
        "AREAS_MANIFEST",
        str(PROJECT_ROOT / "data" / "gebieden.toml"),
        "Manifest of the CBS area and population files loaded by `areas load`.",
    ),
    Setting(
        "DEMO_MANIFEST",
        str(PROJECT_ROOT / "data" / "demo" / "demo.toml"),
        "Manifest of the demo addresses and organisation files loaded by `demo`.",
    ),
    Setting(
        "ONLINE_BASEMAP",
        False,
        "Show the optional online PDOK BRT-Achtergrondkaart under our own layers "
        "(needs internet; off by default).",
        _bool,
    ),
    Setting(
        "LANGUAGES",
        "nl,en",
        "Languages of the residents' pages, e-mails and paper maps (comma-separated codes; "
        "Dutch is the source and always on). A language needs a catalog in "
        "server/translations or TRANSLATIONS_DIRS (docs/ARCHITECTURE.md 'Languages').",
    ),
    Setting(
        "TRANSLATIONS_DIRS",
        "",
        "Extra folders with catalogs (<code>/LC_MESSAGES/messages.mo), separated by ';', "
        "searched before the built-in server/translations.",
    ),
    Setting(
        "PDOK_URL",
        "",
        "Base URL of the PDOK Locatieserver (e.g. "
        "https://api.pdok.nl/bzk/locatieserver/search/v3_1) as a last geocoding step; "
        "empty: fully offline (the default).",
    ),
    Setting(
        "REGION_BUFFER_M",
        5000.0,
        "Locations farther than this many metres outside the loaded gemeenten are "
        "rejected on import.",
        float,
    ),
    Setting(
        "LAYER_CACHE_MB",
        128,
        "Memory per server process for serialised features, numberMatched and tiles, "
        "keyed on the data version so it is always exact; 0 switches it off.",
        int,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        64 * 1024,
        "Largest request body in bytes (forms); larger requests get 413.",
        int,
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host "
        "are trusted (werkzeug ProxyFix). 0: use the connection's own address.",
        int,
    ),
    Setting(
        "RATELIMIT_ENABLED",
        True,
        "Apply the rate limits (counters shared by all workers in PostgreSQL).",
        _bool,
    ),
    Setting(
        "RATELIMIT_MELDING",
        "5 per minute;20 per day",
        "Rate limit per client for 'meld een fout' posts (Flask-Limiter notation).",
    ),
    Setting(
        "RATELIMIT_PDF",
        "10 per minute;100 per day",
        "Rate limit per client for the PDF paper map (Flask-Limiter notation).",
    ),
    Setting(
        "RATELIMIT_LOGIN",
        "10 per minute;100 per day",
        "Rate limit per client for login and password-reset posts (Flask-Limiter notation).",
    ),
    Setting(
        "RATELIMIT_AANMELDEN",
        "5 per minute;20 per day",
        "Rate limit per client for self-registration (/aanmelden) and verification answers.",
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        30,
        "A signed-in session ends after this many minutes without a request.",
        int,
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "auto",
        "Send the session cookie over HTTPS only: 'auto' (yes outside development), true or false.",
    ),
    Setting(
        "MAIL_SERVER",
        "",
        "SMTP server for e-mail (password reset, verification rounds, review messages). "
        "Empty: mails are written as .eml files to MAIL_DIR instead of sent.",
    ),
    Setting("MAIL_PORT", 25, "Port of MAIL_SERVER.", int),
    Setting("MAIL_USERNAME", "", "SMTP login (empty: no login)."),
    Setting("MAIL_PASSWORD", "", "SMTP password."),
    Setting("MAIL_STARTTLS", False, "Use STARTTLS on the SMTP connection.", _bool),
    Setting(
        "MAIL_FROM",
        "Sociale Kaart <noreply@sociale-kaart.invalid>",
        "Sender address of every e-mail.",
    ),
    Setting(
        "MAIL_DIR",
        "",
        "Folder for .eml files when MAIL_SERVER is empty (default DATA_DIR/mail).",
    ),
    Setting(
        "VERIFY_MONTHS",
        12,
        "A record not verified for this many months is 'mogelijk verouderd' (shown to "
        "residents) and due in the next verification round.",
        int,
    ),
    Setting(
        "VERIFY_LINK_DAYS",
        30,
        "Days a verification link stays valid.",
        int,
    ),
    Setting(
        "VERIFY_REMINDER_DAYS",
        14,
        "Days after which an unanswered verification link is sent again as a reminder.",
        int,
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Flask secret key for sessions and form tokens, the same for every worker; "
        "required outside development (`sociale-kaart demo` keeps one in "
        "DATA_DIR/secret_key).",
    ),
)


NO_SECRET_KEY = (
    "SOCIALE_KAART_SECRET_KEY ontbreekt: stel buiten ontwikkeling een vaste geheime sleutel "
    "in, anders werken formulieren niet over workers en herstarts heen / "
    "SOCIALE_KAART_SECRET_KEY is not set: outside development a fixed secret key is required."
)


class ConfigError(RuntimeError):
    """A setting production needs is missing; the message names it."""


def check_production(config: Mapping[str, object]) -> None:
    """Refuse to start outside development without the settings production needs."""
    if not config.get("SECRET_KEY"):
        raise ConfigError(NO_SECRET_KEY)


def is_development(config: Mapping[str, object]) -> bool:
    """Whether ``config`` is development: ENV=development, Flask debug or testing mode.

    The sociale-kaart command line counts too (see ``server.create_app``); everything else
    is production.
    """
    return (
        config.get("ENV") == "development"
        or bool(config.get("TESTING"))
        or bool(config.get("DEBUG"))
    )


def load_settings(
    overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Resolve every setting: registry default, then environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    known = {s.name for s in SETTINGS}
    unknown = sorted(
        k for k in overrides if k not in known and k.isupper() and k not in {"TESTING", "DEBUG"}
    )
    if unknown:
        raise KeyError(f"Unknown setting(s): {', '.join(unknown)}")
    values: dict[str, object] = {}
    for setting in SETTINGS:
        value = setting.default
        if PREFIX + setting.name in environ:
            value = setting.parse(environ[PREFIX + setting.name])
        if setting.name in overrides:
            value = setting.parse(overrides.pop(setting.name))
        values[setting.name] = value
    values.update(overrides)
    return values

"""The app's engines: the owner for commands, the least-privilege web role for requests.

Two roles (geo/sql/0012_webrol.up.sql). The *owner* (``DATABASE_URL``, or the embedded
cluster's superuser) runs migrations, imports, the analysis and every other command. The
*web role* (``WEB_DATABASE_URL``, or the embedded cluster's ``sociale_kaart_webapp``) is what
every request connects as: it can read what is published, add a melding and call four
SECURITY DEFINER functions, nothing else. Every web query has a ``statement_timeout``.

``get_engine()`` returns the web engine inside a request and the owner engine elsewhere, so
route code and command code call the same function and still get the right role.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context

from geo.db import make_engine
from geo.pgcluster import Cluster
from server.settings import ConfigError, is_development

log = logging.getLogger(__name__)

EXTENSION_KEY = "sociale_kaart.engine"
WEB_KEY = "sociale_kaart.web_engine"
READ_KEY = "sociale_kaart.read_engine"
HEALTH_KEY = "sociale_kaart.health_engine"
# Short reads: JIT compiles for 0.1-1 s what then runs in milliseconds (PostGIS functions
# are costed high), and parallel workers cost more than they share on small scans.
READ_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"
# A web request that cannot get a connection within this many seconds gets a 503 instead
# of waiting (connect to an unreachable server; every pooled connection busy).
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10
HEALTH_STATEMENT_TIMEOUT_MS = 2000

NO_WEB_URL = (
    "SOCIALE_KAART_WEB_DATABASE_URL ontbreekt: met SOCIALE_KAART_DATABASE_URL hoort een "
    "aparte webrol (zie 'sociale-kaart db roles-sql') / SOCIALE_KAART_WEB_DATABASE_URL is "
    "not set: with SOCIALE_KAART_DATABASE_URL the web app needs its own role (see "
    "'sociale-kaart db roles-sql')."
)


class WebRoleMissing(ConfigError):
    """DATABASE_URL is set without WEB_DATABASE_URL outside development."""


def cluster_for(config) -> Cluster | None:
    """The embedded cluster this configuration uses, or None when a URL is configured."""
    if config["DATABASE_URL"]:
        return None
    return Cluster(Path(config["DATA_DIR"]), int(config["DB_PORT"]))


def database_url(config) -> str:
    """The owner's URL: configured, or the embedded cluster's socket URL."""
    cluster = cluster_for(config)
    return config["DATABASE_URL"] if cluster is None else cluster.url()


def web_database_url(config, development: bool | None = None) -> str:
    """The web role's URL.

    Configured, derived from the embedded cluster, or — only in development — the owner's
    URL with a warning.

    Raises
    ------
    WebRoleMissing
        With DATABASE_URL but no WEB_DATABASE_URL outside development.
    """
    if config.get("WEB_DATABASE_URL"):
        return config["WEB_DATABASE_URL"]
    cluster = cluster_for(config)
    if cluster is not None:
        return cluster.web_url()
    if development is None:
        development = is_development(config)
    if not development:
        raise WebRoleMissing(NO_WEB_URL)
    log.warning(
        "WEB_DATABASE_URL is not set: web requests use the database OWNER "
        "(development only; set SOCIALE_KAART_WEB_DATABASE_URL in production)"
    )
    return config["DATABASE_URL"]


def web_options(config, extra: str = "") -> dict:
    """Connection options of a web engine: statement timeout, connect timeout."""
    timeout = int(config["WEB_STATEMENT_TIMEOUT_MS"])
    # laag_actualiteit reads the freshness threshold of this deployment (VERIFY_MONTHS).
    months = int(config.get("VERIFY_MONTHS", 12))
    options = f"-c statement_timeout={timeout} -c sociale_kaart.verify_months={months} {extra}"
    options = options.strip()
    return {"options": options, "connect_timeout": CONNECT_TIMEOUT_S}


def _cached(app: Flask, key: str, build) -> sa.Engine:
    engine = app.extensions.get(key)
    if engine is None:
        engine = app.extensions[key] = build()
    return engine


def get_owner_engine(app: Flask | None = None) -> sa.Engine:
    """The owner's engine (migrations, imports, analysis, commands); created on first use."""
    app = app or current_app
    return _cached(app, EXTENSION_KEY, lambda: make_engine(database_url(app.config)))


def get_web_engine(app: Flask | None = None) -> sa.Engine:
    """The web role's engine (transactions, ping per checkout, statement timeout)."""
    app = app or current_app
    return _cached(
        app,
        WEB_KEY,
        lambda: make_engine(
            web_database_url(app.config, _development(app)),
            pool_timeout=POOL_TIMEOUT_S,
            connect_args=web_options(app.config),
        ),
    )


def get_engine(app: Flask | None = None) -> sa.Engine:
    """The web role's engine inside a request, the owner's elsewhere.

    Nothing connects at import or create time.
    """
    if has_request_context():
        return get_web_engine(app)
    return get_owner_engine(app)


def get_read_engine(app: Flask | None = None) -> sa.Engine:
    """A second web-role pool for the hot read paths (feature pages, single features, tiles).

    Autocommit, so a request costs no BEGIN/ROLLBACK round trips, and no ping per checkout
    (that was a third of the time of a small page). A connection the database dropped
    fails one request with 503 (server/errors.py), and the pool is then replaced.
    """
    app = app or current_app
    return _cached(
        app,
        READ_KEY,
        lambda: make_engine(
            web_database_url(app.config, _development(app)),
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
            pool_timeout=POOL_TIMEOUT_S,
            connect_args=web_options(app.config, READ_OPTIONS),
        ),
    )


def get_health_engine(app: Flask | None = None) -> sa.Engine:
    """A tiny pool of its own for ``/healthz``: it never waits behind busy feature pages."""
    app = app or current_app
    options = web_options(app.config)
    options["options"] = f"-c statement_timeout={HEALTH_STATEMENT_TIMEOUT_MS}"
    return _cached(
        app,
        HEALTH_KEY,
        lambda: make_engine(
            web_database_url(app.config, _development(app)),
            pool_size=2,
            max_overflow=2,
            pool_timeout=2,
            connect_args=options,
        ),
    )


def _development(app: Flask) -> bool:
    return bool(app.extensions.get("sociale_kaart.development")) or is_development(app.config)

"""The app's engine: an explicit DATABASE_URL, or the embedded cluster in DATA_DIR."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from geo.cluster import Cluster
from geo.db import make_engine

EXTENSION_KEY = "sociale_kaart.engine"
READ_KEY = "sociale_kaart.read_engine"
# Short reads: JIT compiles for 0.1-1 s what then runs in milliseconds (PostGIS functions
# are costed high), and parallel workers cost more than they share on small scans.
READ_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"


def cluster_for(config) -> Cluster | None:
    """The embedded cluster this configuration uses, or None when a URL is configured."""
    if config["DATABASE_URL"]:
        return None
    return Cluster(Path(config["DATA_DIR"]), int(config["DB_PORT"]))


def database_url(config) -> str:
    """The database URL: configured, or the embedded cluster's socket URL."""
    cluster = cluster_for(config)
    return config["DATABASE_URL"] if cluster is None else cluster.url()


def get_engine(app: Flask | None = None) -> sa.Engine:
    """The app's engine, created on first use (nothing connects at import or create time)."""
    app = app or current_app
    engine = app.extensions.get(EXTENSION_KEY)
    if engine is None:
        engine = make_engine(database_url(app.config))
        app.extensions[EXTENSION_KEY] = engine
    return engine


def get_read_engine(app: Flask | None = None) -> sa.Engine:
    """A second pool for the hot read paths (feature pages, single features, tiles).

    Autocommit, so a request costs no BEGIN/ROLLBACK round trips, and no ping per checkout
    (that was a third of the time of a small page). A connection the database dropped
    fails one request with 503 (server/errors.py), and the pool is then replaced.
    """
    app = app or current_app
    engine = app.extensions.get(READ_KEY)
    if engine is None:
        engine = make_engine(database_url(app.config), pool_pre_ping=False,
                             isolation_level="AUTOCOMMIT", connect_args={"options": READ_OPTIONS})
        app.extensions[READ_KEY] = engine
    return engine

"""Engine creation, health information and Alembic migrations."""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from geo.errors import DatabaseUnavailable

MIGRATIONS = str(files("geo") / "migrations")


def make_engine(url: str, **kwargs) -> sa.Engine:
    """Create an engine that survives a restarted database.

    ``pool_pre_ping`` is on unless turned off, so a restarted database is survived.
    """
    # No automatic server-side prepared statements: after 5 runs psycopg would prepare, and
    # PostgreSQL's generic plans for our parameterised layer queries were up to 100x slower.
    connect_args = {"prepare_threshold": None, **kwargs.pop("connect_args", {})}
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, connect_args=connect_args, **kwargs)


def server_info(engine: sa.Engine) -> dict:
    """PostgreSQL and PostGIS versions and the current schema revision.

    Raises
    ------
    DatabaseUnavailable
        When the database cannot be reached or PostGIS is not installed in it.
    """
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            postgis = conn.execute(
                sa.text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar_one_or_none()
            revision = None
            if conn.execute(sa.text("SELECT to_regclass('alembic_version')")).scalar():
                revision = conn.execute(
                    sa.text("SELECT version_num FROM alembic_version")
                ).scalar_one_or_none()
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(f"database not reachable: {exc.orig}") from exc
    return {"postgresql": version, "postgis": postgis, "schema_revision": revision}


def alembic_config(engine: sa.Engine) -> Config:
    """Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: sa.Engine, revision: str = "-1") -> None:
    """Revert migrations down to ``revision`` (default: one step)."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: sa.Engine) -> str | None:
    """The applied revision, or None on an empty database."""
    return server_info(engine)["schema_revision"]


def head_revision() -> str | None:
    """The newest revision the migrations define."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(MIGRATIONS).get_current_head()

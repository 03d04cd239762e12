"""``sociale-kaart db``: the embedded cluster and the schema."""

import secrets

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from geo import db as geodb
from geo import pgcluster
from geo.errors import GeoError
from server.commands.common import fail
from server.database import cluster_for, get_engine


@click.group()
def db():
    """Manage the database: the embedded cluster and the schema."""


def _cluster_or_note():
    cluster = cluster_for(current_app.config)
    if cluster is None:
        click.echo(
            "An external database is configured (SOCIALE_KAART_DATABASE_URL); "
            "the embedded cluster is not used."
        )
    return cluster


def _manage(action) -> None:
    """Run start/stop on the embedded cluster, if that is the one configured."""
    cluster = _cluster_or_note()
    if cluster is not None:
        try:
            click.echo(f"Database {action(cluster)} ({cluster.url()})")
        except GeoError as exc:
            fail(exc)


@db.command("start")
@with_appcontext
def db_start():
    """Start the embedded PostgreSQL+PostGIS cluster (creates it on first use)."""
    _manage(pgcluster.start)


@db.command("stop")
@with_appcontext
def db_stop():
    """Stop the embedded cluster."""
    _manage(pgcluster.stop)


@db.command("status")
@with_appcontext
def db_status():
    """Show whether the database runs, its versions and schema revision."""
    cluster = cluster_for(current_app.config)
    if cluster is not None:
        for key, value in pgcluster.status(cluster).items():
            click.echo(f"{key}: {value}")
    try:
        for key, value in geodb.server_info(get_engine()).items():
            click.echo(f"{key}: {value}")
    except GeoError as exc:
        click.echo(f"database: not reachable ({exc})")
        raise SystemExit(1) from exc


def _migrate(action, revision):
    try:
        action(get_engine(), revision)
    except sa.exc.OperationalError as exc:
        fail(
            RuntimeError(
                f"Database not reachable ({exc.orig}); start it with: sociale-kaart db start"
            )
        )
    click.echo(f"Schema revision: {geodb.current_revision(get_engine())}")


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Apply schema migrations (default: all)."""
    _migrate(geodb.upgrade, revision)


@db.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision):
    """Revert schema migrations (default: one step; 'base' reverts all)."""
    _migrate(geodb.downgrade, revision)


@db.command("roles-sql")
@click.option("--password", help="Password of the web login role (default: a new random one).")
@with_appcontext
def db_roles_sql(password):
    """Print the SQL that creates the web app's login role (run it once as an admin)."""
    cluster = cluster_for(current_app.config)
    if cluster is not None:
        click.echo("-- The embedded cluster creates these roles on `sociale-kaart db start`.")
        click.echo(pgcluster.web_roles_sql(), nl=False)
        return
    password = password or secrets.token_urlsafe(24)
    try:
        sql = pgcluster.web_roles_sql(password)
    except ValueError as exc:
        fail(exc)
    url = sa.make_url(current_app.config["DATABASE_URL"]).set(
        username=pgcluster.WEB_LOGIN, password=password
    )
    click.echo("-- Run as a superuser or a role with CREATEROLE, e.g. psql -f -, then set:")
    click.echo(f"--   SOCIALE_KAART_WEB_DATABASE_URL={url.render_as_string(hide_password=False)}")
    click.echo("-- `sociale-kaart db upgrade` grants the rights (migration 0012).")
    click.echo(sql, nl=False)

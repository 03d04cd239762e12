"""Commands of ``sociale-kaart``: each a few lines calling one library function.

They are registered on ``app.cli`` by ``create_app`` so the console script and Flask's
test CLI runner see the same commands.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.table import Table

from geo import cluster as pgcluster
from geo import db as geodb
from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.errors import GeoError
from server.database import cluster_for, get_engine

console = Console(stderr=True)


def _fail(exc: Exception):
    raise click.ClickException(str(exc)) from exc


# ----------------------------------------------------------------------------- db
@click.group()
def db():
    """Manage the database: the embedded cluster and the schema."""


def _cluster_or_note():
    cluster = cluster_for(current_app.config)
    if cluster is None:
        click.echo("An external database is configured (SOCIALE_KAART_DATABASE_URL); "
                   "the embedded cluster is not used.")
    return cluster


@db.command("start")
@with_appcontext
def db_start():
    """Start the embedded PostgreSQL+PostGIS cluster (creates it on first use)."""
    cluster = _cluster_or_note()
    if cluster is not None:
        try:
            click.echo(f"Database {pgcluster.start(cluster)} ({cluster.url()})")
        except GeoError as exc:
            _fail(exc)


@db.command("stop")
@with_appcontext
def db_stop():
    """Stop the embedded cluster."""
    cluster = _cluster_or_note()
    if cluster is not None:
        try:
            click.echo(f"Database {pgcluster.stop(cluster)}")
        except GeoError as exc:
            _fail(exc)


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
        _fail(RuntimeError(f"Database not reachable ({exc.orig}); "
                           "start it with: sociale-kaart db start"))
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


# -------------------------------------------------------------------------- areas
@click.group()
def areas():
    """CBS areas: gemeenten, wijken, buurten and their population."""


@areas.command("load")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML manifest of area files (default: the shipped Zuid-Limburg data).")
@with_appcontext
def areas_load(manifest):
    """Load gemeenten, wijken and buurten with population in one transaction."""
    manifest = manifest or Path(current_app.config["AREAS_MANIFEST"])
    try:
        with console.status("Gebieden laden…") as status:
            summary = load_areas(get_engine(), AreaSources.from_manifest(manifest),
                                 progress=lambda step: status.update(step + "…"))
    except GeoError as exc:
        _fail(exc)
    table = Table(title="Gebieden geladen")
    for column in ("niveau", "gelezen", "nieuw", "gewijzigd", "ongewijzigd"):
        table.add_column(column, justify="right" if column != "niveau" else "left")
    for level in ("gemeente", "wijk", "buurt"):
        row = summary[level]
        table.add_row(level, *(str(row[k]) for k in ("read", "inserted", "updated", "unchanged")))
    console.print(table)
    console.print(f"Bevolkingsrijen: {summary['bevolking']}; "
                  f"locaties opnieuw gekoppeld: {summary['locaties_herberekend']}")


# --------------------------------------------------------------------------- demo
@click.command("demo")
@click.option("--serve/--no-serve", default=True, help="Serve the map after loading.")
@with_appcontext
def demo(serve):
    """Start the database, migrate, load the Zuid-Limburg demo and serve the map."""
    ctx = click.get_current_context()
    ctx.invoke(db_start)
    ctx.invoke(db_upgrade)
    ctx.invoke(areas_load)
    if serve:
        app = current_app._get_current_object()
        host, port = app.config["HOST"], app.config["PORT"]
        console.print(f"[bold]Sociale Kaart draait op http://{host}:{port}[/bold] (Ctrl+C stopt)")
        app.run(host=host, port=port, threaded=True, use_reloader=False)


def register_commands(app: Flask) -> None:
    """Attach every command group to ``app.cli``."""
    for command in (db, areas, demo):
        app.cli.add_command(command)

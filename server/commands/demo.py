"""``sociale-kaart demo``: everything the README's demo command needs, then serve."""

import click
from flask import current_app
from flask.cli import with_appcontext

from server.commands.areas import areas_load
from server.commands.common import console
from server.commands.db import db_start, db_upgrade


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

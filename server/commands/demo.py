"""``sociale-kaart demo``: everything the README's demo command needs, then serve."""

import tomllib
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from geo.errors import GeoError
from geo.gazetteer import load_bag, load_postcodes
from server.commands.analyse import analyse
from server.commands.areas import areas_load
from server.commands.common import console, fail
from server.commands.db import db_start, db_upgrade
from server.commands.organisations import run_import
from server.database import get_engine


def load_demo_records(manifest: Path) -> None:
    """Postcode points, the synthetic BAG extract and the demo organisation files."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    shipped = Path(current_app.config["AREAS_MANIFEST"]).parent
    with console.status("Postcodepunten laden…"):
        load_postcodes(get_engine(), shipped / "pc6_maastricht_centroids_cbs2021.csv",
                       shipped / "pc4_zuid_limburg.csv")
    for item in data.get("adressen", []):
        with console.status(f"Adressen laden ({item['bestand']})…"):
            load_bag(get_engine(), manifest.parent / item["bestand"], bron=item["bron"])
    for item in data.get("organisaties", []):
        run_import(manifest.parent / item["bestand"], item["bron"], None,
                   Path(current_app.config["DATA_DIR"]) / f"{Path(item['bestand']).stem}"
                   ".afgewezen.csv")


@click.command("demo")
@click.option("--serve/--no-serve", default=True, help="Serve the map after loading.")
@with_appcontext
def demo(serve):
    """Start the database, migrate, load the Zuid-Limburg demo and serve the map."""
    ctx = click.get_current_context()
    ctx.invoke(db_start)
    ctx.invoke(db_upgrade)
    ctx.invoke(areas_load)
    try:
        load_demo_records(Path(current_app.config["DEMO_MANIFEST"]))
    except GeoError as exc:
        fail(exc)
    # A first coverage run, so /dekking and the `dekking` layer have something to show.
    ctx.invoke(analyse, themas=(), gemeenten=(), niveau="buurt", uitvoer=None,
               doelgroep="iedereen", zonder_locatievoorstellen=False)
    if serve:
        app = current_app._get_current_object()
        host, port = app.config["HOST"], app.config["PORT"]
        console.print(f"[bold]Sociale Kaart draait op http://{host}:{port}[/bold] (Ctrl+C stopt)")
        # Flask ignores app.run() inside a CLI command, so serve with Werkzeug directly.
        run_simple(host, port, app, threaded=True, use_reloader=False)

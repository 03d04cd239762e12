"""``sociale-kaart areas``: CBS gemeenten, wijken, buurten and population."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.table import Table

from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.errors import GeoError
from server.commands.common import console, fail
from server.database import get_engine


@click.group()
def areas():
    """CBS areas: gemeenten, wijken, buurten and their population."""


@areas.command("load")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML manifest of area files (default: the shipped Zuid-Limburg data).",
)
@with_appcontext
def areas_load(manifest):
    """Load gemeenten, wijken and buurten with population in one transaction."""
    manifest = manifest or Path(current_app.config["AREAS_MANIFEST"])
    try:
        with console.status("Gebieden laden…") as status:
            summary = load_areas(
                get_engine(),
                AreaSources.from_manifest(manifest),
                progress=lambda step: status.update(step + "…"),
            )
    except GeoError as exc:
        fail(exc)
    table = Table(title="Gebieden geladen")
    for column in ("niveau", "gelezen", "nieuw", "gewijzigd", "ongewijzigd"):
        table.add_column(column, justify="right" if column != "niveau" else "left")
    for level in ("gemeente", "wijk", "buurt"):
        row = summary[level]
        table.add_row(level, *(str(row[k]) for k in ("read", "inserted", "updated", "unchanged")))
    console.print(table)
    console.print(
        f"Bevolkingsrijen: {summary['bevolking']}; "
        f"locaties opnieuw gekoppeld: {summary['locaties_herberekend']}"
    )

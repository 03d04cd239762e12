"""``sociale-kaart geocode``: gazetteers for offline geocoding (BAG addresses, CBS postcodes)."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from geo.bag_loader import load_bag
from geo.errors import GeoError
from geo.pdok_features import BAG_URL, CBS_URL, fetch_addresses, fetch_areas
from geo.postcode_loader import load_postcodes
from server.commands.common import console, fail
from server.database import get_engine
from server.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
SHOWN_REJECTS = 20
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def geocode():
    """Geocoding gazetteers: BAG addresses and CBS postcode points."""


@geocode.command("load-bag")
@click.argument("file", type=FILE)
@click.option(
    "--bron", default="BAG", show_default=True, help="Source name stored with every address."
)
@click.option(
    "--laag",
    default=None,
    help="GeoPackage layer (default: verblijfsobject, or the first layer with addresses).",
)
@with_appcontext
def geocode_load_bag(file, bron, laag):
    """Load a BAG address extract into the address gazetteer.

    CSV: postcode,huisnummer,huisletter,toevoeging,straat,woonplaats,x,y in EPSG:28992, or
    the BAG's own column names (openbare_ruimte_naam, woonplaats_naam, NLExtract's
    bagadres.csv), x/y or a WKT point. GeoPackage (.gpkg): PDOK's BAG GeoPackage, layer
    verblijfsobject. See docs/IMPORT.md.
    """
    gpkg = file.suffix.lower() == ".gpkg"
    counter = MofNCompleteColumn() if gpkg else DownloadColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), counter, TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("BAG-adressen lezen", total=None if gpkg else file.stat().st_size)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total or None)

            summary = load_bag(get_engine(), file, bron=bron, progress=progress, layer=laag)
    except GeoError as exc:
        fail(exc)
    table = Table(title=f"BAG-adressen geladen uit {file.name}")
    for column in (
        "gelezen",
        "geladen",
        "afgewezen",
        "nieuw",
        "gewijzigd",
        "ongewijzigd",
        "dubbel",
    ):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(summary[k])
            for k in (
                "read",
                "loaded",
                "rejected",
                "inserted",
                "updated",
                "unchanged",
                "duplicates",
            )
        )
    )
    console.print(table)
    if summary["rejects"]:
        _print_rejects(summary)


def _print_rejects(summary: dict) -> None:
    table = Table(title="Afgewezen regels")
    table.add_column("regel", justify="right")
    table.add_column("reden")
    for line, reason in summary["rejects"][:SHOWN_REJECTS]:
        table.add_row(str(line), reason)
    console.print(table)
    hidden = summary["rejected"] - min(len(summary["rejects"]), SHOWN_REJECTS)
    if hidden:
        console.print(f"… en nog {hidden} afgewezen regel(s).")


@geocode.command("load-postcodes")
@click.option(
    "--pc6",
    type=FILE,
    default=DATA / "pc6_maastricht_centroids_cbs2021.csv",
    show_default=True,
    help="CSV with CBS PC6 points (pc6, lat, lon, …).",
)
@click.option(
    "--pc4",
    type=FILE,
    default=DATA / "pc4_zuid_limburg.csv",
    show_default=True,
    help="CSV with CBS PC4 points and population (pc4, plaats, …, lon, lat).",
)
@click.option(
    "--pc4-vlakken",
    type=FILE,
    default=None,
    help="GeoJSON with PC4 polygons (default: the .geojson next to --pc4).",
)
@with_appcontext
def geocode_load_postcodes(pc6, pc4, pc4_vlakken):
    """Load CBS PC6 points and PC4 areas (default: the shipped Zuid-Limburg files)."""
    try:
        with console.status("Postcodes laden…"):
            summary = load_postcodes(get_engine(), pc6, pc4, pc4_vlakken)
    except GeoError as exc:
        fail(exc)
    table = Table(title="Postcodes geladen")
    for column in ("niveau", "gelezen", "nieuw", "gewijzigd", "ongewijzigd"):
        table.add_column(column, justify="right" if column != "niveau" else "left")
    for level in ("pc6", "pc4"):
        row = summary[level]
        table.add_row(level, *(str(row[k]) for k in ("read", "inserted", "updated", "unchanged")))
    console.print(table)


@geocode.command("pdok-ophalen")
@click.option("--gemeente", required=True, help="CBS gemeentecode, e.g. GM0935.")
@click.option("--gebieden", is_flag=True, help="Also fetch the gemeente, its wijken and buurten.")
@click.option("--bag-url", default=BAG_URL, show_default=True, help="BAG OGC API root.")
@click.option("--cbs-url", default=CBS_URL, show_default=True, help="CBS Wijken en Buurten API.")
@click.option("--jaar", default=2024, show_default=True, help="Year of the CBS areas.")
@click.option("--bron", default="PDOK BAG OGC API", show_default=True, help="adres.bron value.")
@with_appcontext
def geocode_pdok(gemeente, gebieden, bag_url, cbs_url, jaar, bron):
    """Fetch BAG addresses (and with --gebieden the CBS areas) of one gemeente from PDOK.

    Needs a network; nothing is fetched unless this command runs. Pages through the OGC
    API – Features with OWSLib and stores the addresses as load-bag does.
    """
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("Ophalen", total=None)

            def progress(collection: str, done: int, total: int | None) -> None:
                bar.update(task, description=f"{collection} ophalen", completed=done, total=total)

            if gebieden:
                areas = fetch_areas(get_engine(), gemeente, cbs_url, jaar, progress)
                console.print(f"Gebieden van {gemeente} geladen: {_levels(areas)}")
            summary = fetch_addresses(get_engine(), gemeente, bag_url, progress, bron=bron)
    except GeoError as exc:
        fail(exc)
    console.print(
        f"BAG-adressen van {gemeente}: {summary['opgehaald']} opgehaald, "
        f"{summary['buiten_gemeente']} buiten de gemeente, {summary['loaded']} geladen "
        f"({summary['inserted']} nieuw, {summary['updated']} gewijzigd, "
        f"{summary['unchanged']} ongewijzigd), {summary['rejected']} afgewezen."
    )
    if summary["rejects"]:
        _print_rejects(summary)


def _levels(summary: dict) -> str:
    return ", ".join(f"{summary[level]['read']} {level}" for level in ("gemeente", "wijk", "buurt"))

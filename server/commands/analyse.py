"""``sociale-kaart analyse``: coverage analysis per theme, with a map and a CSV report."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis import InvalidInput, RunParams, RunRefused, run_analysis, write_report
from layers.pages.coverage_report import REPORT_LEVELS
from server.commands.common import console, fail
from server.database import get_engine
from server.routes.dekking import load_report, report_csv, report_pdf


@click.command("analyse")
@click.option(
    "--thema",
    "themas",
    multiple=True,
    metavar="SLUG",
    help="Thema (slug, bijv. zorg-ondersteuning); meermaals te geven. Standaard: alle.",
)
@click.option(
    "--gemeente",
    "gemeenten",
    multiple=True,
    metavar="GMxxxx",
    help="CBS-gemeentecode (bijv. GM0935); meermaals te geven. Standaard: alle.",
)
@click.option(
    "--niveau",
    type=click.Choice(["buurt", "wijk", "gemeente"]),
    default="buurt",
    show_default=True,
    help="Niveau van de kaart en het CSV-rapport.",
)
@click.option(
    "--uitvoer",
    type=click.Path(file_okay=False, path_type=Path),
    help="Map voor de kaarten (PNG en PDF) en het CSV-rapport.",
)
@click.option(
    "--doelgroep",
    type=click.Choice(["iedereen", "ouderen"]),
    default="iedereen",
    show_default=True,
    help="Doelgroep van de kaarten (het CSV-rapport heeft beide).",
)
@click.option(
    "--zonder-locatievoorstellen",
    is_flag=True,
    help="Sla de locatievoorstellen (maximale dekking) over.",
)
@click.option(
    "--scheduler",
    metavar="sync|local|tcp://…",
    help="Reken de bereikbaarheid in tegels met Dask: sync (één proces), local (twee "
    "werkprocessen op deze computer) of het adres van een Dask-cluster. Standaard: zonder tegels.",
)
@click.option(
    "--tegels",
    type=click.IntRange(min=1),
    metavar="N",
    help="Aantal tegels (afgerond naar k × k); standaard tegels van 20 km. Zonder "
    "--scheduler: local.",
)
@with_appcontext
def analyse(
    themas, gemeenten, niveau, uitvoer, doelgroep, zonder_locatievoorstellen, scheduler, tegels
):
    """Dekkingsanalyse: waar is weinig aanbod, waarom, en waar kan iets bij."""
    params = RunParams(
        themas=tuple(themas),
        gemeenten=tuple(g.upper() for g in gemeenten),
        locatievoorstellen=not zonder_locatievoorstellen,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("Analyse starten", total=None)

        def progress(message: str, done: int, total: int) -> None:
            bar.update(task, description=message, completed=done, total=total)

        try:
            summary = run_analysis(get_engine(), params, progress, scheduler, tegels)
        except (RunRefused, InvalidInput) as exc:
            fail(exc)
    _print_summary(summary)
    if uitvoer:
        with console.status("Kaarten en rapport maken…"):
            paths = write_report(get_engine(), summary.run_id, uitvoer, niveau, doelgroep)
            for gemeente in params.gemeenten:  # the short list, as /dekking?gemeente= shows it
                paths += write_gemeente_report(gemeente, uitvoer, doelgroep, niveau)
        for path in paths:
            console.print(f"  {path}")


def write_gemeente_report(
    gemeente: str, folder: Path, doelgroep: str = "iedereen", niveau: str = "buurt"
) -> list[Path]:
    """The short list of one gemeente as PDF and CSV files in ``folder``.

    The same files as the downloads of /dekking?gemeente=… (one function for page, download
    and command).

    Returns
    -------
    list of Path
        The files written: PDF and CSV, or none when the gemeente has no results.
    """
    niveau = niveau if niveau in REPORT_LEVELS else "buurt"
    with get_engine().connect() as conn:
        report = load_report(conn, gemeente, doelgroep, niveau)
    if report is None:
        console.print(f"[yellow]Let op:[/yellow] geen resultaten voor {gemeente}: geen rapport.")
        return []
    folder.mkdir(parents=True, exist_ok=True)
    pdf, csv = folder / f"{report.filename}.pdf", folder / f"{report.filename}.csv"
    pdf.write_bytes(report_pdf(report))
    csv.write_text(report_csv(report), encoding="utf-8", newline="")
    return [pdf, csv]


def _print_summary(summary) -> None:
    table = Table(title=f"Run {summary.run_id}: gevlagde gebieden (iedereen)")
    for column in ("thema", "buurten", "wijken", "gemeenten"):
        table.add_column(column, justify="left" if column == "thema" else "right")
    for thema, counts in summary.flagged.items():
        table.add_row(thema, *(str(counts[k]) for k in ("buurt", "wijk", "gemeente")))
    console.print(table)
    console.print(
        f"Vraagpunten: {summary.vraagniveau}; {summary.rows} resultaatrijen in "
        f"{summary.seconds:.1f} s."
    )
    for note in summary.meldingen:
        console.print(f"[yellow]Let op:[/yellow] {note['tekst']}")

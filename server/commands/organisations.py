"""``sociale-kaart organisations``: import and export organisation records."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo.errors import GeoError
from geo.records.export import ROLE_VISIBILITY, export_file
from geo.records.importer import ImportResult, import_file
from geo.records.report import write_rejects, write_warnings
from geo.records.sources import known_sources
from server.commands.common import console
from server.database import get_engine
from server.geocoder import online_geocoder


@click.group()
def organisations():
    """Organisation records: import (CSV, TSV, XLSX, XLS, ODS, HSDS 3); export (CSV, HSDS 3)."""


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


class ImportRefused(click.ClickException):
    """The file was refused as a whole: print its one Dutch sentence, nothing else."""

    def show(self, file=None) -> None:
        """Print the message to stderr (or ``file``), without Click's "Error:" prefix."""
        click.echo(self.format_message(), err=True, file=file)


def run_import(
    path: Path,
    bron: str | None,
    mapping: Path | None,
    rejects: Path | None,
    encoding: str | None = None,
    sheet: str | None = None,
):
    """Import one file with a progress bar; print the summary; write the rejects file."""
    with _progress_bar() as bar:
        task = bar.add_task("Bestand lezen", total=None)

        def progress(step, done, total):
            bar.update(task, description=step, completed=done, total=total or None)

        try:
            result = import_file(
                get_engine(),
                path,
                bron,
                mapping_file=mapping,
                encoding=encoding,
                sheet=sheet,
                online=online_geocoder(current_app.config),
                region_buffer_m=current_app.config["REGION_BUFFER_M"],
                progress=progress,
            )
        except GeoError:
            bar.live.transient = True  # a refused file shows its message only
            bar.remove_task(task)
            raise
        bar.update(task, description="Klaar", completed=result.read, total=result.read)
    _summary(result)
    if result.rejects:
        target = rejects or path.with_name(path.stem + ".afgewezen.csv")
        write_rejects(result.rejects, target)
        console.print(f"Afgewezen regels staan in {target}")
    if result.warnings:
        target = path.with_name(path.stem + ".waarschuwingen.csv")
        write_warnings(result.warnings, target)
        console.print(
            f"{len(result.warnings)} waarschuwingen (velden weggelaten, regels wel geladen) "
            f"staan in {target}"
        )
    return result


# Geocoding outcomes (geo.geocode.geocode_stage) in plain Dutch: what it means, what to do.
GEOCODE_LABELS = {
    "handmatig": ("met de hand geplaatst (coördinaten in het bestand)", ""),
    "adres": ("op het adres", ""),
    "pc6": (
        "op de postcode (PC6)",
        "het huisnummer is niet gevonden: laad een BAG-bestand (geocode load-bag)",
    ),
    "pc4": (
        "op de postcodewijk (PC4)",
        "alleen de cijfers van de postcode zijn bekend: controleer straat, huisnummer en "
        "postcode, of zet de plek met de hand in /beheer",
    ),
    "buiten_gebied": (
        "niet geladen: buiten het gebied",
        "laad de gebieden van die gemeente (areas load) of controleer de postcode",
    ),
    "buiten_nederland": ("niet geladen: buiten Nederland", "controleer de coördinaten"),
    "niet_gevonden": (
        "niet geladen: adres niet gevonden",
        "controleer postcode en huisnummer in het afgewezen-bestand en importeer opnieuw",
    ),
    "overig": ("niet geladen: andere reden", "zie het afgewezen-bestand"),
}


def _geocode_table(counts: dict) -> None:
    """What landed at which precision, and what to do about the rest (in Dutch)."""
    rows = [(k, n) for k, n in counts.items() if n and k in GEOCODE_LABELS]
    if not rows:
        return
    table = Table(title="Op de kaart gezet")
    table.add_column("hoe", justify="left")
    table.add_column("locaties", justify="right")
    table.add_column("wat u kunt doen", justify="left")
    for key, n in rows:
        label, advice = GEOCODE_LABELS[key]
        table.add_row(label, str(n), advice)
    console.print(table)


def _summary(result: ImportResult) -> None:
    table = Table(title=f"Import {result.bron}")
    for column in ("gelezen", "nieuw", "gewijzigd", "ongewijzigd", "afgewezen"):
        table.add_column(column, justify="right")
    table.add_row(
        *map(str, (result.read, result.inserted, result.updated, result.unchanged, result.rejected))
    )
    console.print(table)
    if result.recognised is not None:
        console.print(
            f"Bron herkend: {result.bron} ({result.recognised} organisaties van dit bestand "
            "stonden al onder deze bron); geef --bron op om een andere bron te kiezen."
        )
    if result.sheet:
        console.print(f"Werkblad: {result.sheet}")
    if result.unknown_columns:
        console.print(
            "Deze kolommen kennen we niet en zijn niet ingelezen: "
            + ", ".join(result.unknown_columns)
        )
    if result.themes_proposed:
        console.print(
            f"Thema voorgesteld bij {result.themes_proposed} aanbod (het bestand noemde geen "
            "thema); een redacteur bevestigt ze in /beheer/wachtrijen/themavoorstellen"
        )
    _geocode_table(result.geocoding)
    for r in result.rejects[:10]:
        console.print(f"  regel {r.line}, kolom {r.column}: {r.reason}")
    if len(result.rejects) > 10:
        console.print(f"  … en nog {len(result.rejects) - 10} problemen")
    for d in result.duplicates[:10]:
        console.print(f"  mogelijk dubbel ({d['reden']}): {d['a_naam']} ↔ {d['b_naam']}")


@organisations.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--bron",
    help="Source name (never the file name); re-imports of the source update its records. "
    "Required for a new source; without it the known source holding at least half of the "
    "file's organisations is used (see 'organisations bronnen').",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file mapping other column headers to ours ([kolommen]).",
)
@click.option(
    "--afgewezen",
    "rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write rejected rows (default: FILE.afgewezen.csv).",
)
@click.option(
    "--encoding",
    help="Text encoding of a CSV/JSON file (default UTF-8), "
    "e.g. cp1252 for files saved by older Excel versions.",
)
@click.option(
    "--blad",
    "sheet",
    metavar="NAAM",
    help="Worksheet of an XLSX/XLS/ODS workbook (default: the first with a header row).",
)
@with_appcontext
def organisations_import(path, bron, mapping, rejects, encoding, sheet):
    """Import CSV/TSV, XLSX/XLS/ODS or HSDS 3: bad rows are reported, good rows load.

    A file that cannot be read at all is refused with one sentence; nothing changes.
    """
    try:
        result = run_import(path, bron, mapping, rejects, encoding, sheet)
    except GeoError as exc:
        raise ImportRefused(str(exc)) from exc
    if result.rejected and not (result.inserted or result.updated or result.unchanged):
        raise SystemExit(1)


@organisations.command("bronnen")
@with_appcontext
def organisations_sources():
    """List the imported sources with their last import (the names --bron takes)."""
    with get_engine().connect() as conn:
        sources = known_sources(conn)
    if not sources:
        console.print("Er is nog geen bron geïmporteerd.")
        return
    for s in sources:
        when = s.laatst.strftime("%Y-%m-%d %H:%M") if s.laatst else "-"
        click.echo(
            f"{s.bron}: {s.imports} import(s), laatst {when} ({s.bestand}), "
            f"{s.organisaties} organisaties"
        )


@organisations.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--formaat",
    type=click.Choice(["csv", "hsds"]),
    help="Default: by extension (.json = HSDS 3, otherwise CSV).",
)
@click.option(
    "--rol",
    type=click.Choice(sorted(ROLE_VISIBILITY)),
    default="publiek",
    help="Whose view to export (publiek = public records only).",
)
@click.option("--bron", help="Only records of this source.")
@click.option("--gemeente", "gemeentecode", help="Only locations in this gemeente (GM0917).")
@with_appcontext
def organisations_export(path, formaat, rol, bron, gemeentecode):
    """Export records to CSV (the import format) or HSDS 3 JSON."""
    with get_engine().connect() as conn:
        count = export_file(conn, path, formaat, role=rol, bron=bron, gemeentecode=gemeentecode)
    console.print(f"{count} regels geschreven naar {path}")

"""``sociale-kaart verificatie``: verification rounds by e-mail, reminders and progress.

Links are signed with ``SECRET_KEY`` (``SOCIALE_KAART_SECRET_KEY``, the key the server
uses); without one the command uses the demo's key in ``DATA_DIR/secret_key`` (the key
``sociale-kaart demo`` serves with), so links from the command line open on the demo server.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo.records import verification as vf
from server.commands.common import console, fail
from server.database import get_engine
from server.verification_mail import deliver, mail_merge, start_round

AGE = re.compile(r"^\s*(\d{1,3})\s*(m|mnd|maand|maanden|j|jaar|y)?\s*$", re.IGNORECASE)


def months(text: str) -> int:
    """``12m``, ``12`` -> 12 months; ``1j``/``1y`` -> 12; click error otherwise."""
    match = AGE.match(text or "")
    if not match:
        raise click.BadParameter(f"{text!r}: gebruik bijvoorbeeld 12m (maanden) of 1j (jaar).")
    unit = (match[2] or "m").lower()
    return int(match[1]) * (12 if unit in ("j", "jaar", "y") else 1)


def _secret() -> None:
    """Sign with the configured key; without one (the demo) with DATA_DIR/secret_key.

    Without ``SOCIALE_KAART_SECRET_KEY`` the app made a random key for this process only, so
    links would never open on the server; test apps (TESTING) pass their key in the config.
    """
    if current_app.extensions.get("sociale_kaart.secret_configured") or current_app.testing:
        return
    from server.commands.demo import demo_secret_key

    current_app.config["SECRET_KEY"] = demo_secret_key(Path(current_app.config["DATA_DIR"]))


def _send(requests: list[vf.Request], reminder: bool) -> tuple[int, list[str]]:
    with_mail = [r for r in requests if r.email]
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("Herinneringen" if reminder else "E-mails", total=len(with_mail))
        return deliver(with_mail, reminder, lambda r, ok: bar.advance(task))


@click.group()
def verificatie():
    """Verification rounds: ask organisations whether their record is still right."""


@verificatie.command("start")
@click.option("--gemeente", required=True, help="CBS gemeentecode, e.g. GM0935.")
@click.option(
    "--ouder-dan",
    "ouder_dan",
    default=None,
    help="Only records not verified for this long: 12m (months) or 1j (year). "
    "Default: VERIFY_MONTHS.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the mail-merge CSV (organisations without e-mail) to this file.",
)
@click.option("--door", default="sociale-kaart verificatie", help="Name in the round's record.")
@with_appcontext
def start(gemeente, ouder_dan, csv_path, door):
    """Start a round for one gemeente and mail every organisation its single-use link."""
    _secret()
    age = months(ouder_dan) if ouder_dan else int(current_app.config["VERIFY_MONTHS"])
    try:
        ronde, requests = start_round(gemeente, age, door)
    except vf.VerificationError as exc:
        fail(exc)
    without = [r for r in requests if not r.email]
    click.echo(
        f"Ronde {ronde} voor {gemeente.upper()}: {len(requests)} organisaties, "
        f"{len(requests) - len(without)} met e-mail, {len(without)} zonder."
    )
    sent, failed = _send(requests, reminder=False)
    click.echo(f"Verstuurd: {sent}.")
    if failed:
        click.echo(
            f"Niet verstuurd ({len(failed)}): {', '.join(failed)}. Probeer het later met "
            "`sociale-kaart verificatie herinneren`.",
            err=True,
        )
    if csv_path is not None:
        csv_path.write_bytes(mail_merge(ronde))
        click.echo(f"Brieven (samenvoegen): {csv_path}")
    elif without:
        click.echo(f"Voor de brieven: sociale-kaart verificatie csv --ronde {ronde} BESTAND.csv")


@verificatie.command("csv")
@click.option("--ronde", type=int, required=True, help="Round number.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def csv_(ronde, path):
    """Write the mail-merge CSV of a round (organisations without e-mail)."""
    _secret()
    with get_engine().connect() as conn:
        if vf.round_gemeente(conn, ronde) is None:
            fail(vf.VerificationError(f"Ronde {ronde} bestaat niet."))
    path.write_bytes(mail_merge(ronde))
    click.echo(f"Brieven (samenvoegen): {path}")


@verificatie.command("herinneren")
@click.option("--gemeente", "gemeenten", multiple=True, help="Only this gemeente (repeatable).")
@with_appcontext
def herinneren(gemeenten):
    """Mail a reminder to every request that is unanswered after the reminder interval."""
    _secret()
    with get_engine().connect() as conn:
        due = vf.due_reminders(conn, tuple(g.upper() for g in gemeenten))
    sent, failed = _send(due, reminder=True)
    click.echo(
        f"Herinneringen verstuurd: {sent}." + (f" Mislukt: {len(failed)}." if failed else "")
    )


@verificatie.command("status")
@click.option("--gemeente", "gemeenten", multiple=True, help="Only this gemeente (repeatable).")
@with_appcontext
def status(gemeenten):
    """Progress of every round: sent, opened, confirmed, changed, no answer."""
    with get_engine().connect() as conn:
        rounds = vf.progress(conn, tuple(g.upper() for g in gemeenten))
    table = Table(
        "ronde",
        "gemeente",
        "gestart",
        "verzoeken",
        "verzonden",
        "zonder e-mail",
        "geopend",
        "klopt",
        "gewijzigd",
        "geen antwoord",
        "verlopen",
    )
    for p in rounds:
        table.add_row(
            str(p.ronde_id),
            f"{p.gemeente} ({p.gemeentecode})",
            p.gestart_op.strftime("%d-%m-%Y"),
            str(p.verzoeken),
            str(p.verzonden),
            str(p.zonder_email),
            str(p.geopend),
            str(p.klopt),
            str(p.gewijzigd),
            str(p.geen_antwoord),
            str(p.verlopen),
        )
    console.print(table) if rounds else click.echo("Er zijn nog geen verificatierondes.")
    for p in rounds:  # plain lines too, for scripts
        click.echo(
            f"ronde {p.ronde_id} {p.gemeentecode}: verzonden {p.verzonden}, geopend {p.geopend}, "
            f"klopt {p.klopt}, gewijzigd {p.gewijzigd}, geen antwoord {p.geen_antwoord}"
        )

"""``sociale-kaart demo``: everything the README's demo command needs, then serve.

It serves with gunicorn: several worker processes sharing one secret key kept in
``DATA_DIR/secret_key``.
"""

import os
import secrets
import socket
import sys
import tomllib
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from geo.accounts import create_user, generate_password
from geo.bag_loader import load_bag
from geo.errors import GeoError
from geo.postcode_loader import load_postcodes
from server.commands.analyse import analyse
from server.commands.areas import areas_load
from server.commands.common import console, fail
from server.commands.db import db_start, db_upgrade
from server.commands.organisations import run_import
from server.database import WebRoleMissing, cluster_for, get_engine, web_database_url
from server.settings import PREFIX, SETTINGS

SECRET_KEY_FILE = "secret_key"
MAX_WORKERS = 8
THREADS = 4


def load_demo_records(manifest: Path) -> bool:
    """Postcode points, the synthetic BAG extract and the demo organisation files.

    Returns whether any organisation record was added or changed.
    """
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    shipped = Path(current_app.config["AREAS_MANIFEST"]).parent
    with console.status("Postcodepunten laden…"):
        load_postcodes(
            get_engine(),
            shipped / "pc6_maastricht_centroids_cbs2021.csv",
            shipped / "pc4_zuid_limburg.csv",
        )
    for item in data.get("adressen", []):
        with console.status(f"Adressen laden ({item['bestand']})…"):
            load_bag(get_engine(), manifest.parent / item["bestand"], bron=item["bron"])
    changed = False
    for item in data.get("organisaties", []):
        result = run_import(
            manifest.parent / item["bestand"],
            item["bron"],
            None,
            Path(current_app.config["DATA_DIR"]) / f"{Path(item['bestand']).stem}.afgewezen.csv",
        )
        changed = changed or bool(result.inserted or result.updated)
    return changed


def coverage_run_needed(records_changed: bool) -> bool:
    """Whether the demo computes a coverage run: none finished yet, or the records changed.

    A second ``demo`` on loaded data keeps the run it has instead of computing the same
    results again (the slowest step of the demo).
    """
    if records_changed:
        return True
    with get_engine().connect() as conn:
        done = conn.execute(sa.text("SELECT 1 FROM analyse_run WHERE status = 'klaar' LIMIT 1"))
        return done.scalar() is None


DEMO_ACCOUNTS = (
    ("redacteur@demo.sociale-kaart.nl", "redacteur", "Demo redacteur"),
    ("professional@demo.sociale-kaart.nl", "professional", "Demo professional"),
)
DEMO_ROUND_GEMEENTE = "GM0981"  # Vaals: a small gemeente, a few dozen demo mails in var/mail
DEMO_MELDINGEN = (
    "Het telefoonnummer klopt niet meer, ze hebben een nieuw nummer.",
    "Deze organisatie is verhuisd naar een ander adres in de wijk.",
    "De openingstijden op de website zijn anders dan hier.",
)


def seed_workspace() -> list[tuple[str, str, str]]:
    """Demo accounts and a few open meldingen, so the editors' workspace shows something.

    Returns the (e-mail, rol, password) of accounts made now; existing accounts are kept
    (their password is never printed again).
    """
    made = []
    with get_engine().begin() as conn:
        for email, rol, naam in DEMO_ACCOUNTS:
            exists = conn.execute(
                sa.text("SELECT 1 FROM gebruiker WHERE email = :e"), {"e": email}
            ).scalar()
            if exists:
                continue
            password = generate_password()
            create_user(conn, email, rol, password, naam=naam)
            made.append((email, rol, password))
        if not conn.execute(sa.text("SELECT 1 FROM melding LIMIT 1")).scalar():
            conn.execute(
                sa.text(
                    "INSERT INTO melding (organisatie_id, tekst) "
                    "SELECT o.id, m.tekst FROM unnest(CAST(:teksten AS text[])) "
                    "WITH ORDINALITY AS m(tekst, n) "
                    "JOIN LATERAL (SELECT id FROM organisatie WHERE status = 'gepubliceerd' "
                    "AND zichtbaarheid = 'openbaar' ORDER BY id OFFSET m.n * 7 LIMIT 1) o ON true"
                ),
                {"teksten": list(DEMO_MELDINGEN)},
            )
    return made


def print_accounts(made: list[tuple[str, str, str]]) -> None:
    """Show the demo credentials once."""
    if not made:
        console.print("Demo-accounts bestaan al (wachtwoord vergeten? `sociale-kaart users`).")
        return
    console.print("[bold]Demo-accounts voor /beheer (wachtwoord wordt maar één keer getoond):[/]")
    for email, rol, password in made:
        console.print(f"  {rol:<13} {email}  wachtwoord: {password}")


def demo_secret_key(data_dir: Path) -> str:
    """The secret key in ``data_dir/secret_key`` (mode 0600): made once, then reused.

    So every worker and every restart signs sessions and form tokens alike.
    """
    path = Path(data_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
        raise click.ClickException(
            f"{path} is leeg of te kort: verwijder het bestand, dan "
            "maakt de demo een nieuwe sleutel."
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def workers_for(cpus: int | None) -> int:
    """The number of gunicorn workers: 2 x cores + 1 (gunicorn's rule of thumb), capped.

    The cap is there because each worker has its own pools and layer cache.
    """
    return max(2, min(2 * (cpus or 1) + 1, MAX_WORKERS))


def gunicorn_argv(app: Flask, cpus: int | None = None) -> list[str]:
    """The gunicorn command line that serves ``app``'s configuration."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:server.gunicorn_conf",
        "--bind",
        f"{app.config['HOST']}:{app.config['PORT']}",
        "--workers",
        str(workers_for(cpus if cpus is not None else os.cpu_count())),
        "--threads",
        str(THREADS),
        "--preload",
        "server:create_app()",
    ]


def gunicorn_env(app: Flask, secret_key: str, environ=None) -> dict[str, str]:
    """The environment of the gunicorn process, with the shared secret key.

    Every setting of ``app`` is in it as SOCIALE_KAART_*, so settings given to
    ``create_app`` reach the workers.
    """
    env = dict(os.environ if environ is None else environ)
    for setting in SETTINGS:
        value = app.config[setting.name]
        env[PREFIX + setting.name] = (
            ("true" if value else "false") if isinstance(value, bool) else str(value)
        )
    env[PREFIX + "SECRET_KEY"] = secret_key
    return env


def serve_with_gunicorn(app: Flask) -> None:
    """Replace this process by gunicorn serving ``app``'s configuration."""
    try:
        web_database_url(app.config, development=False)
    except WebRoleMissing as exc:
        fail(exc)
    key = (
        app.config["SECRET_KEY"]
        if _configured_key()
        else demo_secret_key(Path(app.config["DATA_DIR"]))
    )
    argv = gunicorn_argv(app)
    host, port = app.config["HOST"], app.config["PORT"]
    console.print(
        f"[bold]Sociale Kaart draait op http://{host}:{port}[/bold] "
        f"(gunicorn, {argv[argv.index('--workers') + 1]} workers; Ctrl+C stopt de webserver)"
    )
    if cluster_for(app.config) is not None:
        console.print(
            "De database blijft daarna draaien, zodat de volgende start snel is; "
            "stoppen: .venv/bin/sociale-kaart db stop"
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, gunicorn_env(app, key))


def check_port_free(host: str, port: int) -> None:
    """Refuse, before anything is loaded, a port that another program already listens on."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            raise click.ClickException(
                f"Poort {port} op {host} is al in gebruik: draait de demo al? "
                f"Kies anders een andere poort, bijvoorbeeld: "
                f"{PREFIX}PORT={port + 1} ./run demo"
            ) from None


def _configured_key() -> bool:
    return bool(os.environ.get(PREFIX + "SECRET_KEY"))


@click.command("demo")
@click.option("--serve/--no-serve", default=True, help="Serve the map after loading.")
@with_appcontext
def demo(serve):
    """Start the database, migrate, load the Zuid-Limburg demo and serve the map."""
    ctx = click.get_current_context()
    if serve:
        check_port_free(current_app.config["HOST"], current_app.config["PORT"])
    ctx.invoke(db_start)
    ctx.invoke(db_upgrade)
    ctx.invoke(areas_load)
    try:
        changed = load_demo_records(Path(current_app.config["DEMO_MANIFEST"]))
    except GeoError as exc:
        fail(exc)
    # A first coverage run, so /dekking and the `dekking` layer have something to show.
    if coverage_run_needed(changed):
        ctx.invoke(
            analyse,
            themas=(),
            gemeenten=(),
            niveau="buurt",
            uitvoer=None,
            doelgroep="iedereen",
            zonder_locatievoorstellen=False,
        )
    else:
        console.print(
            "Dekkingsanalyse: de gegevens zijn niet veranderd, de vorige run blijft staan "
            "(opnieuw rekenen: sociale-kaart analyse)."
        )
    print_accounts(seed_workspace())
    with get_engine().connect() as conn:
        rounds = conn.execute(sa.text("SELECT count(*) FROM verificatie_ronde")).scalar()
    if not rounds:  # a running verification round, so /beheer/verificatie shows progress
        from server.commands.verificatie import start

        ctx.invoke(start, gemeente=DEMO_ROUND_GEMEENTE, ouder_dan=None, csv_path=None)
    if serve:
        serve_with_gunicorn(current_app._get_current_object())

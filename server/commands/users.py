"""``sociale-kaart users``: accounts for beheerders, redacteuren and professionals."""

import sys

import click
from flask.cli import with_appcontext
from rich.table import Table

from geo.accounts import ROLES, AccountError, create_user, generate_password, list_users, set_active
from server.commands.common import console, fail
from server.database import get_engine


@click.group()
def users():
    """Accounts: create, list, disable and enable."""


@users.command("create")
@click.option("--rol", type=click.Choice(ROLES), required=True, help="Role of the account.")
@click.option("--email", required=True, help="E-mail address (the login name).")
@click.option("--naam", default=None, help="Name shown in the audit trail.")
@click.option("--gemeente", "gemeenten", multiple=True, help="Scope: GM code (repeatable).")
@click.option("--gebied", "gebieden", multiple=True, help="Professional's WK/BU code (repeatable).")
@click.option(
    "--wachtwoord-stdin",
    is_flag=True,
    help="Read the password from standard input; without it a password is generated and "
    "printed once.",
)
@with_appcontext
def create(rol, email, naam, gemeenten, gebieden, wachtwoord_stdin):
    """Create an account (the first beheerder, or accounts from scripts)."""
    password = sys.stdin.readline().rstrip("\r\n") if wachtwoord_stdin else generate_password()
    try:
        with get_engine().begin() as conn:
            user = create_user(
                conn,
                email,
                rol,
                password,
                naam=naam,
                gemeenten=tuple(g.upper() for g in gemeenten),
                gebieden=tuple(g.upper() for g in gebieden),
            )
    except AccountError as exc:
        fail(exc)
    click.echo(f"Account aangemaakt: {user.email} ({user.rol})")
    if not wachtwoord_stdin:
        click.echo(f"Wachtwoord (wordt maar één keer getoond): {password}")


@users.command("list")
@with_appcontext
def list_():
    """List every account with role, scope and whether it is active."""
    with get_engine().connect() as conn:
        accounts = list_users(conn)
    table = Table("e-mail", "rol", "gebied", "actief")
    for user in accounts:
        scope = ", ".join(user.gemeenten + user.gebieden) or "hele regio"
        table.add_row(user.email, user.rol, scope, "ja" if user.actief else "nee")
    console.print(table)
    click.echo(f"{len(accounts)} accounts")


@users.command("disable")
@click.argument("email")
@with_appcontext
def disable(email):
    """Disable an account; its sessions end at once."""
    try:
        with get_engine().begin() as conn:
            user = set_active(conn, email, False)
    except AccountError as exc:
        fail(exc)
    click.echo(f"Account uitgeschakeld: {user.email}")


@users.command("enable")
@click.argument("email")
@with_appcontext
def enable(email):
    """Enable a disabled account again."""
    try:
        with get_engine().begin() as conn:
            user = set_active(conn, email, True)
    except AccountError as exc:
        fail(exc)
    click.echo(f"Account weer actief: {user.email}")

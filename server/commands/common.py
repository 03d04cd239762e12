"""Helpers shared by the command modules."""

import click
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def fail(exc: Exception):
    """Stop the command with ``exc``'s message (a ClickException: exit code 1, no trace)."""
    raise click.ClickException(str(exc)) from exc

"""Helpers shared by the command modules."""

import click
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def fail(exc: Exception):
    raise click.ClickException(str(exc)) from exc

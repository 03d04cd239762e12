"""The ``sociale-kaart`` console script: Flask's CLI around ``create_app``."""

import click
from flask.cli import FlaskGroup

from server import create_app


def _create_app(*_args):
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli():
    """Sociale Kaart: open social map of care, welfare and support per buurt, wijk, gemeente."""

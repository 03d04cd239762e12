"""Commands of ``sociale-kaart``: each a few lines calling one library function.

One module per command group. They are registered on ``app.cli`` by ``create_app`` so the
console script and Flask's test CLI runner see the same commands.
"""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to ``app.cli``."""
    from server.commands.analyse import analyse
    from server.commands.areas import areas
    from server.commands.db import db
    from server.commands.demo import demo
    from server.commands.geocode import geocode
    from server.commands.organisations import organisations
    from server.commands.users import users
    from server.commands.verificatie import verificatie

    for command in (db, areas, geocode, organisations, analyse, demo, users, verificatie):
        app.cli.add_command(command)

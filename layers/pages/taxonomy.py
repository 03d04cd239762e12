"""The theme and doelgroep taxonomy as the map legend and search filters show it."""

from __future__ import annotations

import sqlalchemy as sa


def themes(conn: sa.Connection) -> list[dict]:
    """Themes in legend order: slug, naam, omschrijving, kleur (hex), icoon (Maki name)."""
    return [dict(r) for r in conn.execute(sa.text(
        "SELECT slug, naam, omschrijving, kleur, icoon FROM thema ORDER BY volgorde")).mappings()]


def groups(conn: sa.Connection) -> list[dict]:
    """Doelgroepen in their fixed order: slug, naam, omschrijving."""
    return [dict(r) for r in conn.execute(sa.text(
        "SELECT slug, naam, omschrijving FROM doelgroep ORDER BY volgorde")).mappings()]

"""Seed the theme and target-group taxonomy from 0002_taxonomie.toml.

Revision ID: 0002
Revises: 0001
"""

import tomllib
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DATA = Path(__file__).with_suffix(".toml")


def upgrade():
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    thema = [dict(t, volgorde=i) for i, t in enumerate(data["thema"], start=1)]
    doelgroep = [dict(d, volgorde=i) for i, d in enumerate(data["doelgroep"], start=1)]
    op.get_bind().execute(
        sa.text(
            "INSERT INTO thema (slug, naam, omschrijving, kleur, icoon, afstand_m, volgorde) "
            "VALUES (:slug, :naam, :omschrijving, :kleur, :icoon, :afstand_m, :volgorde)"
        ),
        thema,
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO doelgroep (slug, naam, omschrijving, volgorde) "
            "VALUES (:slug, :naam, :omschrijving, :volgorde)"
        ),
        doelgroep,
    )


def downgrade():
    op.execute(
        "DELETE FROM aanbod_thema; DELETE FROM aanbod_doelgroep; "
        "DELETE FROM thema; DELETE FROM doelgroep"
    )

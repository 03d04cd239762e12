"""Search words: synonyms, compound splitting, theme words, everyday area names.

Loads the shipped lists data/zoeken/synoniemen.csv and data/zoeken/gebiedsnamen.csv
(geo.zoekwoorden); rows editors added later (bron 'redactie') are left alone.

Revision ID: 0018
Revises: 0017
"""

from importlib.resources import files

from alembic import op

from geo.zoekwoorden import load_shipped

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0018_zoekwoorden.up.sql").read_text())
    load_shipped(op.get_bind())


def downgrade():
    op.execute((SQL / "0018_zoekwoorden.down.sql").read_text())

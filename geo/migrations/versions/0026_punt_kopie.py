"""Narrow point copies (issue 12): tegel_punt filled in one pass at the first import;
kaart_punt's view projects each position once.

Revision ID: 0026
Revises: 0025
"""

from importlib.resources import files

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0026_punt_kopie.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0026_punt_kopie.down.sql").read_text())

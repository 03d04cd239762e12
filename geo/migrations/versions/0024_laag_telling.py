"""Counts of published layers per visibility and block of ids, kept at write time (issue 17).

Revision ID: 0024
Revises: 0023
"""

from importlib.resources import files

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0024_laag_telling.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0024_laag_telling.down.sql").read_text())

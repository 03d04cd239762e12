"""Bulk writes: an importer derives area codes and search documents set-based;
search documents analyse each distinct text once.

Revision ID: 0010
Revises: 0009
"""

from importlib.resources import files

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0010_bulk_import.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0010_bulk_import.down.sql").read_text())

"""Gazetteers for geocoding (BAG addresses, PC6, PC4), geocoder cache, import runs, duplicates.

Revision ID: 0003
Revises: 0002
"""

from importlib.resources import files

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0003_gazetteer_import.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0003_gazetteer_import.down.sql").read_text())

"""Data versions: a counter per table, raised by a statement trigger on every write.

Revision ID: 0009
Revises: 0008
"""

from importlib.resources import files

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0009_data_versie.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0009_data_versie.down.sql").read_text())

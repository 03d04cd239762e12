"""Base schema: areas, population, taxonomy, organisations, locations, audit trail.

Revision ID: 0001
Revises:
"""

from importlib.resources import files

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0001_schema.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0001_schema.down.sql").read_text())

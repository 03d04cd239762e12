"""Stored Feature text for many rows at once without a quadratic id filter (imports).

Revision ID: 0022
Revises: 0021
"""

from importlib.resources import files

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0022_laag_geojson_veel.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0022_laag_geojson_veel.down.sql").read_text())

"""Freshness per wijk and buurt: the public layer laag_actualiteit (OGC ``actualiteit``).

Revision ID: 0015
Revises: 0014
"""

from importlib.resources import files

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0015_actualiteit.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0015_actualiteit.down.sql").read_text())

"""Proposed themes: services an import gave a theme from keywords, for an editor to confirm.

Revision ID: 0016
Revises: 0015
"""

from importlib.resources import files

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0016_themavoorstel.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0016_themavoorstel.down.sql").read_text())

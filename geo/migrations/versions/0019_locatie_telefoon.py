"""Per-location phone numbers (issue 12, point 7): locatie.telefoon, shown before the
organisation's number in the published layers.

Revision ID: 0019
Revises: 0018
"""

from importlib.resources import files

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0019_locatie_telefoon.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0019_locatie_telefoon.down.sql").read_text())

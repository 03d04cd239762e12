"""Service-at-location source ids and the audit trigger on organisations, services, locations.

Revision ID: 0004
Revises: 0003
"""

from importlib.resources import files

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0004_koppeling_audit.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0004_koppeling_audit.down.sql").read_text())

"""Editors: accounts and sessions, inboxes, self-registration, verification rounds, archiving
of services and locations, and the web role's write grants (docs/ARCHITECTURE.md §13).

Revision ID: 0014
Revises: 0013
"""

from importlib.resources import files

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0014_beheer.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0014_beheer.down.sql").read_text())

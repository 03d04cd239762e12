"""Wijkteams: wijkteam (marked organisations and their service area), notitie, api_token.

Revision ID: 0017
Revises: 0016
"""

from importlib.resources import files

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0017_wijkteams.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0017_wijkteams.down.sql").read_text())

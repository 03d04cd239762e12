"""Reported errors ("meld een fout") on public organisation pages: table melding.

Revision ID: 0007
Revises: 0006
"""

from importlib.resources import files

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0007_melding.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0007_melding.down.sql").read_text())

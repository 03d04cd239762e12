"""Least privilege for the web app: the group role sociale_kaart_web may read what is
published, add a melding and call the SECURITY DEFINER functions; nothing else.

Revision ID: 0012
Revises: 0011
"""

from importlib.resources import files

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0012_webrol.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0012_webrol.down.sql").read_text())

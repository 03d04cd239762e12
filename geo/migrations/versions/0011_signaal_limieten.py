"""The demand signal counts distinct clients (daily-salted hash) before a word is published;
rate-limit counters shared by every server process. Both written only through functions,
so the web role needs EXECUTE, not write rights on the tables.

Revision ID: 0011
Revises: 0010
"""

from importlib.resources import files

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0011_signaal_limieten.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0011_signaal_limieten.down.sql").read_text())

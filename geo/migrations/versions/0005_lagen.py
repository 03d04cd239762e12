"""Published layers: laag_* views (voorzieningen, one per theme, gemeenten, wijken, buurten).

Revision ID: 0005
Revises: 0004
"""

from importlib.resources import files

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0005_lagen.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0005_lagen.down.sql").read_text())

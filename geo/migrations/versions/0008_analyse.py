"""Coverage analysis: analyse_run, analyse_resultaat, analyse_locatievoorstel, laag_dekking.

Revision ID: 0008
Revises: 0007
"""

from importlib.resources import files

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0008_analyse.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0008_analyse.down.sql").read_text())

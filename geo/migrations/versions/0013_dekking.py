"""Coverage results an adviser can act on: judgement, edge effect and estimated 65+ per
result, shown in laag_dekking (docs/ANALYSIS.md §7).

Revision ID: 0013
Revises: 0012
"""

from importlib.resources import files

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0013_dekking.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0013_dekking.down.sql").read_text())

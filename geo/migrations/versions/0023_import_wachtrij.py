"""Import write path: layer rebuild without a per-id queue for whole-layer changes (issue 12).

Search documents of many services analyse each distinct text once (as 0010 did).

Revision ID: 0023
Revises: 0022
"""

from importlib.resources import files

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0023_import_wachtrij.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0023_import_wachtrij.down.sql").read_text())

"""Search: zoekdocument per service (full text + trigrams), demand signal, its layer.

Revision ID: 0006
Revises: 0005
"""

from importlib.resources import files

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0006_zoeken.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0006_zoeken.down.sql").read_text())

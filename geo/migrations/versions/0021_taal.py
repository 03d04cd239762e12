"""The language of a submitted form (issue 16, point 7): aanmelding.taal and melding.taal,
so the editors' answer by e-mail goes out in the language the resident used.

Revision ID: 0021
Revises: 0020
"""

from importlib.resources import files

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0021_taal.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0021_taal.down.sql").read_text())

"""The tiles' point copy in the tiles' terms (issue 17): tegel_punt keeps each point's Web
Mercator position and is written in order of place.

Revision ID: 0028
Revises: 0027
"""

from importlib.resources import files

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0028_tegel_webmercator.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0028_tegel_webmercator.down.sql").read_text())

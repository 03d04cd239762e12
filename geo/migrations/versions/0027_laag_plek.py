"""Box pages from a narrow copy of the stored rows' positions (issue 17): laag_geojson
keeps the view's geometry, and laag_plek (visibility, codes, geometry) follows it.

Revision ID: 0027
Revises: 0026
"""

from importlib.resources import files

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0027_laag_plek.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0027_laag_plek.down.sql").read_text())

"""Per-feature GeoJSON stored at write time (issue 17, point 2).

laag_geojson holds each published row's Feature text (CRS84), kept by statement triggers
and a deferred rebuild at commit; see geo/sql/0020_feature_json.up.sql.

Revision ID: 0020
Revises: 0019
"""

from importlib.resources import files

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"


def upgrade():
    op.execute((SQL / "0020_feature_json.up.sql").read_text())


def downgrade():
    op.execute((SQL / "0020_feature_json.down.sql").read_text())

"""Per-feature GeoJSON stored at write time and numberMatched per filter and data version (issue 17, point 2).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0020
Revises: 0019
"""

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

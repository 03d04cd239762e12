"""Per-layer count grid for bounding-box numberMatched (issue 17).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0028
Revises: 0027
"""

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

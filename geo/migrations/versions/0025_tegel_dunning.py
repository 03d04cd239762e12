"""Point thinning per zoom kept at write time (issue 17).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0025
Revises: 0024
"""

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

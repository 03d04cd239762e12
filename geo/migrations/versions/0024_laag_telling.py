"""Counts and offset anchors of published layers kept at write time (issue 17).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0024
Revises: 0023
"""

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

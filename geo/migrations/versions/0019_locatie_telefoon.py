"""Per-location phone numbers and the source of every record (issue 12, points 7).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0019
Revises: 0018
"""

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""Import write path: layer rebuild without a per-id queue for whole-layer changes (issue 12).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0023
Revises: 0022
"""

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

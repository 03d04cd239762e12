"""Vector tiles at the national overview zooms (issue 17).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0027
Revises: 0026
"""

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""One narrow point copy for tiles and the residents' map (issue 12).

Placeholder revision: filled in by the work on that issue.

Revision ID: 0026
Revises: 0025
"""

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""Point thinning per zoom kept at write time (issue 17): cells of tile thinning.

Revision ID: 0025
Revises: 0024
"""

import math
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SQL = files("geo") / "sql"
# The stored zooms and the cell size per zoom, as layers.tiles.thinning_cell computes them
# (migrations do not import layers; tests/layers/test_tiles_stored.py checks they agree).
# Below zoom 7 a cell holds a large part of the country: every edit would count it again;
# zooms 11 and 12 would hold three quarters of all cells (1 million rows at national size,
# counted again after a large import) while their tiles count the narrow copy quickly.
STORED_ZOOMS = range(7, 11)
_ORIGIN = 20037508.342789244
_EXTENT, _THIN_CELL = 4096, 64
_GROUND = math.cos(math.radians(51.0))


def cell_size(z: int) -> float:
    return _THIN_CELL * (2 * _ORIGIN / (_EXTENT * 2**z)) * _GROUND


def upgrade():
    op.execute((SQL / "0025_tegel_dunning.up.sql").read_text())
    for z in STORED_ZOOMS:
        op.execute(
            sa.text("INSERT INTO tegel_zoom (zoom, cel) VALUES (:z, :cel)").bindparams(
                z=z, cel=cell_size(z)
            )
        )
    op.execute("SELECT tegel_bijwerken(NULL)")


def downgrade():
    op.execute((SQL / "0025_tegel_dunning.down.sql").read_text())

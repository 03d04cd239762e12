"""Fixtures for record tests: a database with areas, postcodes and a small BAG sample.

``cli_app`` and ``seeded`` serve the hostile-import tests (test_hostile_*.py).
"""

from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file
from server import create_app
from tests.conftest import url_string

DATA = Path(__file__).resolve().parents[2] / "data"
TESTDATA = Path(__file__).resolve().parents[1] / "data"
CSV = TESTDATA / "organisaties_test.csv"


@pytest.fixture(scope="module")
def base_engine(databases):
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    load_bag(engine, TESTDATA / "bag_records.csv", bron="BAG (test)")
    yield engine
    engine.dispose()


@pytest.fixture
def rec_engine(base_engine):
    yield base_engine
    with base_engine.begin() as conn:
        conn.execute(
            sa.text("TRUNCATE organisatie, mogelijk_dubbel, import_run, wijziging CASCADE")
        )


@pytest.fixture(scope="module")
def cli_app(base_engine):
    """The app of ``base_engine``, for its CLI (``organisations import``)."""
    return create_app({"DATABASE_URL": url_string(base_engine.url), "TESTING": True})


@pytest.fixture
def seeded(rec_engine):
    """A database that already holds the test records (so 'unchanged' means something)."""
    result = import_file(rec_engine, CSV, "bestaand")
    assert result.inserted == 6
    return rec_engine

"""Fixtures for record tests: a database with areas, postcodes and a small BAG sample."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.gazetteer import load_bag, load_postcodes

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

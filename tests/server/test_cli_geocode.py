"""``sociale-kaart geocode``: load-bag and load-postcodes through Flask's CLI runner."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.db import make_engine
from server import create_app
from tests.conftest import url_string

BAG = Path(__file__).resolve().parents[1] / "data" / "bag_sample.csv"


@pytest.fixture
def cli(fresh_url):
    app = create_app({"DATABASE_URL": url_string(fresh_url), "TESTING": True})
    return app.test_cli_runner()


def _count(url, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return count


def test_load_bag_prints_summary_and_rejected_lines(cli, fresh_url):
    result = cli.invoke(args=["geocode", "load-bag", str(BAG), "--bron", "BAG-test"])
    assert result.exit_code == 0, result.output
    assert "BAG-adressen geladen uit bag_sample.csv" in result.output
    # gelezen, geladen, afgewezen, nieuw, gewijzigd, ongewijzigd, dubbel
    assert "│ 26 │ 21 │ 5 │ 20 │ 0 │ 0 │ 1 │" in re.sub(r"\s+", " ", result.output)
    assert "│ 22 │ postcode '621AB' is ongeldig │" in re.sub(r"\s+", " ", result.output)
    assert "7 kolommen in plaats van 8" in result.output
    assert _count(fresh_url, "adres") == 20


def test_load_bag_bad_file_is_one_clear_error(cli, fresh_url, tmp_path):
    bad = tmp_path / "adressen.csv"
    bad.write_text("postcode,huisnummer\n6211CL,78\n", encoding="utf-8")
    result = cli.invoke(args=["geocode", "load-bag", str(bad)])
    assert result.exit_code == 1
    assert "Error: adressen.csv is not a BAG address extract" in result.output
    assert "Traceback" not in result.output
    assert _count(fresh_url, "adres") == 0


def test_load_postcodes_defaults_to_the_shipped_files(cli, fresh_url):
    result = cli.invoke(args=["geocode", "load-postcodes"])
    assert result.exit_code == 0, result.output
    assert "Postcodes geladen" in result.output and "2781" in result.output
    assert _count(fresh_url, "postcode6") == 2781
    assert _count(fresh_url, "postcode4") == 140

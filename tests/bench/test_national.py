"""The synthetic nation (bench/national.py): reproducible, valid unique codes, real loaders."""

import re
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa

from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.bag_loader import load_bag
from geo.codes import CODE_PATTERN
from geo.db import make_engine
from geo.postcode_loader import load_postcodes
from geo.records.importer import import_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import national  # noqa: E402

COPIES, LOCATIONS = 2, 150
POSTCODE = re.compile(r"^[1-9]\d{3} ?[A-Z]{2}$")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("nation")
    return out, national.generate(out, COPIES, LOCATIONS, seed=7)


def test_same_seed_gives_byte_identical_files(small, tmp_path):
    out, _ = small
    national.generate(tmp_path, COPIES, LOCATIONS, seed=7)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 10
    for name in files:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_other_records(small, tmp_path):
    out, _ = small
    national.generate(tmp_path, COPIES, LOCATIONS, seed=8)
    assert (out / "organisaties.csv").read_bytes() != (tmp_path / "organisaties.csv").read_bytes()
    assert (out / "buurten.geojson").read_bytes() == (tmp_path / "buurten.geojson").read_bytes()


def test_codes_are_valid_cbs_codes_and_unique(small):
    out, counts = small
    for level, name in (("gemeente", "gemeenten"), ("wijk", "wijken"), ("buurt", "buurten")):
        frame = gpd.read_file(out / f"{name}.geojson")
        codes = frame[f"{level}code"]
        assert codes.str.match(CODE_PATTERN[level]).all(), level
        assert codes.is_unique, level
        assert (frame["synthetisch"] == "ja").all()
        assert frame.crs.to_epsg() == 28992
        x0, y0, x1, y1 = frame.total_bounds
        assert 0 <= x0 and x1 <= 300_000 and 300_000 <= y0 and y1 <= 625_000
    assert counts["buurten"] == COPIES * 421 and counts["gemeenten"] == COPIES * 16
    buurten = gpd.read_file(out / "buurten.geojson")
    assert (buurten["buurtcode"].str[2:8] == buurten["wijkcode"].str[2:]).all()
    assert (buurten["wijkcode"].str[2:6] == buurten["gemeentecode"].str[2:]).all()
    assert buurten["buurtnaam"].str.endswith((" S01", " S02")).all()
    assert buurten.geometry.is_valid.all()
    pc6 = pd.read_csv(out / "pc6.csv", dtype=str)["pc6"]
    addresses = pd.read_csv(out / "adressen.csv", dtype=str)["postcode"]
    assert pc6.is_unique and pc6.str.match(POSTCODE).all()
    assert addresses.str.match(POSTCODE).all()
    assert pd.read_csv(out / "pc4.csv", dtype=str)["pc4"].is_unique
    records = pd.read_csv(out / "organisaties.csv", dtype=str)
    assert records["id"].is_unique and (records["synthetisch"] == "ja").all()
    assert records.groupby("organisatie_id")["kvk"].nunique().eq(1).all()
    assert records.drop_duplicates("organisatie_id")["kvk"].is_unique


def test_the_largest_nation_still_has_valid_codes():
    source = national.read_source()
    most = national.max_copies(source)
    assert most * 421 >= 13_000
    last = national.Copy(source, most - 1, national.MAX_SIDE)
    assert re.fullmatch(CODE_PATTERN["gemeente"], "GM" + max(last.gm.values()))
    assert int(max(last.pc4.values())) <= 9999
    assert last.dx + source.buurten.total_bounds[2] <= 300_000
    assert last.dy + source.buurten.total_bounds[3] <= 625_000
    seen = set()
    for k in range(most):
        gms = set(national.Copy(source, k, national.MAX_SIDE).gm.values())
        assert not gms & seen
        seen |= gms
    with pytest.raises(ValueError, match="copies must be"):
        national.generate(Path("/nonexistent"), most + 1)


def test_the_real_loaders_read_every_file(small, databases):
    out, counts = small
    engine = make_engine(databases.create())
    try:
        areas = load_areas(engine, AreaSources.from_manifest(out / "gebieden.toml"))
        assert areas["buurt"]["inserted"] == counts["buurten"]
        assert areas["gemeente"]["inserted"] == counts["gemeenten"]
        postcodes = load_postcodes(engine, out / "pc6.csv", out / "pc4.csv", out / "pc4.geojson")
        assert postcodes["pc6"]["inserted"] == counts["pc6"]
        bag = load_bag(engine, out / "adressen.csv", bron="synthetisch (nation)")
        assert bag["rejected"] == 0 and bag["inserted"] == counts["adressen"]
        result = import_file(engine, out / "organisaties.csv", "synthetisch (nation)")
        assert result.rejected == 0 and result.inserted == counts["rijen"]
        with engine.connect() as conn:
            located = conn.execute(
                sa.text(
                    "SELECT count(*), count(*) FILTER (WHERE geocode_precisie = 'adres') "
                    "FROM locatie"
                )
            ).one()
            services = conn.execute(sa.text("SELECT count(*) FROM aanbod")).scalar()
            source = conn.execute(sa.text("SELECT DISTINCT bron FROM gebied")).scalars().all()
        assert located == (counts["locaties"], counts["locaties"])
        assert services == counts["aanbod"]
        assert source == [national.SOURCE]
    finally:
        engine.dispose()

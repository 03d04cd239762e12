"""Loading CBS areas: counts, reprojection, population, idempotence, all-or-nothing failures."""

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.db import make_engine
from geo.errors import AreaLoadError

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def fresh_engine(fresh_url):
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def _counts(engine):
    with engine.connect() as conn:
        return dict(
            conn.execute(sa.text("SELECT niveau, count(*) FROM gebied GROUP BY niveau")).all()
        )


def _copy_sources(tmp_path) -> Path:
    """A writable copy of the shipped manifest and its files."""
    for name in (
        "gebieden.toml",
        "gemeenten_limburg_2023.geojson",
        "wijken_zuid_limburg_2023_generalised.geojson",
        "buurten_zuid_limburg_2022_generalised.geojson",
        "kerncijfers_2024_gemeente_wijk_zuid_limburg.csv",
    ):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path / "gebieden.toml"


def _edit_features(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data["features"])
    path.write_text(json.dumps(data), encoding="utf-8")


def test_shipped_areas_load_with_population(engine):
    # The session database was loaded from the shipped manifest by conftest.
    assert _counts(engine) == {"gemeente": 16, "wijk": 93, "buurt": 421}
    with engine.connect() as conn:
        buurt_total = conn.execute(
            sa.text(
                "SELECT sum(inwoners) FROM bevolking b JOIN gebied g ON g.code = b.gebiedcode "
                "WHERE g.niveau = 'buurt' AND b.jaar = 2024"
            )
        ).scalar()
        heerlen = conn.execute(
            sa.text("SELECT inwoners FROM bevolking WHERE gebiedcode = 'GM0917' AND jaar = 2024")
        ).scalar()
        srids = conn.execute(sa.text("SELECT DISTINCT ST_SRID(geom) FROM gebied")).scalars().all()
        all_valid = conn.execute(sa.text("SELECT bool_and(ST_IsValid(geom)) FROM gebied")).scalar()
    assert buurt_total == 600_355  # README of the data: total of the 421 buurten
    assert heerlen == 87_461
    assert srids == [28992] and all_valid


def test_reprojection_puts_maastricht_markt_in_centre_buurt(engine):
    # Markt, Maastricht: RD New about (176 400, 317 900); lies in wijk 00 Centrum of Maastricht.
    with engine.connect() as conn:
        wijk = conn.execute(
            sa.text(
                "SELECT code FROM gebied WHERE niveau = 'wijk' AND "
                "ST_Intersects(geom, ST_Transform(ST_SetSRID(ST_Point(5.6913, 50.8514), 4326), 28992))"
            )
        ).scalar()
        x, y = conn.execute(
            sa.text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM gebied "
                "WHERE code = 'GM0935') s"
            )
        ).one()
    assert wijk == "WK093500"
    assert 170_000 < x < 185_000 and 310_000 < y < 325_000


def test_reload_is_idempotent(fresh_engine):
    sources = AreaSources.from_manifest(DATA / "gebieden.toml")
    first = load_areas(fresh_engine, sources)
    second = load_areas(fresh_engine, sources)
    assert first["buurt"] == {"read": 421, "inserted": 421, "updated": 0, "unchanged": 0}
    assert second["buurt"] == {"read": 421, "inserted": 0, "updated": 0, "unchanged": 421}
    assert second["gemeente"]["unchanged"] == 16 and second["wijk"]["unchanged"] == 93
    assert _counts(fresh_engine) == {"gemeente": 16, "wijk": 93, "buurt": 421}


def test_changed_name_is_an_update(fresh_engine, tmp_path):
    manifest = _copy_sources(tmp_path)
    load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    _edit_features(
        tmp_path / "buurten_zuid_limburg_2022_generalised.geojson",
        lambda feats: feats[0]["properties"].update(buurtnaam="Nieuwe naam"),
    )
    summary = load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    assert summary["buurt"]["updated"] == 1 and summary["buurt"]["unchanged"] == 420


def _break_parent(feats):
    feats[0]["properties"]["buurtcode"] = "BU09179900"  # wijk WK091799 does not exist
    feats[0]["properties"]["wijkcode"] = "WK091799"
    feats[0]["properties"]["gemeentecode"] = "GM0917"


def _bow_tie(feats):
    feats[3]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[5.9, 50.9], [5.91, 50.91], [5.91, 50.9], [5.9, 50.91], [5.9, 50.9]]],
    }


def _bad_code(feats):
    feats[1]["properties"]["buurtcode"] = "BU12"


def _disagreeing_parent(feats):
    feats[2]["properties"]["wijkcode"] = "WK093501"


BROKEN = [
    (_break_parent, r"parent wijk code\(s\).*WK091799"),
    (_bow_tie, r"invalid polygon"),
    (_bad_code, r"do not match the CBS format"),
    (_disagreeing_parent, r"wijkcode disagrees with the code"),
]


@pytest.mark.parametrize("edit,message", BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_bad_file_fails_clearly_and_changes_nothing(fresh_engine, tmp_path, edit, message):
    manifest = _copy_sources(tmp_path)
    load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    with fresh_engine.connect() as conn:
        before = conn.execute(
            sa.text(
                "SELECT md5(string_agg(code || naam || ST_AsEWKB(geom)::text"
                ", ',' ORDER BY code)) FROM gebied"
            )
        ).scalar()
    _edit_features(tmp_path / "buurten_zuid_limburg_2022_generalised.geojson", edit)
    with pytest.raises(AreaLoadError, match=message):
        load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    with fresh_engine.connect() as conn:
        after = conn.execute(
            sa.text(
                "SELECT md5(string_agg(code || naam || ST_AsEWKB(geom)::text"
                ", ',' ORDER BY code)) FROM gebied"
            )
        ).scalar()
    assert before == after


def test_unreadable_file_fails_with_one_sentence(fresh_engine, tmp_path):
    manifest = _copy_sources(tmp_path)
    (tmp_path / "wijken_zuid_limburg_2023_generalised.geojson").write_text("{ not json")
    with pytest.raises(AreaLoadError, match=r"Cannot read wijken_zuid_limburg_2023"):
        load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    assert _counts(fresh_engine) == {}


def test_missing_manifest_entry_is_reported(tmp_path):
    (tmp_path / "m.toml").write_text("[gemeente]\nbestand = 'x.geojson'\njaar = 2023\n")
    with pytest.raises(AreaLoadError, match="not usable"):
        AreaSources.from_manifest(tmp_path / "m.toml")


def test_database_refusal_rolls_back_everything(fresh_engine, tmp_path, monkeypatch):
    """A failure inside the transaction (here: in the population step) leaves no areas behind."""
    import geo.area_store as store

    manifest = _copy_sources(tmp_path)
    monkeypatch.setattr(
        store, "UPSERT_POPULATION", store.UPSERT_POPULATION.replace(":inwoners,", "-1,", 1)
    )
    with pytest.raises(AreaLoadError, match="refused"):
        load_areas(fresh_engine, AreaSources.from_manifest(manifest))
    assert _counts(fresh_engine) == {}

"""Gazetteer loaders: the BAG extract (COPY + one upsert) and the CBS PC6/PC4 files."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.db import make_engine
from geo.gazetteer import GazetteerError, normalise_postcode
from geo.postcode_loader import load_postcodes

DATA = Path(__file__).resolve().parents[2] / "data"
BAG = Path(__file__).resolve().parents[1] / "data" / "bag_sample.csv"
PC6 = DATA / "pc6_maastricht_centroids_cbs2021.csv"
PC4 = DATA / "pc4_zuid_limburg.csv"
HEADER = "postcode,huisnummer,huisletter,toevoeging,straat,woonplaats,x,y\n"
SAMPLE_REJECTS = [
    (22, "postcode '621AB' is ongeldig"),
    (23, "huisnummer '12a' is geen getal 1-99999"),
    (24, "x of y ontbreekt"),
    (25, "x/y (6, 51) ligt buiten Nederland"),
    (26, "7 kolommen in plaats van 8"),
]


@pytest.fixture
def fresh_engine(fresh_url):
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def _addresses(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT postcode, huisnummer, huisletter, toevoeging, straat, woonplaats, "
                "ST_X(geom), ST_Y(geom), ST_SRID(geom), bron FROM adres"
            )
        ).all()
    return {tuple(r[:4]): tuple(r[4:]) for r in rows}


def test_sample_loads_good_rows_and_reports_bad_ones(fresh_engine):
    summary = load_bag(fresh_engine, BAG, bron="BAG-test")
    assert summary == {
        "read": 26,
        "loaded": 21,
        "rejected": 5,
        "rejects": SAMPLE_REJECTS,
        "inserted": 20,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
    }
    rows = _addresses(fresh_engine)
    assert len(rows) == 20
    assert rows[("6211LD", 18, "A", "")] == (
        "Vrijthof",
        "Maastricht",
        176232.5,
        317684.0,
        28992,
        "BAG-test",
    )
    assert rows[("6416EC", 120, "", "A2")][:4] == ("Heerlerbaan", "Heerlen", 197990.0, 321540.0)
    # Postcode with a space and a lower-case huisletter are normalised.
    assert rows[("6225AB", 3, "B", "")][2:4] == (178920.0, 318800.0)
    # The same address twice: the last line (27) wins.
    assert rows[("6211CL", 78, "", "")][2:4] == (176421.0, 317956.0)


def _indexes(engine) -> set:
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'adres'")
            ).scalars()
        )


def test_first_load_rebuilds_the_same_indexes_and_analyses(fresh_engine):
    before = _indexes(fresh_engine)
    load_bag(fresh_engine, BAG)
    assert _indexes(fresh_engine) == before
    with fresh_engine.connect() as conn:
        analysed = conn.execute(
            sa.text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'adres'"
            )
        )
        assert analysed.scalar()


def test_reload_is_idempotent_and_counts_updates(fresh_engine, tmp_path):
    load_bag(fresh_engine, BAG)
    again = load_bag(fresh_engine, BAG)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 20)
    changed = tmp_path / "bag.csv"
    changed.write_text(
        HEADER + "6211CS,1,,,Markt,Maastricht,176411.5,317905.2\n"
        "6211CS,2,,,Markt,Maastricht,176415.0,317910.0\n",
        encoding="utf-8",
    )
    summary = load_bag(fresh_engine, changed)
    assert summary == {
        "read": 2,
        "loaded": 2,
        "rejected": 0,
        "rejects": [],
        "inserted": 1,
        "updated": 1,
        "unchanged": 0,
        "duplicates": 0,
    }
    assert _addresses(fresh_engine)[("6211CS", 1, "", "")][2] == 176411.5


def test_semicolons_comma_decimals_and_other_column_order(fresh_engine, tmp_path):
    path = tmp_path / "bag.csv"
    path.write_text(
        "\ufeffX;Y;Woonplaats;Straat;Postcode;Huisnummer;Huisletter;Toevoeging;id\n"
        "176420,5;317950,25;Maastricht;Markt;6211 cl;0078;;;1\n"
        "\n"
        "176420;317950;Maastricht;Markt;6211CL;79;;a-1;2\n",
        encoding="utf-8",
    )
    summary = load_bag(fresh_engine, path)
    assert (summary["loaded"], summary["rejected"]) == (2, 0)
    rows = _addresses(fresh_engine)
    assert rows[("6211CL", 78, "", "")][:4] == ("Markt", "Maastricht", 176420.5, 317950.25)
    assert ("6211CL", 79, "", "A1") in rows


def test_progress_reports_bytes(fresh_engine):
    calls = []
    load_bag(
        fresh_engine, BAG, progress=lambda step, done, total: calls.append((step, done, total))
    )
    size = BAG.stat().st_size
    assert ("BAG-adressen lezen", size, size) in calls
    assert calls[-1] == ("Adressen opslaan", 0, 0)


@pytest.mark.parametrize(
    "content,message",
    [
        (
            "postcode,huisnummer,straat,woonplaats,x,y\n6211CL,78,Markt,Maastricht,1,1\n",
            r"bag\.csv is not a BAG address extract: column\(s\) huisletter, toevoeging missing",
        ),
        ("", r"column\(s\) postcode, huisnummer, huisletter, toevoeging, straat, woonplaats, x, y"),
    ],
    ids=["missing-columns", "empty"],
)
def test_unparseable_file_fails_and_changes_nothing(fresh_engine, tmp_path, content, message):
    load_bag(fresh_engine, BAG)
    path = tmp_path / "bag.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        load_bag(fresh_engine, path)
    assert len(_addresses(fresh_engine)) == 20


def test_non_utf8_file_fails_and_changes_nothing(fresh_engine, tmp_path):
    path = tmp_path / "bag.csv"
    path.write_bytes(
        (
            HEADER + "6211CL,78,,,Markt,Maastricht,176420,317950\n"
            "6211CL,80,,,Mark\xe9,Maastricht,176420,317950\n"
        ).encode("cp1252")
    )
    with pytest.raises(GazetteerError, match=r"bag\.csv is not UTF-8 text; save it as UTF-8\."):
        load_bag(fresh_engine, path)
    assert _addresses(fresh_engine) == {}


def test_missing_file_is_one_clear_error(fresh_engine, tmp_path):
    with pytest.raises(GazetteerError, match=r"Cannot read .*nope\.csv: no such file\."):
        load_bag(fresh_engine, tmp_path / "nope.csv")


def test_normalise_postcode():
    assert normalise_postcode(" 6211 cl ") == "6211CL"
    assert normalise_postcode("0211CL") is None
    assert normalise_postcode("6211") is None
    assert normalise_postcode(None) is None


def test_postcodes_load_reprojected_and_idempotent(fresh_engine):
    first = load_postcodes(fresh_engine, PC6, PC4)
    assert first == {
        "pc6": {"read": 2781, "inserted": 2781, "updated": 0, "unchanged": 0},
        "pc4": {"read": 140, "inserted": 140, "updated": 0, "unchanged": 0},
    }
    second = load_postcodes(fresh_engine, PC6, PC4)
    assert second["pc6"]["unchanged"] == 2781 and second["pc4"]["unchanged"] == 140
    with fresh_engine.connect() as conn:
        pc6 = conn.execute(
            sa.text(
                "SELECT round(ST_X(geom)::numeric, 1)::float8, round(ST_Y(geom)::numeric, 1)::float8, "
                "ST_SRID(geom), "
                "inwoners, inwoners_65plus, huishoudens, jaar, bron FROM postcode6 "
                "WHERE pc6 = '6211AL'"
            )
        ).one()
        no_figures = conn.execute(
            sa.text("SELECT inwoners FROM postcode6 WHERE pc6 = '6229EN'")
        ).scalar_one()
        pc4 = conn.execute(
            sa.text(
                "SELECT round(ST_X(geom)::numeric, 1)::float8, round(ST_Y(geom)::numeric, 1)::float8, "
                "plaats, "
                "gemeentecode, inwoners, inwoners_65plus, inwoners_80plus, jaar, bron, "
                "ST_SRID(vlak), ST_IsValid(vlak), ST_Intersects(vlak, geom) "
                "FROM postcode4 WHERE pc4 = '6411'"
            )
        ).one()
        polygons = conn.execute(
            sa.text("SELECT count(vlak), bool_and(ST_IsValid(vlak)) FROM postcode4")
        ).one()
    assert tuple(pc6) == (
        176480.3,
        318423.0,
        28992,
        225,
        10,
        215,
        2021,
        "CBS Kerncijfers per postcode (PC6) 2021",
    )
    assert no_figures is None
    assert tuple(pc4[:9]) == (
        195561.7,
        322143.7,
        "Heerlen",
        "GM0917",
        7765,
        2155,
        650,
        2021,
        "CBS Kerncijfers per postcode (PC4) 2020; CBS 83502NED/83503NED 2021",
    )
    assert tuple(pc4[9:]) == (28992, True, True)
    assert tuple(polygons) == (140, True)


def test_postcodes_without_polygon_file(fresh_engine, tmp_path):
    pc4 = tmp_path / "pc4.csv"
    pc4.write_text(PC4.read_text(encoding="utf-8"), encoding="utf-8")
    summary = load_postcodes(fresh_engine, PC6, pc4)
    assert summary["pc4"]["inserted"] == 140
    with fresh_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(vlak) FROM postcode4")).scalar() == 0


def test_postcode_file_missing_a_column_changes_nothing(fresh_engine, tmp_path):
    bad = tmp_path / "pc4.csv"
    bad.write_text("pc4,plaats,lon,lat\n6411,Heerlen,5.9,50.9\n", encoding="utf-8")
    with pytest.raises(
        GazetteerError,
        match=r"pc4\.csv lacks column\(s\) gemeentecode, "
        r"inwoners_2021",
    ):
        load_postcodes(fresh_engine, PC6, bad)
    with fresh_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM postcode6")).scalar() == 0


def test_postcode_refused_by_database_changes_nothing(fresh_engine, tmp_path):
    bad = tmp_path / "pc6.csv"
    bad.write_text(
        "pc6,lat,lon,inwoners,inw_65plus,huishoudens\n"
        "6211AL,50.85,5.69,10,5,5\n0211AL,50.85,5.69,10,5,5\n",
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError, match="The database refused the postcodes"):
        load_postcodes(fresh_engine, bad, PC4)
    with fresh_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM postcode6")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM postcode4")).scalar() == 0

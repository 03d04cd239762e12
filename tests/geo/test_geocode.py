"""The geocoding cascade: each step, each refusal, manual coordinates, the online cache."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.bag_loader import load_bag
from geo.db import make_engine
from geo.geocode import (
    FOUT_BUITEN_GEBIED,
    FOUT_BUITEN_NL,
    FOUT_NIET_GEVONDEN,
    GeocodeError,
    create_stage,
    geocode_address,
    geocode_stage,
)
from geo.postcode_loader import load_postcodes

DATA = Path(__file__).resolve().parents[2] / "data"
BAG = Path(__file__).resolve().parents[1] / "data" / "bag_sample.csv"
PC6_BRON = "CBS Kerncijfers per postcode (PC6) 2021"
PC4_BRON = "CBS Kerncijfers per postcode (PC4) 2020; CBS 83502NED/83503NED 2021"
PC6_6211AL = (176480.3, 318423.0)  # CBS PC6 point of 6211AL, rounded to 0.1 m
PC4_6411 = (195561.7, 322143.7)  # CBS PC4 point of 6411 (Heerlen)
OUTSIDE_9999ZZ = (
    "Postcode 9999 ZZ ligt buiten het gebied dat geladen is (postcodes 6100-6499). "
    "Laad de gebieden van die gemeente of controleer de postcode."
)
ZEROS = {
    "handmatig": 0,
    "adres": 0,
    "pc6": 0,
    "pc4": 0,
    "buiten_nederland": 0,
    "buiten_gebied": 0,
    "niet_gevonden": 0,
    "overig": 0,
    "online_gevraagd": 0,
    "cache_gebruikt": 0,
}
INSERT = sa.text(
    "INSERT INTO geocode_stage (sleutel, postcode, huisnummer, huisletter, toevoeging, "
    "straat, woonplaats, x, y, geocode_fout) VALUES (:sleutel, :postcode, :huisnummer, "
    ":huisletter, :toevoeging, :straat, :woonplaats, :x, :y, :geocode_fout)"
)
READ = sa.text(
    "SELECT sleutel, round(ST_X(geom)::numeric, 1)::float8, round(ST_Y(geom)::numeric, 1)::float8, "
    "geocode_precisie, geocode_bron, geocode_fout FROM geocode_stage ORDER BY sleutel"
)


@pytest.fixture(scope="module")
def geo_engine(databases):
    """A database of our own with areas, postcodes and the BAG sample."""
    engine = databases.create_with_areas()
    load_postcodes(
        engine, DATA / "pc6_maastricht_centroids_cbs2021.csv", DATA / "pc4_zuid_limburg.csv"
    )
    load_bag(engine, BAG, bron="BAG-test")
    yield engine
    engine.dispose()


@pytest.fixture
def conn(geo_engine):
    """A connection in a transaction that is rolled back (also the geocode cache)."""
    with geo_engine.connect() as conn:
        conn.begin()
        yield conn
        conn.rollback()


def _row(
    sleutel,
    postcode=None,
    huisnummer=None,
    huisletter="",
    toevoeging="",
    straat=None,
    woonplaats=None,
    x=None,
    y=None,
    geocode_fout=None,
) -> dict:
    return dict(
        sleutel=sleutel,
        postcode=postcode,
        huisnummer=huisnummer,
        huisletter=huisletter,
        toevoeging=toevoeging,
        straat=straat,
        woonplaats=woonplaats,
        x=x,
        y=y,
        geocode_fout=geocode_fout,
    )


def _geocode(conn, rows, **kwargs):
    create_stage(conn)
    conn.execute(INSERT, rows)
    counts = geocode_stage(conn, **kwargs)
    return counts, {r[0]: tuple(r[1:]) for r in conn.execute(READ).all()}


def test_each_step_of_the_cascade(conn):
    counts, rows = _geocode(
        conn,
        [
            _row("01-handmatig", "6211LD", 18, x=176100.0, y=317500.0),
            _row("02-exact", "6211LD", 18, "A"),
            _row("03-zonder-letter", "6211LD", 18),
            _row("04-letter-onbekend", "6211LD", 18, "C"),
            _row("05-toevoeging-onbekend", "6211LD", 20, "", "3"),
            _row("06-toevoeging", "6211LD", 20, "", "2"),
            _row("07-straat", None, 18, "a", "", " vrijthof ", "MAASTRICHT"),
            _row("08-pc6", "6211AL", 999),
            _row("09-pc6-zonder-nummer", "6211AL"),
            _row("10-pc4", "6411XX", 1),
            _row("11-onbekend", "9999ZZ", 1),
            _row("12-leeg"),
            _row("13-postbus-pc4", "6200AC", 1),  # a PO-box PC4 of the region: no PC4 point
        ],
    )
    assert rows == {
        "01-handmatig": (176100.0, 317500.0, "handmatig", "bestand", None),
        "02-exact": (176232.5, 317684.0, "adres", "BAG-test", None),
        "03-zonder-letter": (176230.0, 317680.0, "adres", "BAG-test", None),
        "04-letter-onbekend": (176230.0, 317680.0, "adres", "BAG-test", None),
        "05-toevoeging-onbekend": (176240.0, 317670.0, "adres", "BAG-test", None),
        "06-toevoeging": (176241.0, 317671.0, "adres", "BAG-test", None),
        "07-straat": (176232.5, 317684.0, "adres", "BAG-test", None),
        "08-pc6": (*PC6_6211AL, "pc6", PC6_BRON, None),
        "09-pc6-zonder-nummer": (*PC6_6211AL, "pc6", PC6_BRON, None),
        "10-pc4": (*PC4_6411, "pc4", PC4_BRON, None),
        "11-onbekend": (None, None, None, None, OUTSIDE_9999ZZ),
        "12-leeg": (None, None, None, None, FOUT_NIET_GEVONDEN),
        "13-postbus-pc4": (None, None, None, None, FOUT_NIET_GEVONDEN),
    }
    assert counts == ZEROS | {
        "handmatig": 1,
        "adres": 6,
        "pc6": 2,
        "pc4": 1,
        "buiten_gebied": 1,
        "niet_gevonden": 2,
    }


def test_a_postcode_outside_the_loaded_region_says_so(conn):
    """Point 8 of issue 12: not "niet gevonden" but where it lies and what to do."""
    counts, rows = _geocode(
        conn,
        [
            _row("groningen", "9711 ab", 5),
            _row("postbus-maastricht", "6200AC"),
            _row("postbus-heerlen", "6400 AC", 1),
            _row("sittard-onbekend", "6198ZZ", 1),
        ],
    )
    assert rows["groningen"][4] == (
        "Postcode 9711 AB ligt buiten het gebied dat geladen is (postcodes 6100-6499). "
        "Laad de gebieden van die gemeente of controleer de postcode."
    )
    for key in ("postbus-maastricht", "postbus-heerlen", "sittard-onbekend"):
        assert rows[key][4] == FOUT_NIET_GEVONDEN
    assert counts == ZEROS | {"buiten_gebied": 1, "niet_gevonden": 3}


def test_without_loaded_postcodes_no_postcode_is_outside(fresh_url):
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        counts, rows = _geocode(conn, [_row("groningen", "9711AB", 5)])
        conn.rollback()
    engine.dispose()
    assert rows["groningen"][4] == FOUT_NIET_GEVONDEN
    assert counts == ZEROS | {"niet_gevonden": 1}


def test_postcode_and_letters_are_normalised(conn):
    _, rows = _geocode(
        conn,
        [
            _row("a", " 6211 ld ", 18, " a ", None),
            _row("b", "6211ld", 20, "", "-2"),
            _row("c", "not a postcode", 18),
        ],
    )
    assert rows["a"] == (176232.5, 317684.0, "adres", "BAG-test", None)
    assert rows["b"] == (176241.0, 317671.0, "adres", "BAG-test", None)
    assert rows["c"][2:] == (None, None, FOUT_NIET_GEVONDEN)
    assert conn.execute(
        sa.text("SELECT postcode, huisletter, toevoeging FROM geocode_stage ORDER BY sleutel")
    ).all() == [("6211LD", "A", ""), ("6211LD", "", "2"), (None, "", "")]


def test_points_outside_the_netherlands_or_the_region_are_refused(conn):
    counts, rows = _geocode(
        conn,
        [
            _row("amsterdam", "6211CL", 78, x=121000.0, y=487000.0),
            _row("belgie-dichtbij", x=170000.0, y=318000.0),  # 2.8 km from Maastricht
            _row("buiten-nl", "6211CL", 78, x=350000.0, y=300000.0),
            _row("lon-lat", x=5.6913, y=50.8514),
            _row("zelf-afgewezen", "6211CL", 78, geocode_fout="eigen reden"),
        ],
    )
    assert rows == {
        "amsterdam": (None, None, None, None, FOUT_BUITEN_GEBIED),
        "belgie-dichtbij": (170000.0, 318000.0, "handmatig", "bestand", None),
        "buiten-nl": (None, None, None, None, FOUT_BUITEN_NL),
        "lon-lat": (None, None, None, None, FOUT_BUITEN_NL),
        "zelf-afgewezen": (None, None, None, None, "eigen reden"),
    }
    assert counts == ZEROS | {
        "handmatig": 1,
        "buiten_nederland": 2,
        "buiten_gebied": 1,
        "overig": 1,
    }


def test_region_buffer_is_configurable(conn):
    counts, rows = _geocode(conn, [_row("belgie", x=170000.0, y=318000.0)], region_buffer_m=1000)
    assert rows["belgie"] == (None, None, None, None, FOUT_BUITEN_GEBIED)
    assert counts["buiten_gebied"] == 1


EDGE = sa.text(
    "WITH r AS (SELECT ST_Union(geom) AS geom FROM gebied WHERE niveau = 'gemeente'), "
    "c AS (SELECT ST_ClosestPoint(r.geom, p.geom) AS c, p.geom AS p FROM r, "
    "(SELECT ST_SetSRID(ST_MakePoint(:x, :y), 28992) AS geom) p) "
    "SELECT ST_X(c) + (ST_X(p) - ST_X(c)) * :d / ST_Distance(c, p), "
    "ST_Y(c) + (ST_Y(p) - ST_Y(c)) * :d / ST_Distance(c, p) FROM c"
)


def test_a_large_stage_refuses_the_same_points_outside_the_region(conn, monkeypatch):
    """Over 5,000 points the region test first checks the gemeenten cut in small parts
    (geo.region_check.REGION_PARTS): the same points are refused as point by point, also
    half a metre either side of the buffer."""
    rows = [
        _row(f"r{i:02d}-{j:02d}", x=150_000.0 + 600 * i + j, y=290_000.0 + 600 * j + i)
        for i in range(100)
        for j in range(100)
    ]
    for k, (x, y) in enumerate([(170_000.0, 300_000.0), (150_000.0, 340_000.0)]):
        for d in (4999.5, 5000.5):
            ex, ey = conn.execute(EDGE, {"x": x, "y": y, "d": d}).one()
            rows.append(_row(f"rand-{k}-{d}", x=ex, y=ey))
    counts, parts = _geocode(conn, rows)
    assert conn.execute(sa.text("SELECT count(*) FROM gemeente_deel")).scalar_one() > 16
    conn.execute(sa.text("DROP TABLE geocode_stage"))
    monkeypatch.setattr("geo.region_check.REGION_PARTS_FROM", len(rows) + 1)
    direct_counts, direct = _geocode(conn, rows)
    assert parts == direct and counts == direct_counts
    assert 1000 < counts["buiten_gebied"] < 9000
    for k in range(2):
        assert parts[f"rand-{k}-4999.5"][4] is None
        assert parts[f"rand-{k}-5000.5"][4] == FOUT_BUITEN_GEBIED


def test_without_gemeenten_the_region_check_is_skipped(fresh_url):
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        counts, rows = _geocode(
            conn,
            [_row("amsterdam", x=121000.0, y=487000.0), _row("buiten-nl", x=-10.0, y=300000.0)],
        )
        conn.rollback()
    engine.dispose()
    assert rows == {
        "amsterdam": (121000.0, 487000.0, "handmatig", "bestand", None),
        "buiten-nl": (None, None, None, None, FOUT_BUITEN_NL),
    }
    assert counts == ZEROS | {"handmatig": 1, "buiten_nederland": 1}


def test_a_second_run_only_touches_open_rows(conn):
    counts, _ = _geocode(conn, [_row("a", "6211LD", 18), _row("b", "9999ZZ", 1)])
    conn.execute(INSERT, [_row("c", "6411XX", 1)])
    again = geocode_stage(conn)
    assert {r[0]: r[3] for r in conn.execute(READ).all()} == {"a": "adres", "b": None, "c": "pc4"}
    assert again == ZEROS | {"adres": 1, "pc4": 1, "buiten_gebied": 1}


class FakeGeocoder:
    """An online geocoder that answers from a dict and counts the questions."""

    bron = "Nep-geocoder"

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def __call__(self, query):
        self.asked.append(query["postcode"] or query["straat"])
        return self.answers.get(query["postcode"] or query["straat"])


MISS = {"precisie": None, "x": None, "y": None, "antwoord": {"numFound": 0}}
ONLINE_ANSWERS = {
    "6200AB": {
        "precisie": "adres",
        "x": 176300.0,
        "y": 317800.0,
        "antwoord": {"weergavenaam": "Nepstraat 1, 6200AB Maastricht"},
    },
    "6200AC": MISS,
    "6200AD": None,  # the service could not be reached
    "Nergensweg": {"precisie": "pc6", "x": 195600.0, "y": 322200.0, "antwoord": None},
}


def test_online_geocoder_fills_and_uses_the_cache(geo_engine):
    fake = FakeGeocoder(ONLINE_ANSWERS)
    rows = [
        _row("1", "6200AB", 1),
        _row("1-bis", "6200AB", 1),
        _row("2", "6200AC", 1),
        _row("3", "6200AD", 1),
        _row("4", None, 5, "", "", "Nergensweg", "Heerlen"),
        _row("5", "6211LD", 18),
    ]
    try:
        with geo_engine.begin() as conn:
            first, result = _geocode(conn, rows, online=fake)
        assert sorted(fake.asked) == ["6200AB", "6200AC", "6200AD", "Nergensweg"]
        assert result == {
            "1": (176300.0, 317800.0, "adres", "Nep-geocoder", None),
            "1-bis": (176300.0, 317800.0, "adres", "Nep-geocoder", None),
            "2": (None, None, None, None, FOUT_NIET_GEVONDEN),
            "3": (None, None, None, None, FOUT_NIET_GEVONDEN),
            "4": (195600.0, 322200.0, "pc6", "Nep-geocoder", None),
            "5": (176230.0, 317680.0, "adres", "BAG-test", None),
        }
        assert first == ZEROS | {
            "adres": 3,
            "pc6": 1,
            "niet_gevonden": 2,
            "online_gevraagd": 4,
            "cache_gebruikt": 0,
        }
        with geo_engine.connect() as conn:
            cache = conn.execute(
                sa.text(
                    "SELECT sleutel, bron, ST_X(geom), precisie, antwoord FROM geocode_cache "
                    'ORDER BY sleutel COLLATE "C"'
                )
            ).all()
        assert cache == [
            (
                "Nep-geocoder|6200AB|1||||",
                "Nep-geocoder",
                176300.0,
                "adres",
                {"weergavenaam": "Nepstraat 1, 6200AB Maastricht"},
            ),
            ("Nep-geocoder|6200AC|1||||", "Nep-geocoder", None, None, {"numFound": 0}),
            ("Nep-geocoder||5|||nergensweg|heerlen", "Nep-geocoder", 195600.0, "pc6", None),
        ]
        fake.asked.clear()
        with geo_engine.begin() as conn:
            second, again = _geocode(conn, rows, online=fake)
        assert fake.asked == ["6200AD"]  # only the one that failed is asked again
        assert again == result
        assert second == first | {"online_gevraagd": 1, "cache_gebruikt": 3}
    finally:
        with geo_engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE geocode_cache"))


def test_online_answer_outside_the_region_is_refused(conn):
    fake = FakeGeocoder(
        {"6200AB": {"precisie": "adres", "x": 121000.0, "y": 487000.0, "antwoord": None}}
    )
    counts, rows = _geocode(conn, [_row("1", "6200AB", 1)], online=fake)
    assert rows["1"] == (None, None, None, None, FOUT_BUITEN_GEBIED)
    assert counts["buiten_gebied"] == 1 and counts["online_gevraagd"] == 1


def test_geocode_address_single_lookup(geo_engine, conn):
    found = geocode_address(conn, "6211 ld", 18, "a")
    assert found is not None
    assert (found["x"], found["y"], found["precisie"], found["bron"]) == (
        176232.5,
        317684.0,
        "adres",
        "BAG-test",
    )
    assert (round(found["lon"], 4), round(found["lat"], 4)) == (5.6887, 50.8486)
    # The stage is dropped, so the connection can look up again.
    assert geocode_address(conn, "6411 XX", 1)["precisie"] == "pc4"
    assert geocode_address(conn, "9999ZZ", 1) is None
    assert (
        geocode_address(conn, straat="Vrijthof", woonplaats="Maastricht", huisnummer=18)["bron"]
        == "BAG-test"
    )
    assert geocode_address(geo_engine, "6211AL")["precisie"] == "pc6"


def test_geocode_address_refuses_a_stage_in_use(conn):
    create_stage(conn)
    with pytest.raises(GeocodeError, match="geocode_stage in use"):
        geocode_address(conn, "6211LD", 18)

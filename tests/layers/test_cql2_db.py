"""CQL2 filters compiled by layers.cql2 and run against the real PostGIS views."""

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pyproj import Transformer

from layers.catalog import load_catalog
from layers.cql2 import compile_filter, queryables
from layers.errors import FilterError
from tests.layers.test_cql2 import assert_safe

MAASTRICHT = (5.6913, 50.8514)  # lon/lat inside buurt Binnenstad (BU09350000)
HEER = ["BU09172101", "BU09173300", "BU09174000", "BU09174102", "BU09350602"]
ALL_GEMEENTEN = 16
SERVICES = [  # naam, synthetisch, verified, lon/lat, themes, target groups
    (
        "Buurthuis Binnenstad",
        False,
        date(2024, 3, 1),
        MAASTRICHT,
        ["meedoen-ontmoeten"],
        ["ouderen"],
    ),
    (
        "Schuldhulp Heerlen",
        True,
        None,
        (5.9815, 50.8882),
        ["geld-uitkering", "informatie-advies"],
        [],
    ),
    (
        "Jeugdpunt Vaals",
        True,
        date(2023, 6, 15),
        (6.0186, 50.7708),
        ["opgroeien-opvoeden"],
        ["jongeren", "ouders"],
    ),
]


@pytest.fixture(scope="module")
def catalog(engine):
    with engine.connect() as conn:
        return load_catalog(conn)


def run(conn, catalog, collection_id, cql, lang="cql2-text", column="code", **kwargs):
    """Compile the filter and return the matching values of `column`, sorted."""
    collection = catalog[collection_id]
    if lang == "cql2-json":
        cql = json.dumps(cql)
    where, params = compile_filter(cql, lang, collection, **kwargs)
    query = f'SELECT "{column}" FROM "{collection.view}" WHERE {where} ORDER BY 1'
    return [row[0] for row in conn.execute(sa.text(query), params)]


@pytest.fixture
def codes(engine, catalog):
    with engine.connect() as conn:
        yield lambda collection_id, cql, **kw: run(conn, catalog, collection_id, cql, **kw)


@pytest.fixture
def services(engine, catalog):
    """Three published services in a transaction that is rolled back afterwards."""
    with engine.connect() as conn:
        transaction = conn.begin()
        for number, row in enumerate(SERVICES):
            _insert_service(conn, f"cql2-{number}", *row)
        yield lambda cql, **kw: run(conn, catalog, "voorzieningen", cql, column="organisatie", **kw)
        transaction.rollback()


def _insert_service(conn, key, naam, synthetisch, verified, lonlat, themes, groups):
    ids = {"bron_id": key, "naam": naam}
    ids["org"] = conn.execute(
        sa.text(
            "INSERT INTO organisatie (naam, bron, bron_id, synthetisch, laatst_geverifieerd_op) "
            "VALUES (:naam, 'cql2-test', :bron_id, :s, :d) RETURNING id"
        ),
        {**ids, "s": synthetisch, "d": verified},
    ).scalar()
    ids["aanbod"] = conn.execute(
        sa.text(
            "INSERT INTO aanbod (organisatie_id, naam, bron, bron_id) "
            "VALUES (:org, :naam, 'cql2-test', :bron_id) RETURNING id"
        ),
        ids,
    ).scalar()
    ids["loc"] = conn.execute(
        sa.text(
            "INSERT INTO locatie (organisatie_id, geom, geocode_precisie, bron, bron_id) VALUES "
            "(:org, ST_Transform(ST_SetSRID(ST_Point(:x, :y), 4326), 28992), 'adres', "
            "'cql2-test', :bron_id) RETURNING id"
        ),
        {**ids, "x": lonlat[0], "y": lonlat[1]},
    ).scalar()
    conn.execute(
        sa.text("INSERT INTO aanbod_locatie (aanbod_id, locatie_id) VALUES (:aanbod, :loc)"), ids
    )
    for slug in themes:
        conn.execute(
            sa.text("INSERT INTO aanbod_thema VALUES (:aanbod, :slug)"), {**ids, "slug": slug}
        )
    for slug in groups:
        conn.execute(
            sa.text("INSERT INTO aanbod_doelgroep VALUES (:aanbod, :slug)"), {**ids, "slug": slug}
        )


def test_like(codes):
    assert codes("gemeenten", "naam LIKE 'Heer%'") == ["GM0917"]
    assert codes("buurten", "naam LIKE 'Heer%'") == HEER
    assert (
        codes("buurten", {"op": "like", "args": [{"property": "naam"}, "Heer%"]}, lang="cql2-json")
        == HEER
    )
    assert codes("gemeenten", "naam LIKE 'Bee_'") == ["GM0888"]
    assert len(codes("buurten", "naam NOT LIKE 'Heer%'")) == 421 - len(HEER)


def test_comparisons(codes):
    assert len(codes("buurten", "inwoners > 5000")) == 20
    assert (
        len(
            codes(
                "buurten", {"op": ">", "args": [{"property": "inwoners"}, 5000]}, lang="cql2-json"
            )
        )
        == 20
    )
    assert codes("gemeenten", "inwoners >= 125285") == ["GM0935"]
    assert codes("gemeenten", "inwoners < 10200 OR naam = 'Beek'") == ["GM0888", "GM0981"]
    assert len(codes("buurten", "jaar = 2022 AND gemeentecode = 'GM0935'")) == 44
    assert codes("gemeenten", "code <> 'GM0935' AND inwoners > 90000") == ["GM1883"]


def test_case_and_accent_insensitive(codes):
    assert codes("gemeenten", "naam = 'MAASTRICHT'") == []
    assert codes("gemeenten", "CASEI(naam) = CASEI('MAASTRICHT')") == ["GM0935"]
    assert codes(
        "gemeenten",
        {
            "op": "=",
            "args": [
                {"op": "casei", "args": [{"property": "naam"}]},
                {"op": "casei", "args": ["mAaStRiChT"]},
            ],
        },
        lang="cql2-json",
    ) == ["GM0935"]
    assert codes("gemeenten", "CASEI(naam) LIKE CASEI('%HEER%')") == ["GM0917"]
    assert codes("buurten", "naam = 'Belvedere'") == []
    assert codes("buurten", "ACCENTI(naam) = ACCENTI('Belvedere')") == ["BU09350303"]
    assert codes("buurten", "ACCENTI(CASEI(naam)) LIKE ACCENTI(CASEI('VERSILIEN%'))") == [
        "BU09172003"
    ]


def test_between_in_not_and_null(codes):
    between = ["BU09174000", "BU09350400", "BU18830102"]
    assert codes("buurten", "inwoners BETWEEN 4000 AND 4100") == between
    assert len(codes("buurten", "inwoners NOT BETWEEN 4000 AND 4100")) == 421 - 3
    assert codes("buurten", "code IN ('BU09350000', 'BU09170000')") == ["BU09350000"]
    assert len(codes("gemeenten", "code NOT IN ('GM0935', 'GM0917')")) == ALL_GEMEENTEN - 2
    assert len(codes("gemeenten", "NOT (inwoners < 20000)")) == 9
    assert len(codes("gemeenten", "buurtcode IS NULL")) == ALL_GEMEENTEN
    assert codes("buurten", "buurtcode IS NULL") == []
    assert len(codes("buurten", "inwoners IS NOT NULL")) == 421
    assert (
        len(
            codes(
                "buurten",
                {"op": "not", "args": [{"op": "isNull", "args": [{"property": "naam"}]}]},
                lang="cql2-json",
            )
        )
        == 421
    )


def test_quotes_and_injection_attempts_are_only_data(codes):
    assert codes("buurten", "naam = '''t Loon'") == ["BU09173302"]
    assert codes("buurten", "naam = 'x'' OR 1=1 --'") == []
    assert codes("buurten", "naam LIKE '%'' OR ''1''=''1'") == []
    assert len(codes("buurten", "naam IS NOT NULL")) == 421  # the table is still there


def test_intersects_a_point_in_every_crs_and_axis_order(codes):
    lon, lat = MAASTRICHT
    point = f"S_INTERSECTS(geometry, POINT({lon} {lat}))"
    assert codes("buurten", point) == ["BU09350000"]
    assert codes("wijken", point) == ["WK093500"]
    assert codes("gemeenten", point) == ["GM0935"]
    assert codes(
        "buurten", f"S_INTERSECTS(geometry, POINT({lat} {lon}))", filter_axis_latlon=True
    ) == ["BU09350000"]
    assert codes(
        "buurten",
        f"S_INTERSECTS(geometry, POINT({lat} {lon}))",
        filter_srid=4258,
        filter_axis_latlon=True,
    ) == ["BU09350000"]
    for srid in (28992, 3857):
        x, y = Transformer.from_crs(4326, srid, always_xy=True).transform(lon, lat)
        assert codes("buurten", f"S_INTERSECTS(geometry, POINT({x} {y}))", filter_srid=srid) == [
            "BU09350000"
        ]
    geojson = {"type": "Point", "coordinates": [lon, lat]}
    assert codes(
        "buurten",
        {"op": "s_intersects", "args": [{"property": "geometry"}, geojson]},
        lang="cql2-json",
    ) == ["BU09350000"]


def test_bbox_and_world_wide_literals(codes):
    assert codes("gemeenten", "S_INTERSECTS(geometry, BBOX(5.690, 50.850, 5.692, 50.852))") == [
        "GM0935"
    ]
    world = "BBOX(-180, -90, 180, 90)"
    assert len(codes("gemeenten", f"S_INTERSECTS(geometry, {world})")) == ALL_GEMEENTEN
    assert len(codes("gemeenten", f"S_WITHIN(geometry, {world})")) == ALL_GEMEENTEN
    assert codes("gemeenten", f"S_DISJOINT(geometry, {world})") == []
    assert codes("gemeenten", "S_INTERSECTS(geometry, POINT(-70 40))") == []
    assert len(codes("gemeenten", "S_DISJOINT(geometry, POINT(-70 40))")) == ALL_GEMEENTEN
    mercator = "BBOX(-20037508, -20048966, 20037508, 20048966)"
    assert (
        len(codes("gemeenten", f"S_INTERSECTS(geometry, {mercator})", filter_srid=3857))
        == ALL_GEMEENTEN
    )
    assert codes("gemeenten", f"S_INTERSECTS(geometry, {world})", filter_srid=3857) == []
    json_bbox = {
        "op": "s_intersects",
        "args": [{"property": "geometry"}, {"bbox": [5.690, 50.850, 5.692, 50.852]}],
    }
    assert codes("gemeenten", json_bbox, lang="cql2-json") == ["GM0935"]


def test_other_spatial_functions(engine, codes):
    lon, lat = MAASTRICHT
    assert codes("buurten", f"S_CONTAINS(geometry, POINT({lon} {lat}))") == ["BU09350000"]
    line = f"LINESTRING(5.65 {lat}, 5.75 {lat})"
    crossed = codes("buurten", f"S_CROSSES(geometry, {line})")
    assert "BU09350000" in crossed
    assert set(crossed) <= set(codes("buurten", f"S_INTERSECTS(geometry, {line})"))
    overlap = codes("buurten", "S_OVERLAPS(geometry, BBOX(5.6913, 50.8514, 5.80, 50.90))")
    assert "BU09350000" in overlap
    with engine.connect() as conn:
        code, wkt = conn.execute(
            sa.text(
                "SELECT code, ST_AsText(geom) FROM laag_buurten WHERE ST_NPoints(geom) < 300 "
                "AND ST_IsValid(geom) ORDER BY code LIMIT 1"
            )
        ).one()
    collection = f"GEOMETRYCOLLECTION(POINT({lon} {lat}), LINESTRING(5.9 50.9, 6.0 50.9))"
    assert "BU09350000" in codes("buurten", f"S_INTERSECTS(geometry, {collection})")
    assert codes("buurten", f"S_CONTAINS(geometry, GEOMETRYCOLLECTION(POINT({lon} {lat})))") == [
        "BU09350000"
    ]
    assert "BU09350000" in codes(
        "buurten", f"S_CROSSES(geometry, MULTIPOINT(({lon} {lat}), (6.0186 50.7708)))"
    )
    gc_json = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [lon, lat]}],
    }
    assert codes(
        "buurten",
        {"op": "s_contains", "args": [{"property": "geometry"}, gc_json]},
        lang="cql2-json",
    ) == ["BU09350000"]
    lines = f"MULTILINESTRING((5.65 {lat}, 5.75 {lat}), (5.9 50.9, 6.0 50.9))"
    assert "BU09350000" in codes("buurten", f"S_INTERSECTS(geometry, {lines})")
    assert codes("buurten", f"S_EQUALS(geometry, {wkt})", filter_srid=28992) == [code]
    touching = codes("buurten", f"S_TOUCHES(geometry, {wkt})", filter_srid=28992)
    assert touching and code not in touching
    assert codes("gemeenten", f"S_WITHIN(geometry, {wkt})", filter_srid=28992) == []


def test_every_queryable_of_every_collection_runs(engine, catalog):
    literals = {"string": "'x'", "integer": "1", "number": "1.5", "boolean": "true"}
    with engine.connect() as conn:
        for collection in catalog.values():
            for name, schema in queryables(collection)["properties"].items():
                if name == "geometry":
                    cql = "S_INTERSECTS(geometry, BBOX(5.6, 50.8, 5.7, 50.9))"
                elif schema.get("format") == "date":
                    cql = f"{name} < DATE('2024-01-01') OR {name} IS NULL"
                else:
                    cql = f"{name} = {literals[schema['type']]} OR {name} IS NULL"
                run(conn, catalog, collection.id, cql, column="id")


def test_voorzieningen_themes_booleans_and_dates(services):
    everyone = sorted(s[0] for s in SERVICES)
    assert services("thema = 'geld-uitkering'") == ["Schuldhulp Heerlen"]
    assert services("thema <> 'geld-uitkering'") == ["Buurthuis Binnenstad", "Jeugdpunt Vaals"]
    assert services("thema IN ('informatie-advies', 'opgroeien-opvoeden')") == [
        "Jeugdpunt Vaals",
        "Schuldhulp Heerlen",
    ]
    assert services("doelgroep = 'ouders' AND synthetisch = true") == ["Jeugdpunt Vaals"]
    assert services("doelgroep IS NULL") == ["Schuldhulp Heerlen"]
    assert services("doelgroep IS NOT NULL") == ["Buurthuis Binnenstad", "Jeugdpunt Vaals"]
    assert services("synthetisch = false") == ["Buurthuis Binnenstad"]
    assert services("laatst_geverifieerd_op > DATE('2024-01-01')") == ["Buurthuis Binnenstad"]
    assert services("laatst_geverifieerd_op BETWEEN DATE('2023-01-01') AND DATE('2023-12-31')") == [
        "Jeugdpunt Vaals"
    ]
    assert services("laatst_geverifieerd_op < TIMESTAMP('2024-01-01T00:00:00Z')") == [
        "Jeugdpunt Vaals"
    ]
    assert services("laatst_geverifieerd_op IS NULL") == ["Schuldhulp Heerlen"]
    assert services(
        {"op": "=", "args": [{"property": "laatst_geverifieerd_op"}, {"date": "2024-03-01"}]},
        lang="cql2-json",
    ) == ["Buurthuis Binnenstad"]
    assert services("S_INTERSECTS(geometry, BBOX(5.9, 50.7, 6.1, 50.9))") == [
        "Jeugdpunt Vaals",
        "Schuldhulp Heerlen",
    ]
    assert services("S_WITHIN(geometry, BBOX(-180, -90, 180, 90))") == everyone
    assert services("CASEI(organisatie) LIKE '%heerlen%' OR gemeentecode = 'GM0935'") == [
        "Buurthuis Binnenstad",
        "Schuldhulp Heerlen",
    ]


# -- limits at their maximum still run; literals far away are clipped ----------------------


def test_largest_allowed_in_list_and_geometry_run(codes):
    assert len(codes("buurten", "jaar IN (" + ", ".join(["2022"] * 500) + ")")) == 421
    with pytest.raises(FilterError, match="at most 500 items"):
        codes("buurten", "jaar IN (" + ", ".join(["2022"] * 501) + ")")
    x, y = Transformer.from_crs(4326, 28992, always_xy=True).transform(*MAASTRICHT)

    def line(n, end=f"{x:.0f} {y:.0f}"):  # short positions: 1000 of them fit in 10,000 chars
        return "LINESTRING(" + ", ".join([f"{i} 0" for i in range(n - 1)] + [end]) + ")"

    assert "BU09350000" in codes(
        "buurten", f"S_INTERSECTS(geometry, {line(1000)})", filter_srid=28992
    )
    with pytest.raises(FilterError, match="at most 1000 vertices"):
        codes("buurten", f"S_INTERSECTS(geometry, {line(1001)})", filter_srid=28992)
    with pytest.raises(FilterError, match="at most 1000 vertices"):  # counted over the filter
        codes(
            "buurten",
            f"S_INTERSECTS(geometry, {line(600)}) OR S_INTERSECTS(geometry, {line(600)})",
            filter_srid=28992,
        )


def test_literals_are_clipped_to_the_national_grid_area(catalog, codes):
    buurten = catalog["buurten"]
    _, params = compile_filter(
        "S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90))", "cql2-text", buurten
    )
    assert params["f1"].startswith("POLYGON ((2 50, 2 50.05,")
    xs = [float(x) for x in re.findall(r"(-?[\d.]+) -?[\d.]+", params["f1"])]
    assert min(xs) == 2 and max(xs) == 8
    assert compile_filter("S_INTERSECTS(geometry, POINT(-70 40))", "cql2-text", buurten)[1] == {
        "f1": "POINT EMPTY"
    }
    latlon = "S_INTERSECTS(geometry, BBOX(-90, -180, 90, 180))"
    assert compile_filter(latlon, "cql2-text", buurten, filter_axis_latlon=True)[1][
        "f1"
    ].startswith("POLYGON ((50 2, 50 2.05,")
    assert len(codes("buurten", latlon, filter_axis_latlon=True)) == 421


# -- injection attempts: a FilterError, or SQL with only bound literals that runs ---------


@pytest.mark.parametrize(
    "cql",
    [
        "naam = 'x'' OR 1=1 --'",
        "naam = 'x'; DROP TABLE gebied; --",
        "\"naam; DROP TABLE gebied\" = 'x'",
        'naam") OR (1=1',
        '"naam"" OR 1=1 --" = \'x\'',
        "naam = 'x' OR 1=1",
        "naam LIKE '%'' OR ''1''=''1'",
        "pg_sleep(10) = 'x'",
        "naam = $$x$$",
        "naam = 'a' /* comment */",
        "naam = E'\\x27'",
        "S_INTERSECTS(geometry, POINT(5 50)) OR 1=1",
        "S_INTERSECTS(geometry, 'POINT(5 50)'); DROP TABLE gebied; --')",
        "naam IN ('a', 'b'') OR (''1''=''1')",
        {"op": "=", "args": [{"property": 'naam" OR 1=1 --'}, "x"]},
        {"op": "=", "args": [{"property": "naam"}, "x' OR '1'='1"]},
        {"op": "= 1 OR", "args": [{"property": "naam"}, "x"]},
        {
            "op": "s_intersects",
            "args": [
                {"property": "geometry"},
                {"type": "Point", "coordinates": [5, "50); DROP TABLE x; --"]},
            ],
        },
        {"op": "=", "args": [{"function": {"name": "pg_sleep", "arguments": [10]}}, 1]},
        {"op": "like", "args": [{"property": "naam"}, {"property": "naam"}]},
    ],
    ids=range(20),
)
def test_injection_attempts_never_reach_the_sql(catalog, codes, cql):
    lang = "cql2-text" if isinstance(cql, str) else "cql2-json"
    document = cql if isinstance(cql, str) else json.dumps(cql)
    try:
        sql, params = compile_filter(document, lang, catalog["buurten"])
    except FilterError:
        return
    assert_safe(sql, params)
    assert "DROP" not in sql and "1=1" not in sql and "--" not in sql
    assert codes("buurten", cql, lang=lang) == []


def test_queryables_of_the_real_catalogue(catalog):
    schema = queryables(catalog["voorzieningen"])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "" and schema["type"] == "object"
    assert schema["title"] == "Voorzieningen" and schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["geometry"] == {"$ref": "https://geojson.org/schema/Point.json"}
    assert props["organisatie_id"] == {"type": "integer", "title": "organisatie_id"}
    assert props["synthetisch"] == {"type": "boolean", "title": "synthetisch"}
    assert props["laatst_geverifieerd_op"] == {
        "type": "string",
        "format": "date",
        "title": "laatst_geverifieerd_op",
    }
    assert props["thema"]["type"] == "string" and "contains" in props["thema"]["description"]
    assert "themas" not in props and "geom" not in props and "zichtbaarheid" not in props
    buurten = queryables(catalog["buurten"])
    assert buurten["properties"]["geometry"] == {
        "$ref": "https://geojson.org/schema/MultiPolygon.json"
    }
    assert buurten["properties"]["inwoners"] == {"type": "integer", "title": "inwoners"}
    assert buurten["title"] == "Buurten"

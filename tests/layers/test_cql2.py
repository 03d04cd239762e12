"""CQL2 → SQL compiler: exact output for every operator (text and JSON), limits, injection."""

import json
import re
from datetime import date, datetime

import pytest

from layers import cql2
from layers.catalog import Collection, Property
from layers.cql2 import CONFORMANCE, compile_filter, queryables
from layers.errors import FilterError, InvalidParameter

BUURTEN = Collection(
    id="buurten",
    view="laag_buurten",
    title="Buurten",
    description="",
    properties=tuple(
        Property(n, t, j)
        for n, t, j in (
            ("code", "text", "string"),
            ("naam", "text", "string"),
            ("gemeentecode", "text", "string"),
            ("jaar", "integer", "integer"),
            ("inwoners", "integer", "integer"),
            ("dichtheid", "numeric", "number"),
        )
    ),
    geometry_type="MultiPolygon",
    id_type="string",
)
VOORZIENINGEN = Collection(
    id="voorzieningen",
    view="laag_voorzieningen",
    title="Voorzieningen",
    description="",
    properties=(
        Property("organisatie", "text", "string", None, "Naam van de organisatie"),
        Property("thema", "text", "string"),
        Property("synthetisch", "boolean", "boolean"),
        Property("laatst_geverifieerd_op", "date", "string", "date"),
        Property("gewijzigd_op", "timestamp with time zone", "string"),
        Property("talen", "text[]", "string"),
    ),
    geometry_type="Point",
    id_type="integer",
    array_filters={"thema": "themas", "doelgroep": "doelgroepen"},
)
BOTH = Collection(
    id="both",
    view="v",
    title="",
    description="",
    geometry_type="Point",
    id_type="string",
    properties=BUURTEN.properties + VOORZIENINGEN.properties,
    array_filters=VOORZIENINGEN.array_filters,
)
NAMES = {p.name for c in (BUURTEN, VOORZIENINGEN) for p in c.properties} | {
    "geom",
    "themas",
    "doelgroepen",
}
KEYWORDS = set(
    "AND OR NOT IN IS NULL LIKE ILIKE BETWEEN ANY TRUE FALSE lower unaccent coalesce "
    "cardinality ST_Transform ST_SetSRID ST_GeomFromText ST_FlipCoordinates "
    "ST_Intersects ST_Disjoint ST_Contains ST_Within ST_Touches ST_Crosses "
    "ST_Overlaps ST_Equals".split()
)


def assert_safe(sql: str, params: dict) -> None:
    """Only catalogue identifiers, known keywords, placeholders and operators in the SQL."""
    names = set(re.findall(r'"([^"]*)"', sql))
    assert names <= NAMES, names
    rest = re.sub(r'"[^"]*"', " ", sql)
    placeholders = set(re.findall(r":(f\d+)", rest))
    assert placeholders == set(params), (placeholders, params)
    rest = re.sub(r":f\d+", " ", rest)
    assert re.fullmatch(r"[A-Za-z_0-9(),=<>\s]*", rest), rest
    words = {w for w in re.findall(r"[A-Za-z_]\w*", rest)}
    assert words <= KEYWORDS, words - KEYWORDS
    assert set(re.findall(r"\b\d+\b", rest)) <= {"0", "4326", "4258", "3857", "28992"}


def text(filter_text, collection=BUURTEN, **kwargs):
    sql, params = compile_filter(filter_text, "cql2-text", collection, **kwargs)
    assert_safe(sql, params)
    return sql, params


def as_json(document, collection=BUURTEN, **kwargs):
    sql, params = compile_filter(json.dumps(document), "cql2-json", collection, **kwargs)
    assert_safe(sql, params)
    return sql, params


def prop(name):
    return {"property": name}


def op(name, *args):
    return {"op": name, "args": list(args)}


# (cql2-text, cql2-json, collection, expected SQL, expected params)
CASES = [
    ("naam = 'Heer'", op("=", prop("naam"), "Heer"), BUURTEN, '"naam" = :f1', {"f1": "Heer"}),
    ("inwoners <> 5", op("<>", prop("inwoners"), 5), BUURTEN, '"inwoners" <> :f1', {"f1": 5}),
    ("inwoners < 5", op("<", prop("inwoners"), 5), BUURTEN, '"inwoners" < :f1', {"f1": 5}),
    ("inwoners <= 5", op("<=", prop("inwoners"), 5), BUURTEN, '"inwoners" <= :f1', {"f1": 5}),
    ("inwoners > 5000", op(">", prop("inwoners"), 5000), BUURTEN, '"inwoners" > :f1', {"f1": 5000}),
    (
        "dichtheid >= -1.5",
        op(">=", prop("dichtheid"), -1.5),
        BUURTEN,
        '"dichtheid" >= :f1',
        {"f1": -1.5},
    ),
    ("5 < inwoners", op("<", 5, prop("inwoners")), BUURTEN, ':f1 < "inwoners"', {"f1": 5}),
    (
        "naam = 'a' OR naam = 'b' AND inwoners > 5",
        op(
            "or",
            op("=", prop("naam"), "a"),
            op("and", op("=", prop("naam"), "b"), op(">", prop("inwoners"), 5)),
        ),
        BUURTEN,
        '("naam" = :f1 OR ("naam" = :f2 AND "inwoners" > :f3))',
        {"f1": "a", "f2": "b", "f3": 5},
    ),
    (
        "jaar = 1 AND jaar = 2 AND jaar = 3",
        op("and", op("=", prop("jaar"), 1), op("=", prop("jaar"), 2), op("=", prop("jaar"), 3)),
        BUURTEN,
        '("jaar" = :f1 AND "jaar" = :f2 AND "jaar" = :f3)',
        {"f1": 1, "f2": 2, "f3": 3},
    ),
    (
        "NOT (naam = 'a' OR inwoners < 1)",
        op("not", op("or", op("=", prop("naam"), "a"), op("<", prop("inwoners"), 1))),
        BUURTEN,
        'NOT ("naam" = :f1 OR "inwoners" < :f2)',
        {"f1": "a", "f2": 1},
    ),
    ("naam IS NULL", op("isNull", prop("naam")), BUURTEN, '"naam" IS NULL', {}),
    (
        "NOT naam IS NULL",
        op("not", op("isNull", prop("naam"))),
        BUURTEN,
        'NOT ("naam" IS NULL)',
        {},
    ),
    (
        "synthetisch = true",
        op("=", prop("synthetisch"), True),
        VOORZIENINGEN,
        '"synthetisch" = :f1',
        {"f1": True},
    ),
    (
        "laatst_geverifieerd_op >= DATE('2024-01-31')",
        op(">=", prop("laatst_geverifieerd_op"), {"date": "2024-01-31"}),
        VOORZIENINGEN,
        '"laatst_geverifieerd_op" >= :f1',
        {"f1": date(2024, 1, 31)},
    ),
    (
        "naam LIKE 'Heer%'",
        op("like", prop("naam"), "Heer%"),
        BUURTEN,
        '"naam" LIKE :f1',
        {"f1": "Heer%"},
    ),
    (
        "NOT (naam LIKE 'B_ek')",
        op("not", op("like", prop("naam"), "B_ek")),
        BUURTEN,
        'NOT ("naam" LIKE :f1)',
        {"f1": "B_ek"},
    ),
    (
        "inwoners BETWEEN 4000 AND 4100",
        op("between", prop("inwoners"), 4000, 4100),
        BUURTEN,
        '"inwoners" BETWEEN :f1 AND :f2',
        {"f1": 4000, "f2": 4100},
    ),
    (
        "NOT inwoners BETWEEN 1 AND 2",
        op("not", op("between", prop("inwoners"), 1, 2)),
        BUURTEN,
        'NOT ("inwoners" BETWEEN :f1 AND :f2)',
        {"f1": 1, "f2": 2},
    ),
    (
        "code IN ('BU1', 'BU2')",
        op("in", prop("code"), ["BU1", "BU2"]),
        BUURTEN,
        '"code" IN (:f1, :f2)',
        {"f1": "BU1", "f2": "BU2"},
    ),
    (
        "NOT code IN ('BU1')",
        op("not", op("in", prop("code"), ["BU1"])),
        BUURTEN,
        'NOT ("code" IN (:f1))',
        {"f1": "BU1"},
    ),
    (
        "CASEI(naam) = casei('MAASTRICHT')",
        op("=", op("casei", prop("naam")), op("casei", "MAASTRICHT")),
        BUURTEN,
        'lower("naam") = lower(:f1)',
        {"f1": "MAASTRICHT"},
    ),
    (
        "CASEI(naam) LIKE CASEI('heer%')",
        op("like", op("casei", prop("naam")), op("casei", "heer%")),
        BUURTEN,
        'lower("naam") LIKE lower(:f1)',
        {"f1": "heer%"},
    ),
    (
        "ACCENTI(naam) = ACCENTI('Belvedère')",
        op("=", op("accenti", prop("naam")), op("accenti", "Belvedère")),
        BUURTEN,
        'unaccent("naam") = unaccent(:f1)',
        {"f1": "Belvedère"},
    ),
    (
        "ACCENTI(CASEI(naam)) IN (ACCENTI(CASEI('a')))",
        op("in", op("accenti", op("casei", prop("naam"))), [op("accenti", op("casei", "a"))]),
        BUURTEN,
        'unaccent(lower("naam")) IN (unaccent(lower(:f1)))',
        {"f1": "a"},
    ),
    (
        "S_INTERSECTS(geometry, POINT(5.6913 50.8514))",
        op("s_intersects", prop("geometry"), {"type": "Point", "coordinates": [5.6913, 50.8514]}),
        BUURTEN,
        'ST_Intersects("geom", ST_Transform(ST_SetSRID(ST_GeomFromText(:f1), 4326), 28992))',
        {"f1": "POINT (5.6913 50.8514)"},
    ),
    (
        "S_WITHIN(geom, POLYGON((5 50, 5.01 50, 5.01 50.01, 5 50)))",
        op(
            "s_within",
            prop("geom"),
            {"type": "Polygon", "coordinates": [[[5, 50], [5.01, 50], [5.01, 50.01], [5, 50]]]},
        ),
        BUURTEN,
        'ST_Within("geom", ST_Transform(ST_SetSRID(ST_GeomFromText(:f1), 4326), 28992))',
        {"f1": "POLYGON ((5 50, 5.01 50, 5.01 50.01, 5 50))"},
    ),
    (
        "thema = 'vervoer'",
        op("=", prop("thema"), "vervoer"),
        VOORZIENINGEN,
        ':f1 = ANY("themas")',
        {"f1": "vervoer"},
    ),
    (
        "thema <> 'vervoer'",
        op("<>", prop("thema"), "vervoer"),
        VOORZIENINGEN,
        'NOT (:f1 = ANY("themas"))',
        {"f1": "vervoer"},
    ),
    (
        "doelgroep IN ('ouderen', 'jongeren')",
        op("in", prop("doelgroep"), ["ouderen", "jongeren"]),
        VOORZIENINGEN,
        '(:f1 = ANY("doelgroepen") OR :f2 = ANY("doelgroepen"))',
        {"f1": "ouderen", "f2": "jongeren"},
    ),
    (
        "thema IS NULL",
        op("isNull", prop("thema")),
        VOORZIENINGEN,
        'coalesce(cardinality("themas"), 0) = 0',
        {},
    ),
    ("naam IS NOT NULL", None, BUURTEN, '"naam" IS NOT NULL', {}),
    ("naam NOT LIKE 'B_ek'", None, BUURTEN, '"naam" NOT LIKE :f1', {"f1": "B_ek"}),
    (
        "jaar NOT BETWEEN 1 AND 2",
        None,
        BUURTEN,
        '"jaar" NOT BETWEEN :f1 AND :f2',
        {"f1": 1, "f2": 2},
    ),
    ("code NOT IN ('BU1')", None, BUURTEN, '"code" NOT IN (:f1)', {"f1": "BU1"}),
    (
        None,
        {"filter-lang": "cql2-json", "filter": op("=", prop("naam"), "x")},
        BUURTEN,
        '"naam" = :f1',
        {"f1": "x"},
    ),
    (
        None,
        op("between", prop("jaar"), [1, 2]),
        BUURTEN,
        '"jaar" BETWEEN :f1 AND :f2',
        {"f1": 1, "f2": 2},
    ),
]


@pytest.mark.parametrize(
    ("cql_text", "cql_json", "collection", "sql", "params"),
    CASES,
    ids=[c[0] or json.dumps(c[1]) for c in CASES],
)
def test_text_and_json_compile_to_the_same_bound_sql(cql_text, cql_json, collection, sql, params):
    if cql_text is not None:
        assert text(cql_text, collection) == (sql, params)
    if cql_json is not None:
        assert as_json(cql_json, collection) == (sql, params)


def test_timestamps():
    sql, params = text("gewijzigd_op < TIMESTAMP('2024-05-01T12:00:00Z')", VOORZIENINGEN)
    assert sql == '"gewijzigd_op" < :f1' and isinstance(params["f1"], datetime)
    sql, params = as_json(
        op("<", prop("gewijzigd_op"), {"timestamp": "2024-05-01T12:00:00Z"}), VOORZIENINGEN
    )
    assert sql == '"gewijzigd_op" < :f1' and params["f1"].year == 2024
    assert text("laatst_geverifieerd_op = date('2024-01-31')", VOORZIENINGEN)[1] == {
        "f1": date(2024, 1, 31)
    }


def test_quotes_inside_text_literals_are_cql2_escapes():
    assert text("naam = 'it''s'") == ('"naam" = :f1', {"f1": "it's"})
    assert text(r"naam = 'it\'s'") == ('"naam" = :f1', {"f1": "it's"})
    assert text(r"naam LIKE '100\%'") == ('"naam" LIKE :f1', {"f1": "100\\%"})
    assert text("\"naam\" = 'x'") == ('"naam" = :f1', {"f1": "x"})


def test_a_broken_grammar_patch_is_a_server_error_not_a_filter_error(monkeypatch):
    monkeypatch.setattr(cql2, "GRAMMAR_PATCHES", (("no such rule", ""),))
    cql2._text_parser.cache_clear()
    with pytest.raises(RuntimeError, match="grammar changed"):
        text("naam = 'x'")
    monkeypatch.undo()
    cql2._text_parser.cache_clear()


def test_parameter_prefix():
    assert compile_filter(
        "naam = 'a' OR naam = 'b'", "cql2-text", BUURTEN, param_prefix="cql_"
    ) == ('("naam" = :cql_1 OR "naam" = :cql_2)', {"cql_1": "a", "cql_2": "b"})
    with pytest.raises(ValueError):
        compile_filter("naam = 'a'", "cql2-text", BUURTEN, param_prefix="f; DROP")


@pytest.mark.parametrize(
    ("fn", "sql_fn"),
    [
        ("S_INTERSECTS", "ST_Intersects"),
        ("S_DISJOINT", "ST_Disjoint"),
        ("S_CONTAINS", "ST_Contains"),
        ("S_WITHIN", "ST_Within"),
        ("S_TOUCHES", "ST_Touches"),
        ("S_CROSSES", "ST_Crosses"),
        ("S_OVERLAPS", "ST_Overlaps"),
        ("S_EQUALS", "ST_Equals"),
    ],
)
def test_every_spatial_function_in_both_encodings(fn, sql_fn):
    literal = "ST_Transform(ST_SetSRID(ST_GeomFromText(:f1), 4326), 28992)"
    expected = (f'{sql_fn}("geom", {literal})', {"f1": "POINT (5.7 50.9)"})
    assert text(f"{fn}(geometry, POINT(5.7 50.9))") == expected
    point = {"type": "Point", "coordinates": [5.7, 50.9]}
    assert as_json(op(fn.lower(), prop("geometry"), point)) == expected
    assert text(f"{fn}(POINT(5.7 50.9), geometry)") == (
        f'{sql_fn}({literal}, "geom")',
        {"f1": "POINT (5.7 50.9)"},
    )


def test_all_geometry_types_are_accepted():
    for wkt in (
        "MULTIPOINT((5.7 50.9), (5.8 50.9))",
        "LINESTRING(5.7 50.9, 5.71 50.91)",
        "MULTILINESTRING((5.7 50.9, 5.71 50.91), (5.8 50.9, 5.81 50.91))",
        "MULTIPOLYGON(((5.7 50.9, 5.71 50.9, 5.71 50.91, 5.7 50.9)))",
        "GEOMETRYCOLLECTION(POINT(5.7 50.9), LINESTRING(5.7 50.9, 5.71 50.91))",
    ):
        params = text(f"S_INTERSECTS(geometry, {wkt})")[1]
        assert params["f1"].split(" (")[0] == wkt.split("(")[0]


def test_bbox_literal_in_text_and_json():
    sql, params = text("S_INTERSECTS(geometry, BBOX(5.6, 50.8, 5.7, 50.9))")
    assert params["f1"].startswith("POLYGON ((5.6 50.8, 5.633333333333333 50.8, 5.66")
    assert as_json(op("s_intersects", prop("geometry"), {"bbox": [5.6, 50.8, 5.7, 50.9]})) == (
        sql,
        params,
    )
    assert text("S_INTERSECTS(geometry, BBOX(5.6, 50.8, 0, 5.7, 50.9, 10))") == (sql, params)


def test_filter_crs_and_axis_order():
    point = "S_INTERSECTS(geometry, POINT(50.8514 5.6913))"
    assert text(point, filter_axis_latlon=True) == (
        'ST_Intersects("geom", ST_Transform(ST_FlipCoordinates(ST_SetSRID('
        "ST_GeomFromText(:f1), 4326)), 28992))",
        {"f1": "POINT (50.8514 5.6913)"},
    )
    assert text(point, filter_srid=4258, filter_axis_latlon=True)[0].count("4258") == 1
    assert text(
        "S_INTERSECTS(geometry, POINT(176000 317000))", filter_srid=28992, filter_axis_latlon=True
    ) == (
        'ST_Intersects("geom", ST_SetSRID(ST_GeomFromText(:f1), 28992))',
        {"f1": "POINT (176000 317000)"},
    )
    assert text("S_INTERSECTS(geometry, POINT(633550 6588700))", filter_srid=3857)[0] == (
        'ST_Intersects("geom", ST_Transform(ST_SetSRID(ST_GeomFromText(:f1), 3857), 28992))'
    )
    with pytest.raises(FilterError, match="filter-crs"):
        text(point, filter_srid=2154)
    with pytest.raises(FilterError, match="axis order"):
        text("S_INTERSECTS(geometry, POINT(5.6913 150.8))")


@pytest.mark.parametrize(
    ("cql_text", "message"),
    [
        ("onbekend = 1", "Unknown property 'onbekend'"),
        ("inwoners = 'abc'", "Type mismatch in =: property 'inwoners' is number"),
        ("naam = 5", "Type mismatch"),
        ("jaar = true", "Type mismatch"),
        ("naam = DATE('2024-01-01')", "Type mismatch"),
        ("inwoners = jaar", "property on one side"),
        ("'a' = 'b'", "property on one side"),
        ("inwoners < naam", "property on one side"),
        ("inwoners LIKE '1%'", "LIKE cannot be used with number"),
        ("naam LIKE naam", "LIKE needs literals"),
        (r"naam LIKE 'a\'", "parse"),
        ("inwoners IN (1, 'a')", "Type mismatch in IN"),
        ("inwoners IN (jaar)", "IN needs literals"),
        ("inwoners BETWEEN jaar AND 5", "BETWEEN needs literals"),
        ("CASEI(inwoners) = 5", "CASEI needs text"),
        ("ACCENTI(naam, 'x') = 'x'", "exactly one argument"),
        ("upper(naam) = 'X'", "Unknown function 'upper'"),
        ("inwoners + 1 = 5", "Arithmetic"),
        ("inwoners = -naam", "Arithmetic"),
        ("geometry = POINT(1 2)", "S_EQUALS or S_INTERSECTS"),
        ("S_INTERSECTS(geometry, geometry)", "geometry property and a geometry literal"),
        ("S_INTERSECTS(naam, POINT(1 2))", "needs two geometries"),
        ("S_INTERSECTS(geometry, ENVELOPE(1 2 3 4))", "use BBOX"),
        ("S_INTERSECTS(geometry, BBOX(1, 2, 3))", "BBOX needs 4"),
        ("S_INTERSECTS(geometry, BBOX(3, 2, 1, 4))", "minx <= maxx"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", "Self-intersection"),
        ("S_INTERSECTS(geometry, LINESTRING(5 50))", "Invalid geometry literal"),
        ("S_INTERSECTS(geometry, SRID=28992;POINT(1 2))", "filter-crs"),
        ("themas = 'x'", "Unknown property 'themas'"),
        ("POINT(1 2) IS NULL", "IS NULL needs a property"),
        ("naam = 'x' AND", "Could not parse the cql2-text filter near line 1"),
        ("naam = ", "Could not parse"),
        ("jaar = 1e999", "finite"),
        ("naam = 'nul\x00'", "NUL"),
        ("T_BEFORE(jaar, DATE('2020-01-01'))", "parse"),
        ("EXCLUDE AND naam = 'x' OR", "parse"),
        ("laatst_geverifieerd_op = DATE('2024-02-30')", "invalid value"),
        ("laatst_geverifieerd_op = '2024-01-01'", "DATE('YYYY-MM-DD')"),
        ("synthetisch < true", "'<' cannot be used with boolean"),
        ("thema = 5", "Property 'thema' tests membership"),
        ("thema LIKE 'a%'", "LIKE cannot be used with array"),
        ("CASEI(thema) = 'a'", "CASEI needs text"),
        ("thema = CASEI('a')", "tests membership"),
        ("thema > 'a'", "tests membership"),
        ("talen = 'nl'", "Property 'talen' cannot be used in a filter"),
    ],
)
def test_errors_are_filter_errors_with_a_clear_message(cql_text, message):
    with pytest.raises(FilterError, match=re.escape(message)):
        compile_filter(cql_text, "cql2-text", BOTH)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "not valid JSON"),
        ('"naam"', "must be a JSON object"),
        (json.dumps(op("=", prop("naam"), None)), "Could not read"),
        (json.dumps(op("=", prop("naam"))), "Could not read"),
        (json.dumps(op("foo", prop("naam"))), "Unsupported cql2-json operator 'foo'"),
        (json.dumps({"op": "=", "args": "x"}), "Unsupported cql2-json operator"),
        (json.dumps(op("in", prop("naam"), "a")), "IN needs a non-empty list"),
        (json.dumps(op("=", prop("inwoners"), float("nan"))), "finite"),
        (json.dumps(op("=", prop("naam"), "\ud800")), "valid Unicode"),
        (json.dumps(op("t_before", prop("jaar"), {"date": "2020-01-01"})), "Unsupported"),
        (json.dumps(op("=", prop("jaar"), {"interval": ["2020-01-01", ".."]})), "Intervals"),
        (
            json.dumps(
                op("s_intersects", prop("geometry"), {"type": "Point", "coordinates": ["a", "b"]})
            ),
            "Invalid geometry literal",
        ),
        (
            json.dumps(
                op(
                    "s_intersects",
                    prop("geometry"),
                    {"type": "Polygon", "coordinates": [[[5, 50], [6, 50]]]},
                )
            ),
            "Invalid geometry literal",
        ),
        (json.dumps(op("s_intersects", prop("geometry"), {"bbox": "x"})), "BBOX needs 4"),
        (json.dumps(op("like", prop("naam"), op("upper", "x"))), "Unsupported"),
        (json.dumps(op("like", prop("naam"), "a\\")), "cannot end with the escape character"),
    ],
)
def test_json_errors(document, message):
    with pytest.raises(FilterError, match=re.escape(message)):
        compile_filter(document, "cql2-json", BUURTEN)


def test_filter_error_is_an_invalid_parameter():
    assert issubclass(FilterError, InvalidParameter)
    for lang, document in (("cql2-text", " "), ("ecql", "naam = 'x'")):
        with pytest.raises(FilterError):
            compile_filter(document, lang, BUURTEN)


# -- limits ---------------------------------------------------------------------------


def test_text_length_limit():
    padding = " " * (10_000 - len("naam = 'x'"))
    assert text("naam = 'x'" + padding)[0] == '"naam" = :f1'
    with pytest.raises(FilterError, match="longer than 10000"):
        text("naam = 'x'" + padding + " ")


def test_node_count_limit():
    with pytest.raises(FilterError, match="more than 200 parts"):  # 100 + 100 + 99 ORs
        text(" OR ".join(["jaar = 1"] * 100))
    assert len(text(" OR ".join(["jaar = 1"] * 66))[1]) == 66  # 66 * 2 + 65 ORs = 197
    with pytest.raises(FilterError, match="more than 200 parts"):
        as_json(op("or", *[op("=", prop("jaar"), 1)] * 68))


def test_nesting_depth_limit():
    assert text("NOT " * 18 + "naam = 'x'")  # depth 18 + comparison + property = 20
    with pytest.raises(FilterError, match="nested more than 20 levels"):
        text("NOT " * 19 + "naam = 'x'")
    nested = op("=", prop("naam"), "x")
    for _ in range(19):
        nested = op("not", nested)
    with pytest.raises(FilterError, match="nested more than 20 levels"):
        as_json(nested)
    deep = '{"op": "not", "args": [' * 300 + json.dumps(op("isNull", prop("naam"))) + "]}" * 300
    with pytest.raises(FilterError, match="nested more than 20 levels"):
        compile_filter(deep, "cql2-json", BUURTEN)


def test_an_escaped_quote_stays_inside_the_bound_literal():
    assert text("naam = 'x'' OR 1=1 --'") == ('"naam" = :f1', {"f1": "x' OR 1=1 --"})


def test_srid_is_never_taken_from_input():
    with pytest.raises(FilterError):
        compile_filter("naam = 'x'", "cql2-text", BUURTEN, filter_srid="4326); DROP")


def test_queryables_formats_and_unfilterable_columns():
    props = queryables(VOORZIENINGEN)["properties"]
    assert props["gewijzigd_op"] == {
        "type": "string",
        "format": "date-time",
        "title": "gewijzigd_op",
    }
    assert props["organisatie"]["description"] == "Naam van de organisatie"
    assert "talen" not in props and "contains" in props["thema"]["description"]
    assert queryables(BUURTEN)["properties"]["dichtheid"] == {
        "type": "number",
        "title": "dichtheid",
    }


def test_conformance_classes():
    f3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
    c2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
    assert CONFORMANCE == (
        f3 + "queryables",
        f3 + "queryables-query-parameters",
        f3 + "filter",
        f3 + "features-filter",
        c2 + "basic-cql2",
        c2 + "cql2-text",
        c2 + "cql2-json",
        c2 + "advanced-comparison-operators",
        c2 + "case-insensitive-comparison",
        c2 + "accent-insensitive-comparison",
        c2 + "basic-spatial-functions",
        c2 + "basic-spatial-functions-plus",
        c2 + "spatial-functions",
    )

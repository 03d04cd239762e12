"""OGC API Features parameters parsed from plain mappings: no Flask app, no request.

The same rules the HTTP tests check through ``/ogc/collections/.../items`` (tests/server/
test_ogc_*.py), here on ``layers.ogc_params`` directly with dicts.
"""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from layers import ogc_params
from layers.catalog import Collection, Property
from layers.crs import CRS84, parse_crs
from layers.errors import InvalidParameter
from layers.ogc_params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_known,
    crs_parameter,
    encode_cursor,
    filter_checksum,
    items_query,
    parse_datetime,
    requested_format,
)

SERVICES = Collection(
    id="voorzieningen",
    view="laag_voorzieningen",
    title="Voorzieningen",
    description="",
    properties=(
        Property("organisatie", "text", "string"),
        Property("gemeentecode", "text", "string"),
        Property("laatst_geverifieerd_op", "date", "string", "date"),
    ),
    geometry_type="Point",
    id_type="integer",
    temporal="laatst_geverifieerd_op",
    filters=("gemeentecode",),
    array_filters={"thema": "themas"},
    has_visibility=True,
    tables=("organisatie", "aanbod", "locatie"),
)
PUBLIC = ("openbaar",)


def test_defaults_from_an_empty_mapping():
    query = items_query({}, SERVICES, PUBLIC)
    assert (query.limit, query.offset, query.after, query.before) == (DEFAULT_LIMIT, 0, None, None)
    assert query.bbox is None and query.crs is CRS84 and query.cql is None
    assert query.visibility.levels == PUBLIC and query.properties == {}


def test_values_are_typed_and_limit_is_clamped():
    query = items_query(
        {
            "limit": "20000",
            "offset": "30",
            "bbox": "5.6,50.8,0,5.8,50.9,10",
            "crs": "http://www.opengis.net/def/crs/EPSG/0/28992",
            "datetime": "2025-01-01/..",
            "gemeentecode": "GM0917",
            "thema": "vervoer",
            "f": "json",
        },
        SERVICES,
        PUBLIC,
    )
    assert query.limit == MAX_LIMIT and query.offset == 30
    assert query.bbox == (5.6, 50.8, 5.8, 50.9)
    assert query.crs == parse_crs("http://www.opengis.net/def/crs/EPSG/0/28992")
    assert query.interval == (date(2025, 1, 1), None)
    assert query.properties == {"gemeentecode": "GM0917", "thema": "vervoer"}


def test_cql2_filter_is_compiled():
    query = items_query({"filter": "organisatie = 'Huisarts'"}, SERVICES, PUBLIC)
    sql, params = query.cql
    assert '"organisatie"' in sql and "Huisarts" in params.values()


@pytest.mark.parametrize(
    "args",
    [
        {"unknown": "1"},
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"offset": "1.5"},
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "0,0,nan,1"},
        {"crs": ""},
        {"crs": "EPSG:1234"},
        {"bbox-crs": " "},
        {"datetime": "2025-02-30"},
        {"datetime": "2025-12-31/2025-01-01"},
        {"datetime": ".."},
        {"filter-lang": "sql"},
        {"filter": "organisatie = "},
        {"cursor": "bm90IGEgY3Vyc29y"},
    ],
)
def test_bad_values_are_invalid_parameters(args):
    with pytest.raises(InvalidParameter):
        items_query(args, SERVICES, PUBLIC)


def test_check_known_names_the_unknown_parameters():
    check_known({"f": "json"}, {"f"})
    with pytest.raises(InvalidParameter, match="b, z"):
        check_known({"f": "json", "z": "1", "b": "2"}, {"f"})


def test_crs_parameter_absent_is_crs84():
    assert crs_parameter({}) is CRS84
    assert crs_parameter({"bbox-crs": "EPSG:4326"}, "bbox-crs") == parse_crs("EPSG:4326")


def test_datetime_forms():
    assert parse_datetime(None) is None
    assert parse_datetime("2025-06-01") == (date(2025, 6, 1), date(2025, 6, 1))
    assert parse_datetime("../2025-12-31") == (None, date(2025, 12, 31))
    assert parse_datetime("2025-01-01T10:00:00Z/") == (date(2025, 1, 1), None)
    assert parse_datetime("0001-01-01T00:00:00Z/9999-12-31T00:00:00Z") == (None, None)


def test_cursor_round_trip_and_checksum():
    args = {"gemeentecode": "GM0917", "limit": "10"}
    cursor = encode_cursor("after", 1234, filter_checksum(args, SERVICES))
    query = items_query({**args, "cursor": cursor}, SERVICES, PUBLIC)
    assert (query.after, query.before) == (1234, None)
    back = encode_cursor("before", 99, filter_checksum(args, SERVICES))
    assert items_query({**args, "cursor": back}, SERVICES, PUBLIC).before == 99
    # paging parameters do not count, the filter does
    assert filter_checksum({**args, "limit": "50", "f": "html"}, SERVICES) == filter_checksum(
        args, SERVICES
    )
    with pytest.raises(InvalidParameter, match="cursor"):
        items_query({"gemeentecode": "GM0935", "cursor": cursor}, SERVICES, PUBLIC)


def test_repeated_parameters_count_in_the_checksum_when_the_mapping_keeps_them():
    one = MultiDict([("gemeentecode", "GM0917")])
    two = MultiDict([("gemeentecode", "GM0917"), ("gemeentecode", "GM0935")])
    assert ogc_params.pairs(two) == [("gemeentecode", "GM0917"), ("gemeentecode", "GM0935")]
    assert filter_checksum(one, SERVICES) == filter_checksum({"gemeentecode": "GM0917"}, SERVICES)
    assert filter_checksum(two, SERVICES) != filter_checksum(one, SERVICES)


@pytest.mark.parametrize(
    ("args", "accept", "expected"),
    [
        ({}, None, "json"),
        ({}, "text/html,application/xhtml+xml,*/*;q=0.8", "html"),
        ({}, "application/json, text/html;q=0.5", "json"),
        ({}, "text/html;q=0.5, application/json;q=0.5", "json"),
        ({}, "*/*", "json"),
        ({"f": "html"}, "application/json", "html"),
        ({"f": "json"}, "text/html", "json"),
    ],
)
def test_requested_format(args, accept, expected):
    assert requested_format(args, accept) == expected


def test_requested_format_geojson_and_refused_values():
    assert requested_format({"f": "geojson"}, None, allowed={"json", "geojson"}) == "json"
    assert requested_format({}, "text/html", default="csv", allowed={"csv"}) == "html"
    with pytest.raises(InvalidParameter, match="f moet"):
        requested_format({"f": "xml"}, None)

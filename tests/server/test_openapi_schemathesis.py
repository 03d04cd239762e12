"""Schemathesis holds the live server to its OpenAPI document (``/ogc/api``).

Every operation of the document is called with generated requests — valid ones (positive)
and schema-violating ones (negative) — against the demo app over real HTTP, with all of
schemathesis's checks on: no server errors, only declared statuses, media types, headers
and bodies, valid requests accepted and invalid ones rejected. Derandomised with a fixed
seed and a small number of examples per operation, so CI is reproducible and quick.

JSON Schema cannot state everything the server checks; the document says the rest in its
descriptions, and the hooks below keep *positive* examples within those documented rules
(never negative ones, which must still be refused):

* ``filter``: the CQL2 grammar → a valid expression on one of the collection's queryables;
* ``bbox``: lower corner first, and within ±90 in a geographic CRS;
* ``cursor``: an opaque token only the server's own links carry → left out;
* ``datetime``: RFC 3339 instants and intervals → the custom format ``ogc-datetime``;
* tiles: row and column lie within the tile matrix of the zoom level (< 2^zoom).

And in every example: a ``limit`` above the document's maximum is read as the maximum,
because the standard says so (OGC 17-069r4 §7.15.4), and downloads (f=csv, f=gpkg) ask for
at most 50 features to keep the walk quick.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import strategies as st

from layers.ogc_params import MAX_LIMIT

GEOGRAPHIC = {
    None,
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/4258",
}
CONFIG = """
seed = 20261206
max-failures = 1000
workers = 2
[generation]
max-examples = 6
deterministic = true
[checks]
enabled = true
[phases]
enabled = true
[phases.coverage]
generate-duplicate-query-parameters = false
"""


def _datetimes() -> st.SearchStrategy[str]:
    days = st.dates(
        min_value=__import__("datetime").date(1900, 1, 1),
        max_value=__import__("datetime").date(2100, 12, 31),
    )
    instant = st.one_of(days.map(str), days.map(lambda d: f"{d}T12:00:00Z"))
    interval = st.tuples(days, days).map(lambda p: sorted(p)).map(lambda p: f"{p[0]}/{p[1]}")
    open_end = st.one_of(
        days.map(lambda d: f"{d}/.."), days.map(lambda d: f"../{d}"), days.map(lambda d: f"{d}/")
    )
    return st.one_of(instant, interval, open_end)


schemathesis.openapi.format("ogc-datetime", _datetimes())
schemathesis.openapi.format("cql2", st.sampled_from(["id > 0", "id IS NULL"]))


@pytest.fixture(scope="module")
def api_url(demo_server) -> str:
    return demo_server + "/ogc/api"


@pytest.fixture(scope="module")
def valid_filters(api_url) -> dict[str, str]:
    """Per collection a CQL2 text filter that parses: '<first queryable> IS NOT NULL'."""
    base = api_url.removesuffix("/api")
    out = {}
    for collection in requests.get(f"{base}/collections", timeout=60).json()["collections"]:
        schema = requests.get(
            f"{base}/collections/{collection['id']}/queryables", timeout=60
        ).json()
        name = next(n for n in schema["properties"] if n != "geometry")
        out[collection["id"]] = f'"{name}" IS NOT NULL'
    return out


def _limit_as_served(query: dict) -> bool:
    """OGC API Features 17-069r4 §7.15.4: a limit above the advertised maximum "SHALL NOT
    result in an error" but is read as the maximum — so it is not invalid input. Downloads
    (f=csv, f=gpkg) without limit are the whole set (21 MB for dekking as GeoPackage; that
    is test_downloads.py's job): here they ask for at most 50 features. Schemathesis
    re-validates a changed case, so it may count as positive afterwards."""
    limit = query.get("limit")
    digits = isinstance(limit, int | str) and str(limit).isdigit()
    clamped = digits and int(limit) > MAX_LIMIT
    if clamped:
        query["limit"] = MAX_LIMIT
    if query.get("f") in ("csv", "gpkg") and (limit is None or digits):
        query["limit"] = min(int(query.get("limit", 50)), 50)
    return clamped


def _bbox_in_order(query: dict) -> None:
    box = query.get("bbox")
    if (
        isinstance(box, list)
        and len(box) in (4, 6)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in box)
    ):
        half = len(box) // 2
        pairs = [sorted(p) for p in zip(box[:half], box[half:], strict=True)]
        if query.get("bbox-crs") in GEOGRAPHIC:
            pairs = [[max(-90.0, min(90.0, v)) for v in p] for p in pairs]
        query["bbox"] = [p[0] for p in pairs] + [p[1] for p in pairs]


def _tile_in_matrix(case) -> None:
    tile = case.path_parameters or {}
    zxy = [tile.get(k) for k in ("tileMatrix", "tileRow", "tileCol")]
    if all(isinstance(v, int) or (isinstance(v, str) and v.isdigit()) for v in zxy):
        size = 2 ** int(zxy[0])
        kind = type(zxy[1])
        case.path_parameters = {
            **tile,
            "tileRow": kind(int(zxy[1]) % size),
            "tileCol": kind(int(zxy[2]) % size),
        }


@pytest.fixture(scope="module")
def api(api_url, valid_filters):
    schema = schemathesis.openapi.from_url(
        api_url, config=schemathesis.config.SchemathesisConfig.from_str(CONFIG)
    )

    @schema.hook
    def map_case(context, case):
        if case.meta is None:
            return case
        positive = case.meta.generation.mode.is_positive
        if positive:
            _tile_in_matrix(case)
        if not case.query:
            return case
        query = dict(case.query)
        positive = _limit_as_served(query) or positive
        if positive:
            query.pop("cursor", None)
            if "filter" in query:
                query["filter"] = valid_filters[case.operation.path.split("/")[2]]
                query["filter-lang"] = "cql2-text"
            _bbox_in_order(query)
        case.query = query
        return case

    return schema


def _run(schema) -> tuple[list[str], list[str], int]:
    """Run schemathesis's engine (examples, coverage, fuzzing and stateful phases, all
    checks): (failures, errors, number of checks that ran)."""
    from schemathesis.engine import Status, events, from_schema

    failures, errors, checked = [], [], 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                checked += len(checks)
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info:
                        info = check.failure_info
                        failures.append(
                            f"{event.label} [{check.name}] "
                            f"{info.failure.title}: {info.failure.message}\n"
                            f"    {info.code_sample}"
                        )
                    elif check.status == Status.ERROR:
                        errors.append(f"{event.label} [{check.name}] error in case {case_id}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(
                f"{getattr(event, 'label', '')}: {event.info.format()}"
                if hasattr(event, "info")
                else repr(event)
            )
    return sorted(set(failures)), errors, checked


def test_the_server_does_what_its_openapi_document_says(api):
    failures, errors, checked = _run(api)
    assert not errors, "\n".join(errors[:20])
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures[:40])
    assert checked > 500  # the walk really ran (71 operations, several checks each)


def test_the_document_declares_every_answer(api_url):
    """The statuses and media types the walk relies on are really in the document."""
    document = requests.get(api_url, timeout=60).json()
    items = document["paths"]["/collections/voorzieningen/items"]["get"]
    assert set(items["responses"]) == {"200", "304", "400", "500", "503"}
    assert set(items["responses"]["200"]["content"]) == {
        "application/geo+json",
        "text/html",
        "text/csv",
        "application/geopackage+sqlite3",
    }
    assert all(
        "application/problem+json" in items["responses"][s]["content"]
        for s in ("400", "500", "503")
    )
    one = document["paths"]["/collections/voorzieningen/items/{featureId}"]["get"]
    assert "404" in one["responses"]
    tile = document["paths"][
        "/collections/voorzieningen/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
    ]["get"]
    assert {"200", "204", "304", "400", "404"} <= set(tile["responses"])
    assert "application/vnd.mapbox-vector-tile" in tile["responses"]["200"]["content"]
    parameters = document["components"]["parameters"]
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["items-f"]["schema"]["enum"] == ["json", "geojson", "html", "csv", "gpkg"]
    assert "http://www.opengis.net/def/crs/EPSG/0/28992" in parameters["crs"]["schema"]["enum"]
    assert parameters["cursor"]["schema"]["pattern"]

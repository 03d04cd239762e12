"""OGC API Features items: paging, counts, filters, CRS, datetime, caching, exports."""

import gzip
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa

ITEMS = "/ogc/collections/voorzieningen/items"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"


def _count(engine, where="TRUE", **params):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                f"SELECT count(*) FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' AND {where}"
            ),
            params,
        ).scalar()


def _local(href):
    parts = urlsplit(href)
    return parts.path + "?" + parts.query


def _next(body):
    return next((lk["href"] for lk in body["links"] if lk["rel"] == "next"), None)


def test_default_page_and_exact_count(demo_client, demo_engine):
    body = demo_client.get(ITEMS).json
    assert body["numberReturned"] == len(body["features"]) == 100
    assert body["numberMatched"] == _count(demo_engine)
    assert "crs" not in body  # no legacy GeoJSON crs member


def test_following_next_returns_every_feature_once(demo_client, demo_engine):
    url, seen = ITEMS + "?limit=250&gemeentecode=GM0917", []
    while url:
        body = demo_client.get(url).json
        seen += [f["id"] for f in body["features"]]
        href = _next(body)
        if href:
            params = dict(parse_qsl(urlsplit(href).query))
            assert params["limit"] == "250" and params["gemeentecode"] == "GM0917"
            assert href.startswith("http://localhost/ogc/")
        url = href and _local(href)
    assert len(seen) == len(set(seen)) == _count(demo_engine, "gemeentecode = 'GM0917'")


def test_prev_goes_back_one_page(demo_client):
    first = demo_client.get(ITEMS + "?limit=10").json
    second = demo_client.get(_local(_next(first))).json
    prev = next(lk["href"] for lk in second["links"] if lk["rel"] == "prev")
    back = demo_client.get(_local(prev)).json
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]


def test_offset_paging_for_owslib(demo_client):
    body = demo_client.get(ITEMS + "?limit=5&offset=5").json
    all_ids = [f["id"] for f in demo_client.get(ITEMS + "?limit=10").json["features"]]
    assert [f["id"] for f in body["features"]] == all_ids[5:10]
    assert "offset=10" in _next(body)


def test_cursor_cannot_be_reused_with_other_filters(demo_client):
    body = demo_client.get(ITEMS + "?limit=5&gemeentecode=GM0917").json
    tampered = _local(_next(body)).replace("GM0917", "GM0935")
    response = demo_client.get(tampered)
    assert response.status_code == 400 and "cursor" in response.json["detail"]


@pytest.mark.parametrize(
    "limit,status,returned",
    [
        ("0", 400, None),
        ("-1", 400, None),
        ("abc", 400, None),
        ("1000000000", 200, 10000),
        ("10001", 200, 10000),
        ("1", 200, 1),
    ],
)
def test_limit_is_validated_and_clamped(demo_client, limit, status, returned):
    response = demo_client.get(f"/ogc/collections/voorzieningen/items?limit={limit}")
    assert response.status_code == status
    if returned:
        assert response.json["numberReturned"] == min(returned, response.json["numberMatched"])


@pytest.mark.parametrize(
    "query,where",
    [
        ("gemeentecode=GM0935", "gemeentecode = 'GM0935'"),
        ("thema=vervoer", "'vervoer' = ANY(themas)"),
        ("doelgroep=ouderen", "'ouderen' = ANY(doelgroepen)"),
        ("synthetisch=false", "NOT synthetisch"),
        ("geocode_precisie=pc4", "geocode_precisie = 'pc4'"),
    ],
)
def test_property_filters(demo_client, demo_engine, query, where):
    body = demo_client.get(f"{ITEMS}?{query}&limit=1").json
    assert body["numberMatched"] == _count(demo_engine, where) > 0


def test_theme_collection_holds_only_its_theme(demo_client, demo_engine):
    body = demo_client.get("/ogc/collections/vervoer/items?limit=10000").json
    assert body["numberMatched"] == _count(demo_engine, "'vervoer' = ANY(themas)")
    assert all("vervoer" in f["properties"]["thema"] for f in body["features"])


def test_bbox_in_crs84_rd_and_lat_lon(demo_client, demo_engine):
    expected = _count(
        demo_engine,
        "ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(5.68, 50.84, 5.70, 50.86, 4326), 28992))",
    )
    crs84 = demo_client.get(ITEMS + "?bbox=5.68,50.84,5.70,50.86").json["numberMatched"]
    latlon = demo_client.get(ITEMS + f"?bbox=50.84,5.68,50.86,5.70&bbox-crs={EPSG4326}").json
    assert crs84 == latlon["numberMatched"] == expected > 0
    rd = demo_client.get(ITEMS + f"?bbox=175000,316000,178000,319000&bbox-crs={RD}").json
    assert rd["numberMatched"] == _count(
        demo_engine, "ST_Intersects(geom, ST_MakeEnvelope(175000, 316000, 178000, 319000, 28992))"
    )


@pytest.mark.parametrize(
    "crs,check",
    [
        (None, lambda x, y: 5.5 < x < 6.3 and 50.7 < y < 51.1),
        (EPSG4326, lambda x, y: 50.7 < x < 51.1 and 5.5 < y < 6.3),
        ("http://www.opengis.net/def/crs/EPSG/0/4258", lambda x, y: 50.7 < x < 51.1),
        (RD, lambda x, y: 170_000 < x < 210_000 and 300_000 < y < 345_000),
        ("http://www.opengis.net/def/crs/EPSG/0/3857", lambda x, y: 600_000 < x < 700_000),
    ],
)
def test_output_crs_and_axis_order(demo_client, crs, check):
    response = demo_client.get(ITEMS + "?limit=3" + (f"&crs={crs}" if crs else ""))
    expected = crs or "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert response.headers["Content-Crs"] == f"<{expected}>"
    for feature in response.json["features"]:
        assert check(*feature["geometry"]["coordinates"])


@pytest.mark.parametrize(
    "param",
    [
        "crs=EPSG:9999",
        "bbox-crs=http://x/y",
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=5,51,4,50",
        "bbox=0,-100,10,100",
        "datetime=gisteren",
        "datetime=2026-01-02/2026-01-01",
        "filter-lang=sql",
        "f=xml",
        "onbekend=1",
    ],
)
def test_bad_parameters_are_400_problems(demo_client, param):
    response = demo_client.get(f"{ITEMS}?{param}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json" and response.json["detail"]


@pytest.mark.parametrize(
    "value,where",
    [
        ("2025-06-01", "laatst_geverifieerd_op = '2025-06-01'"),
        ("2025-01-01/2025-12-31", "laatst_geverifieerd_op BETWEEN '2025-01-01' AND '2025-12-31'"),
        ("../2024-12-31", "laatst_geverifieerd_op <= '2024-12-31'"),
        ("2026-01-01T00:00:00Z/..", "laatst_geverifieerd_op >= '2026-01-01'"),
        ("0000-01-01T00:00:00Z/2024-12-31T00:00:00Z", "laatst_geverifieerd_op <= '2024-12-31'"),
        ("2026-01-01/9999-12-31T00:00:00Z", "laatst_geverifieerd_op >= '2026-01-01'"),
    ],
)
def test_datetime_on_last_verified(demo_client, demo_engine, value, where):
    body = demo_client.get(f"{ITEMS}?datetime={value}&limit=1").json
    assert body["numberMatched"] == _count(demo_engine, where)


def test_etag_gives_304(demo_client):
    first = demo_client.get(ITEMS + "?limit=3")
    assert first.headers["ETag"] and first.headers["Cache-Control"] == "public, max-age=60"
    again = demo_client.get(ITEMS + "?limit=3", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_write_changes_etag_and_body_at_once(demo_client, demo_engine):
    url = ITEMS + "?limit=5&offset=2"
    first = demo_client.get(url)
    feature = first.json["features"][0]
    with demo_engine.begin() as conn:
        service = conn.execute(
            sa.text("SELECT aanbod_id FROM aanbod_locatie WHERE id = :id"), {"id": feature["id"]}
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE aanbod SET naam = 'Gewijzigd Aanbod' WHERE id = :id"), {"id": service}
        )
    try:
        again = demo_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE aanbod SET naam = :naam WHERE id = :id"),
                {"id": service, "naam": feature["properties"]["aanbod"]},
            )
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert again.json["features"][0]["properties"]["aanbod"] == "Gewijzigd Aanbod"
    assert demo_client.get(url).json["features"] == first.json["features"]


def test_gzip_and_cors(demo_client):
    response = demo_client.get(
        ITEMS + "?limit=500",
        headers={"Accept-Encoding": "gzip", "Origin": "https://elders.example"},
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert gzip.decompress(response.data).startswith(b'{"type": "FeatureCollection"')


def test_single_feature(demo_client):
    first = demo_client.get(ITEMS + "?limit=1").json["features"][0]
    response = demo_client.get(f"{ITEMS}/{first['id']}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.json["id"] == first["id"]
    assert response.json["properties"] == first["properties"]
    for bad in ("999999999", "abc", "1;DROP TABLE gebied"):
        assert demo_client.get(f"{ITEMS}/{bad}").status_code == 404


def test_features_show_precision_and_synthetic_flag(demo_client):
    props = demo_client.get(ITEMS + "?limit=2000").json["features"][0]["properties"]
    assert props["geocode_precisie"] in {"adres", "pc6", "pc4", "handmatig", "buurt"}
    assert isinstance(props["synthetisch"], bool) and "bron" in props


def test_html_items_page_escapes_values(demo_client, demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE organisatie SET naam = '<script>alert(1)</script>' "
                "WHERE id = (SELECT max(id) FROM organisatie)"
            )
        )
        last = conn.execute(sa.text("SELECT max(id) FROM organisatie")).scalar_one()
    try:  # HTML pages are capped at 500 rows now: ask for this organisation's features
        html = demo_client.get(ITEMS + f"?f=html&limit=10000&organisatie_id={last}").text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finally:
        with demo_engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE organisatie SET naam = 'Hersteld' "
                    "WHERE id = (SELECT max(id) FROM organisatie)"
                )
            )


def test_csv_export_of_a_filtered_collection(demo_client, demo_engine):
    response = demo_client.get("/ogc/collections/zorg-ondersteuning/items?f=csv&wijkcode=WK093500")
    assert response.mimetype == "text/csv"
    assert 'filename="zorg-ondersteuning.csv"' in response.headers["Content-Disposition"]
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("id,organisatie_id,organisatie") and lines[0].endswith(",lat,lon")
    assert len(lines) - 1 == _count(
        demo_engine, "wijkcode = 'WK093500' AND 'zorg-ondersteuning' = ANY(themas)"
    )


def test_geopackage_export_in_rd(demo_client, demo_engine):
    import pyogrio

    response = demo_client.get(f"{ITEMS}?f=gpkg&gemeentecode=GM0935&crs={RD}")
    assert response.mimetype == "application/geopackage+sqlite3"
    info = pyogrio.read_info(io.BytesIO(response.data), layer="voorzieningen")
    assert info["features"] == _count(demo_engine, "gemeentecode = 'GM0935'")
    assert re.search("28992", info["crs"])


def test_html_items_page_is_capped_with_links_to_downloads(demo_client, demo_engine):
    html = demo_client.get("/ogc/collections/dekking/items?f=html&limit=10000")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert page.count("<tr><td><a href=") == 500
    assert "hooguit 500" in page and "objecten zien" in page
    note = page[page.index('id="afgekapt"') :]
    note = note[: note.index("</p>")]
    links = dict(
        (t, h.replace("&amp;", "&")) for h, t in re.findall(r'href="([^"]+)" type="([^"]+)"', note)
    )
    assert set(links) == {"application/geo+json", "text/csv"}
    assert (
        "f=json" in links["application/geo+json"] and "limit=10000" in links["application/geo+json"]
    )
    assert "f=csv" in links["text/csv"]
    # JSON keeps its own limits: the same request as GeoJSON returns up to 10,000
    with demo_engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM laag_dekking")).scalar_one()
    body = demo_client.get(_local(links["application/geo+json"])).json
    assert body["numberReturned"] == min(total, 10_000) > 500


def test_small_html_pages_have_no_cap_note(demo_client):
    page = demo_client.get(ITEMS + "?f=html&limit=500").get_data(as_text=True)
    assert page.count("<tr><td><a href=") == 500
    assert 'id="afgekapt"' not in page


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/?f=csv",
        "/ogc/collections?f=gpkg",
        "/ogc/collections/voorzieningen?f=geojson",
        "/ogc/collections/voorzieningen/queryables?f=csv",
        "/ogc/api?f=html",
        f"{ITEMS}/1?f=csv",
        f"{ITEMS}?crs=",
        f"{ITEMS}?bbox-crs=%20&bbox=5,50,6,51",
        f"{ITEMS}?filter-crs=EPSG:9999",
        f"{ITEMS}?datetime=20250601",
        f"{ITEMS}?datetime=2025-06-01T12:00",
        f"{ITEMS}?datetime=2025-02-30",
    ],
)
def test_formats_crs_and_datetime_as_strict_as_the_openapi_document(demo_client, url):
    """What the document calls invalid is a 400 (schemathesis's negative examples)."""
    response = demo_client.get(url)
    assert response.status_code == 400, response.text[:300]
    assert response.mimetype == "application/problem+json"


def test_an_instant_in_year_zero_is_a_date_not_an_open_end(demo_client):
    response = demo_client.get(f"{ITEMS}?datetime=0000-01-01")
    assert response.status_code == 200 and response.json["numberMatched"] == 0

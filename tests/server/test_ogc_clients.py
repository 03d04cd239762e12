"""Real clients against the live server: OWSLib and GDAL's OAPIF driver (ogrinfo, ogr2ogr)."""

import json
import subprocess

import pytest
import sqlalchemy as sa
from owslib.ogcapi.features import Features


def _count(engine, where="TRUE"):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT count(*) FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' AND "
                + where
            )
        ).scalar()


@pytest.fixture
def owslib(demo_server):
    return Features(demo_server + "/ogc/")


def test_owslib_lists_collections(owslib):
    ids = [c["id"] for c in owslib.collections()["collections"]]
    assert "zorg-ondersteuning" in ids and "buurten" in ids
    assert owslib.collection("buurten")["itemCount"] == 421
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in owslib.conformance()["conformsTo"]
    )


def test_owslib_items_with_bbox_and_offset(owslib, demo_engine):
    first = owslib.collection_items("voorzieningen", bbox=[5.6, 50.8, 5.8, 50.9], limit=5)
    page2 = owslib.collection_items("voorzieningen", bbox=[5.6, 50.8, 5.8, 50.9], limit=5, offset=5)
    assert first["numberMatched"] == _count(
        demo_engine,
        "ST_Intersects(geom, ST_Transform(ST_MakeEnvelope(5.6, 50.8, 5.8, 50.9, 4326), 28992))",
    )
    assert len(first["features"]) == len(page2["features"]) == 5
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in page2["features"]}


def test_owslib_cql2_filter(owslib, demo_engine):
    result = owslib.collection_items(
        "voorzieningen", filter="gemeentecode = 'GM0917' AND synthetisch = false", limit=1000
    )
    assert (
        result["numberMatched"]
        == _count(demo_engine, "gemeentecode = 'GM0917' AND NOT synthetisch")
        > 0
    )


def _ogr(*args) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_gdal_lists_layers_and_counts(demo_server, demo_engine):
    listing = _ogr("ogrinfo", "-ro", "-q", f"OAPIF:{demo_server}/ogc/")
    for name in ("voorzieningen", "zorg-ondersteuning", "gemeenten", "buurten"):
        assert name in listing
    summary = _ogr("ogrinfo", "-ro", "-so", f"OAPIF:{demo_server}/ogc/", "voorzieningen")
    assert f"Feature Count: {_count(demo_engine)}" in summary


def test_gdal_copies_every_page_in_rd(demo_server, demo_engine, tmp_path):
    target = tmp_path / "voorzieningen.geojson"
    _ogr(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        "-t_srs",
        "EPSG:28992",
        "-lco",
        "RFC7946=NO",
        str(target),
        f"OAPIF:{demo_server}/ogc/",
        "voorzieningen",
        "-oo",
        "PAGE_SIZE=200",
        "-preserve_fid",
    )
    data = json.loads(target.read_text())
    ids = [f["id"] for f in data["features"]]
    assert len(data["features"]) == _count(demo_engine)
    assert len(set(ids)) == len(ids) and all(isinstance(i, int) for i in ids)
    x, y = data["features"][0]["geometry"]["coordinates"]
    assert 170_000 < x < 210_000 and 300_000 < y < 345_000


def test_gdal_reads_area_polygons_with_counts(demo_server):
    info = _ogr("ogrinfo", "-ro", "-al", "-so", f"OAPIF:{demo_server}/ogc/collections/wijken")
    assert "Feature Count: 93" in info
    assert "aantal_zorg_ondersteuning: Integer" in info
    assert "Multi Polygon" in info or "MultiPolygon" in info

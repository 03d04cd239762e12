"""Contact persons and internal records never reach public output; shelters are generalised."""

import pytest
import sqlalchemy as sa

SECRETS = ("Geheime Contactpersoon", "geheim.contact@intern.example", "06-99887766")


def _internal(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT array_agg(id) FROM laag_voorzieningen WHERE zichtbaarheid <> 'openbaar'"
            )
        ).scalar()


def _confidential(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT al.id, ST_X(l.geom), ST_Y(l.geom), l.straat, l.postcode, "
                "ST_X(ST_PointOnSurface(b.geom)), ST_Y(ST_PointOnSurface(b.geom)) "
                "FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id "
                "JOIN gebied b ON b.code = l.buurtcode WHERE l.vertrouwelijk LIMIT 1"
            )
        ).one()


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/voorzieningen/items?limit=10000",
        "/ogc/collections/voorzieningen/items?limit=10000&f=html",
        "/ogc/collections/voorzieningen/items?f=csv",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/voorzieningen/queryables",
    ],
)
def test_contact_persons_never_in_public_output(demo_client, path):
    text = demo_client.get(path).get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in text


def test_contact_persons_not_in_geopackage(demo_client):
    data = demo_client.get("/ogc/collections/voorzieningen/items?f=gpkg").data
    for secret in SECRETS:
        assert secret.encode() not in data


def test_internal_records_are_not_published(demo_client, demo_engine):
    internal = _internal(demo_engine)
    assert internal  # the fixture made one organisation internal
    body = demo_client.get("/ogc/collections/voorzieningen/items?limit=10000").json
    assert not set(internal) & {f["id"] for f in body["features"]}
    for fid in internal:
        assert demo_client.get(f"/ogc/collections/voorzieningen/items/{fid}").status_code == 404
    csv_ids = {
        line.split(",")[0]
        for line in demo_client.get("/ogc/collections/voorzieningen/items?f=csv").text.splitlines()
    }
    assert not {str(i) for i in internal} & csv_ids
    count = demo_client.get("/ogc/collections/voorzieningen").json["itemCount"]
    assert count == body["numberMatched"]


def test_confidential_location_is_generalised_everywhere(demo_client, demo_engine):
    fid, x, y, street, postcode, bx, by = _confidential(demo_engine)
    rd = "http://www.opengis.net/def/crs/EPSG/0/28992"
    feature = demo_client.get(f"/ogc/collections/voorzieningen/items/{fid}?crs={rd}").json
    fx, fy = feature["geometry"]["coordinates"]
    assert (round(fx, 2), round(fy, 2)) == (round(bx, 2), round(by, 2))
    assert (round(fx), round(fy)) != (round(x), round(y))
    assert feature["properties"]["straat"] is None and feature["properties"]["postcode"] is None
    assert feature["properties"]["geocode_precisie"] == "buurt"
    assert feature["properties"]["vertrouwelijk"] is True
    with demo_engine.connect() as conn:
        expected = {
            row.id: [round(row.x, 2), round(row.y, 2)]
            for row in conn.execute(
                sa.text(
                    "SELECT al.id, ST_X(ST_PointOnSurface(b.geom)) x, ST_Y(ST_PointOnSurface(b.geom)) y "
                    "FROM aanbod_locatie al JOIN locatie l ON l.id = al.locatie_id "
                    "JOIN gebied b ON b.code = l.buurtcode WHERE l.vertrouwelijk"
                )
            )
        }
    linked = set(expected)
    page = demo_client.get(f"/ogc/collections/voorzieningen/items?limit=10000&crs={rd}").json
    shown = [f for f in page["features"] if f["id"] in linked]
    assert shown and all(f["geometry"]["coordinates"] == expected[f["id"]] for f in shown)
    assert all(f["properties"]["straat"] is None for f in shown)
    rows = [
        line
        for line in demo_client.get("/ogc/collections/voorzieningen/items?f=csv").text.splitlines()
        if line.split(",")[0] in {str(i) for i in linked}
    ]
    assert rows and not any(postcode in row or street in row for row in rows)

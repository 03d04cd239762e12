"""The official BAG products into ``load_bag``: the PDOK BAG GeoPackage and CSV exports.

The samples are built here from the shipped real Maastricht/Heerlen BAG addresses
(tests/data/bag_sample.csv, its good rows) in the shapes of the products (docs/IMPORT.md).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point, box

from geo.bag_files import BagFileError, split_point
from geo.bag_loader import load_bag
from geo.db import make_engine
from geo.geocode import geocode_address
from server import create_app
from tests.conftest import url_string

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "bag_sample.csv"


def _addresses() -> list[dict]:
    """The good rows of the sample: a Dutch postcode, a house number and both coordinates."""
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    good = [
        r
        for r in rows
        if re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", r["postcode"])
        and r["huisnummer"].isdigit()
        and r["x"]
        and r["y"]
        and float(r["x"]) > 1000
    ]
    return list(
        {
            (r["postcode"], r["huisnummer"], r["huisletter"], r["toevoeging"]): r for r in good
        }.values()
    )


def _bag_light(path: Path, crs: str = "EPSG:28992") -> int:
    """A GeoPackage shaped like PDOK's bag-light.gpkg: layers pand and verblijfsobject."""
    rows = _addresses()
    verblijfsobject = gpd.GeoDataFrame(
        {
            "identificatie": [f"0935010000{i:06d}" for i in range(len(rows))],
            "openbare_ruimte_naam": [r["straat"] for r in rows],
            "huisnummer": [int(r["huisnummer"]) for r in rows],
            "huisletter": [r["huisletter"] or None for r in rows],
            "toevoeging": [r["toevoeging"] or None for r in rows],
            "postcode": [r["postcode"] for r in rows],
            "woonplaats_naam": [r["woonplaats"] for r in rows],
            "gebruiksdoel": ["kantoorfunctie"] * len(rows),
            "status": ["Verblijfsobject in gebruik"] * len(rows),
        },
        geometry=[Point(float(r["x"]), float(r["y"])) for r in rows],
        crs="EPSG:28992",
    ).to_crs(crs)
    pand = gpd.GeoDataFrame(
        {"identificatie": ["0935100000000001"], "bouwjaar": [1920]},
        geometry=[box(176400, 317900, 176440, 317960)],
        crs="EPSG:28992",
    )
    pand.to_file(path, layer="pand", driver="GPKG")
    verblijfsobject.to_file(path, layer="verblijfsobject", driver="GPKG")
    return len(rows)


@pytest.fixture
def engine(fresh_url):
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def _markt_78(engine) -> tuple:
    found = geocode_address(engine, "6211CL", 78)
    assert found is not None
    return found["precisie"], round(found["x"]), round(found["y"]), found["bron"]


def test_the_bag_geopackage_is_read_from_its_verblijfsobject_layer(engine, tmp_path):
    path = tmp_path / "bag-light.gpkg"
    n = _bag_light(path)
    summary = load_bag(engine, path, bron="BAG GeoPackage")
    assert (summary["read"], summary["loaded"], summary["rejected"]) == (n, n, 0)
    assert summary["inserted"] == n
    assert _markt_78(engine) == ("adres", 176421, 317956, "BAG GeoPackage")
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT straat, woonplaats, huisletter, toevoeging FROM adres "
                "WHERE postcode = '6416EC' AND huisnummer = 120"
            )
        ).one()
    assert tuple(row) == ("Heerlerbaan", "Heerlen", "", "A2")
    again = load_bag(engine, path, bron="BAG GeoPackage")
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, n)


def test_a_geopackage_in_another_crs_is_reprojected(engine, tmp_path):
    path = tmp_path / "adressen_wgs84.gpkg"
    _bag_light(path, crs="EPSG:4326")
    load_bag(engine, path, bron="BAG WGS84", layer="verblijfsobject")
    precision, x, y, _ = _markt_78(engine)
    assert (precision, abs(x - 176421) <= 1, abs(y - 317956) <= 1) == ("adres", True, True)


def test_a_geopackage_without_addresses_is_one_clear_error(engine, tmp_path):
    path = tmp_path / "panden.gpkg"
    gpd.GeoDataFrame(
        {"identificatie": ["1"]}, geometry=[box(0, 300000, 10, 300010)], crs="EPSG:28992"
    ).to_file(path, layer="pand", driver="GPKG")
    with pytest.raises(BagFileError, match="geen laag met adressen"):
        load_bag(engine, path)
    with pytest.raises(BagFileError, match="geen laag 'vbo'; lagen: pand"):
        load_bag(engine, path, layer="vbo")


def test_csv_with_the_bag_column_names_and_a_wkt_point(engine, tmp_path):
    """A PDOK-style CSV export: BAG names, the point as WKT in ``geometrie``."""
    path = tmp_path / "verblijfsobject.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["identificatie", "openbare_ruimte_naam", "huisnummer", "huisletter", "toevoeging"]
            + ["postcode", "woonplaats_naam", "geometrie"]
        )
        for i, r in enumerate(_addresses()):
            writer.writerow(
                [i, r["straat"], r["huisnummer"], r["huisletter"], r["toevoeging"]]
                + [r["postcode"], r["woonplaats"], f"POINT ({r['x']} {r['y']})"]
            )
        writer.writerow([99, "Markt", "80", "", "", "6211CL", "Maastricht", "POLYGON EMPTY"])
    summary = load_bag(engine, path, bron="BAG CSV")
    assert summary["rejected"] == 1 and summary["rejects"][0][1] == "x of y ontbreekt"
    assert _markt_78(engine) == ("adres", 176421, 317956, "BAG CSV")


def test_nlextract_bagadres_csv(engine, tmp_path):
    """NLExtract's bagadres.csv: ';', openbareruimte, huisnummertoevoeging, x, y, lon, lat."""
    header = "openbareruimte;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;"
    header += "gemeente;provincie;object_id;object_type;nevenadres;x;y;lon;lat"
    lines = [header]
    for r in _addresses():
        lines.append(
            f"{r['straat']};{r['huisnummer']};{r['huisletter']};{r['toevoeging']};"
            f"{r['postcode']};{r['woonplaats']};Maastricht;Limburg;1;VBO;f;"
            f"{r['x']};{r['y']};5.69;50.85"
        )
    path = tmp_path / "bagadres.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = load_bag(engine, path, bron="NLExtract")
    assert summary["rejected"] == 0 and summary["loaded"] == len(_addresses())
    assert _markt_78(engine) == ("adres", 176421, 317956, "NLExtract")


def test_split_point():
    assert split_point("POINT (176420 317950)") == ("176420", "317950")
    assert split_point("point z(1.5 2.5 3)") == ("1.5", "2.5")
    assert split_point("POLYGON EMPTY") == ("", "")


def test_cli_loads_a_geopackage(fresh_url, tmp_path):
    path = tmp_path / "bag-light.gpkg"
    n = _bag_light(path)
    app = create_app({"DATABASE_URL": url_string(fresh_url), "TESTING": True})
    result = app.test_cli_runner().invoke(
        args=["geocode", "load-bag", str(path), "--laag", "verblijfsobject"]
    )
    assert result.exit_code == 0, result.output
    assert f"│ {n} │ {n} │ 0 │ {n} │ 0 │ 0 │ 0 │" in re.sub(r"\s+", " ", result.output)

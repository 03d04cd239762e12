"""Real demo data converted to the import format: OSM amenities and RIVM hospitals.

Pure Python: no database is needed.
"""

import json

import pandas as pd
import pytest

from demo.sources import (
    DATA,
    OSM_AMENITIES,
    hospital_records,
    opening_hours,
    osm_records,
    split_housenumber,
)

DAY = r"(ma|di|wo|do|vr|za|zo)"
DAYS = rf"{DAY}(-{DAY})?(,{DAY}(-{DAY})?)*"
TIME = r"(([01]\d|2[0-3]):[0-5]\d|24:00)"
RULE = rf"{DAYS} {TIME}-{TIME}"
HOURS = rf"^(|op afspraak|{RULE}(; {RULE})*)$"


@pytest.fixture(scope="module")
def osm():
    return osm_records()


@pytest.fixture(scope="module")
def hospitals():
    return hospital_records()


def test_osm_counts_per_theme_and_kind(osm):
    # Computed from data/osm_poi_maastricht_2023.geojson (see data/SOURCES.md, section 7).
    assert len(osm) == 35
    assert osm["thema"].value_counts().to_dict() == {
        "zorg-ondersteuning": 22,
        "informatie-advies": 5,
        "meedoen-ontmoeten": 4,
        "opgroeien-opvoeden": 3,
        "veiligheid": 1,
    }
    assert osm["aanbod"].value_counts().to_dict() == {
        "Apotheek": 7,
        "Kliniek": 6,
        "Bibliotheek": 4,
        "Buurthuis": 4,
        "Huisartsenpraktijk": 3,
        "Kinderopvang": 3,
        "Tandarts": 2,
        "Ziekenhuis": 2,
        "Gemeentehuis": 1,
        "Politiebureau": 1,
        "Sociale voorziening": 1,
        "Verpleeghuis": 1,
    }
    assert osm["doelgroep"].value_counts().to_dict() == {
        "iedereen": 31,
        "kinderen; ouders": 3,
        "ouderen": 1,
    }


def test_osm_unnamed_amenities_get_a_descriptive_name(osm):
    unnamed = osm.loc[osm["organisatie"].str.endswith("(naam onbekend)"), "organisatie"]
    assert sorted(unnamed) == [
        "Kinderopvang (naam onbekend)",
        "Politiebureau (naam onbekend)",
        "Verpleeghuis (naam onbekend)",
    ]


def test_osm_rows_have_coordinates_ids_and_valid_fields(osm):
    assert osm["id"].str.match(r"^osm:node/\d+$").all() and osm["id"].is_unique
    assert (osm["organisatie_id"] == osm["id"]).all()
    lat, lon = osm["lat"].astype(float), osm["lon"].astype(float)
    assert lat.between(50.813, 50.902).all() and lon.between(5.644, 5.761).all()
    assert osm["postcode"].str.match(r"^([1-9]\d{3} [A-Z]{2})?$").all()
    assert osm["huisletter"].str.match(r"^[A-Z]?$").all()
    assert osm["toevoeging"].str.match(r"^[A-Z0-9]{0,4}$").all()
    assert osm["openingstijden"].str.match(HOURS).all()
    assert osm["website"].str.match(r"^(https?://\S+)?$").all()
    assert "synthetisch" not in osm.columns and "kvk" not in osm.columns


def test_osm_values_are_converted(osm):
    by_name = osm.set_index("organisatie")
    assert by_name.at["Centre Céramique", "openingstijden"] == (
        "di-vr 12:00-18:00; za 13:00-17:00; zo 13:00-17:00"
    )
    assert by_name.at["Centre Céramique", "toegankelijkheid"] == "Rolstoeltoegankelijk"
    assert by_name.at["Landbouwbelang", "openingstijden"] == "di,do,vr 20:00-24:00"
    assert by_name.at["Stadspoli Oost", "huisnummer"] == "2"  # "4-Feb" in the file
    assert by_name.at["Stadspoli Oost", "postcode"] == "6226 NB"
    annadal = by_name.loc["Annadal Kliniek"]
    assert (annadal["huisnummer"], annadal["toevoeging"]) == ("100", "C02")
    assert by_name.at["Medish Centrum Maastricht Annadal", "telefoon"] == "+31 43 387 5000"
    assert by_name.at["Stadhuis Maastricht", "thema"] == "informatie-advies"


def test_social_facility_tag_picks_the_theme(tmp_path):
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.69, 50.85]},
            "properties": {
                "osm_id": f"node/{i}",
                "key": key,
                "value": value,
                "name": name,
                "social_facility": facility,
            },
        }
        for i, (key, value, name, facility) in enumerate(
            [
                ("amenity", "social_facility", "Voedselbank", "food_bank"),
                ("amenity", "social_facility", "Opvang", "shelter"),
                ("amenity", "social_facility", "Iets", None),
                ("amenity", "place_of_worship", "Kerk", None),
                ("shop", "pharmacy", "Winkel", None),
            ]
        )
    ]
    path = tmp_path / "osm.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    rows = osm_records(path).set_index("organisatie")
    assert list(rows.index) == ["Voedselbank", "Opvang", "Iets"]
    assert rows.at["Voedselbank", "thema"] == "geld-uitkering"
    assert rows.at["Opvang", "thema"] == "wonen-huishouden; veiligheid"
    assert rows.at["Opvang", "doelgroep"] == "dak-en-thuislozen"
    assert rows.at["Iets", "thema"] == "zorg-ondersteuning"


def test_only_social_map_amenities_are_mapped():
    assert "place_of_worship" not in OSM_AMENITIES and "school" not in OSM_AMENITIES


@pytest.mark.parametrize(
    "osm_value,ours",
    [
        ("Mo-Fr 08:00-17:30", "ma-vr 08:00-17:30"),
        ("Mo off; Tu-Fr 12:00-18:00; Sa 13:00-17:00", "di-vr 12:00-18:00; za 13:00-17:00"),
        ("Tu,Th-Fr 20:00-24:00", "di,do,vr 20:00-24:00"),
        ("08:00-17:00", "ma-zo 08:00-17:00"),
        ("Mo-Fr 08:00-12:00,13:00-17:00", ""),
        ("Mo-Fr 09:00-17:00; PH off", ""),
        ("Mo 18:00-02:00", ""),
        ("24/7", ""),
        (None, ""),
    ],
)
def test_opening_hours_conversion(osm_value, ours):
    assert opening_hours(osm_value) == ours


@pytest.mark.parametrize(
    "text,parts",
    [
        ("22A", ("22", "A", "")),
        ("73 A", ("73", "A", "")),
        ("100 C02", ("100", "", "C02")),
        ("12-3", ("12", "", "3")),
        ("2-4", ("2", "", "")),
        ("71A-77A", ("71", "A", "")),
        ("4-Feb", ("2", "", "")),
        ("Du Commerce", ("", "", "")),
    ],
)
def test_split_housenumber(text, parts):
    assert split_housenumber(text) == parts


def test_hospitals_are_filtered_to_zuid_limburg(hospitals):
    source = pd.read_csv(DATA / "ziekenhuislocaties_limburg_2016.csv", dtype=str)
    assert len(source) == 17 and len(hospitals) == 8
    assert set(hospitals["plaats"]) == {"Brunssum", "Geleen", "Heerlen", "Kerkrade", "Maastricht"}
    assert not {"Venlo", "Roermond", "Weert", "Echt"} & set(hospitals["plaats"])


def test_hospitals_have_addresses_but_no_coordinates(hospitals):
    assert not {"lat", "lon", "x", "y"} & set(hospitals.columns)
    assert hospitals["postcode"].str.match(r"^[1-9]\d{3} [A-Z]{2}$").all()
    assert hospitals["huisnummer"].str.match(r"^[1-9]\d{0,4}$").all()
    assert (hospitals["thema"] == "zorg-ondersteuning").all()
    assert hospitals["id"].str.match(r"^rivm:\d+$").all() and hospitals["id"].is_unique
    assert hospitals.groupby("organisatie_id")["organisatie"].nunique().eq(1).all()
    assert hospitals["organisatie"].value_counts().to_dict() == {
        "Maastricht UMC+": 4,
        "Zuyderland Medisch Centrum": 4,
    }
    geleen = hospitals.set_index("locatie_naam").loc["Zuyderland Medisch Centrum Sittard-Geleen"]
    assert (geleen["straat"], geleen["huisnummer"], geleen["plaats"]) == (
        "Dr. H. van der Hoffplein",
        "1",
        "Geleen",
    )

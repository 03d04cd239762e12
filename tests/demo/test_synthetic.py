"""Synthetic demo data: determinism, coverage, population, formats, committed files.

Pure Python: no database is needed.
"""

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from demo.data import FILES, main
from demo.synthetic import (
    benchmark_input,
    load_templates,
    read_buurten,
    read_taxonomy,
    synthetic_addresses,
    synthetic_records,
)
from demo.synthetic_bag import allocate, locate_points, read_pc4

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
ZL_GEMEENTEN = {
    "GM0882",
    "GM0888",
    "GM0899",
    "GM0917",
    "GM0928",
    "GM0935",
    "GM0938",
    "GM0965",
    "GM0971",
    "GM0981",
    "GM0986",
    "GM0994",
    "GM1729",
    "GM1883",
    "GM1903",
    "GM1954",
}

# Format rules of docs/IMPORT.md, as regular expressions.
DAY = r"(ma|di|wo|do|vr|za|zo)"
DAYS = rf"{DAY}(-{DAY})?(,{DAY}(-{DAY})?)*"
TIME = r"(([01]\d|2[0-3]):[0-5]\d|24:00)"
RULE = rf"{DAYS} {TIME}-{TIME}"
HOURS = rf"^(op afspraak|{RULE}(; {RULE})*)$"
RECORD_FORMAT = {
    "id": r"^syn-\d{5}-a[1-3]-l[1-3]$",
    "organisatie_id": r"^syn-\d{5}$",
    "organisatie": r"^\S.{2,120}$",
    "kvk": r"^(9\d{7})?$",
    "aanbod": r"^\S.{2,120}$",
    "thema": r"^[a-z-]+(; [a-z-]+)*$",
    "doelgroep": r"^[a-z-]+(; [a-z-]+)*$",
    "straat": r"^\S.+$",
    "huisnummer": r"^[1-9]\d{0,4}$",
    "huisletter": r"^[A-Z]?$",
    "toevoeging": r"^[A-Z0-9]{0,4}$",
    "postcode": r"^[1-9]\d{3} [A-Z]{2}$",
    "plaats": r"^\S.+$",
    "telefoon": r"^0(43|45|46) 7\d\d \d\d \d\d$",
    "email": r"^info@[a-z0-9-]+\.example$",
    "website": r"^(https://[a-z0-9-]+\.example)?$",
    "openingstijden": HOURS,
    "talen": r"^[a-z]{2}(;[a-z]{2})*$",
    "capaciteit": r"^(0|[1-9]\d*)?$",
    "vertrouwelijk": r"^(ja|nee)$",
    "zichtbaarheid": r"^(openbaar|professional|intern)$",
    "laatst_geverifieerd": r"^202[4-6]-\d\d-\d\d$",
    "synthetisch": r"^ja$",
}


@pytest.fixture(scope="module")
def buurten():
    return read_buurten()


@pytest.fixture(scope="module")
def taxonomy():
    return read_taxonomy()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A fresh generation of the demo files through the command line."""
    out = tmp_path_factory.mktemp("demo")
    main(["--out", str(out)])
    return out


@pytest.fixture(scope="module")
def demo(fresh) -> dict[str, pd.DataFrame]:
    return {
        key: pd.read_csv(fresh / name, dtype=str, keep_default_na=False)
        for key, name in FILES.items()
    }


@pytest.fixture(scope="module")
def sites(demo, buurten) -> pd.DataFrame:
    """Distinct locations of the synthetic records, with x/y and gemeentecode."""
    addresses = demo["adressen"].assign(
        postcode=lambda a: a["postcode"].str[:4] + " " + a["postcode"].str[4:]
    )
    key = ["postcode", "huisnummer", "huisletter", "toevoeging"]
    locations = demo["organisaties"].drop_duplicates(["organisatie_id", *key])
    merged = locations.merge(
        addresses, on=key, how="left", suffixes=("", "_bag"), validate="many_to_one"
    )
    area = locate_points(
        merged["x"].astype(float).to_numpy(), merged["y"].astype(float).to_numpy(), buurten
    )
    return merged.assign(gemeentecode=buurten["gemeentecode"].to_numpy()[area])


@pytest.mark.parametrize("name", [*FILES.values(), "README.md"])
def test_committed_demo_files_equal_a_fresh_generation(fresh, name):
    assert (DEMO / name).exists(), "run: .venv/bin/python -m demo --out data/demo"
    assert (DEMO / name).read_bytes() == (fresh / name).read_bytes(), (
        f"data/demo/{name} is stale: run .venv/bin/python -m demo --out data/demo"
    )


def test_committed_files_are_small_enough_to_commit():
    for name in [*FILES.values(), "README.md"]:
        assert (DEMO / name).stat().st_size < 3_000_000, name


def test_same_seed_same_output_other_seed_other_output(buurten, taxonomy):
    pc4 = read_pc4()
    first = synthetic_addresses(buurten, 3000, 7, pc4=pc4)
    pd.testing.assert_frame_equal(first, synthetic_addresses(buurten, 3000, 7, pc4=pc4))
    assert not first.equals(synthetic_addresses(buurten, 3000, 8, pc4=pc4))
    records = synthetic_records(first, 200, 7, *taxonomy, buurten)
    pd.testing.assert_frame_equal(records, synthetic_records(first, 200, 7, *taxonomy, buurten))
    assert not records.equals(synthetic_records(first, 200, 8, *taxonomy, buurten))


def test_demo_sizes(demo, sites):
    assert len(demo["adressen"]) == 20_000
    assert len(sites) >= 800
    assert sites["x"].notna().all(), "every location must be an address of the extract"


def test_locations_cover_all_gemeenten_in_proportion_to_population(sites, buurten):
    per_gemeente = pd.DataFrame(
        {
            "locaties": sites["gemeentecode"].value_counts(),
            "inwoners": buurten.groupby("gemeentecode")["inwoners"].sum(),
        }
    ).fillna(0)
    assert set(per_gemeente.index[per_gemeente["locaties"] > 0]) == ZL_GEMEENTEN
    assert per_gemeente["locaties"].corr(per_gemeente["inwoners"]) > 0.9
    ranks = per_gemeente.rank()
    assert ranks["locaties"].corr(ranks["inwoners"]) > 0.8  # Spearman


def test_every_theme_and_doelgroep_is_used(demo, taxonomy):
    records = demo["organisaties"]
    themes, doelgroepen = taxonomy
    used_themes = set(records["thema"].str.split("; ").explode())
    used_groups = set(records["doelgroep"].str.split("; ").explode())
    assert used_themes == set(themes)
    assert used_groups == set(doelgroepen)


def test_record_fields_follow_the_import_format(demo, taxonomy):
    records = demo["organisaties"]
    for column, pattern in RECORD_FORMAT.items():
        bad = records.loc[~records[column].str.match(pattern), column]
        assert bad.empty, f"{column}: {bad.head(3).tolist()}"
    themes, doelgroepen = taxonomy
    assert set(records["thema"].str.split("; ").explode()) <= set(themes)
    assert set(records["doelgroep"].str.split("; ").explode()) <= set(doelgroepen)
    days = pd.to_datetime(records["laatst_geverifieerd"], format="%Y-%m-%d")
    assert days.min() >= pd.Timestamp(2024, 1, 1) and days.max() <= pd.Timestamp(date.today())
    for value in records["openingstijden"].unique():
        for start, end in re.findall(r"(\d\d:\d\d)-(\d\d:\d\d)", value):
            assert start < end, value


def test_records_are_on_extract_addresses(sites):
    assert (sites["straat"] == sites["straat_bag"]).all()
    assert (sites["plaats"] == sites["woonplaats"]).all()


def test_organisations_have_stable_ids_and_one_to_three_services_and_locations(demo):
    records = demo["organisaties"]
    assert records["id"].is_unique
    assert (records["id"].str[:9] == records["organisatie_id"]).all()
    per_org = records.groupby("organisatie_id").agg(
        naam=("organisatie", "nunique"),
        kvk=("kvk", "nunique"),
        aanbod=("aanbod", "nunique"),
        locaties=("locatie_naam", "nunique"),
        plaats=("plaats", "nunique"),
    )
    assert (per_org[["naam", "kvk", "plaats"]] == 1).all().all()
    assert per_org["aanbod"].between(1, 3).all() and per_org["locaties"].between(1, 3).all()
    assert per_org["locaties"].max() == 3 and per_org["aanbod"].max() == 3
    kvk = records.drop_duplicates("organisatie_id")["kvk"]
    assert kvk[kvk != ""].is_unique
    assert records.drop_duplicates("organisatie_id")["email"].is_unique
    assert records["omschrijving"].str.contains("verzonnen").all()


def test_addresses_lie_inside_their_populated_buurt(buurten):
    addresses = synthetic_addresses(buurten, 5000, 11, with_buurt=True)
    geoms = buurten.set_index("code").geometry
    for code, group in addresses.groupby("buurtcode"):
        assert shapely.contains_xy(geoms[code], group["x"], group["y"]).all(), code
    expected = pd.Series(allocate(buurten["inwoners"].to_numpy(), 5000), index=buurten["code"])
    counts = addresses["buurtcode"].value_counts().reindex(buurten["code"], fill_value=0)
    assert (counts == expected).all()
    empty = buurten.loc[buurten["inwoners"].fillna(0) == 0, "code"]
    assert len(empty) > 0 and not addresses["buurtcode"].isin(empty).any()


def test_address_extract_format(demo):
    bag = demo["adressen"]
    assert list(bag.columns) == [
        "postcode",
        "huisnummer",
        "huisletter",
        "toevoeging",
        "straat",
        "woonplaats",
        "x",
        "y",
    ]
    assert bag["postcode"].str.match(r"^[1-9][0-9]{3}[A-Z]{2}$").all()
    assert not bag["postcode"].str[4:].isin(["SA", "SD", "SS"]).any()
    assert not bag["postcode"].str[4:].str.contains("[FIOQUY]").any()
    assert bag["huisnummer"].astype(int).between(1, 99_999).all()
    assert bag["huisletter"].str.match(r"^[A-Z]?$").all()
    assert bag["toevoeging"].str.match(r"^[A-Z0-9]{0,4}$").all()
    assert not bag.duplicated(["postcode", "huisnummer", "huisletter", "toevoeging"]).any()
    assert (bag["huisletter"] != "").any() and (bag["toevoeging"] != "").any()
    # A PC6 is one street segment: one street and one woonplaats per postcode.
    per_pc6 = bag.groupby("postcode")[["straat", "woonplaats"]].nunique()
    assert (per_pc6 == 1).all().all()


def test_postcodes_are_the_real_pc4_of_the_point(demo):
    bag = demo["adressen"]
    pc4 = read_pc4()
    area = locate_points(bag["x"].astype(float).to_numpy(), bag["y"].astype(float).to_numpy(), pc4)
    assert (bag["postcode"].str[:4] == pc4["pc4"].to_numpy()[area]).all()
    assert (bag["woonplaats"] == pc4["plaats"].to_numpy()[area]).all()
    assert bag["postcode"].str[:4].nunique() > 100


def test_street_names_look_dutch(demo):
    streets = demo["adressen"]["straat"]
    assert (
        streets.str.contains(r"(?:straat|weg|laan|plein|pad|hof|dreef|steeg|singel)$").mean() > 0.8
    )
    assert streets.str.startswith(("Pastoor ", "Burgemeester ", "Sint ")).any()


def test_allocate_is_proportional_and_exact():
    counts = allocate(np.array([0, 1, 1, 2]), 10)
    assert counts.tolist() == [0, 3, 2, 5] and counts.sum() == 10
    with pytest.raises(ValueError):
        allocate(np.array([0, 0]), 3)


def test_templates_must_match_the_taxonomy(taxonomy):
    themes, doelgroepen = taxonomy
    with pytest.raises(ValueError, match="no template covers thema"):
        load_templates([*themes, "nieuw-thema"], doelgroepen)
    with pytest.raises(ValueError, match="unknown doelgroep"):
        load_templates(themes, doelgroepen[1:])


def test_benchmark_input_has_100k_rows_on_its_addresses():
    addresses, records = benchmark_input(100_000)
    assert len(records) == 100_000 and records["id"].is_unique
    sample = records.sample(500, random_state=1)
    known = set(addresses["postcode"] + "-" + addresses["huisnummer"].astype(str))
    keys = sample["postcode"].str.replace(" ", "") + "-" + sample["huisnummer"]
    assert keys.isin(known).all()

"""Synthetic demo records: invented organisations, services and locations for a social map.

Everything is deterministic for a given seed (one numpy Generator). Addresses come from
``demo.synthetic_bag`` (a synthetic BAG extract); records are placed on those addresses,
so they geocode with precision ``adres`` once the extract is loaded with
``geocode load-bag``. Names and texts come from ``demo/synthetic_words.toml``. Every
record says ``synthetisch = ja``, every e-mail address and website is on the reserved
``.example`` domain, and every KvK number is invented.

Run ``python -m demo --out data/demo`` to write the committed demo files
(see ``demo.data``).
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
import unicodedata
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from demo.sources import IMPORT_COLUMNS
from demo.synthetic_bag import locate_points, read_pc4, synthetic_addresses, words

__all__ = [
    "synthetic_addresses",
    "synthetic_records",
    "records_for",
    "benchmark_input",
    "read_buurten",
    "read_taxonomy",
]

DATA = Path(__file__).resolve().parent.parent / "data"
TAXONOMY = (
    Path(__file__).resolve().parent.parent
    / "geo"
    / "migrations"
    / "versions"
    / "0002_taxonomie.toml"
)
BUURTEN = DATA / "buurten_zuid_limburg_2022_generalised.geojson"
DEMO_SEED = 2026
BENCH_SEED = 100_000
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2026, 10, 31)  # data built 2026-11-28
NOTE = "Let op: dit is een verzonnen organisatie voor de demo."
# A municipality's plain file: no coordinates, and none of the columns only our own export
# writes (the organisation's own number apart from the location's, the source per row).
RECORD_COLUMNS = [
    c for c in IMPORT_COLUMNS if c not in ("lat", "lon", "organisatie_telefoon", "bron")
]


def read_buurten(path: Path = BUURTEN) -> gpd.GeoDataFrame:
    """Buurten with ``code, naam, gemeentecode, inwoners`` (newest year) in EPSG:28992."""
    frame = gpd.read_file(path).to_crs(28992)
    year = max(c for c in frame.columns if c.startswith("aantal_inwoners_"))
    frame = frame.rename(columns={"buurtcode": "code", "buurtnaam": "naam", year: "inwoners"})
    return frame[["code", "naam", "gemeentecode", "inwoners", "geometry"]]


def read_taxonomy(path: Path = TAXONOMY) -> tuple[list[str], list[str]]:
    """Theme slugs and doelgroep slugs, in the order of the taxonomy file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return [t["slug"] for t in data["thema"]], [d["slug"] for d in data["doelgroep"]]


def load_templates(themes, doelgroepen) -> list[dict]:
    """The organisation templates, checked against the taxonomy.

    Raises
    ------
    ValueError
        When a template uses a slug the taxonomy lacks, or a slug of the taxonomy is used
        by no template (the demo must cover every theme and doelgroep).
    """
    templates = words()["organisatie"]
    used = {
        kind: {s for t in templates for a in t["aanbod"] for s in a[kind]}
        for kind in ("thema", "doelgroep")
    }
    for kind, known in (("thema", set(themes)), ("doelgroep", set(doelgroepen))):
        if used[kind] - known:
            raise ValueError(f"templates use unknown {kind} {sorted(used[kind] - known)}")
        if known - used[kind]:
            raise ValueError(f"no template covers {kind} {sorted(known - used[kind])}")
    return templates


class _Draws:
    """Cheap scalar draws from a numpy Generator (blocks of uniforms, consumed in order)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.block: list[float] = []

    def uniform(self) -> float:
        if not self.block:
            self.block = self.rng.random(4096).tolist()[::-1]
        return self.block.pop()

    def pick(self, seq):
        return seq[int(self.uniform() * len(seq))]

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + int(self.uniform() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.uniform() < p


@cache
def slug(text: str) -> str:
    """ASCII host-name label: ``Taalcafé Heerlen`` -> ``taalcafe-heerlen``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


@cache
def _buurt_label(naam, plaats: str) -> str:
    """A buurt name fit for an organisation name, else the woonplaats."""
    bad = words()["namen"]["slechte_buurtwoorden"]
    if not isinstance(naam, str) or len(naam) > 26 or any(b.lower() in naam.lower() for b in bad):
        return plaats
    return f"{plaats}-Centrum" if naam.lower() == "centrum" else naam


def _sites(addresses, n_locations, rng, buurten) -> pd.DataFrame:
    """The addresses of the locations: a uniform sample, so in proportion to population."""
    if n_locations > len(addresses):
        raise ValueError(f"{n_locations} locations need at least as many addresses")
    pick = rng.choice(len(addresses), size=n_locations, replace=False)
    sites = addresses.iloc[pick].reset_index(drop=True)
    if buurten is None:
        sites["buurt"] = sites["woonplaats"]
    else:
        area = locate_points(sites["x"].to_numpy(), sites["y"].to_numpy(), buurten)
        names = buurten["naam"].to_numpy()[area].tolist()
        sites["buurt"] = [
            _buurt_label(n, p) for n, p in zip(names, sites["woonplaats"].tolist(), strict=True)
        ]
    return sites


def _fill(text: str, org: dict) -> str:
    return text.format(
        **{k: org[k] for k in ("plaats", "buurt", "achternaam", "koosnaam", "dier", "heilige")}
    )


def _unique_name(template: dict, org: dict, taken: set) -> str:
    """The organisation name; a second one in the same woonplaats gets the buurt or a number."""
    name = _fill(template["naam"], org)
    if (name, org["plaats"]) not in taken:
        return name
    first = [name] + ([f"{name} {org['buurt']}"] if org["buurt"] not in name else [])
    numbered = (f"{name} {i}" for i in itertools.count(2))
    return next(c for c in itertools.chain(first, numbered) if (c, org["plaats"]) not in taken)


def _organisations(sites: pd.DataFrame, templates, rng, draws: _Draws) -> list[dict]:
    """Group the sites into organisations of 1-3 locations in one woonplaats.

    The first organisations use every template once, so every theme and doelgroep occurs.
    """
    n = len(sites)
    weights = np.array([t["gewicht"] for t in templates], dtype=float)
    kinds = rng.choice(len(templates), size=n, p=weights / weights.sum())
    kinds[: len(templates)] = rng.permutation(len(templates))
    groups = sites.groupby("woonplaats", sort=True).indices
    queue = {p: list(idx[::-1]) for p, idx in groups.items()}
    plaats, buurt = sites["woonplaats"].tolist(), sites["buurt"].tolist()
    names, used = words()["namen"], np.zeros(n, bool)
    taken: set[tuple[str, str]] = set()  # (naam, plaats)
    orgs: list[dict] = []
    for site in range(n):
        if used[site]:
            continue
        template = templates[kinds[len(orgs)]]
        org = {
            "template": template,
            "plaats": plaats[site],
            "buurt": buurt[site],
            "achternaam": draws.pick(names["achternamen"]),
            "koosnaam": draws.pick(names["koosnamen"]),
            "dier": draws.pick(names["dieren"]),
            "heilige": draws.pick(names["heiligen"]),
            "sites": [site],
            "complete": len(orgs) < len(templates),
        }
        org["naam"] = _unique_name(template, org, taken)
        taken.add((org["naam"], org["plaats"]))
        used[site] = True
        extra = draws.integer(1, template["max_locaties"]) - 1
        same_place = queue[plaats[site]]
        while extra and same_place:
            other = same_place.pop()
            if not used[other]:
                used[other], extra = True, extra - 1
                org["sites"].append(other)
        orgs.append(org)
    return orgs


def _contact(org: dict, first_site: dict, draws: _Draws, domains: set) -> dict:
    """Telephone, e-mail address and website of one organisation."""
    contact = words()["contact"]
    pc4 = first_site["postcode"][:4]
    area = contact["netnummers"].get(pc4[:2], contact["netnummer_standaard"])
    digits = f"{draws.integer(0, 999_999):06d}"
    phone = f"{area} 7{digits[:2]} {digits[2:4]} {digits[4:]}"
    base = slug(re.sub(r"^Stichting ", "", org["naam"]))
    numbered = (f"{base}-{i}" for i in itertools.count(2))
    domain = next(
        d
        for d in itertools.chain([base, f"{base}-{slug(org['plaats'])}"], numbered)
        if d not in domains
    )
    domains.add(domain)
    web = f"https://{domain}.example" if draws.chance(0.85) else ""
    return {"telefoon": phone, "email": f"info@{domain}.example", "website": web}


def _services(org: dict, draws: _Draws) -> list[dict]:
    """1-3 services: the template's first always, the others by chance."""
    offered = org["template"]["aanbod"]
    if org["complete"]:
        return list(offered)
    return [offered[0]] + [a for a in offered[1:] if draws.chance(0.5)]


def _org_fields(org: dict, number: int, draws: _Draws, kvk: int) -> dict:
    template = org["template"]
    day = FIRST_DAY + timedelta(days=draws.integer(0, (LAST_DAY - FIRST_DAY).days))
    return {
        "organisatie_id": f"syn-{number:05d}",
        "organisatie": org["naam"],
        "kvk": f"{kvk:08d}" if draws.chance(template["kvk"]) else "",
        "omschrijving": f"{_fill(template['omschrijving'], org)} {NOTE}",
        "zichtbaarheid": template.get("zichtbaarheid", "openbaar"),
        "vertrouwelijk": "ja" if template.get("vertrouwelijk") else "nee",
        "laatst_geverifieerd": day.isoformat(),
        "synthetisch": "ja",
    }


def _location_fields(org: dict, k: int, site: dict, draws: _Draws) -> dict:
    code = site["postcode"]
    return {
        "locatie_naam": org["naam"] if k == 0 else f"{org['naam']}, {site['straat']}",
        "straat": site["straat"],
        "huisnummer": str(site["huisnummer"]),
        "huisletter": site["huisletter"],
        "toevoeging": site["toevoeging"],
        "postcode": f"{code[:4]} {code[4:]}",
        "plaats": site["woonplaats"],
        "toegankelijkheid": draws.pick(words()["contact"]["toegankelijkheid"]),
    }


def _service_fields(service: dict, draws: _Draws) -> dict:
    low_high = service.get("capaciteit")
    return {
        "aanbod": service["naam"],
        "aanbod_omschrijving": service["omschrijving"],
        "thema": "; ".join(service["thema"]),
        "doelgroep": "; ".join(service["doelgroep"]),
        "openingstijden": draws.pick(service["tijden"]),
        "kosten": service.get("kosten", ""),
        "aanmelden": service.get("aanmelden", ""),
        "voorwaarden": service.get("voorwaarden", ""),
        "talen": draws.pick(service.get("talen", ["nl"])),
        "capaciteit": str(draws.integer(*low_high)) if low_high else "",
    }


def synthetic_records(
    addresses: pd.DataFrame,
    n_locations: int,
    seed: int,
    themes,
    doelgroepen,
    buurten: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Invented organisations with services at ``n_locations`` of the given addresses.

    Parameters
    ----------
    addresses : DataFrame
        A BAG extract (``synthetic_addresses``); locations are a uniform sample of it,
        so they follow the population.
    n_locations : int
        Number of locations (distinct addresses).
    seed : int
        Seed of the numpy Generator.
    themes, doelgroepen : sequence of str
        The taxonomy slugs; every one is used at least once.
    buurten : GeoDataFrame, optional
        Buurten (``naam``, EPSG:28992) for names such as "Buurtzorg Team Wyck";
        without them the woonplaats is used.

    Returns
    -------
    DataFrame
        The flat import format of docs/IMPORT.md, one row per service per location, all
        values strings, ``synthetisch = ja``; ids ``syn-00042`` (organisation) and
        ``syn-00042-a1-l2`` (row) are stable for a given seed and input.
    """
    rng = np.random.default_rng(seed)
    draws = _Draws(rng)
    templates = load_templates(themes, doelgroepen)
    sites = _sites(addresses, n_locations, rng, buurten)
    orgs = _organisations(sites, templates, rng, draws)
    kvks = 90_000_000 + rng.choice(10_000_000, size=len(orgs), replace=False)
    columns = list(sites.columns)
    site_rows = [
        dict(zip(columns, values, strict=True))
        for values in zip(*(sites[c].tolist() for c in columns), strict=True)
    ]
    rows: list[dict] = []
    domains: set[str] = set()
    for number, org in enumerate(orgs, start=1):
        common = _org_fields(org, number, draws, int(kvks[number - 1]))
        common |= _contact(org, site_rows[org["sites"][0]], draws, domains)
        services = _services(org, draws)
        for k, site in enumerate(org["sites"]):
            place = _location_fields(org, k, site_rows[site], draws)
            for j, service in enumerate(services, start=1):
                rows.append(
                    common
                    | place
                    | _service_fields(service, draws)
                    | {"id": f"syn-{number:05d}-a{j}-l{k + 1}"}
                )
    return pd.DataFrame(rows, columns=RECORD_COLUMNS).fillna("").astype(str)


def records_for(
    addresses: pd.DataFrame,
    n_rows: int,
    seed: int,
    themes,
    doelgroepen,
    buurten: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The first ``n_rows`` rows of ``synthetic_records``, with as many locations as needed.

    A location has about 1.5 services, so the first try has ``n_rows / 1.5`` locations;
    while that gives too few rows, the number of locations grows in proportion to the
    shortfall (plus 10 %). Fewer than ``n_rows`` rows only when every address is a location.
    The same arguments give the same rows.
    """
    n_locations = min(len(addresses), math.ceil(n_rows / 1.5))
    while True:
        records = synthetic_records(addresses, n_locations, seed, themes, doelgroepen, buurten)
        if len(records) >= n_rows or n_locations == len(addresses):
            return records.head(n_rows).reset_index(drop=True)
        n_locations = min(len(addresses), math.ceil(n_locations * 1.1 * n_rows / len(records)))


def benchmark_input(
    n_rows: int = 100_000, seed: int = BENCH_SEED, buurten: gpd.GeoDataFrame | None = None
):
    """The benchmark input: a BAG extract and exactly ``n_rows`` import rows on it.

    Returns
    -------
    tuple of DataFrame
        ``(addresses, records)``: load the addresses with ``geocode load-bag`` first, so
        every record geocodes on its address.
    """
    buurten = read_buurten() if buurten is None else buurten
    themes, doelgroepen = read_taxonomy()
    addresses = synthetic_addresses(buurten, max(n_rows, 1000), seed, pc4=read_pc4())
    return addresses, records_for(addresses, n_rows, seed, themes, doelgroepen, buurten)

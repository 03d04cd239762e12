"""Synthetic BAG address extract: invented but plausible addresses inside CBS buurten.

Points are spread over the buurten in proportion to their population, grouped into
streets (nearest of a few seed points per buurt) and numbered along each street. The
postcode is the real PC4 of the place the point falls in, plus two invented letters
per street segment, as in a real PC6. Everything is vectorised per buurt, so half a
million addresses take a few seconds.

The output has the columns of ``geocode load-bag`` (docs/IMPORT.md).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import bag_files

DATA = Path(__file__).resolve().parent.parent / "data"
WORDS = Path(__file__).with_name("synthetic_words.toml")
BAG_COLUMNS = list(bag_files.BAG_COLUMNS)  # the columns `geocode load-bag` reads
STREET_SIZE = 60  # mean number of addresses per street
SEGMENT_SIZE = 18  # addresses per PC6 segment of a street (real PC6: about 15-20)
SUB_ADDRESS_SHARE = 0.07  # share of addresses like 12A or 12-1 next to 12
# PC6 letter pairs as PostNL issues them: no F, I, O, Q, U or Y, and no SA, SD or SS.
POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
LETTER_PAIRS = np.array(
    [a + b for a in POSTCODE_LETTERS for b in POSTCODE_LETTERS if a + b not in ("SA", "SD", "SS")]
)


@cache
def words() -> dict:
    """The word lists and organisation templates of ``demo/synthetic_words.toml``."""
    return tomllib.loads(WORDS.read_text(encoding="utf-8"))


def read_pc4(path: Path = DATA / "pc4_zuid_limburg.geojson") -> gpd.GeoDataFrame:
    """PC4 polygons with ``pc4`` and ``plaats``, in EPSG:28992."""
    frame = gpd.read_file(path)
    frame = frame[["pc4", "plaats", "geometry"]].to_crs(28992)
    frame["pc4"] = frame["pc4"].astype(str).str.zfill(4)
    return frame.sort_values("pc4").reset_index(drop=True)


def allocate(weights: np.ndarray, n: int) -> np.ndarray:
    """Split ``n`` into integers proportional to ``weights`` (largest remainder method).

    Zero weights get zero; ties are broken by position, so the result is deterministic.
    """
    weights = np.clip(np.asarray(weights, dtype=float), 0, None)
    total = weights.sum()
    if total <= 0:
        raise ValueError("allocate: the weights sum to zero")
    quota = weights / total * n
    counts = np.floor(quota).astype(np.int64)
    remainder = quota - counts
    order = np.lexsort((np.arange(len(weights)), -remainder))
    counts[order[: n - counts.sum()]] += 1
    return counts


def sample_points(geometries, counts: np.ndarray, rng: np.random.Generator):
    """Random points inside each polygon by rejection within its bounds.

    Coordinates are rounded to centimetres *before* the test, so a written point is
    exactly a tested point.

    Returns
    -------
    tuple of ndarray
        ``x``, ``y`` and the index of the polygon each point lies in.
    """
    xs, ys, owner = [], [], []
    for i, (geom, k) in enumerate(zip(geometries, counts, strict=True)):
        if k <= 0:
            continue
        shapely.prepare(geom)
        x0, y0, x1, y1 = geom.bounds
        share = max(geom.area / ((x1 - x0) * (y1 - y0)), 0.05)
        got_x, got_y, have = [], [], 0
        while have < k:
            m = int((k - have) / share * 1.3) + 16
            cx = np.round(rng.uniform(x0, x1, m), 2)
            cy = np.round(rng.uniform(y0, y1, m), 2)
            inside = shapely.contains_xy(geom, cx, cy)
            got_x.append(cx[inside])
            got_y.append(cy[inside])
            have += int(inside.sum())
        xs.append(np.concatenate(got_x)[:k])
        ys.append(np.concatenate(got_y)[:k])
        owner.append(np.full(k, i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owner)


def locate_points(x: np.ndarray, y: np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Row index in ``areas`` of the polygon each point falls in, else of the nearest one.

    A point on a shared border gets the first polygon. Points are sorted by x once, so
    each polygon only tests the points inside its bounding box.
    """
    result = np.full(len(x), -1, dtype=np.int64)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    for i, geom in enumerate(areas.geometry.values):
        x0, y0, x1, y1 = geom.bounds
        strip = order[np.searchsorted(xs, x0) : np.searchsorted(xs, x1, side="right")]
        todo = strip[(y[strip] >= y0) & (y[strip] <= y1) & (result[strip] < 0)]
        if len(todo):
            shapely.prepare(geom)
            result[todo[shapely.contains_xy(geom, x[todo], y[todo])]] = i
    missing = np.flatnonzero(result < 0)
    if len(missing):
        tree = shapely.STRtree(areas.geometry.values)
        near_point, near_area = tree.query_nearest(
            shapely.points(x[missing], y[missing]), all_matches=False
        )
        result[missing[near_point]] = near_area
    return result


def _streets(x, y, owner, rng) -> np.ndarray:
    """Street number of each point: the nearest of a few seed points in its buurt."""
    street = np.empty(len(x), dtype=np.int64)
    offset = 0
    bounds = np.flatnonzero(np.diff(owner)) + 1
    for part in np.split(np.arange(len(x)), bounds):
        m = max(1, round(len(part) / STREET_SIZE))
        seeds = rng.choice(part, size=m, replace=False)
        dist = (x[part, None] - x[seeds]) ** 2 + (y[part, None] - y[seeds]) ** 2
        street[part] = offset + dist.argmin(axis=1)
        offset += m
    return street


def street_name_pool() -> tuple[np.ndarray, np.ndarray]:
    """All candidate street names and their relative weights."""
    w = words()["straat"]
    names: dict[str, float] = {}
    for stem in w["stammen"]:
        for suffix, weight in zip(w["achtervoegsels"], w["gewichten"], strict=True):
            names.setdefault(stem + suffix, weight)
    for title in w["titels"]:
        for surname in words()["namen"]["achternamen"]:
            for suffix in w["titel_achtervoegsels"]:
                names.setdefault(f"{title} {surname}{suffix}", 2)
    for saint in words()["namen"]["heiligen"]:
        for suffix in w["heilige_achtervoegsels"]:
            names.setdefault(f"Sint {saint}{suffix}", 4)
    for name in w["vast"]:
        names[name] = 30
    return np.array(list(names)), np.array(list(names.values()), dtype=float)


def _street_names(street_gemeente: np.ndarray, rng) -> np.ndarray:
    """One name per street; unique within a gemeente while the pool lasts."""
    pool, weight = street_name_pool()
    names = np.empty(len(street_gemeente), dtype=object)
    for code in np.unique(street_gemeente):
        idx = np.flatnonzero(street_gemeente == code)
        # Weighted sampling without replacement: the Gumbel top-k trick.
        order = np.argsort(-(np.log(weight) + rng.gumbel(size=len(pool))), kind="stable")
        names[idx] = pool[np.resize(order, len(idx))]
    return names


def _numbers(frame: pd.DataFrame, rng) -> pd.DataFrame:
    """House numbers along each street; some sub-addresses get a letter or a toevoeging.

    ``frame`` must be sorted by street and position along it.
    """
    streets = frame["street"].to_numpy()
    n_streets = streets.max() + 1
    rank = frame.groupby("street").cumcount().to_numpy()
    sub = (rng.random(len(frame)) < SUB_ADDRESS_SHARE) & (rank > 0)
    main_rank = pd.Series(~sub).groupby(streets).cumsum().to_numpy() - 1
    last_main = pd.Series(np.where(sub, -1, rank)).groupby(streets).cummax().to_numpy()
    idx = rank - last_main
    step = rng.choice([1, 2], size=n_streets)
    start = np.where(step == 2, rng.choice([1, 2], size=n_streets), 1)
    by_letter = rng.random(n_streets) < 0.6
    letters = np.array(list(" ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    use_letter = sub & by_letter[streets] & (idx <= 26)
    frame["huisnummer"] = start[streets] + step[streets] * main_rank
    frame["huisletter"] = np.where(use_letter, letters[np.minimum(idx, 26)], "")
    frame["toevoeging"] = np.where(sub & ~use_letter, idx.astype(str), "")
    return frame


def _segment_sizes(frame: pd.DataFrame) -> pd.Series:
    """Addresses per PC6 segment for each PC4: grown where a PC4 would run out of letters."""
    per_street = frame.groupby(["pc4", "street"]).size()
    pc4 = per_street.index.get_level_values("pc4")
    sizes = pd.Series(SEGMENT_SIZE, index=pc4.unique())
    while True:
        segments = np.ceil(per_street.to_numpy() / sizes[pc4].to_numpy())
        over = pd.Series(segments).groupby(pc4.to_numpy()).sum() > len(LETTER_PAIRS)
        if not over.any():
            return sizes
        if (sizes[over.index[over]] > per_street.max()).any():
            raise ValueError("synthetic_addresses: more streets in one PC4 than PC6 codes")
        sizes[over.index[over]] = np.ceil(sizes[over.index[over]] * 1.25).astype(int)


def _postcodes(frame: pd.DataFrame, rng) -> np.ndarray:
    """PC4 + two letters, one PC6 per street segment within a PC4.

    ``frame`` must be sorted by street and position along it; segments are runs of
    consecutive addresses of one street in one PC4.
    """
    size = _segment_sizes(frame)[frame["pc4"]].to_numpy()
    keyed = frame[["street", "pc4", "x", "y"]].assign(
        chunk=frame.groupby(["street", "pc4"]).cumcount().to_numpy() // size
    )
    codes = keyed.groupby(["street", "pc4", "chunk"]).ngroup().to_numpy()
    seg = (
        keyed.assign(code=codes)
        .groupby("code")
        .agg(x=("x", "mean"), y=("y", "mean"), pc4=("pc4", "first"))
    )
    letters = np.empty(len(seg), dtype=object)
    seg = seg.sort_values(["pc4", "y", "x"], ascending=[True, False, True])
    for _, group in seg.groupby("pc4", sort=True):
        picks = np.sort(rng.choice(len(LETTER_PAIRS), size=len(group), replace=False))
        letters[group.index.to_numpy()] = LETTER_PAIRS[picks]
    return (frame["pc4"].to_numpy().astype(object) + letters[codes]).astype(str)


def synthetic_addresses(
    buurten: gpd.GeoDataFrame,
    n: int,
    seed: int,
    pc4: gpd.GeoDataFrame | None = None,
    with_buurt: bool = False,
) -> pd.DataFrame:
    """A synthetic BAG extract of ``n`` addresses.

    Parameters
    ----------
    buurten : GeoDataFrame
        Buurten in EPSG:28992 with columns ``code``, ``gemeentecode`` and ``inwoners``.
        Addresses are spread in proportion to ``inwoners``; a buurt with 0 gets none.
    n : int
        Number of addresses.
    seed : int
        Seed of the numpy Generator; the same seed gives the same addresses.
    pc4 : GeoDataFrame, optional
        PC4 polygons (``pc4``, ``plaats``) in EPSG:28992; default: the shipped CBS file.
    with_buurt : bool
        Add a column ``buurtcode`` (not part of the BAG format).

    Returns
    -------
    DataFrame
        Columns ``postcode, huisnummer, huisletter, toevoeging, straat, woonplaats, x, y``
        (x/y in EPSG:28992), sorted by postcode and number.
    """
    if buurten.crs is None or buurten.crs.to_epsg() != 28992:
        raise ValueError("synthetic_addresses: buurten must be in EPSG:28992")
    rng = np.random.default_rng(seed)
    pc4 = read_pc4() if pc4 is None else pc4
    counts = allocate(buurten["inwoners"].fillna(0).to_numpy(), n)
    x, y, owner = sample_points(buurten.geometry.values, counts, rng)
    area = locate_points(x, y, pc4)
    street = _streets(x, y, owner, rng)
    street_gemeente = np.empty(street.max() + 1, dtype=object)
    street_gemeente[street] = buurten["gemeentecode"].to_numpy()[owner]
    names = _street_names(street_gemeente, rng)
    angle = rng.uniform(0, np.pi, size=len(names))
    frame = pd.DataFrame(
        {
            "street": street,
            "x": x,
            "y": y,
            "pc4": pc4["pc4"].to_numpy()[area],
            "woonplaats": pc4["plaats"].to_numpy()[area],
            "buurtcode": buurten["code"].to_numpy()[owner],
            "along": x * np.cos(angle[street]) + y * np.sin(angle[street]),
        }
    ).sort_values(["street", "along"], kind="stable", ignore_index=True)
    frame = _numbers(frame, rng)
    frame["postcode"] = _postcodes(frame, rng)
    frame["straat"] = names[frame["street"].to_numpy()]
    frame = frame.sort_values(
        ["postcode", "huisnummer", "huisletter", "toevoeging"], kind="stable", ignore_index=True
    )
    return frame[BAG_COLUMNS + (["buurtcode"] if with_buurt else [])]

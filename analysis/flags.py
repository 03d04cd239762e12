"""Flags for poorly served areas, with machine-readable reasons and plain Dutch sentences.

The rule is ANALYSIS.md §5(c), named :data:`RULE_NAME`:

    flag = (spar < 0.75 OR pct_verder > 25 %) in at least 2 of the 3 catchment sizes
           AND inwoners >= 100
    level = "ernstig" when spar < 0.5 in at least 2 sizes or pct_verder >= 50 %, else "matig"

Areas without residents, and themes without any supply for the target group in or
around the study area, are not judged (their row says why). Cold spots (Local Moran LL
or Getis-Ord Gi* z < 0, permutation p-values with an FDR cut-off) are supporting
evidence only: they add a reason to a flag, never make one.
The thresholds other than 0.75 / 0.5 are design placeholders (§7) and are stored with
every run.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

RULE_NAME = "ANALYSIS-5c: (spar<0.75 of pct_verder>25) in >=2 van 3 vanggebieden en inwoners>=100"
SPAR_COLUMNS = ("spar_klein", "spar", "spar_groot")


@dataclass(frozen=True)
class FlagRule:
    """The thresholds of the flag rule; stored with every run."""

    spar_matig: float = 0.75
    spar_ernstig: float = 0.5
    pct_verder: float = 25.0
    pct_ernstig: float = 50.0
    min_vanggebieden: int = 2
    min_inwoners: float = 100.0

    def describe(self) -> dict:
        """The rule's name and thresholds as JSON."""
        return {"naam": RULE_NAME, **asdict(self)}


@dataclass(frozen=True)
class Context:
    """What a sentence needs to know besides the area's numbers."""

    thema_naam: str
    doelgroep: str            # 'iedereen' or 'ouderen'
    drempel_m: float
    catchments: tuple
    capaciteit_basis: str
    decay: str = "gaussian_dai"


def km(metres: float) -> str:
    """``1000`` -> ``'1 km'``, ``1500`` -> ``'1,5 km'``, ``800`` -> ``'800 meter'``."""
    if metres < 1000:
        return f"{metres:.0f} meter"
    text = f"{metres / 1000:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} km"


def number(value: float) -> str:
    """Dutch thousands separator: ``12345`` -> ``'12.345'``."""
    return f"{round(value):,}".replace(",", ".")


def place(niveau: str, naam: str) -> str:
    """``In buurt Kakert``, ``In Wijk 00 Schaesberg``, ``In de gemeente Vaals``."""
    if niveau == "gemeente":
        return f"In de gemeente {naam}"
    if naam.lower().startswith(niveau):
        return f"In {naam}"
    return f"In {niveau} {naam}"


def _theme(ctx: Context) -> str:
    return ctx.thema_naam[:1].lower() + ctx.thema_naam[1:]


def _group(ctx: Context) -> tuple[str, str]:
    return ("de 65-plussers", "65-plusser") if ctx.doelgroep == "ouderen" else (
        "de inwoners", "inwoner")


def sentence_far(where: str, pct: float, ctx: Context) -> str:
    """The proximity sentence: 'In buurt X woont 31% van de inwoners verder dan 1 km …'."""
    return (f"{where} woont {pct:.0f}% van {_group(ctx)[0]} verder dan {km(ctx.drempel_m)} "
            f"van aanbod voor {_theme(ctx)}.")


def sentence_spar(where: str, spar: float, d0: float, ctx: Context) -> str:
    """The relative-shortage sentence, with a note when the measure is count-based."""
    text = (f"{where} is er per {_group(ctx)[1]} minder aanbod voor {_theme(ctx)} binnen "
            f"{km(d0)} dan gemiddeld in de regio: {spar * 100:.0f}% van het gemiddelde.")
    if ctx.capaciteit_basis == "aantal":
        text += " We tellen voorzieningen, want hun capaciteit is niet bekend."
    return text


def _reasons(row, ctx: Context, rule: FlagRule) -> tuple[list, int, int]:
    """Reasons that hold, the number of sizes that meet the rule and of 'severe' sizes."""
    where = place(row["niveau"], row["naam"])
    spars = [row[c] for c in SPAR_COLUMNS]
    low = [s is not None and not math.isnan(s) and s < rule.spar_matig for s in spars]
    severe = [s is not None and not math.isnan(s) and s < rule.spar_ernstig for s in spars]
    far = row["pct_verder"] > rule.pct_verder
    reasons = []
    if sum(low) >= rule.min_vanggebieden:
        # The main size when it shows the shortage, else the lowest size that does.
        k = 1 if low[1] else min((i for i in range(3) if low[i]), key=lambda i: spars[i])
        reasons.append({
            "rule": f"spar<{rule.spar_matig}", "value": round(float(row["spar"]), 4)
            if not math.isnan(row["spar"]) else None, "threshold": rule.spar_matig,
            "values": [None if math.isnan(s) else round(float(s), 4) for s in spars],
            "hits": int(sum(low)), "params": {
                "decay": ctx.decay, "d0_m": [int(c) for c in ctx.catchments],
                "capaciteit_basis": ctx.capaciteit_basis},
            "zin": sentence_spar(where, spars[k], ctx.catchments[k], ctx)})
    if far:
        reasons.append({"rule": f"pct_verder>{rule.pct_verder:g}",
                        "value": round(float(row["pct_verder"]), 2),
                        "threshold": rule.pct_verder, "drempel_m": int(ctx.drempel_m),
                        "zin": sentence_far(where, row["pct_verder"], ctx)})
    hits = sum(1 for lo in low if lo or far)
    return reasons, hits, sum(severe)


def flag_row(row, ctx: Context, rule: FlagRule = FlagRule()) -> dict:
    """Flag one area. ``row`` needs niveau, naam, inwoners, pct_verder, the spar columns,
    null_reden and optionally koude_plek / lisa / p_lisa / gi_z / p_gi / fdr.

    Returns
    -------
    dict
        ``flagged``, ``flag_level``, ``redenen`` (list of dicts, each with ``rule`` and a
        Dutch ``zin``) and ``zin`` (all sentences of the flag, or a summary when the
        area is not flagged).
    """
    where = place(row["niveau"], row["naam"])
    no_supply = isinstance(row.get("null_reden"), str) and all(
        math.isnan(row[c]) for c in SPAR_COLUMNS)
    if not row["inwoners"] > 0 or math.isnan(row["pct_verder"]) or no_supply:
        # Nothing to judge: no residents, or no supply for this theme and group at all.
        return {"flagged": False, "flag_level": None, "redenen": [],
                "zin": f"{where}: {row['null_reden'] or 'geen gegevens.'}"}
    reasons, hits, severe = _reasons(row, ctx, rule)
    robust = hits >= rule.min_vanggebieden
    if robust and row["inwoners"] < rule.min_inwoners:
        gate = {"rule": f"inwoners<{rule.min_inwoners:g}", "value": round(float(row["inwoners"])),
                "threshold": rule.min_inwoners,
                "zin": f"{where} wonen te weinig mensen ({number(row['inwoners'])}) voor een "
                       "eigen oordeel. Kijk naar de wijk."}
        return {"flagged": False, "flag_level": None, "redenen": [*reasons, gate],
                "zin": " ".join(r["zin"] for r in [*reasons, gate])}
    if not robust:
        return {"flagged": False, "flag_level": None, "redenen": [],
                "zin": _summary(row, where, ctx)}
    if row.get("koude_plek"):
        reasons.append(_cold_reason(row))
    ernstig = severe >= rule.min_vanggebieden or row["pct_verder"] >= rule.pct_ernstig
    notes = [row["null_reden"]] if isinstance(row.get("null_reden"), str) else []
    return {"flagged": True, "flag_level": "ernstig" if ernstig else "matig",
            "redenen": reasons, "zin": " ".join([*(r["zin"] for r in reasons), *notes])}


def _summary(row, where: str, ctx: Context) -> str:
    text = sentence_far(where, row["pct_verder"], ctx)
    if not math.isnan(row["spar"]):
        text += (f" Het aanbod binnen bereik is {row['spar'] * 100:.0f}% van het "
                 "gemiddelde in de regio.")
    return text + " Volgens de regel is hier geen tekort."


def _cold_reason(row) -> dict:
    moran = row.get("lisa") == "LL"
    return {"rule": "koude_plek", "method": "local_moran_LL" if moran else "getis_ord_gi_star",
            "p": _round(row.get("p_lisa") if moran else row.get("p_gi")),
            "gi_z": _round(row.get("gi_z")),
            "fdr_cutoff": _round(row.get("fdr_lisa") if moran else row.get("fdr_gi")),
            "zin": "Ook de buurten eromheen hebben weinig aanbod: dit is een koude plek."}


def _round(value, digits: int = 6):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(
        float(value), digits)


def flag_areas(frame: pd.DataFrame, ctx: Context, rule: FlagRule = FlagRule()) -> pd.DataFrame:
    """Apply :func:`flag_row` to every row; returns the four flag columns, same index."""
    out = [flag_row(row, ctx, rule) for _, row in frame.iterrows()]
    return pd.DataFrame(out, index=frame.index,
                        columns=["flagged", "flag_level", "redenen", "zin"])


def _weights(codes: list, neighbours: dict, xy: np.ndarray, k: int):
    """Contiguity weights on ``codes``; islands get their k nearest areas (§5(a))."""
    from libpysal.weights import KNN, W

    index = {c: i for i, c in enumerate(codes)}
    links = {i: sorted(index[n] for n in neighbours.get(c, ()) if n in index and n != c)
             for i, c in enumerate(codes)}
    islands = [i for i, nb in links.items() if not nb]
    if islands:
        knn = KNN.from_array(xy, k=min(k, len(codes) - 1))
        for i in islands:
            links[i] = list(knn.neighbors[i])
    return W(links, silence_warnings=True)


def cold_spots(codes, values, neighbours: dict, xy, permutations: int = 999,
               alpha: float = 0.05, seed: int = 20240101, k: int = 6) -> pd.DataFrame:
    """Local Moran and Getis-Ord Gi* cold spots on area values, FDR-corrected.

    Parameters
    ----------
    codes : sequence of str
        Area codes (only areas with a finite value).
    values : array
        The value per area (buurt-level SPAR).
    neighbours : dict of str to iterable of str
        Contiguity (queen, from the database).
    xy : array (n, 2)
        A point per area, for the k-nearest fallback of islands.
    permutations, alpha, seed, k
        999 conditional permutations, FDR α = 0.05, a fixed seed (reproducible runs),
        k = 6 neighbours for islands.

    Returns
    -------
    pandas.DataFrame
        Index ``codes``; ``lisa`` (HH/LH/LL/HL or 'ns'), ``p_lisa``, ``gi_z``, ``p_gi``,
        ``fdr_lisa``, ``fdr_gi`` (the FDR cut-offs) and ``koude_plek``. Empty when fewer
        than 5 areas or no variation (nothing to test).
    """
    from esda import fdr

    codes, y = list(codes), np.asarray(values, dtype=float)
    if len(codes) < 5 or np.nanstd(y) == 0:
        return pd.DataFrame(columns=["lisa", "p_lisa", "gi_z", "p_gi", "fdr_lisa", "fdr_gi",
                                     "koude_plek"])
    lm, gi = _local_statistics(y, codes, neighbours, np.asarray(xy, float), permutations,
                               seed, k)
    cut_lm, cut_gi = fdr(lm.p_sim, alpha), fdr(gi.p_sim, alpha)
    sig_lm = lm.p_sim <= cut_lm
    labels = np.where(sig_lm, np.array(["?", "HH", "LH", "LL", "HL"])[lm.q], "ns")
    cold = (sig_lm & (lm.q == 3)) | ((gi.p_sim <= cut_gi) & (gi.Zs < 0))
    return pd.DataFrame({"lisa": labels, "p_lisa": lm.p_sim, "gi_z": gi.Zs, "p_gi": gi.p_sim,
                         "fdr_lisa": cut_lm, "fdr_gi": cut_gi, "koude_plek": cold},
                        index=codes)


def _local_statistics(y, codes, neighbours, xy, permutations, seed, k):
    """Local Moran (row-standardised contiguity) and Gi* (self included) with esda."""
    from esda.getisord import G_Local
    from esda.moran import Moran_Local
    from libpysal.weights import fill_diagonal

    w = _weights(codes, neighbours, xy, k)
    w_star = fill_diagonal(_weights(codes, neighbours, xy, k), 1.0)
    with warnings.catch_warnings():
        # esda 2.9 announces a future change of its (directed) permutation test; the
        # constructors do not let us choose yet, so the p-values are esda 2.9's.
        warnings.simplefilter("ignore", DeprecationWarning)
        lm = Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed,
                         n_jobs=1)
        gi = G_Local(y, w_star, transform="R", permutations=permutations, star=None,
                     seed=seed, n_jobs=1)
    return lm, gi

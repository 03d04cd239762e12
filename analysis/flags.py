"""Flags for poorly served areas, with machine-readable reasons (the rule only: the Dutch
sentences are :mod:`analysis.wording`, the cold spots :mod:`analysis.coldspots`).

The rule is docs/ANALYSIS.md §7, named :data:`RULE_NAME`:

    flag = (spar < 0.75 OR pct_verder > 25 %) in at least 2 of the 3 catchment sizes
           AND inwoners >= 100
    level = "ernstig" when spar < 0.5 in at least 2 sizes or pct_verder >= 50 %, else "matig"

Areas without residents, and themes without any supply for the target group in or
around the study area, are not judged (their row says why). Cold spots (Local Moran LL
or Getis-Ord Gi* z < 0, permutation p-values with an FDR cut-off) are supporting
evidence only: they add a reason to a flag, never make one.
The thresholds other than 0.75 / 0.5 are design placeholders (docs/ANALYSIS.md §14) and
are stored with every run.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from analysis.wording import (
    COLD_SPOT,
    place,
    sentence_far,
    sentence_no_shortage,
    sentence_spar,
    sentence_too_few,
)

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
                "zin": sentence_too_few(where, row["inwoners"])}
        return {"flagged": False, "flag_level": None, "redenen": [*reasons, gate],
                "zin": " ".join(r["zin"] for r in [*reasons, gate])}
    if not robust:
        return {"flagged": False, "flag_level": None, "redenen": [],
                "zin": sentence_no_shortage(row, where, ctx)}
    if row.get("koude_plek"):
        reasons.append(_cold_reason(row))
    ernstig = severe >= rule.min_vanggebieden or row["pct_verder"] >= rule.pct_ernstig
    notes = [row["null_reden"]] if isinstance(row.get("null_reden"), str) else []
    return {"flagged": True, "flag_level": "ernstig" if ernstig else "matig",
            "redenen": reasons, "zin": " ".join([*(r["zin"] for r in reasons), *notes])}


def _cold_reason(row) -> dict:
    moran = row.get("lisa") == "LL"
    return {"rule": "koude_plek", "method": "local_moran_LL" if moran else "getis_ord_gi_star",
            "p": _round(row.get("p_lisa") if moran else row.get("p_gi")),
            "gi_z": _round(row.get("gi_z")),
            "fdr_cutoff": _round(row.get("fdr_lisa") if moran else row.get("fdr_gi")),
            "zin": COLD_SPOT}


def _round(value, digits: int = 6):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(
        float(value), digits)


def flag_areas(frame: pd.DataFrame, ctx: Context, rule: FlagRule = FlagRule()) -> pd.DataFrame:
    """Apply :func:`flag_row` to every row; returns the four flag columns, same index."""
    out = [flag_row(row, ctx, rule) for _, row in frame.iterrows()]
    return pd.DataFrame(out, index=frame.index,
                        columns=["flagged", "flag_level", "redenen", "zin"])

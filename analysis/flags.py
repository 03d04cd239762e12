"""Flags for poorly served areas, with machine-readable reasons.

The rule only: the Dutch sentences are :mod:`analysis.wording`, the cold spots
:mod:`analysis.coldspots`.

The rule is docs/ANALYSIS.md §7, named :data:`RULE_NAME`. For one area, theme and target
group, with T the theme's distance threshold:

    absolute  = pct_verder >= 25 %                      (a quarter lives farther than T)
    relative  = afstand_m among the worst 10 % of the region's buurten
                OR (capacity-based themes only) SPAR among the lowest 10 % of the region's
                buurten in at least 2 of the 3 catchment sizes
    flag      = absolute AND relative AND inwoners >= 100
    ernstig   = pct_verder >= 50 % AND the relative measure among the worst 5 %

"The region" is the study area's buurten with at least 100 residents of the target group
(:func:`regional_cutoffs`); the same cut-offs apply to wijken and gemeenten. Count-based
themes (no capacities) are never judged on SPAR. Areas without residents or without any
supply are not judged; areas with fewer than 100 residents are "te weinig inwoners".
Cold spots (Local Moran LL or Getis-Ord Gi* z < 0) are supporting evidence only: they add
a reason to a flag, never make one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.errors import InvalidInput
from analysis.wording import (
    COLD_SPOT,
    ESTIMATED,
    near_edge,
    place,
    rule_explanation,
    sentence_distance,
    sentence_far,
    sentence_no_shortage,
    sentence_spar,
    sentence_too_few,
)

RULE_NAME = (
    "dekking-2: pct_verder>=25 en (afstand in slechtste 10% of spar in laagste 10% "
    "in >=2 van 3 vanggebieden) en inwoners>=100"
)
SPAR_COLUMNS = ("spar_klein", "spar", "spar_groot")

# Judgements (``beoordeling``) of an area.
SHORTAGE, NO_SHORTAGE, TOO_FEW, NOT_JUDGED = (
    "tekort",
    "geen tekort",
    "te weinig inwoners",
    "geen gegevens",
)


@dataclass(frozen=True)
class FlagRule:
    """The thresholds of the flag rule (docs/ANALYSIS.md §7); stored with every run."""

    pct_verder: float = 25.0  # absolute: at least this % of residents beyond T
    pct_ernstig: float = 50.0  # ... strongly
    relatief: float = 10.0  # relative: among the worst 10 % of the region's buurten
    relatief_ernstig: float = 5.0  # ... strongly: the worst 5 %
    min_vanggebieden: int = 2  # SPAR must be low in at least 2 of the 3 sizes
    min_inwoners: float = 100.0  # fewer residents: "te weinig inwoners"
    pct_rand: float = 10.0  # "randeffect mogelijk" from this % of residents
    pct_geschat: float = 5.0  # "geschat" from this % of the target group estimated

    def describe(self) -> dict:
        """The rule's name, thresholds and a plain Dutch explanation as JSON."""
        return {"naam": RULE_NAME, **asdict(self), "uitleg": rule_explanation(self)}


@dataclass(frozen=True)
class Cutoffs:
    """The region's cut-offs of the relative criterion, from its buurten."""

    afstand: float  # worst `relatief` %: afstand_m at or above this
    afstand_ernstig: float
    spar: tuple  # per catchment size: SPAR at or below this
    spar_ernstig: tuple
    buurten: int  # number of buurten they come from

    def describe(self) -> dict:
        """As JSON: metres rounded, SPAR to 4 decimals, no value (``None``) when undefined."""

        def clean(v, digits):
            return None if v is None or not math.isfinite(v) else round(float(v), digits)

        return {
            "afstand": clean(self.afstand, 0),
            "afstand_ernstig": clean(self.afstand_ernstig, 0),
            "spar": [clean(v, 4) for v in self.spar],
            "spar_ernstig": [clean(v, 4) for v in self.spar_ernstig],
            "buurten": self.buurten,
        }


@dataclass(frozen=True)
class Context:
    """What the rule and the sentences need to know besides the area's numbers."""

    thema_naam: str
    doelgroep: str  # 'iedereen' or 'ouderen'
    drempel_m: float
    catchments: tuple
    capaciteit_basis: str
    decay: str = "gaussian_dai"
    grenzen: Cutoffs | None = None

    @property
    def count_based(self) -> bool:
        """Services are counted (no capacities): never judged on SPAR."""
        return self.capaciteit_basis == "aantal"


def _nan(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, np.floating) and np.isnan(value))
    )


def regional_cutoffs(buurten: pd.DataFrame, rule: FlagRule = FlagRule()) -> Cutoffs:
    """Cut-offs of the relative criterion from the region's buurten (one target group).

    Only buurten with at least ``rule.min_inwoners`` residents count. ``afstand`` is the
    ``100 − relatief`` percentile of ``afstand_m`` (a buurt where some residents have no
    provider at all counts as farthest), ``spar`` the ``relatief`` percentile of SPAR per
    catchment size; ``nan`` when no buurt has a value.
    """
    judged = buurten[(buurten["inwoners"] >= rule.min_inwoners) & buurten["pct_verder"].notna()]
    far = judged["afstand_m"].fillna(np.inf).to_numpy(float)

    def worst(values, share, high):
        """The cut-off that selects at most ``share`` % of the buurten.

        The percentile, or just inside it when ties at the percentile would select more
        (docs/ANALYSIS.md §7).
        """
        values = values[~np.isnan(values)]
        if not len(values):
            return math.nan
        cut = float(np.percentile(values, 100 - share if high else share))
        chosen = (values >= cut) if high else (values <= cut)
        if chosen.mean() * 100 > share + 1e-9:
            cut = float(np.nextafter(cut, np.inf if high else -np.inf))
        return cut

    spar = [judged[c].to_numpy(float) for c in SPAR_COLUMNS]
    with np.errstate(invalid="ignore"):
        return Cutoffs(
            worst(far, rule.relatief, True),
            worst(far, rule.relatief_ernstig, True),
            tuple(worst(s, rule.relatief, False) for s in spar),
            tuple(worst(s, rule.relatief_ernstig, False) for s in spar),
            int(len(judged)),
        )


def _round(value, digits: int = 6):
    return None if _nan(value) else round(float(value), digits)


def _far_reason(row, ctx: Context, rule: FlagRule, where: str) -> dict:
    return {
        "rule": f"pct_verder>={rule.pct_verder:g}",
        "value": round(float(row["pct_verder"]), 2),
        "threshold": rule.pct_verder,
        "drempel_m": int(ctx.drempel_m),
        "zin": sentence_far(where, row["pct_verder"], ctx),
    }


def _distance_reason(row, ctx: Context, rule: FlagRule, cut: Cutoffs) -> dict:
    return {
        "rule": f"afstand>=p{100 - rule.relatief:g}",
        "value": None if _nan(row["afstand_m"]) else round(float(row["afstand_m"])),
        "threshold": round(cut.afstand),
        "percentiel": 100 - rule.relatief,
        "zin": sentence_distance(row["afstand_m"], cut.afstand, rule.relatief, ctx),
    }


def _spar_reason(row, ctx: Context, rule: FlagRule, cut: Cutoffs, low: list) -> dict:
    spars = [row[c] for c in SPAR_COLUMNS]
    # The main size when it shows the shortage, else the lowest size that does.
    k = 1 if low[1] else min((i for i in range(3) if low[i]), key=lambda i: spars[i])
    return {
        "rule": f"spar<=p{rule.relatief:g}",
        "value": _round(row["spar"], 4),
        "threshold": _round(cut.spar[1], 4),
        "values": [_round(s, 4) for s in spars],
        "thresholds": [_round(c, 4) for c in cut.spar],
        "hits": int(sum(low)),
        "size": k,
        "percentiel": rule.relatief,
        "params": {
            "d0_m": [int(c) for c in ctx.catchments],
            "capaciteit_basis": ctx.capaciteit_basis,
        },
        "zin": sentence_spar(spars[k], cut.spar[k], ctx.catchments[k], rule.relatief, ctx),
    }


def _low(values, cutoffs) -> list[bool]:
    return [not _nan(v) and not _nan(c) and v <= c for v, c in zip(values, cutoffs, strict=True)]


def _edges(row, ctx: Context, rule: FlagRule) -> tuple[bool, bool, list[str]]:
    """``randeffect`` and ``geschat`` of an area, with their sentences."""
    edge = not _nan(row.get("pct_rand")) and row["pct_rand"] >= rule.pct_rand
    estimated = (
        ctx.doelgroep == "ouderen"
        and not _nan(row.get("pct_geschat"))
        and row["pct_geschat"] >= rule.pct_geschat
    )
    notes = [*([near_edge(ctx)] if edge else []), *([ESTIMATED] if estimated else [])]
    return edge, estimated, notes


def flag_row(row, ctx: Context, rule: FlagRule = FlagRule()) -> dict:
    """The judgement of one area: flagged or not, how badly, and why.

    ``row`` needs niveau, naam, inwoners, afstand_m, pct_verder, the spar columns,
    null_reden, optionally pct_rand, pct_geschat, aantal_1km/3km/5km and koude_plek / lisa /
    p_lisa / gi_z / p_gi / fdr; ``ctx.grenzen`` the region's cut-offs.

    Returns
    -------
    dict
        ``flagged``, ``flag_level``, ``beoordeling`` (tekort, geen tekort, te weinig
        inwoners, geen gegevens), ``randeffect``, ``geschat``, ``redenen`` (list of dicts,
        each with ``rule`` and a Dutch ``zin``) and ``zin`` (all sentences).
    """
    where = place(row["niveau"], row["naam"])
    no_supply = (
        isinstance(row.get("null_reden"), str)
        and all(_nan(row[c]) for c in SPAR_COLUMNS)
        and _nan(row.get("afstand_m"))
    )
    edge, estimated, notes = _edges(row, ctx, rule)
    base = {"flagged": False, "flag_level": None, "randeffect": edge, "geschat": estimated}
    if not row["inwoners"] > 0 or _nan(row["pct_verder"]) or no_supply:
        return {
            **base,
            "beoordeling": NOT_JUDGED,
            "redenen": [],
            "zin": f"{where}: {row['null_reden'] or 'geen gegevens.'}",
        }
    if row["inwoners"] < rule.min_inwoners:
        zin = sentence_too_few(where, row["inwoners"], ctx)
        gate = {
            "rule": f"inwoners<{rule.min_inwoners:g}",
            "value": round(float(row["inwoners"])),
            "threshold": rule.min_inwoners,
            "zin": zin,
        }
        return {**base, "beoordeling": TOO_FEW, "redenen": [gate], "zin": " ".join([zin, *notes])}
    cut = ctx.grenzen
    if cut is None:
        raise InvalidInput("De regel heeft de grenzen van de regio nodig (regional_cutoffs).")
    far = row["pct_verder"] >= rule.pct_verder
    far_strong = row["pct_verder"] >= rule.pct_ernstig
    afstand = math.inf if _nan(row["afstand_m"]) else float(row["afstand_m"])
    distant = not _nan(cut.afstand) and afstand >= cut.afstand
    distant_strong = not _nan(cut.afstand_ernstig) and afstand >= cut.afstand_ernstig
    spars = [row[c] for c in SPAR_COLUMNS]
    low = [False] * 3 if ctx.count_based else _low(spars, cut.spar)
    low_strong = [False] * 3 if ctx.count_based else _low(spars, cut.spar_ernstig)
    scarce = sum(low) >= rule.min_vanggebieden
    scarce_strong = sum(low_strong) >= rule.min_vanggebieden
    if not (far and (distant or scarce)):
        return {
            **base,
            "beoordeling": NO_SHORTAGE,
            "redenen": [],
            "zin": " ".join([sentence_no_shortage(row, where, ctx), *notes]),
        }
    reasons = [_far_reason(row, ctx, rule, where)]
    if distant:
        reasons.append(_distance_reason(row, ctx, rule, cut))
    if scarce:
        reasons.append(_spar_reason(row, ctx, rule, cut, low))
    if row.get("koude_plek") is True or row.get("koude_plek") == np.True_:
        reasons.append(_cold_reason(row))
    ernstig = far_strong and (distant_strong or scarce_strong)
    extra = [row["null_reden"]] if isinstance(row.get("null_reden"), str) else []
    return {
        **base,
        "flagged": True,
        "flag_level": "ernstig" if ernstig else "matig",
        "beoordeling": SHORTAGE,
        "redenen": reasons,
        "zin": " ".join([*(r["zin"] for r in reasons), *extra, *notes]),
    }


def _cold_reason(row) -> dict:
    moran = row.get("lisa") == "LL"
    return {
        "rule": "koude_plek",
        "method": "local_moran_LL" if moran else "getis_ord_gi_star",
        "p": _round(row.get("p_lisa") if moran else row.get("p_gi")),
        "gi_z": _round(row.get("gi_z")),
        "fdr_cutoff": _round(row.get("fdr_lisa") if moran else row.get("fdr_gi")),
        "zin": COLD_SPOT,
    }


FLAG_COLUMNS = ["flagged", "flag_level", "beoordeling", "randeffect", "geschat", "redenen", "zin"]


def flag_areas(frame: pd.DataFrame, ctx: Context, rule: FlagRule = FlagRule()) -> pd.DataFrame:
    """Apply :func:`flag_row` to every row; returns the flag columns, same index.

    Without ``ctx.grenzen`` the cut-offs come from the frame's own buurten (or, when it has
    none, from all its rows).
    """
    if ctx.grenzen is None:
        buurten = frame[frame["niveau"] == "buurt"] if "niveau" in frame else frame
        ctx = Context(
            **{
                **ctx.__dict__,
                "grenzen": regional_cutoffs(buurten if len(buurten) else frame, rule),
            }
        )
    # Plain records, not DataFrame.iterrows (a Series per row: most of the time at scale).
    out = [flag_row(row, ctx, rule) for row in frame.to_dict("records")]
    return pd.DataFrame(out, index=frame.index, columns=FLAG_COLUMNS)

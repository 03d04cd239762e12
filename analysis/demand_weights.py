"""Residents on demand points: the finest level per buurt, spread over BAG addresses, scaled.

:func:`analysis.demand.load_demand` reads the candidate points (PC6, PC4 pieces, buurt
surfaces) and the addresses from the database; the functions here turn them into weighted
demand points, on pandas frames only (docs/ANALYSIS.md §2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def spread_over_addresses(points: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Replace each PC4 piece, and each buurt-level point, by the BAG addresses in it.

    A piece's weights are divided evenly over its addresses; a buurt-level address keeps
    no weight of its own (:func:`scale_to_buurt` spreads the buurt's population evenly). A piece or
    buurt without addresses keeps its single point. Column ``adres`` marks address points.
    """
    points = points.assign(adres=False)
    addresses = addresses.assign(adres=True)
    pieces = points[points["bron"] == "pc4"]
    on_piece = pieces.drop(columns=["x", "y", "adres"]).merge(
        addresses, on=["buurtcode", "pc4"], how="inner"
    )
    n = on_piece.groupby(["buurtcode", "pc4"])["x"].transform("size")
    on_piece = on_piece.assign(w=on_piece["w"] / n, w65=on_piece["w65"] / n)
    spread = set(zip(on_piece["buurtcode"], on_piece["pc4"], strict=True))
    kept = pieces[
        [(b, c) not in spread for b, c in zip(pieces["buurtcode"], pieces["pc4"], strict=True)]
    ]
    whole = points[points["bron"] == "buurt"]
    in_whole = addresses[addresses["buurtcode"].isin(whole["buurtcode"])].assign(
        bron="buurt", w=np.nan, w65=np.nan
    )
    whole = whole[~whole["buurtcode"].isin(in_whole["buurtcode"])]
    columns = ["bron", "buurtcode", "pc4", "x", "y", "w", "w65", "adres"]
    parts = [points[points["bron"] == "pc6"], on_piece, kept, in_whole, whole]
    return pd.concat([part[columns] for part in parts if len(part)], ignore_index=True)


def choose_level(points: pd.DataFrame) -> pd.DataFrame:
    """Per buurt keep the finest level that has population: pc6, then pc4, then buurt."""
    rank = {"pc6": 0, "pc4": 1, "buurt": 2}
    points = points.assign(rank=points["bron"].map(rank))
    usable = points[(points["bron"] == "buurt") | (points["w"].fillna(0) > 0)]
    best = usable.groupby("buurtcode")["rank"].transform("min")
    return usable[usable["rank"] == best].drop(columns="rank")


# CBS rounds PC6 counts to fives and publishes fewer than 5 as 0: a published 0 of 65+
# at a PC6 point with residents is "0 to 4", estimated (docs/ANALYSIS.md §2).
PC6_SUPPRESSED_MAX = 4.0


def scale_to_buurt(
    points: pd.DataFrame, buurten: pd.DataFrame, share65: dict | None = None
) -> pd.DataFrame:
    """Scale point weights to the buurt's CBS population; 65+ by each point's own share.

    A buurt-level point (one per BAG address, or one on the buurt's surface) has weight 1,
    so the buurt's residents are spread evenly over its addresses. Where a point's own 65+
    figure is missing (no figure) or suppressed (a PC6 zero), the 65+ share of the
    gemeente (from the PC4 figures; ``share65``, key ``'*'`` = all) is used instead, capped
    at 4 people for a suppressed PC6 point; such points are marked ``geschat65``.
    """
    share65 = share65 or {}
    points = points.merge(buurten, left_on="buurtcode", right_on="code", how="inner")
    is_buurt = points["bron"] == "buurt"
    w = points["w"].where(~is_buurt, 1.0).where(~is_buurt | points["officieel"].notna())
    w = w.astype(float)
    total = w.groupby(points["buurtcode"]).transform("sum")
    factor = (points["officieel"].astype(float) / total).where(points["officieel"].notna(), 1.0)
    pop = w * factor
    w65 = points["w65"].astype(float)
    own = (w65 / points["w"].astype(float)).where(~is_buurt)
    own = own.where(
        ~is_buurt, points["officieel_65"].astype(float) / points["officieel"].astype(float)
    )
    fallback = points["gemeentecode"].map(share65).astype(float).fillna(share65.get("*", np.nan))
    suppressed = (points["bron"] == "pc6") & ~(w65 > 0)
    missing = own.isna() & ~suppressed
    estimate = pop * fallback
    pop65 = (pop * own.clip(0, 1)).where(~missing, estimate)
    pop65 = pop65.where(~suppressed, np.minimum(estimate, PC6_SUPPRESSED_MAX))
    points = points.assign(pop=pop, pop65=pop65, geschat65=(missing | suppressed) & pop65.notna())
    return points[points["pop"].fillna(0) > 0]

"""Cold spots: clusters of areas with little supply, by Local Moran (LL) and Getis-Ord Gi*.

Both statistics come from esda (Gi* with z < 0), with permutation p-values and a
false-discovery-rate cut-off; their permutation test runs in :mod:`analysis.permutation`
(esda 2.9's numbers, about ten times faster without numba).

A cold spot is supporting evidence for a flag (:mod:`analysis.flags`), never a flag of its
own (docs/ANALYSIS.md §8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _weights(codes: list, neighbours: dict, xy: np.ndarray, k: int):
    """Contiguity weights on ``codes``; islands get their k nearest areas (docs/ANALYSIS.md §8)."""
    from libpysal.weights import KNN, W

    index = {c: i for i, c in enumerate(codes)}
    links = {
        i: sorted(index[n] for n in neighbours.get(c, ()) if n in index and n != c)
        for i, c in enumerate(codes)
    }
    islands = [i for i, nb in links.items() if not nb]
    if islands:
        knn = KNN.from_array(xy, k=min(k, len(codes) - 1))
        for i in islands:
            links[i] = list(knn.neighbors[i])
    return W(links, silence_warnings=True)


def cold_spots(
    codes,
    values,
    neighbours: dict,
    xy,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = 20240101,
    k: int = 6,
) -> pd.DataFrame:
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

    from analysis.coords import check_projected

    codes, y = list(codes), np.asarray(values, dtype=float)
    check_projected(np.asarray(xy, float).reshape(-1, 2), "Gebiedspunten")
    if len(codes) < 5 or np.nanstd(y) == 0:
        return pd.DataFrame(
            columns=["lisa", "p_lisa", "gi_z", "p_gi", "fdr_lisa", "fdr_gi", "koude_plek"]
        )
    lm, gi = _local_statistics(y, codes, neighbours, np.asarray(xy, float), permutations, seed, k)
    cut_lm, cut_gi = fdr(lm.p_sim, alpha), fdr(gi.p_sim, alpha)
    sig_lm = lm.p_sim <= cut_lm
    labels = np.where(sig_lm, np.array(["?", "HH", "LH", "LL", "HL"])[lm.q], "ns")
    cold = (sig_lm & (lm.q == 3)) | ((gi.p_sim <= cut_gi) & (gi.Zs < 0))
    return pd.DataFrame(
        {
            "lisa": labels,
            "p_lisa": lm.p_sim,
            "gi_z": gi.Zs,
            "p_gi": gi.p_sim,
            "fdr_lisa": cut_lm,
            "fdr_gi": cut_gi,
            "koude_plek": cold,
        },
        index=codes,
    )


def _local_statistics(y, codes, neighbours, xy, permutations, seed, k):
    """Local Moran (row-standardised contiguity) and Gi* (self included) with esda."""
    from libpysal.weights import fill_diagonal

    from analysis.permutation import g_local, moran_local

    w = _weights(codes, neighbours, xy, k)
    w_star = fill_diagonal(w, 1.0)  # a new W; made before Moran_Local transforms w
    return moran_local(y, w, permutations, seed), g_local(y, w_star, permutations, seed)

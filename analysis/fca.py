"""Floating-catchment accessibility on numpy arrays: 2SFCA, E2SFCA, 3SFCA, BFCA, MH3SFCA.

Inputs are plain arrays: demand ``P`` (n), supply ``S`` (m) and the travel costs from each
demand location to each supply location, either a dense ``(n, m)`` matrix (``inf`` or
``nan`` = unreachable) or sparse :class:`CostPairs`. A :class:`~analysis.decay.Decay`
turns costs into weights ``W_ij = f(d_ij)·1[d_ij <= max_cost]`` (docs/ANALYSIS.md §5;
the variants other than E2SFCA are in docs/ANALYSIS.md §13); everything after that is
sparse matrix algebra, so cost grows with the number of pairs within reach, not with n × m.

Every result carries the regional level ``R0 = Σ P_i A_i / Σ P_i`` (equal to ΣS/ΣP when
all supply is reached: supply conservation) and ``spar = A / R0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analysis.decay import Decay
from analysis.errors import InvalidInput


@dataclass(frozen=True)
class CostPairs:
    """Sparse travel costs: pair k goes from demand ``origin[k]`` to supply ``dest[k]``.

    Pairs that are absent are unreachable. ``shape`` is ``(n_demand, n_supply)``.
    """

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_dense(cls, matrix) -> CostPairs:
        """Pairs from a dense ``(n, m)`` matrix; ``inf`` and ``nan`` mean unreachable."""
        matrix = np.asarray(matrix, dtype=float)
        origin, dest = np.nonzero(np.isfinite(matrix))
        return cls(origin, dest, matrix[origin, dest], matrix.shape)


@dataclass(frozen=True)
class FcaResult:
    """Accessibility per demand location and ratio per supply location.

    Attributes
    ----------
    access : ndarray (n)
        A_i, supply per person within reach (e.g. services per inhabitant).
    ratio : ndarray (m)
        R_j (or L_j for BFCA): supply divided by the (weighted) demand in its catchment;
        0 for supply that no demand reaches.
    regional : float
        R0 = Σ P_i A_i / Σ P_i; 0 when there is no demand or no supply in reach.
    spar : ndarray (n)
        A / R0; ``nan`` when R0 is 0 (no supply within reach of anyone).
    supply_reached : ndarray of bool (m)
        Whether any demand falls in the supply location's catchment.
    """

    access: np.ndarray
    ratio: np.ndarray
    regional: float
    spar: np.ndarray
    supply_reached: np.ndarray


def _as_pairs(cost) -> CostPairs:
    return cost if isinstance(cost, CostPairs) else CostPairs.from_dense(cost)


def weight_matrix(cost, weight: Decay, max_cost: float | None = None) -> sp.csr_matrix:
    """``W_ij = f(d_ij)`` for pairs with ``d_ij <= max_cost`` as a sparse (n, m) matrix.

    Parameters
    ----------
    cost : ndarray (n, m) or CostPairs
        Travel costs from demand to supply.
    weight : Decay
        The decay function ``f``.
    max_cost : float, optional
        The catchment size; default ``weight.cutoff`` (no limit when that is None too).

    Returns
    -------
    scipy.sparse.csr_matrix
        Only positive weights are stored.
    """
    pairs = _as_pairs(cost)
    limit = weight.cutoff if max_cost is None else max_cost
    keep = np.ones(pairs.cost.shape, bool) if limit is None else pairs.cost <= limit
    w = weight(pairs.cost[keep])
    if not np.all(np.isfinite(w)):
        raise InvalidInput("De afstandsvervalfunctie geeft een oneindig gewicht (afstand 0?).")
    good = w > 0
    matrix = sp.coo_matrix(
        (w[good], (pairs.origin[keep][good], pairs.dest[keep][good])), shape=pairs.shape
    )
    return matrix.tocsr()


def _check(population, supply, shape) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(population, dtype=float)
    s = np.asarray(supply, dtype=float)
    if p.shape != (shape[0],) or s.shape != (shape[1],):
        raise InvalidInput(
            f"Vraag ({p.shape}) en aanbod ({s.shape}) passen niet bij de kostenmatrix {shape}."
        )
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(~np.isfinite(s)) or np.any(s < 0):
        raise InvalidInput("Vraag en aanbod moeten eindige getallen ≥ 0 zijn.")
    return p, s


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num, dtype=float)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _result(p: np.ndarray, access: np.ndarray, ratio: np.ndarray, reached: np.ndarray) -> FcaResult:
    total = p.sum()
    regional = float(p @ access / total) if total > 0 else 0.0
    spar = access / regional if regional > 0 else np.full_like(access, np.nan)
    return FcaResult(access, ratio, regional, spar, reached)


def two_step(population, supply, weights: sp.spmatrix) -> FcaResult:
    """Generalised 2SFCA / E2SFCA on a weight matrix (docs/ANALYSIS.md §5).

    ``R_j = S_j / Σ_k P_k W_kj`` and ``A_i = Σ_j W_ij R_j``: the same W in both steps, so
    ``Σ_i P_i A_i = Σ_{j reached} S_j`` (supply conservation).

    Parameters
    ----------
    population : array (n)
    supply : array (m)
    weights : sparse matrix (n, m)
        From :func:`weight_matrix`.

    Returns
    -------
    FcaResult
    """
    w = sp.csr_matrix(weights)
    p, s = _check(population, supply, w.shape)
    demand = w.T @ p
    ratio = _safe_divide(s, demand)
    return _result(p, w @ ratio, ratio, demand > 0)


def e2sfca(population, supply, cost, weight: Decay, max_cost: float | None = None) -> FcaResult:
    """E2SFCA with decay ``weight`` (binary decay gives the classic 2SFCA).

    Parameters
    ----------
    population : array (n)
        Demand P_i (≥ 0).
    supply : array (m)
        Capacity S_j (≥ 0): FTE, places, or 1 per provider when unknown.
    cost : ndarray (n, m) or CostPairs
        Travel cost from demand i to supply j (metres or minutes).
    weight : Decay
        Distance decay f with f(0) = 1.
    max_cost : float, optional
        Catchment size d0 (default: the decay's cutoff).

    Returns
    -------
    FcaResult
    """
    return two_step(population, supply, weight_matrix(cost, weight, max_cost))


def _row_normalised(w: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(w.sum(axis=1)).ravel()
    return sp.diags(_safe_divide(np.ones_like(sums), sums)) @ w


def three_step(
    population,
    supply,
    cost,
    weight: Decay,
    max_cost: float | None = None,
    selection: str = "catchment",
) -> FcaResult:
    """3SFCA (Wan, Zou & Sternberg 2012; docs/ANALYSIS.md §13).

    ``G_ij = W_ij / Σ_k W_ik``, ``R_j = S_j / Σ_i G_ij W_ij P_i``, ``A_i = Σ_j G_ij W_ij R_j``.

    Parameters
    ----------
    population, supply, cost, weight, max_cost
        As :func:`e2sfca`.
    selection : {"catchment", "all"}
        ``"catchment"`` (the paper): G over providers inside the catchment. ``"all"``:
        G over every pair in ``cost`` without the cut-off, as ``access.three_stage_fca``
        computes it (to compare with that library).

    Returns
    -------
    FcaResult
    """
    w = weight_matrix(cost, weight, max_cost)
    if selection == "catchment":
        g = _row_normalised(w)
    elif selection == "all":
        g = _row_normalised(weight_matrix(cost, weight, np.inf))
    else:
        raise InvalidInput("selection moet 'catchment' of 'all' zijn.")
    return two_step(population, supply, g.multiply(w).tocsr())


def huff_three_step(
    population, supply, cost, weight: Decay, max_cost: float | None = None
) -> FcaResult:
    """MH3SFCA (Subal et al. 2021; docs/ANALYSIS.md §13): Huff probabilities weighted by capacity.

    ``H_ij = S_j W_ij / Σ_l S_l W_il``, ``R_j = S_j / Σ_i H_ij P_i``,
    ``A_i = Σ_j H_ij W_ij R_j``.
    """
    w = weight_matrix(cost, weight, max_cost)
    p, s = _check(population, supply, w.shape)
    h = _row_normalised(w @ sp.diags(s))
    ratio = _safe_divide(s, h.T @ p)
    access = h.multiply(w).tocsr() @ ratio
    return _result(p, access, ratio, (w.T @ p) > 0)


def balanced(population, supply, cost, weight: Decay, max_cost: float | None = None) -> FcaResult:
    """BFCA, the balanced FCA (Paez, Higgins & Vivona 2019; docs/ANALYSIS.md §13).

    ``W^i = W / row sums``, ``W^j = W / column sums``, ``L_j = S_j / Σ_i P_i W^i_ij``,
    ``A_i = Σ_j L_j W^j_ij``; demand is preserved and ``Σ_i A_i = Σ_j L_j``.
    """
    w = weight_matrix(cost, weight, max_cost)
    p, s = _check(population, supply, w.shape)
    wi = _row_normalised(w)
    col = np.asarray(w.sum(axis=0)).ravel()
    wj = w @ sp.diags(_safe_divide(np.ones_like(col), col))
    ratio = _safe_divide(s, wi.T @ p)
    return _result(p, wj @ ratio, ratio, (w.T @ p) > 0)


def full_reach_level(population, supply) -> float:
    """ΣS / ΣP: what every A_i equals when everyone reaches every provider with weight 1."""
    p, s = np.asarray(population, float), np.asarray(supply, float)
    return float(s.sum() / p.sum()) if p.sum() > 0 else 0.0

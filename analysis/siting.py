"""Where to add a service: maximal covering (spopt MCLP) with the existing services fixed.

For one theme and one gemeente the clients are the demand points, the candidate sites are
buurt interior points (or any points given) and a client is covered when its travel cost
(straight line × detour) to a site is within the theme's threshold T. The existing services
are one fixed facility in the model (their joint coverage), so the model chooses only the
extra sites. For k = 1, 2, 3 extra sites we report the population newly covered: the
model's objective minus what the existing services already cover. ``perc_cov`` of spopt
counts client locations, not people, so it is not used. See docs/ANALYSIS.md §9.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from analysis.coords import check_projected
from analysis.errors import InvalidInput
from analysis.indicators import DETOUR


@dataclass(frozen=True)
class SiteSolution:
    """The best ``extra`` additional sites and the population they newly cover."""

    extra: int
    chosen: tuple[int, ...]  # indices into the candidate array
    newly_covered: float
    already_covered: float
    population: float


def _existing_cost(client_xy: np.ndarray, existing_xy: np.ndarray, detour: float) -> np.ndarray:
    if len(existing_xy) == 0:
        return np.full(len(client_xy), np.inf)
    return cKDTree(existing_xy).query(client_xy, k=1)[0] * detour


def _solve(cost: np.ndarray, pop: np.ndarray, radius: float, extra: int) -> tuple[tuple, float]:
    import pulp
    from spopt.locate import MCLP

    predefined = np.zeros(cost.shape[1], dtype=int)
    predefined[0] = 1
    with warnings.catch_warnings():
        # PuLP 3.3 deprecates what spopt 0.7 uses (pinned pulp<4 in pyproject).
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(
            cost, pop, radius, p_facilities=1 + extra, predefined_facilities_arr=predefined
        )
        model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = tuple(j - 1 for j in range(1, cost.shape[1]) if (model.fac_vars[j].value() or 0) > 0.5)
    return chosen, float(pulp.value(model.problem.objective) or 0.0)


def suggest_sites(
    client_xy,
    client_pop,
    existing_xy,
    candidate_xy,
    radius: float,
    max_extra: int = 3,
    detour: float = DETOUR,
) -> list[SiteSolution]:
    """Best 1..``max_extra`` extra sites by maximal coverage, existing services fixed.

    Parameters
    ----------
    client_xy : array (n, 2)
        Demand points (RD New metres).
    client_pop : array (n)
        Population per demand point.
    existing_xy : array (e, 2)
        Existing service locations (may be empty).
    candidate_xy : array (c, 2)
        Candidate sites, e.g. buurt interior points.
    radius : float
        Coverage threshold T in travel-cost metres.
    max_extra : int
        Largest number of extra sites (solutions for 1..max_extra, at most c).
    detour : float
        Travel cost = detour × straight-line distance.

    Returns
    -------
    list of SiteSolution
        One per number of extra sites; ``newly_covered`` is 0 (and ``chosen`` empty) when
        no candidate reaches anyone who is not covered yet. When fewer sites already reach
        everyone a candidate can reach, ``chosen`` keeps those fewer sites.
    """
    xy = check_projected(np.asarray(client_xy, float).reshape(-1, 2), "Vraagpunten")
    cand = check_projected(np.asarray(candidate_xy, float).reshape(-1, 2), "Kandidaatlocaties")
    existing_xy = check_projected(np.asarray(existing_xy, float).reshape(-1, 2), "Bestaand aanbod")
    existing = _existing_cost(xy, existing_xy, detour)
    to_cand = cdist(xy, cand) * detour if len(cand) and len(xy) else np.zeros((len(xy), 0))
    return suggest_sites_from_costs(client_pop, existing, to_cand, radius, max_extra)


def suggest_sites_from_costs(
    client_pop, existing_cost, candidate_cost, radius: float, max_extra: int = 3
) -> list[SiteSolution]:
    """:func:`suggest_sites` on ready travel costs, e.g. network distances or times.

    Parameters
    ----------
    client_pop : array (n)
        Population per client.
    existing_cost : array (n) or (n, e)
        Cost from each client to the nearest existing service, or to each of them (the
        minimum is used); ``inf`` for none. An (n, 0) array means no services.
    candidate_cost : array (n, c)
        Cost from each client to each candidate site; ``inf`` or ``nan`` = unreachable.
    radius : float
        Coverage threshold in the same unit as the costs.
    max_extra : int

    Returns
    -------
    list of SiteSolution
    """
    pop = np.asarray(client_pop, float).ravel()
    existing = np.asarray(existing_cost, float)
    if existing.ndim == 2:
        existing = existing.min(axis=1) if existing.shape[1] else np.full(existing.shape[0], np.inf)
    to_cand = np.asarray(candidate_cost, float)
    if to_cand.ndim != 2 or to_cand.shape[0] != len(pop) or len(existing) != len(pop):
        raise InvalidInput(
            "De kostentabellen passen niet bij het aantal vraagpunten "
            f"({len(pop)}): bestaand {existing.shape}, kandidaten "
            f"{to_cand.shape}."
        )
    if not (np.isfinite(pop).all() and (pop >= 0).all()):
        raise InvalidInput("Inwoners per vraagpunt moeten eindige getallen ≥ 0 zijn.")
    if (np.nan_to_num(to_cand, nan=np.inf) < 0).any() or (existing < 0).any():
        raise InvalidInput("Reiskosten kunnen niet negatief zijn.")
    to_cand = np.nan_to_num(to_cand, nan=np.inf)
    existing = np.nan_to_num(existing, nan=np.inf)
    covered = existing <= radius
    already = float(pop[covered].sum())
    reach = to_cand <= radius
    gain = ~covered & reach.any(axis=1)
    n = min(max_extra, to_cand.shape[1])
    if not gain.any():
        return [SiteSolution(k, (), 0.0, already, float(pop.sum())) for k in range(1, n + 1)]
    cost, weights = _reduced(reach[gain], pop[gain], radius, already)
    gainable = float(pop[gain].sum())
    solutions: list[SiteSolution] = []
    for k in range(1, n + 1):
        if solutions and solutions[-1].newly_covered >= gainable - 1e-9:
            # Everyone a candidate can reach is covered already: more sites add nothing.
            solutions.append(replace(solutions[-1], extra=k))
            continue
        chosen, objective = _solve(cost, weights, radius, k)
        solutions.append(
            SiteSolution(k, chosen, max(objective - already, 0.0), already, float(pop.sum()))
        )
    return solutions


def _reduced(
    reach: np.ndarray, pop: np.ndarray, radius: float, already: float
) -> tuple[np.ndarray, np.ndarray]:
    """An equivalent, smaller model: one client per distinct set of reachable candidates.

    Clients already covered by the existing services are one client that only the fixed
    facility (column 0) covers; clients nobody can reach are left out (they cannot change
    the choice). Costs become 0 (covered) or ``2 × radius`` (not covered).
    """
    groups, inverse = np.unique(reach, axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=pop, minlength=len(groups))
    cost = np.where(groups, 0.0, 2.0 * radius)
    cost = np.column_stack([np.full(len(groups), 2.0 * radius), cost])
    covered_row = np.full((1, cost.shape[1]), 2.0 * radius)
    covered_row[0, 0] = 0.0
    return np.vstack([covered_row, cost]), np.concatenate([[already], weights])

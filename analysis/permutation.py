"""esda's conditional permutation test for local statistics, the same numbers, faster.

esda 2.9 without numba (not a dependency here) runs its conditional randomisation
(``esda.crand.crand``) as a Python loop that copies all ``n`` values for every area
(``_prepare_univariate``) and tests each area's p-value on its own: about 6 s per
statistic for 14,000 buurten, twice per theme and target group. :func:`crand` here takes
the same arguments and returns the same arrays, bit for bit:

* the same permutation stream: esda's own ``vec_permutations(max_card, n, permutations,
  seed)`` (NumPy's global generator, seeded), made once for both statistics of a call;
* for area ``i`` the permuted neighbours ``z_no_i[ids]`` are read as ``z[ids + (ids >= i)]``
  (the same values without the copy) and the statistic is the same expression as esda's
  ``_moran_local_crand``, ``_g_local_star_crand`` or ``_g_local_crand`` (the same
  matrix-vector product on the same numbers);
* the "directed" p-value of ``esda.significance`` for all areas in one pass (integer
  counts), as ``float32`` like esda's.

:func:`fast_crand` puts it in place of esda's for the duration of a ``with`` block (one
thread; a worker of the tiled run has one). Any other statistic or alternative is left to
esda. tests/analysis/test_permutation.py compares both on the same data.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

CHUNK = 256  # areas per vectorised step (256 × 999 permutations × cardinality values)


def _statistics() -> dict:
    from esda.getisord import _g_local_crand, _g_local_star_crand
    from esda.moran import _moran_local_crand

    return {_moran_local_crand: "moran", _g_local_star_crand: "g_star", _g_local_crand: "g"}


def crand(  # noqa: PLR0913 - esda's signature
    z,
    w,
    observed,
    permutations,
    keep,
    n_jobs,
    stat_func,
    scaling=None,
    seed=None,
    island_weight=0,
    alternative=None,
):
    """``esda.crand.crand`` for Local Moran and Local G (1-d ``z``, directed p-values)."""
    from esda import crand as esda_crand

    kind = _statistics().get(stat_func)
    if kind is None or np.ndim(z) != 1 or alternative not in (None, "directed") or seed is None:
        return esda_crand.crand(
            z, w, observed, permutations, keep, n_jobs, stat_func, scaling, seed, island_weight,
            alternative,
        )  # fmt: skip
    n = len(z)
    scaling = (n - 1) / (z * z).sum() if scaling is None else scaling
    adj = w.sparse.copy()  # esda zeroes the diagonal of w.sparse itself; same numbers
    self_weights = adj.diagonal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adj.setdiag(0)
        adj.eliminate_zeros()
    other_weights = adj.data.astype(z.dtype)
    cardinalities = np.array((adj != 0).sum(1)).flatten()
    permuted_ids = _permutations(int(cardinalities.max()), n, permutations, seed)
    rlocals = np.empty((n, permuted_ids.shape[0]))
    offsets = np.concatenate([[0], np.cumsum(cardinalities)])
    # Islands have one "fake" neighbour with island_weight and no self-weight (esda).
    islands = np.flatnonzero(cardinalities == 0)
    ow = np.zeros((len(islands), 1), dtype=other_weights.dtype) + island_weight
    _stat(kind, rlocals, islands, z, permuted_ids, ow, np.zeros(len(islands)), scaling)
    for card in np.unique(cardinalities[cardinalities > 0]):
        members = np.flatnonzero(cardinalities == card)
        for chunk in np.array_split(members, -(-len(members) // CHUNK)):
            ow = other_weights[offsets[chunk][:, None] + np.arange(card)]
            _stat(kind, rlocals, chunk, z, permuted_ids, ow, self_weights[chunk], scaling)
    larger = (rlocals >= np.asarray(observed)[:, None]).sum(axis=1)
    p = permuted_ids.shape[0]
    low_extreme = (p - larger) < larger
    larger[low_extreme] = p - larger[low_extreme]
    p_sims = ((larger + 1.0) / (p + 1.0)).astype(np.float32)
    return p_sims, (rlocals if keep else np.empty((1, 1)))


@lru_cache(maxsize=2)
def _permutations(max_card: int, n: int, permutations: int, seed: int) -> np.ndarray:
    """Esda's permuted ids; Local Moran and Gi* of one call share them (same n and seed)."""
    from esda import crand as esda_crand

    ids = esda_crand.vec_permutations(max_card, n, permutations, seed)
    ids.setflags(write=False)
    return ids


def _stat(kind, out, rows, z, permuted_ids, ow, sw, scaling) -> None:
    """The permuted statistics of areas ``rows`` that share a cardinality (``ow.shape[1]``).

    Per area the same operations as esda's ``stat_func``: ``zrand @ weights`` is a stack
    of the same matrix-vector products (``np.matmul`` takes BLAS gemv for each).
    """
    if not len(rows):
        return
    ids = permuted_ids[:, : ow.shape[1]][None]
    zrand = z[ids + (ids >= rows[:, None, None])]  # z without area i, permuted
    lag = np.matmul(zrand, ow[:, :, None])[:, :, 0]
    zi, sw = z[rows][:, None], np.asarray(sw, dtype=z.dtype)[:, None]
    if kind == "moran":
        out[rows] = zi * (lag + sw * zi) * scaling
    elif kind == "g_star":
        out[rows] = (lag + sw * zi) / scaling
    else:
        out[rows] = lag / (scaling - zi)


@contextmanager
def fast_crand() -> Iterator[None]:
    """Esda's Local Moran and G_Local use :func:`crand` inside the ``with`` block."""
    import esda.getisord
    import esda.moran

    saved = esda.moran._crand_plus, esda.getisord._crand_plus
    esda.moran._crand_plus = esda.getisord._crand_plus = crand
    try:
        yield
    finally:
        esda.moran._crand_plus, esda.getisord._crand_plus = saved

"""Distance-decay functions for floating-catchment measures (docs/ANALYSIS.md §5).

Every function returns a :class:`Decay`: a vectorised callable mapping an array of costs
(metres or minutes) to weights, with its name, parameters and, where the function reaches
zero, its ``cutoff`` (the catchment size). The parameters are recorded with every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from analysis.errors import InvalidInput


@dataclass(frozen=True)
class Decay:
    """A named, vectorised decay function ``f(cost) -> weight``.

    Attributes
    ----------
    name : str
        Short name recorded with a run (``gaussian_dai``, ``step``, ...).
    params : dict
        The parameters that define the function (JSON-serialisable).
    func : callable
        Maps a float array of costs to a float array of weights.
    cutoff : float or None
        Cost beyond which the weight is 0 (None: the function never reaches 0).
    """

    name: str
    params: dict
    func: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)
    cutoff: float | None = None

    def __call__(self, cost) -> np.ndarray:
        """The weights of ``cost``, as a float array of the same shape."""
        return np.asarray(self.func(np.asarray(cost, dtype=float)), dtype=float)

    def describe(self) -> dict:
        """The JSON record of this function: ``{"decay": name, **params}``."""
        return {"decay": self.name, **self.params}


def binary(d0: float) -> Decay:
    """Classic 2SFCA: 1 within ``d0`` (inclusive), 0 beyond."""
    return Decay("binary", {"d0": d0}, lambda d: (d <= d0).astype(float), float(d0))


def step(steps: Mapping[float, float]) -> Decay:
    """Stepped E2SFCA weights, as ``access.weights.step_fn``.

    Parameters
    ----------
    steps : mapping of float to float
        Upper bound of each zone (inclusive) to its weight, e.g. ``{20: 1, 40: 0.68,
        60: 0.22}``: 1 at 0–20, 0.68 at (20, 40], 0.22 at (40, 60], 0 beyond.

    Returns
    -------
    Decay
    """
    bounds = np.array(sorted(steps), dtype=float)
    weights = np.array([steps[b] for b in sorted(steps)] + [0.0], dtype=float)

    def func(d):
        return weights[np.searchsorted(bounds, d, side="left")]

    return Decay(
        "step",
        {"steps": {str(k): float(v) for k, v in sorted(steps.items())}},
        func,
        float(bounds[-1]),
    )


def gaussian(sigma: float) -> Decay:
    """Untruncated Gaussian ``exp(-d²/(2σ²))`` as ``access.weights.gaussian``."""
    return Decay("gaussian", {"sigma": sigma}, lambda d: np.exp(-d * d / (2.0 * sigma**2)))


def gaussian_dai(d0: float) -> Decay:
    """Gaussian truncated at ``d0`` (Dai 2010): 1 at 0, exactly 0 at and beyond ``d0``.

    ``f(d) = (exp(-½(d/d0)²) - exp(-½)) / (1 - exp(-½))`` for ``d <= d0``, else 0.
    """
    floor = math.exp(-0.5)

    def func(d):
        value = (np.exp(-0.5 * (d / d0) ** 2) - floor) / (1.0 - floor)
        return np.where(d <= d0, np.clip(value, 0.0, 1.0), 0.0)

    return Decay("gaussian_dai", {"d0": d0}, func, float(d0))


def gravity(scale: float, alpha: float, min_dist: float = 0.0) -> Decay:
    """Power decay ``(max(d, min_dist) / scale) ** alpha`` as ``access.weights.gravity``.

    With ``alpha < 0`` give ``min_dist > 0`` (or costs > 0) to avoid an infinite weight.
    """

    def func(d):
        with np.errstate(divide="ignore"):
            return np.power(np.maximum(d, min_dist) / scale, alpha)

    return Decay("gravity", {"scale": scale, "alpha": alpha, "min_dist": min_dist}, func)


def exponential(beta: float) -> Decay:
    """Negative exponential ``exp(-β d)``."""
    return Decay("exponential", {"beta": beta}, lambda d: np.exp(-beta * d))


def logistic(cutoff: float, sd: float) -> Decay:
    """Logistic decay as the ipea ``decay_logistic`` (Bauer & Groneberg 2016).

    ``f(d) = g(0) / g(d)`` with ``g(x) = 1 + exp(π (x - cutoff) / (sd √3))``: 1 at 0 and
    about 0.5 at ``cutoff``.
    """
    k = math.pi / (sd * math.sqrt(3.0))

    def func(d):
        with np.errstate(over="ignore"):
            return (1.0 + math.exp(-k * cutoff)) / (1.0 + np.exp(k * (d - cutoff)))

    return Decay("logistic", {"cutoff": cutoff, "sd": sd}, func)


def e2sfca_steps(d0: float) -> Decay:
    """The E2SFCA steps scaled to ``d0``.

    The steps are {d0/3: 1, 2d0/3: 0.68, d0: 0.22} (docs/ANALYSIS.md §5).
    """
    return step({d0 / 3.0: 1.0, 2.0 * d0 / 3.0: 0.68, float(d0): 0.22})


DECAYS: dict[str, Callable[[float], Decay]] = {
    "gaussian_dai": gaussian_dai,
    "binary": binary,
    "step": e2sfca_steps,
}


def by_name(name: str, d0: float) -> Decay:
    """The decay used for catchment size ``d0``: ``gaussian_dai``, ``binary`` or ``step``.

    Raises
    ------
    InvalidInput
        For an unknown name (the message lists the known ones).
    """
    try:
        return DECAYS[name](d0)
    except KeyError:
        raise InvalidInput(
            f"Onbekende afstandsvervalfunctie '{name}'; kies uit {', '.join(DECAYS)}."
        ) from None

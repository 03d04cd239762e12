"""Errors raised by the ``analysis`` package; ``server/errors.py`` maps them to HTTP."""


class AnalysisError(Exception):
    """Base class for every error this package raises on purpose.

    The message says why, in Dutch.
    """


class RunRefused(AnalysisError):
    """A run cannot start (unknown theme or gemeente, no areas loaded); nothing is stored."""


class InvalidInput(AnalysisError, ValueError):
    """Input a computation cannot use.

    Demand or supply that do not fit the cost matrix or are not finite and ≥ 0, an unknown
    decay function or selection, an infinite weight.

    Also a :class:`ValueError`, as these errors always were.
    """

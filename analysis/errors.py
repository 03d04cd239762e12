"""Errors raised by the ``analysis`` package; ``server/errors.py`` maps them to HTTP."""


class AnalysisError(Exception):
    """A run cannot start or finish; the message says why, in Dutch."""

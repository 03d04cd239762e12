"""Errors raised by the ``geo`` package; ``server/errors.py`` maps them to HTTP."""


class GeoError(Exception):
    """Base class for every error this package raises on purpose."""


class ClusterError(GeoError):
    """The embedded PostgreSQL cluster cannot be managed (missing binary, bad folder)."""


class DatabaseUnavailable(GeoError):
    """The database cannot be reached or lacks a required extension."""


class AreaLoadError(GeoError):
    """An area or population file is unreadable or inconsistent; nothing was changed."""


class NotFound(GeoError):
    """A requested record does not exist."""

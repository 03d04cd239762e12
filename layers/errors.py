"""Errors raised by ``layers``; ``server/errors.py`` maps them to HTTP status codes."""


class LayerError(Exception):
    """Base class: bad input for a layer query (HTTP 400)."""


class UnknownCollection(LayerError):
    """No published collection has this id (HTTP 404)."""


class FeatureNotFound(LayerError):
    """No feature with this id in the collection (HTTP 404)."""


class InvalidParameter(LayerError):
    """A query parameter has a value we cannot use (HTTP 400)."""


class FilterError(InvalidParameter):
    """A CQL2 filter cannot be parsed or uses something not allowed (HTTP 400)."""


class UnknownLevel(LayerError, ValueError):
    """The requested area level is not one of gemeente, wijk, buurt (HTTP 404)."""

"""Gazetteers for offline geocoding: what the loaders and the geocoder share.

The gazetteers are BAG addresses (``adres``, loaded by ``geo.bag_loader.load_bag``) and
CBS PC6 points and PC4 areas (``postcode6``, ``postcode4``, loaded by
``geo.postcode_loader.load_postcodes``). This module holds the rough bounds of the
Netherlands, the form of a Dutch postcode and the loaders' error.
"""

from __future__ import annotations

import re

from geo.errors import GeoError

# Rough bounds of the Netherlands in RD New (EPSG:28992): x_min, y_min, x_max, y_max.
RD_BOUNDS = (0.0, 289_000.0, 300_000.0, 629_000.0)
POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


class GazetteerError(GeoError):
    """A gazetteer file cannot be read or the database refused it; nothing was changed."""


def normalise_postcode(value: object) -> str | None:
    """``'6211 ab'`` -> ``'6211AB'``; None when the value is not a Dutch postcode."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text if POSTCODE_RE.match(text) else None

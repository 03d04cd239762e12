"""The optional online geocoder, built from settings (off unless PDOK_URL is set)."""

from geo.pdok import Locatieserver


def online_geocoder(config):
    """A PDOK Locatieserver adapter when ``PDOK_URL`` is configured, else None (offline)."""
    url = config.get("PDOK_URL")
    return Locatieserver(url) if url else None

"""Optional online geocoder: the PDOK Locatieserver (``/free`` endpoint), off by default.

Only used when a caller passes a ``Locatieserver`` to ``geo.geocode.geocode_stage``.
It uses the standard library only and never raises on network trouble: a failed
request is logged and returns None, so an import carries on offline.

Response format (Solr JSON, Locatieserver v3.1)::

    {"response": {"numFound": 1, "start": 0, "maxScore": 23.9, "numFoundExact": true,
                  "docs": [{"type": "adres", "weergavenaam": "Markt 78, 6211CL Maastricht",
                            "postcode": "6211CL", "huisnummer": 78,
                            "centroide_rd": "POINT(176378.5 317813.2)", ...}]}}
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
# Locatieserver object type -> our geocode_precisie.
PRECISION: dict[object, str] = {"adres": "adres", "postcode": "pc6"}  # by PDOK's "type"
POINT_RE = re.compile(r"^\s*POINT\s*\(\s*(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)\s*\)\s*$")

log = logging.getLogger(__name__)


def parse_point(wkt: object) -> tuple[float, float] | None:
    """``'POINT(176378.5 317813.2)'`` -> ``(176378.5, 317813.2)``; None if not a point."""
    match = POINT_RE.match(wkt) if isinstance(wkt, str) else None
    if not match:
        return None
    try:
        return float(match.group(1)), float(match.group(2))
    except ValueError:
        return None


class Locatieserver:
    """Callable adapter for ``geo.geocode``: one ``/free`` request per address.

    Parameters
    ----------
    base_url : str, optional
        Root of the service, e.g. ``https://api.pdok.nl/bzk/locatieserver/search/v3_1``.
    timeout : float, optional
        Seconds to wait for an answer.
    """

    bron = "PDOK Locatieserver"

    def __init__(self, base_url: str = DEFAULT_URL, timeout: float = 5):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def url(self, query: dict) -> str | None:
        """The request URL for an address; None when there is nothing to search for."""
        postcode = (query.get("postcode") or "").replace(" ", "").upper()
        number = query.get("huisnummer")
        straat, plaats = query.get("straat"), query.get("woonplaats")
        if number:
            house = f"{number}{query.get('huisletter') or ''}"
            addition = query.get("toevoeging") or ""
            where = [postcode] if postcode else [straat or "", plaats or ""]
            words, kind = [*where, f"{house}-{addition}" if addition else house], "adres"
        elif postcode:
            words, kind = [postcode], "postcode"
        else:
            return None
        text = " ".join(w for w in words if w)
        if not text or (not postcode and not (straat and plaats)):
            return None
        params = urllib.parse.urlencode({"q": text, "fq": f"type:{kind}", "rows": 1})
        return f"{self.base_url}/free?{params}"

    def __call__(self, query: dict) -> dict | None:
        """Geocode one address.

        Parameters
        ----------
        query : dict
            ``postcode, huisnummer, huisletter, toevoeging, straat, woonplaats``.

        Returns
        -------
        dict or None
            ``{"precisie", "x", "y", "antwoord"}`` (x/y in RD New); ``precisie``, ``x``
            and ``y`` are None when the service found nothing that matches. None when
            the service could not be asked (network error, HTTP error, bad answer).
        """
        url = self.url(query)
        if url is None:
            return None
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data = json.loads(response.read().decode("utf-8"))
            docs = data["response"]["docs"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # URLError, HTTPError and timeouts are OSErrors; bad JSON is a ValueError.
            log.warning("PDOK Locatieserver niet bereikbaar voor %s: %s", url, exc)
            return None
        return _answer(query, docs)


def _answer(query: dict, docs: list) -> dict:
    """Our answer from the first doc; a doc for another postcode or number is no match."""
    miss = {"precisie": None, "x": None, "y": None, "antwoord": None}
    doc = docs[0] if docs and isinstance(docs[0], dict) else None
    if doc is None:
        return miss
    point = parse_point(doc.get("centroide_rd"))
    precision = PRECISION.get(doc.get("type"))
    postcode = (query.get("postcode") or "").replace(" ", "").upper()
    wrong_postcode = postcode and doc.get("postcode") and doc["postcode"] != postcode
    wrong_number = (
        precision == "adres"
        and query.get("huisnummer") is not None
        and str(doc.get("huisnummer")) != str(query["huisnummer"])
    )
    kept = {k: doc.get(k) for k in ("id", "type", "weergavenaam", "centroide_rd")}
    if point is None or precision is None or wrong_postcode or wrong_number:
        return miss | {"antwoord": kept}
    return {"precisie": precision, "x": point[0], "y": point[1], "antwoord": kept}

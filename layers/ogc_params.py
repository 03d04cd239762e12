"""Parse and validate OGC API Features query parameters into a ``layers`` query.

Unknown parameters are a 400 (OGC /req/core/query-param-unknown); so is any value we
cannot use. ``limit`` above the maximum is clamped, not refused.

Everything takes the query string as a plain mapping (``args``: a dict, or Werkzeug's
``request.args``, whose repeated parameters count in the cursor checksum) and, for format
negotiation, the ``Accept`` header text; nothing here needs Flask or a request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from layers.catalog import Collection
from layers.cql2 import compile_filter
from layers.crs import parse_crs
from layers.errors import InvalidParameter
from layers.features import ItemsQuery
from layers.visibility import VisibilityLike, as_visibility

DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
HTML_MAX_LIMIT = 500  # rows in one HTML items page (a browser table of 10,000 is slow)
# The one list of the query parameters; the OpenAPI document (server/openapi_components.py)
# declares them in this order.
IGNORED = ("apikey", "_")  # accepted everywhere and ignored (GIS clients, cache-busters)
ITEM_PARAMETERS = (
    "limit",
    "offset",
    "cursor",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
)
COMMON = {"f", *IGNORED}
ITEMS = COMMON | set(ITEM_PARAMETERS)
# RFC 3339 as OGC API Features reads it: a date or a date-time with offset, or an interval
# of two of them with '..' or nothing for an open end. The OpenAPI document declares the
# same pattern; dates that match it but do not exist (2025-02-30) are a 400 as well.
_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_TIME = r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
_INSTANT = f"{_DATE}({_TIME})?"
DATETIME_PATTERN = f"^({_INSTANT}|({_INSTANT}|\\.\\.)?/({_INSTANT}|\\.\\.)?)$"
FORMAT_ORDER = ("json", "geojson", "html", "csv", "gpkg")  # values of f, as OpenAPI lists them
FORMATS = set(FORMAT_ORDER)  # items
RESOURCE_FORMATS = {"json", "html"}  # landing page, conformance, collections, queryables
FEATURE_FORMATS = {"json", "geojson", "html"}  # one feature


def check_known(args: Mapping[str, str], allowed: set[str]) -> None:
    """400 for any query parameter the endpoint does not declare."""
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise InvalidParameter(f"Unknown query parameter(s): {', '.join(unknown)}")


def allowed_items_parameters(collection: Collection) -> set[str]:
    """The query parameters that ``/items`` of ``collection`` accepts, its filters included."""
    return ITEMS | set(collection.filters) | set(collection.array_filters)


def _int(args: Mapping[str, str], name: str, minimum: int) -> int | None:
    raw = args.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise InvalidParameter(f"{name} must be a whole number ≥ {minimum}")
    value = int(raw)
    if value < minimum:
        raise InvalidParameter(f"{name} must be ≥ {minimum}")
    return value


def _bbox(args: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    raw = args.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError as exc:
        raise InvalidParameter("bbox must be 4 or 6 comma-separated numbers") from exc
    if len(values) == 6:  # minx,miny,minz,maxx,maxy,maxz: we are 2D
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or any(v != v or abs(v) == float("inf") for v in values):
        raise InvalidParameter("bbox must be 4 or 6 comma-separated numbers")
    x0, y0, x1, y1 = values  # four, checked above
    return x0, y0, x1, y1


def _instant(text: str, end: bool, interval: bool = True) -> date | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    if interval and (text.startswith(("0000-", "0001-01-01")) or text.startswith("9999-")):
        return None  # QGIS 3.22 sends these as stand-ins for open ends
    if text.startswith("0000-"):
        return date.min  # year 0 is valid RFC 3339 but not a Python date; nothing is that old
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise InvalidParameter(f"datetime: '{text}' is not an RFC 3339 date or date-time") from exc


def parse_datetime(raw: str | None) -> tuple[date | None, date | None] | None:
    """Instant, ``a/b``, ``../b``, ``a/..`` or ``a/`` → (start, end) dates (None = open)."""
    if raw is None:
        return None
    if not re.fullmatch(DATETIME_PATTERN, raw):
        raise InvalidParameter(
            f"datetime: '{raw}' is geen datum of tijdstip volgens RFC 3339. Gebruik "
            "bijvoorbeeld 2025-06-01, 2025-06-01T12:00:00Z of een periode als "
            "2025-01-01/2025-12-31 of ../2025-12-31."
        )
    if "/" in raw:
        start_text, _, end_text = raw.partition("/")
        start, end = _instant(start_text, False), _instant(end_text, True)
        if start and end and start > end:
            raise InvalidParameter("datetime: the start of the interval is after its end")
        return start, end
    moment = _instant(raw, False, interval=False)
    if moment is None:
        raise InvalidParameter("datetime: an instant cannot be open ('..')")
    return moment, moment


def pairs(args: Mapping[str, str]) -> list[tuple[str, str]]:
    """All ``(name, value)`` pairs, repeated parameters too when ``args`` keeps them.

    Werkzeug's ``MultiDict`` keeps them (``getlist``); a plain dict has one value per name.
    """
    getlist = getattr(args, "getlist", None)
    if getlist is None:
        return list(args.items())
    return [(k, v) for k in args for v in getlist(k)]


def filter_checksum(args: Mapping[str, str], collection: Collection) -> str:
    """Hash of everything that selects features, so a cursor is only valid for its query."""
    keep = sorted(
        (k, v) for k, v in pairs(args) if k not in {"cursor", "offset", "limit", "f", "_"}
    )
    return hashlib.sha1(json.dumps([collection.id, keep]).encode()).hexdigest()[:10]


def encode_cursor(direction: str, key, checksum: str) -> str:
    """A paging cursor: direction, keyset key and filter checksum as unpadded base64url JSON."""
    raw = json.dumps([direction, key, checksum], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(args: Mapping[str, str], collection: Collection) -> tuple[object, object]:
    raw = args.get("cursor")
    if raw is None:
        return None, None
    try:
        direction, key, checksum = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, TypeError) as exc:
        raise InvalidParameter("cursor is not valid; follow the next/prev links") from exc
    if (
        checksum != filter_checksum(args, collection)
        or direction not in ("after", "before")
        or not isinstance(key, int | str)
    ):
        raise InvalidParameter("cursor does not belong to this query; start from the first page")
    return (key, None) if direction == "after" else (None, key)


def _cql(args: Mapping[str, str], collection: Collection):
    text = args.get("filter")
    lang = args.get("filter-lang", "cql2-text")
    if lang not in ("cql2-text", "cql2-json"):
        raise InvalidParameter("filter-lang must be cql2-text or cql2-json")
    crs = crs_parameter(args, "filter-crs")  # checked also without a filter
    if text is None:
        return None
    return compile_filter(
        text,
        lang,
        collection,
        filter_srid=crs.srid,
        filter_axis_latlon=crs.latlon,
        param_prefix="cql",
    )


def crs_parameter(args: Mapping[str, str], name: str = "crs"):
    """``crs``, ``bbox-crs`` or ``filter-crs``: absent is the default, empty is a 400."""
    raw = args.get(name)
    if raw is not None and not raw.strip():
        raise InvalidParameter(f"{name} is leeg. Laat {name} weg voor de standaard (CRS84).")
    return parse_crs(raw, name)


def items_query(
    args: Mapping[str, str], collection: Collection, visibility: VisibilityLike
) -> ItemsQuery:
    """Everything in the query string, validated."""
    check_known(args, allowed_items_parameters(collection))
    limit = _int(args, "limit", 1)
    after, before = _cursor(args, collection)
    return ItemsQuery(
        collection=collection,
        visibility=as_visibility(visibility),
        limit=min(limit or DEFAULT_LIMIT, MAX_LIMIT),
        offset=_int(args, "offset", 0) or 0,
        after=after,
        before=before,
        bbox=_bbox(args),
        bbox_crs=crs_parameter(args, "bbox-crs"),
        crs=crs_parameter(args, "crs"),
        interval=parse_datetime(args.get("datetime")),
        properties={
            k: args[k] for k in args if k in collection.filters or k in collection.array_filters
        },
        cql=_cql(args, collection),
    )


def requested_format(
    args: Mapping[str, str],
    accept: str | None = None,
    default: str = "json",
    allowed: set[str] = RESOURCE_FORMATS,
) -> str:
    """The response format: ``f`` if given, else from the ``Accept`` header.

    ``f`` wins (one of ``allowed``, else a 400); otherwise HTML only when the client
    prefers text/html over JSON in ``accept`` (the ``Accept`` header).
    """
    f = args.get("f")
    if f is not None:
        if f not in allowed:
            raise InvalidParameter(
                f"f moet een van deze waarden zijn: {', '.join(sorted(allowed))}."
            )
        return "json" if f == "geojson" else f
    mimetypes = parse_accept_header(accept, MIMEAccept)
    best = mimetypes.best_match(
        ["application/json", "application/geo+json", "text/html"], default="application/json"
    )
    html_q = mimetypes["text/html"]
    json_q = max(
        mimetypes["application/json"],
        mimetypes["application/geo+json"],
    )
    return "html" if best == "text/html" and html_q > json_q else default

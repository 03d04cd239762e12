"""Parsers of single cells of an import row, for ``validate``.

Each takes the cell's text and returns the value to store, or raises ``FieldError`` with
the reason in Dutch. ``SECONDARY`` wraps the parsers of fields that never reject a row
(what cannot be read is left out with a warning); ``memoised`` caches a parser, because
spreadsheets repeat the same values on many rows.
"""

from __future__ import annotations

import json
import re
from copy import copy
from functools import lru_cache

from geo.records import fields as f

VISIBILITY = ("openbaar", "professional", "intern")


def memoised(parse):
    """Cache results, and cache FieldErrors too (re-raised with the same message)."""

    @lru_cache(maxsize=65536)
    def cached(value: str):
        try:
            return True, parse(value)
        except f.FieldError as exc:
            return False, str(exc)

    def run(value: str):
        ok, result = cached(value)
        if not ok:
            raise f.FieldError(result)
        return copy(result) if isinstance(result, list) else result

    return run


NOT_APPLICABLE = {"n.v.t.", "nvt", "n.v.t", "-", "--", "geen", "onbekend", "nee", "n/a", "0"}


def kvk_number(value: str):
    """A KvK number; "n.v.t." and the like are refused with a clear reason."""
    if value.strip().lower() in NOT_APPLICABLE:
        raise f.FieldError(f"KvK-nummer '{value}' is geen nummer")
    return f.kvk(value)


def first_good(parse, label: str):
    """A cell with several values (``a@x.nl; b@x.nl``): the first good one, the rest noted."""

    def run(value: str) -> tuple[str, list[str]]:
        try:
            return parse(value), []
        except f.FieldError:
            parts = [p.strip() for p in re.split(r"[;,\s]+", value) if p.strip()]
            if len(parts) < 2:
                raise
        good, notes = None, []
        for part in parts:
            try:
                parsed = parse(part)
            except f.FieldError:
                notes.append(f"'{part}' is geen {label} en is weggelaten")
                continue
            if good is None:
                good = parsed
            else:
                notes.append(f"tweede {label} '{part}' is weggelaten")
        if good is None:
            raise f.FieldError(f"{label} '{value}' klopt niet")
        return good, notes

    return run


def hours_or_text(value: str) -> tuple[str, list[str]]:
    """Opening hours as JSON; unreadable hours are kept as free text (``tekst``)."""
    try:
        return json.dumps(f.opening_hours(value), ensure_ascii=False), []
    except f.FieldError as exc:
        text = {"dagen": {}, "op_afspraak": False, "tekst": value}
        note = f"{exc}; de tekst is bewaard zonder dagen en tijden"
        return json.dumps(text, ensure_ascii=False), [note]


def secondary(parse):
    """Wrap a parser that may fail so it never does: (value or None, warnings)."""

    @lru_cache(maxsize=65536)
    def run(value: str) -> tuple[object, tuple[str, ...]]:
        try:
            result = parse(value)
        except f.FieldError as exc:
            return None, (f"{exc}; niet opgeslagen",)
        if isinstance(result, tuple):
            return result[0], tuple(result[1])
        return result, ()

    return run


# Secondary fields: a value that cannot be read is left out with a warning, never a reject.
SECONDARY = (
    ("kvk", "kvk", secondary(kvk_number)),
    ("telefoon", "telefoon", secondary(f.phones)),
    ("organisatie_telefoon", "org_telefoon", secondary(f.phones)),
    ("email", "email", secondary(first_good(f.email, "e-mailadres"))),
    ("website", "website", secondary(first_good(f.website, "website"))),
    ("openingstijden", "openingstijden", secondary(hours_or_text)),
    ("laatst_geverifieerd", "laatst_geverifieerd_op", secondary(f.day)),
)


def text_up_to(limit=4000):
    """A parser of free text of at most ``limit`` characters (empty: None)."""

    def parse(value: str):
        if len(value) > limit:
            raise f.FieldError(f"tekst is langer dan {limit} tekens")
        return value or None

    return parse


def organisation_name(value: str):
    """The organisation's name: required, at most 200 characters."""
    if not value:
        raise f.FieldError("organisatie is leeg")
    return text_up_to(200)(value)


def visibility_level(value: str):
    """One of ``VISIBILITY``; empty: ``openbaar``."""
    value = (value or "openbaar").lower()
    if value not in VISIBILITY:
        raise f.FieldError(f"zichtbaarheid moet een van {', '.join(VISIBILITY)} zijn")
    return value


def language_codes(value: str):
    """Language codes separated by ``;``; empty: Dutch only."""
    return [t.strip().lower() for t in value.split(";") if t.strip()] or ["nl"]


def theme_slugs(value: str, known: dict[str, str]) -> list[str]:
    """Theme slugs or names; empty: [] (the importer proposes one from keywords)."""
    if not value:
        return []
    try:
        return f.slugs(value, known, "thema")
    except f.FieldError as exc:
        if "bedoelt u" in str(exc):
            raise
        raise f.FieldError(f"{exc}; of koppel de waarde onder [waarden.thema]") from exc

"""Numbers, distances and dates written the Dutch way, for pages, messages and reports.

``12.345`` (dot between thousands), ``1,5`` (comma as decimal sign), ``1,5 km`` and
``12 maart 2026``. Plain string formatting, no locale data: the output is the same on
every machine.
"""

from __future__ import annotations

from datetime import date

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_SWAP = str.maketrans(",.", ".,")


def number(value: float, digits: int = 0, grouping: bool = True) -> str:
    """``12345`` -> ``'12.345'``; ``(1234.5, 1)`` -> ``'1.234,5'``.

    Whole numbers (``int``) are written exactly; others rounded to ``digits`` decimals.
    Without ``grouping`` no dot between thousands: ``(1500.0, 1, False)`` -> ``'1500,0'``.
    """
    comma = "," if grouping else ""
    if isinstance(value, int) and not digits:
        return f"{value:{comma}}".translate(_SWAP)
    return f"{value:{comma}.{digits}f}".translate(_SWAP)


def distance(metres: float, long: bool = False) -> str:
    """A distance in Dutch: whole metres below 1 km, kilometres from 1 km on.

    Below 1 km in whole metres (``800`` -> ``'800 meter'``), from 1 km on in kilometres
    with one decimal: ``1500`` -> ``'1,5 km'``, ``1000`` -> ``'1 km'``; ``long`` writes the
    unit out and keeps the decimal: ``'1,5 kilometer'``, ``'1,0 kilometer'``.
    """
    if metres < 1000:
        return f"{metres:.0f} meter"
    text = number(metres / 1000, 1, grouping=False)
    return f"{text} kilometer" if long else f"{text.removesuffix(',0')} km"


def long_date(value: date) -> str:
    """``12 maart 2026``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datum_nl(value: date | None) -> str:
    """``12 maart 2026``, or an empty string for no date (for templates)."""
    return long_date(value) if value else ""

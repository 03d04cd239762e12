"""The plain Dutch sentences of the coverage analysis: numbers, distances, places, the
reasons of a flag and the location suggestions.

Only wording lives here; the rule that decides a flag is :mod:`analysis.flags`
(docs/ANALYSIS.md §7).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from geo.dutch import distance
from geo.dutch import number as dutch_number

if TYPE_CHECKING:
    from analysis.flags import Context

COLD_SPOT = "Ook de buurten eromheen hebben weinig aanbod: dit is een koude plek."


def km(metres: float) -> str:
    """``1000`` -> ``'1 km'``, ``1500`` -> ``'1,5 km'``, ``800`` -> ``'800 meter'``."""
    return distance(metres)


def number(value: float) -> str:
    """Dutch thousands separator: ``12345`` -> ``'12.345'``."""
    return dutch_number(round(value))


def place(niveau: str, naam: str) -> str:
    """``In buurt Kakert``, ``In Wijk 00 Schaesberg``, ``In de gemeente Vaals``."""
    if niveau == "gemeente":
        return f"In de gemeente {naam}"
    if naam.lower().startswith(niveau):
        return f"In {naam}"
    return f"In {niveau} {naam}"


def _theme(ctx: Context) -> str:
    return ctx.thema_naam[:1].lower() + ctx.thema_naam[1:]


def _group(ctx: Context) -> tuple[str, str]:
    return ("de 65-plussers", "65-plusser") if ctx.doelgroep == "ouderen" else (
        "de inwoners", "inwoner")


def sentence_far(where: str, pct: float, ctx: Context) -> str:
    """The proximity sentence: 'In buurt X woont 31% van de inwoners verder dan 1 km …'."""
    return (f"{where} woont {pct:.0f}% van {_group(ctx)[0]} verder dan {km(ctx.drempel_m)} "
            f"van aanbod voor {_theme(ctx)}.")


def sentence_spar(where: str, spar: float, d0: float, ctx: Context) -> str:
    """The relative-shortage sentence, with a note when the measure is count-based."""
    text = (f"{where} is er per {_group(ctx)[1]} minder aanbod voor {_theme(ctx)} binnen "
            f"{km(d0)} dan gemiddeld in de regio: {spar * 100:.0f}% van het gemiddelde.")
    if ctx.capaciteit_basis == "aantal":
        text += " We tellen voorzieningen, want hun capaciteit is niet bekend."
    return text


def sentence_too_few(where: str, inwoners: float) -> str:
    """The population gate: too few residents for a judgement of their own."""
    return (f"{where} wonen te weinig mensen ({number(inwoners)}) voor een "
            "eigen oordeel. Kijk naar de wijk.")


def sentence_no_shortage(row, where: str, ctx: Context) -> str:
    """The summary of an area that is not flagged."""
    text = sentence_far(where, row["pct_verder"], ctx)
    if not math.isnan(row["spar"]):
        text += (f" Het aanbod binnen bereik is {row['spar'] * 100:.0f}% van het "
                 "gemiddelde in de regio.")
    return text + " Volgens de regel is hier geen tekort."


def sentence_site(used: int, extra: int, order: int, thema_naam: str, gemeente_naam: str,
                  newly_covered: float, drempel_m: float, buurt_naam: str) -> str:
    """A location suggestion: how many more residents live within T, and where."""
    more = "" if used == extra else f" Een {extra}e plek voegt niets toe."
    return (f"Met {used} {'extra plek' if used == 1 else 'extra plekken'} "
            f"voor {thema_naam.lower()} in {gemeente_naam} wonen "
            f"{number(newly_covered)} inwoners meer binnen "
            f"{km(drempel_m)} van dit aanbod. Plek {order} ligt in buurt "
            f"{buurt_naam}.{more}")

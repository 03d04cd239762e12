"""The plain Dutch sentences of the coverage analysis.

Numbers, distances, places, the reasons of a flag and the location suggestions.

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
NEAR_EDGE = (
    "Randeffect mogelijk: een deel van {group} woont dicht bij de rand van het "
    "gebied met gegevens, en aanbod net daarbuiten (ook over de grens) telt niet mee."
)
ESTIMATED = (
    "Het aantal 65-plussers is hier deels geschat, omdat het CBS kleine aantallen niet publiceert."
)


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


def near_edge(ctx: Context) -> str:
    """The edge-effect sentence for the target group."""
    return NEAR_EDGE.format(group=_group(ctx)[0])


def _theme(ctx: Context) -> str:
    return ctx.thema_naam[:1].lower() + ctx.thema_naam[1:]


def _group(ctx: Context) -> tuple[str, str]:
    return (
        ("de 65-plussers", "65-plusser")
        if ctx.doelgroep == "ouderen"
        else ("de inwoners", "inwoner")
    )


def rounded_km(metres: float) -> str:
    """A measured distance: below 1 km to 10 m (``'350 meter'``), else to 0.1 km."""
    return km(round(metres, -1)) if metres < 995 else km(metres)


def percent(value: float) -> str:
    """A share in a sentence, whole percent: ``31.2`` -> ``'31%'``."""
    return f"{value:.0f}%"


def count(value: float) -> str:
    """A count of services in a sentence, a whole number: ``2.37`` -> ``'2'``."""
    return number(value)


def sentence_far(where: str, pct: float, ctx: Context) -> str:
    """The proximity sentence: 'In buurt X woont 31% van de inwoners verder dan 1 km …'."""
    return (
        f"{where} woont {percent(pct)} van {_group(ctx)[0]} verder dan "
        f"{km(ctx.drempel_m)} van aanbod voor {_theme(ctx)}."
    )


def _mean_distance(afstand: float, ctx: Context) -> str:
    if afstand is None or math.isnan(afstand):
        return (
            f"Een deel van {_group(ctx)[0]} heeft geen aanbod voor {_theme(ctx)} binnen "
            "de zoekafstand."
        )
    return (
        f"De gemiddelde afstand van {_group(ctx)[0]} tot het dichtstbijzijnde aanbod is "
        f"{rounded_km(afstand)}."
    )


def sentence_distance(afstand: float, cutoff: float, worst: float, ctx: Context) -> str:
    """The relative distance sentence: as far as the region's worst buurten."""
    return (
        f"{_mean_distance(afstand, ctx)} Dat is zo ver als bij de {percent(worst)} "
        f"buurten van de regio die het verst weg liggen ({rounded_km(cutoff)} of meer)."
    )


def sentence_spar(spar: float, cutoff: float, d0: float, worst: float, ctx: Context) -> str:
    """The relative shortage sentence (capacity-based themes only)."""
    return (
        f"Per {_group(ctx)[1]} is er binnen {km(d0)} {percent(spar * 100)} van het "
        f"gemiddelde aanbod in de regio. Dat is zo weinig als bij de {percent(worst)} "
        f"buurten van de regio met het minste aanbod ({percent(cutoff * 100)} of minder)."
    )


def sentence_too_few(where: str, inwoners: float, ctx: Context) -> str:
    """The population gate: too few residents of the target group for a judgement."""
    group = "65-plussers" if ctx.doelgroep == "ouderen" else "inwoners"
    return (
        f"{where} wonen te weinig {group} ({number(inwoners)}) voor een eigen "
        "oordeel. Kijk naar de wijk."
    )


def _count_column(drempel_m: float) -> str | None:
    return {1000: "aantal_1km", 3000: "aantal_3km", 5000: "aantal_5km"}.get(int(drempel_m))


def sentence_no_shortage(row, where: str, ctx: Context) -> str:
    """The summary of an area that is not flagged."""
    text = f"{sentence_far(where, row['pct_verder'], ctx)} {_mean_distance(row['afstand_m'], ctx)}"
    column = _count_column(ctx.drempel_m)
    if ctx.capaciteit_basis == "aantal":
        if column and not math.isnan(row.get(column, math.nan)):
            text += (
                f" Binnen {km(ctx.drempel_m)} zijn er gemiddeld {count(row[column])} voorzieningen."
            )
    elif not math.isnan(row["spar"]):
        text += (
            f" Het aanbod binnen bereik is {percent(row['spar'] * 100)} van het "
            "gemiddelde in de regio."
        )
    return text + " Volgens de regel is hier geen tekort."


def rule_explanation(rule) -> str:
    """The flag rule in plain Dutch, without internal terms (for the page and reports)."""
    return (
        f"Een gebied heeft een tekort als minstens {rule.pct_verder:g}% van de inwoners "
        "verder dan de drempelafstand van het thema van het dichtstbijzijnde aanbod woont, "
        f"én het gebied bij de {rule.relatief:g}% buurten van de regio hoort die het verst "
        "weg liggen of (als de capaciteit bekend is) het minste aanbod per inwoner hebben. "
        f"Ernstig: minstens {rule.pct_ernstig:g}% verder dan de drempelafstand én bij de "
        f"{rule.relatief_ernstig:g}% slechtste buurten. Gebieden met minder dan "
        f"{rule.min_inwoners:g} inwoners krijgen geen eigen oordeel."
    )


def sentence_site(
    used: int,
    extra: int,
    order: int,
    thema_naam: str,
    gemeente_naam: str,
    newly_covered: float,
    drempel_m: float,
    buurt_naam: str,
) -> str:
    """A location suggestion: how many more residents live within T, and where."""
    more = "" if used == extra else f" Een {extra}e plek voegt niets toe."
    return (
        f"Met {used} {'extra plek' if used == 1 else 'extra plekken'} "
        f"voor {thema_naam.lower()} in {gemeente_naam} wonen "
        f"{number(newly_covered)} inwoners meer binnen "
        f"{km(drempel_m)} van dit aanbod. Plek {order} ligt in buurt "
        f"{buurt_naam}.{more}"
    )

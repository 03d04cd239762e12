"""One area's result in one theme, as the coverage report shows it.

Read defensively from a result row (:func:`area_result`: every field may be missing),
with the Dutch notes on its optional fields, the ranking that puts the worst area first
(:func:`rank_key`) and the flag rule in plain Dutch (:func:`describe_rule`).
:mod:`layers.pages.coverage_report` builds the report of a gemeente from them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from geo.spar_classes import NO_DATA, SPAR_CLASSES
from layers.pages.coverage import decimal, reason_text, spar_class

FLAG_LABELS = {"ernstig": "Ernstig tekort", "matig": "Tekort"}
FLAG_SYMBOLS = {"ernstig": "●●", "matig": "●"}
# Notes on a result, from fields of migration 0013 (or reasons with such a rule):
# (flag field, share field, rule prefixes, the Dutch note, the note with the share).
NOTES = (
    (
        "randeffect",
        "pct_rand",
        ("randeffect",),
        "Randeffect mogelijk: aanbod net buiten de geladen gemeenten kan dichterbij liggen.",
        "Randeffect mogelijk: voor {pct}% van de inwoners kan aanbod net buiten de geladen "
        "gemeenten dichterbij liggen.",
    ),
    (
        "geschat",
        "pct_geschat",
        ("geschat",),
        "Het aantal 65-plussers is deels geschat.",
        "Het aantal 65-plussers is deels geschat ({pct}% van de 65-plussers).",
    ),
)
TOO_FEW = "Te weinig inwoners voor een eigen oordeel: kijk naar de wijk."


@dataclass
class AreaResult:
    """One area in one theme: its figures, flag, reasons and place in the ranking."""

    thema: str
    gebiedcode: str
    naam: str
    inwoners: float | None
    spar: float | None
    pct_verder: float | None
    afstand_m: float | None
    drempel_m: float | None
    flagged: bool
    flag_level: str | None
    zin: str
    redenen: list
    redenen_tekst: list[str]
    notes: list[str]
    klasse: int | None
    rank: int = 0

    @property
    def anchor(self) -> str:
        """The id of the reason on the page and in the PDF."""
        return f"reden-{self.thema}-{self.gebiedcode}"

    @property
    def flag_label(self) -> str:
        """The flag in Dutch words: "Ernstig tekort", "Tekort" or "Geen tekort"."""
        return FLAG_LABELS.get(self.flag_level or "", "Geen tekort")

    @property
    def colour(self) -> str:
        """The fill colour of the area's SPAR class (the no-data colour without one)."""
        return NO_DATA if self.klasse is None else SPAR_CLASSES[self.klasse][2]


@dataclass
class ThemeReport:
    """One theme: all areas ranked worst-first; the flagged ones are the short list."""

    slug: str
    naam: str
    drempel_m: float | None
    ranked: list[AreaResult]

    @property
    def shortlist(self) -> list[AreaResult]:
        """The short list: the flagged areas, worst first."""
        return [r for r in self.ranked if r.flagged]

    @property
    def ernstig(self) -> int:
        """The number of areas with a severe (``ernstig``) shortage."""
        return sum(r.flag_level == "ernstig" for r in self.ranked)


def spar_first(rule: dict | None) -> bool:
    """Whether the run's flag rule is led by SPAR (the first rule, with ``spar_matig``).

    Otherwise it is led by the share of residents beyond the distance threshold.
    """
    return isinstance(rule, dict) and "spar_matig" in rule


def rank_key(r: AreaResult, by_spar: bool = False) -> tuple:
    """The sort key that puts the worst area first.

    Flagged first, ``ernstig`` before ``matig``, then by the measures of the flag rule: with
    a SPAR-led rule the lowest SPAR (no SPAR last), then the largest share beyond the
    threshold; else the largest share beyond the threshold, the longest distance (none: no
    provider at all, first), the lowest SPAR. Then name and code.
    """
    level = {"ernstig": 0, "matig": 1}.get(r.flag_level or "", 2)
    spar = (r.spar is None, r.spar if r.spar is not None else 0.0)
    far = -(r.pct_verder or 0.0)
    distance = (r.afstand_m is not None, -(r.afstand_m or 0.0))
    measures = (*spar, far) if by_spar else (far, *distance, *spar)
    return (not r.flagged, level, *measures, r.naam.lower(), r.gebiedcode)


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def area_result(data: dict) -> AreaResult:
    """One row of ``ROWS_SQL`` (result and view columns as JSON) as an :class:`AreaResult`."""
    redenen = data.get("redenen")
    redenen = json.loads(redenen) if isinstance(redenen, str) else (redenen or [])
    redenen = [r for r in redenen if isinstance(r, dict)]
    spar = _number(data.get("spar"))
    return AreaResult(
        thema=str(data.get("thema") or data.get("thema_slug")),
        gebiedcode=str(data["gebiedcode"]),
        naam=str(data.get("naam") or data["gebiedcode"]),
        inwoners=_number(data.get("inwoners")),
        spar=spar,
        pct_verder=_number(data.get("pct_verder")),
        afstand_m=_number(data.get("afstand_m")),
        drempel_m=_number(data.get("drempel_m")),
        flagged=bool(data.get("flagged")),
        flag_level=data.get("flag_level") if data.get("flagged") else None,
        zin=str(data.get("zin") or ""),
        redenen=redenen,
        redenen_tekst=[reason_text(x) for x in redenen],
        notes=notes(data, redenen),
        klasse=spar_class(spar),
    )


def notes(data: dict, redenen: Iterable[dict]) -> list[str]:
    """Dutch notes for the optional fields that are set on this result.

    The fields are edge effect, estimated 65+ count and too few residents; a field counts
    when the result sets it or one of its reasons names it.
    """
    rules = [str(r.get("rule", "")) for r in redenen]
    found = []
    for flag, share, prefixes, plain, with_share in NOTES:
        said = prefixes[0] in str(data.get("zin") or "").lower()  # the sentence says it
        if not said and (data.get(flag) or any(r.startswith(prefixes) for r in rules)):
            pct = _number(data.get(share))
            found.append(with_share.format(pct=decimal(pct)) if pct else plain)
    if "te weinig" not in str(data.get("zin") or "").lower() and (
        data.get("beoordeling") == "te weinig inwoners"
        or any(r.startswith("inwoners<") for r in rules)
    ):
        found.append(TOO_FEW)
    return found


def describe_rule(rule: dict) -> str:
    """The flag rule of the run in plain Dutch (empty when unknown).

    Its own explanation when the run stored one, else built from the thresholds of the
    first rule.
    """
    if not isinstance(rule, dict):
        return ""
    if isinstance(rule.get("uitleg"), str):
        return rule["uitleg"]
    if "spar_matig" not in rule:
        return ""
    return (
        f"Een gebied heeft een tekort als het aanbod per inwoner (SPAR) onder "
        f"{decimal(rule['spar_matig'], 2)} ligt of meer dan "
        f"{decimal(rule.get('pct_verder'))}% van de inwoners verder woont dan de "
        f"drempelafstand, in minstens {rule.get('min_vanggebieden', 2)} van de 3 "
        f"vanggebieden, en er minstens {decimal(rule.get('min_inwoners'))} mensen wonen."
    )

"""Taxonomy terms of any taxonomy -> our themes and doelgroepen (mapping table in TOML).

Our own taxonomies (``sociale-kaart-thema``, ``sociale-kaart-doelgroep``) map one to one. Other
taxonomies go through ``hsds_taxonomie.toml`` (shipped: Open Eligibility and the AIRS/211 LA
top-level codes); a term that maps nowhere is kept with the service and never rejects it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

THEME, GROUP, TRAIT = "sociale-kaart-thema", "sociale-kaart-doelgroep", "sociale-kaart-kenmerk"
OWN = {THEME, GROUP, TRAIT}
MAPPING_FILE = Path(__file__).with_name("hsds_taxonomie.toml")


@dataclass
class Mapping:
    """The mapping table: taxonomy aliases, term -> theme / doelgroep, the default theme."""

    names: dict[str, str] = field(default_factory=dict)
    themes: dict[str, dict[str, str]] = field(default_factory=dict)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    default_theme: str = "informatie-advies"


@lru_cache(maxsize=4)
def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    """Read the TOML mapping table (cached); keys are compared in lower case."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))

    def lower(table: dict) -> dict[str, dict[str, str]]:
        return {
            key.lower(): {str(k).lower(): str(v) for k, v in terms.items()}
            for key, terms in table.items()
        }

    return Mapping(
        names={str(k).lower(): str(v).lower() for k, v in data.get("namen", {}).items()},
        themes=lower(data.get("thema", {})),
        groups=lower(data.get("doelgroep", {})),
        default_theme=data.get("standaard", {}).get("thema", "informatie-advies"),
    )


def taxonomy_key(name: str, mapping: Mapping) -> str:
    """The mapping table's key of a taxonomy name (``Open Eligibility`` -> ``open-eligibility``)."""
    key = " ".join(str(name or "").lower().split())
    return mapping.names.get(key, key)


def _candidates(term: dict) -> list[str]:
    """Term code, its leading parts (AIRS ``BD-1800.2000`` -> ``bd-1800``, ``bd``, ``b``), name."""
    out: list[str] = []
    code = str(term.get("code") or "").strip().lower()
    if code:
        out.append(code)
        parts = re.split(r"[.\-]", code)
        out.extend("-".join(parts[:i]) if i > 1 else parts[0] for i in range(len(parts) - 1, 0, -1))
        if re.match(r"^[a-z]{2}", code):
            out.extend([code[:2], code[:1]])
    name = " ".join(str(term.get("name") or "").lower().split())
    if name:
        out.append(name)
    return list(dict.fromkeys(out))


def map_terms(terms: list[dict], mapping: Mapping) -> tuple[list[str], list[str], list[dict]]:
    """Themes, doelgroepen and the terms that mapped to neither, for one service's terms.

    Codes of our own taxonomies pass unchanged (the validator checks them against the
    ``thema`` and ``doelgroep`` tables); our traits (``sociale-kaart-kenmerk``) are skipped.
    """
    themes: list[str] = []
    groups: list[str] = []
    unmapped: list[dict] = []
    for term in terms:
        taxonomy = str(term.get("taxonomy") or "")
        code = str(term.get("code") or "").strip().lower()
        if taxonomy in OWN:
            {THEME: themes, GROUP: groups}.get(taxonomy, []).append(code)
            continue
        key = taxonomy_key(taxonomy, mapping)
        hit = False
        for table, out in (
            (mapping.themes.get(key, {}), themes),
            (mapping.groups.get(key, {}), groups),
        ):
            slug = next((table[c] for c in _candidates(term) if c in table), None)
            if slug:
                out.append(slug)
                hit = True
        if not hit:
            unmapped.append(term)
    return list(dict.fromkeys(themes)), list(dict.fromkeys(groups)), unmapped


def age_groups(minimum: float | None, maximum: float | None) -> list[str]:
    """Doelgroepen that an age range (HSDS ``minimum_age``/``maximum_age``) clearly names."""
    if minimum is None and maximum is None:
        return []
    low = minimum if minimum is not None else 0
    high = maximum if maximum is not None else 200
    if high <= 12:
        return ["kinderen"]
    if low >= 12 and high <= 23:
        return ["jongeren"]
    if low >= 65:
        return ["ouderen"]
    if low >= 18 and high >= 65:
        return ["volwassenen"]
    return []

"""Propose a theme for an imported row without one, from keywords in its names and texts.

The keywords per theme are shipped in ``thema_trefwoorden.toml`` (a mapping file may add
more under ``[trefwoorden]``). A row's organisation name, service name and descriptions are
searched in lower case without accents; Dutch compounds are found by their parts because a
keyword matches anywhere inside a word ("schuldhulp" in "schuldhulpverlening"). At any place
in the text the longest keyword wins ("thuiszorg" before "zorg").

Score of a theme: the sum over its matches of keyword weight (1, or 0.5 for the ``zwak``
list) times field weight (service name 3, organisation name 2, descriptions 1). The highest
score wins; a tie goes to the theme matched first (Dutch service names put their domain
first: "schuldbegeleiding" is about money), then to the longer keyword. No match: no theme.

The proposal is only a proposal: the importer marks it (table ``thema_voorstel``) and an
editor confirms, changes or rejects it in the queue "voorgestelde thema's".
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

KEYWORDS_FILE = Path(__file__).with_name("thema_trefwoorden.toml")
WEIGHTS = {"woorden": 1.0, "zwak": 0.5, "hele_woorden": 1.0}
# (record key, field weight, Dutch name of the field for the reason)
FIELDS = (
    ("aanbod", 3.0, "de naam van het aanbod"),
    ("organisatie", 2.0, "de naam van de organisatie"),
    ("aanbod_omschrijving", 1.0, "de omschrijving van het aanbod"),
    ("omschrijving", 1.0, "de omschrijving van de organisatie"),
)
# Long descriptions: the first part says what a service is; the rest only costs time.
TEXT_LIMIT = 600


def fold(text: str) -> str:
    """Lower case, accents removed, everything but letters and digits a single space."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


@dataclass(frozen=True)
class Proposal:
    """A proposed theme and why: the keyword and the field it was found in."""

    slug: str
    keyword: str
    field: str
    score: float

    @property
    def reason(self) -> str:
        """Dutch (B1), for the editor: "trefwoord 'thuiszorg' in de naam van het aanbod"."""
        return f"trefwoord '{self.keyword}' in {self.field}"


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many words, as a trie: the longest match at a place wins.

    Python's ``re`` tries the alternatives of ``a|b|c`` one by one; a trie branches on the
    next character, so a few hundred keywords cost about as much as one.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        alternatives = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class ThemeRules:
    """Keyword rules: ``propose(...)`` returns the best theme for a row's texts, or None."""

    def __init__(self, keywords: dict[str, dict[str, list[str]]]):
        """``keywords``: theme slug -> {"woorden"|"zwak"|"hele_woorden": [keyword, ...]}."""
        self.order = list(keywords)
        self.inside: dict[str, tuple[str, float]] = {}  # folded keyword -> (slug, weight)
        self.whole: dict[str, tuple[str, float]] = {}
        for slug, lists in keywords.items():
            for kind, words in lists.items():
                target = self.whole if kind == "hele_woorden" else self.inside
                for word in words:
                    key = fold(word)
                    if key and key not in target:  # the first theme to name a keyword keeps it
                        target[key] = (slug, WEIGHTS[kind])
        pattern = _trie_pattern(list(self.inside))
        self._inside = re.compile(pattern) if pattern else None
        self.propose = lru_cache(maxsize=65536)(self._propose)

    def with_extra(self, extra: dict[str, list[str]]) -> ThemeRules:
        """These rules plus a mapping file's ``[trefwoorden]`` (weight 1, inside words)."""
        if not extra:
            return self
        merged: dict[str, dict[str, list[str]]] = {}
        for slug, words in extra.items():
            merged.setdefault(slug, {}).setdefault("woorden", []).extend(words)
        own = {fold(w) for words in extra.values() for w in words}  # the file's keywords win
        for key, (slug, weight) in self.inside.items():
            if key not in own:
                kind = "woorden" if weight == 1.0 else "zwak"
                merged.setdefault(slug, {}).setdefault(kind, []).append(key)
        for key, (slug, _) in self.whole.items():
            if key not in own:
                merged.setdefault(slug, {}).setdefault("hele_woorden", []).append(key)
        ordered = {s: merged[s] for s in self.order if s in merged}
        return ThemeRules(ordered | merged)

    def matches(self, text: str) -> list[tuple[int, str, str, float]]:
        """(position, keyword, slug, weight) of every keyword found in ``text``."""
        folded = fold(text[:TEXT_LIMIT])
        found = []
        if self._inside is not None:
            for m in self._inside.finditer(folded):
                slug, weight = self.inside[m.group()]
                found.append((m.start(), m.group(), slug, weight))
        if self.whole:
            position = 0
            for word in folded.split(" "):
                if word in self.whole:
                    slug, weight = self.whole[word]
                    found.append((position, word, slug, weight))
                position += len(word) + 1
        return found

    def _propose(
        self,
        aanbod: str | None,
        organisatie: str | None,
        aanbod_omschrijving: str | None = None,
        omschrijving: str | None = None,
    ) -> Proposal | None:
        values = (aanbod, organisatie, aanbod_omschrijving, omschrijving)
        texts = dict(zip([f[0] for f in FIELDS], values, strict=True))
        if (
            texts["aanbod"]
            and texts["organisatie"]
            and fold(texts["aanbod"]) == fold(texts["organisatie"])
        ):
            texts["organisatie"] = None  # a service named after its organisation counts once
        scores: dict[str, float] = {}
        first: dict[str, tuple[int, int]] = {}  # slug -> (field index, position)
        best_word: dict[str, tuple[float, int, str, str]] = {}
        for index, (key, weight, label) in enumerate(FIELDS):
            text = texts[key]
            if not text:
                continue
            for position, keyword, slug, kw_weight in self.matches(text):
                scores[slug] = scores.get(slug, 0.0) + kw_weight * weight
                first[slug] = min(first.get(slug, (index, position)), (index, position))
                candidate = (kw_weight * weight, len(keyword), keyword, label)
                if candidate[:2] > best_word.get(slug, (0.0, 0, "", ""))[:2]:
                    best_word[slug] = candidate
        if not scores:
            return None
        slug = min(
            scores,
            key=lambda s: (-scores[s], first[s], -best_word[s][1], self.order.index(s)),
        )
        _, _, keyword, label = best_word[slug]
        return Proposal(slug, keyword, label, scores[slug])


@cache
def shipped_rules() -> ThemeRules:
    """The rules of ``thema_trefwoorden.toml`` (read once)."""
    return ThemeRules(tomllib.loads(KEYWORDS_FILE.read_text(encoding="utf-8")))

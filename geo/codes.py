"""CBS area codes: ``GM`` + 4 digits (gemeente), ``WK`` + 6 (wijk), ``BU`` + 8 (buurt).

A wijk code repeats the digits of its gemeente, a buurt code those of its wijk:
``BU09170001`` lies in ``WK091700`` in ``GM0917``. The same rule is a CHECK in the schema
(geo/sql/0001_schema.up.sql).
"""

from __future__ import annotations

import re

PREFIX = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}
# One anchored pattern per level (text, as pandas' str.match and messages take it).
CODE_PATTERN = {"gemeente": r"^GM\d{4}$", "wijk": r"^WK\d{6}$", "buurt": r"^BU\d{8}$"}
# Any level; use with fullmatch (see is_area_code).
AREA_CODE = re.compile("|".join(p[1:-1] for p in CODE_PATTERN.values()))
_LEVEL_CODE = {level: re.compile(p[1:-1]) for level, p in CODE_PATTERN.items()}


def is_area_code(code: str) -> bool:
    """True for a well-formed gemeente, wijk or buurt code (whether it exists or not)."""
    return AREA_CODE.fullmatch(code) is not None


def level_of(code: str) -> str | None:
    """``'gemeente'``, ``'wijk'`` or ``'buurt'`` for a well-formed code, else None."""
    return next((level for level, pattern in _LEVEL_CODE.items() if pattern.fullmatch(code)), None)

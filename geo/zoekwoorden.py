"""The shipped search-word lists: synonyms for the social domain and everyday area names.

Both live in ``data/zoeken/`` as CSV (see its README for sources and the format) and are
loaded into ``zoekwoord`` and ``gebied_alias`` (migration 0018) by ``load_shipped``. Rows
marked ``bron = 'meegeleverd'`` follow the files (added, changed, removed); rows editors
added (``bron = 'redactie'``) are never touched, also when a file names the same key.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from geo.errors import GeoError

FOLDER = Path(__file__).resolve().parent.parent / "data" / "zoeken"
SYNONYMS, AREA_NAMES = "synoniemen.csv", "gebiedsnamen.csv"

UPSERT_WORD = sa.text(
    """
    INSERT INTO zoekwoord AS z (woord, woorden, thema, bron)
    VALUES (:woord, CAST(:woorden AS text[]), :thema, 'meegeleverd')
    ON CONFLICT (woord) DO UPDATE SET woorden = EXCLUDED.woorden, thema = EXCLUDED.thema
    WHERE z.bron = 'meegeleverd'
    """
)
UPSERT_AREA = sa.text(
    """
    INSERT INTO gebied_alias AS g (naam, sleutel, codes, toelichting, bron)
    VALUES (:naam, '', CAST(:codes AS text[]), :toelichting, 'meegeleverd')
    ON CONFLICT (sleutel) DO UPDATE SET naam = EXCLUDED.naam, codes = EXCLUDED.codes,
        toelichting = EXCLUDED.toelichting
    WHERE g.bron = 'meegeleverd'
    """
)
DROP_WORDS = sa.text(
    "DELETE FROM zoekwoord WHERE bron = 'meegeleverd' "
    "AND woord <> ALL(ARRAY(SELECT zoek_normaal(w) FROM unnest(CAST(:keys AS text[])) w))"
)
DROP_AREAS = sa.text(
    "DELETE FROM gebied_alias WHERE bron = 'meegeleverd' "
    "AND sleutel <> ALL(ARRAY(SELECT zoek_normaal(w) FROM unnest(CAST(:keys AS text[])) w))"
)


class SearchWordsError(GeoError):
    """A shipped list cannot be read; nothing was changed."""


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split(";") if p.strip()]


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise SearchWordsError(f"{path.name}: column(s) {', '.join(missing)} missing.")
            return [row for row in reader if any((v or "").strip() for v in row.values())]
    except OSError as exc:
        raise SearchWordsError(f"Cannot read {path}: {exc}") from exc


def read_synonyms(folder: Path = FOLDER) -> list[dict]:
    """The rows of ``synoniemen.csv``: woord, woorden (list) and thema (or None)."""
    out = []
    for line, row in enumerate(_rows(folder / SYNONYMS, ("woord", "zoek_ook", "thema")), 2):
        woord, woorden = row["woord"].strip(), _split(row["zoek_ook"])
        thema = (row["thema"] or "").strip() or None
        if not woord or not (woorden or thema):
            raise SearchWordsError(f"{SYNONYMS} line {line}: a word with words or a theme.")
        out.append({"woord": woord, "woorden": woorden, "thema": thema})
    return out


def read_area_names(folder: Path = FOLDER) -> list[dict]:
    """The rows of ``gebiedsnamen.csv``: naam, codes (list) and toelichting."""
    out = []
    for line, row in enumerate(_rows(folder / AREA_NAMES, ("naam", "codes", "toelichting")), 2):
        naam, codes = row["naam"].strip(), [c.upper() for c in _split(row["codes"])]
        if not naam or not codes:
            raise SearchWordsError(f"{AREA_NAMES} line {line}: a name with CBS codes.")
        out.append({"naam": naam, "codes": codes, "toelichting": row["toelichting"].strip()})
    return out


def load_shipped(conn: sa.Connection, folder: Path = FOLDER) -> dict:
    """Bring the shipped rows of ``zoekwoord`` and ``gebied_alias`` in line with the files.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection of the database owner, in a transaction.
    folder : Path, optional
        The folder with ``synoniemen.csv`` and ``gebiedsnamen.csv``.

    Returns
    -------
    dict
        ``zoekwoorden`` and ``gebiedsnamen``: the number of rows in each file.

    Raises
    ------
    SearchWordsError
        When a file is missing or malformed (before anything is written).
    """
    words, areas = read_synonyms(folder), read_area_names(folder)
    conn.execute(DROP_WORDS, {"keys": [w["woord"] for w in words]})
    conn.execute(DROP_AREAS, {"keys": [a["naam"] for a in areas]})
    if words:
        conn.execute(UPSERT_WORD, words)
    if areas:
        conn.execute(UPSERT_AREA, areas)
    return {"zoekwoorden": len(words), "gebiedsnamen": len(areas)}

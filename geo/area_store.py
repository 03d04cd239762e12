"""Write validated CBS areas and population to PostGIS in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa

from geo.areas import LEVELS, AreaSources, read_sources
from geo.errors import AreaLoadError

STAGE = """
CREATE TEMP TABLE gebied_stage (
    code text, niveau text, naam text, gemeentecode text, wijkcode text, jaar int, wkb bytea
) ON COMMIT DROP
"""
# One set-based upsert; rows whose content is equal are not touched, so a re-run
# reports them as unchanged and keeps their bijgewerkt_op.
UPSERT = """
INSERT INTO gebied AS g (code, niveau, naam, gemeentecode, wijkcode, jaar, bron, geom)
SELECT code, niveau, naam, gemeentecode, wijkcode, jaar, :bron,
       ST_Multi(ST_GeomFromWKB(wkb, 28992))
FROM gebied_stage
ON CONFLICT (code) DO UPDATE SET
    naam = EXCLUDED.naam, niveau = EXCLUDED.niveau, gemeentecode = EXCLUDED.gemeentecode,
    wijkcode = EXCLUDED.wijkcode, jaar = EXCLUDED.jaar, bron = EXCLUDED.bron,
    geom = EXCLUDED.geom, bijgewerkt_op = now()
WHERE (g.naam, g.niveau, g.gemeentecode, g.wijkcode, g.jaar, g.bron)
      IS DISTINCT FROM (EXCLUDED.naam, EXCLUDED.niveau, EXCLUDED.gemeentecode,
                        EXCLUDED.wijkcode, EXCLUDED.jaar, EXCLUDED.bron)
   OR NOT ST_Equals(g.geom, EXCLUDED.geom)
RETURNING niveau, (xmax = 0) AS inserted
"""
POP_COLUMNS = ("inwoners", "mannen", "vrouwen", "inwoners_65plus", "huishoudens", "woningen")
# Identifiers come only from the constant POP_COLUMNS; values are bound parameters.
UPSERT_POPULATION = f"""
INSERT INTO bevolking (gebiedcode, jaar, bron, {", ".join(POP_COLUMNS)})
VALUES (:gebiedcode, :jaar, :bron, {", ".join(":" + c for c in POP_COLUMNS)})
ON CONFLICT (gebiedcode, jaar) DO UPDATE SET bron = EXCLUDED.bron,
    {", ".join(f"{c} = coalesce(EXCLUDED.{c}, bevolking.{c})" for c in POP_COLUMNS)}
"""  # noqa: S608
# Touching geom fires the locatie_gebieden trigger, which re-derives the area codes.
REASSIGN = "UPDATE locatie SET geom = geom WHERE geom IS NOT NULL"


def _stage_rows(levels, years) -> list[dict]:
    rows = []
    for level in LEVELS:
        frame = levels[level]
        for rec, geom in zip(frame.itertuples(index=False), frame.geometry, strict=True):
            rows.append(
                {
                    "code": rec.code,
                    "niveau": level,
                    "naam": rec.naam,
                    "gemeentecode": rec.gemeentecode,
                    "wijkcode": None if pd.isna(rec.wijkcode) else rec.wijkcode,
                    "jaar": years[level],
                    "wkb": geom.wkb,
                }
            )
    return rows


def population_rows(levels, tables, source: str) -> list[dict]:
    """Population per (gebiedcode, jaar) from all tables, for the areas being loaded."""
    known = set().union(*(set(f["code"]) for f in levels.values()))
    merged: dict[tuple[str, int], dict] = {}
    for table in tables:
        for code, series in table.iterrows():
            if code not in known:
                continue
            for (year, column), value in series.items():
                if pd.notna(value):
                    row = merged.setdefault((code, year), dict.fromkeys(POP_COLUMNS))
                    row[column] = int(value)
    return [
        dict(row, gebiedcode=code, jaar=year, bron=source) for (code, year), row in merged.items()
    ]


def load_areas(
    engine: sa.Engine,
    sources: AreaSources,
    progress: Callable[[str], None] = lambda step: None,
) -> dict:
    """Validate and load gemeenten, wijken, buurten and population; all or nothing.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Database with the Sociale Kaart schema.
    sources : AreaSources
        Files to read (see ``data/gebieden.toml``).
    progress : callable, optional
        Called with a short description before each step.

    Returns
    -------
    dict
        Counts per level (``inserted``, ``updated``, ``unchanged``), population rows and
        the number of locations whose area codes were re-derived.
    """
    progress("Bestanden lezen en controleren")
    levels, tables = read_sources(sources)
    stage = _stage_rows(levels, sources.years)
    population = population_rows(levels, tables, sources.source)
    progress("Gebieden opslaan")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(STAGE))
            conn.execute(
                sa.text(
                    "INSERT INTO gebied_stage VALUES "
                    "(:code, :niveau, :naam, :gemeentecode, :wijkcode, :jaar, :wkb)"
                ),
                stage,
            )
            changed = conn.execute(sa.text(UPSERT), {"bron": sources.source}).all()
            progress("Bevolking opslaan")
            if population:
                conn.execute(sa.text(UPSERT_POPULATION), population)
            progress("Locaties opnieuw aan gebieden koppelen")
            moved = conn.execute(sa.text(REASSIGN)).rowcount
    except sa.exc.IntegrityError as exc:
        raise AreaLoadError(f"The database refused the areas: {exc.orig}") from exc
    return _summary(levels, changed, len(population), moved)


def _summary(levels, changed, population: int, moved: int) -> dict:
    inserted = Counter(level for level, is_new in changed if is_new)
    updated = Counter(level for level, is_new in changed if not is_new)
    summary: dict[str, dict[str, int] | int] = {
        level: {
            "read": len(levels[level]),
            "inserted": inserted[level],
            "updated": updated[level],
            "unchanged": len(levels[level]) - inserted[level] - updated[level],
        }
        for level in LEVELS
    }
    summary["bevolking"] = population
    summary["locaties_herberekend"] = moved
    return summary

"""The coverage short list of one gemeente: what /dekking?gemeente=GMxxxx shows.

The same report feeds its downloads (CSV and GeoPackage in
:mod:`layers.pages.coverage_downloads`, PDF) and ``sociale-kaart analyse --gemeente …
--uitvoer …``.

For one target group and level it reads the current results of every theme (the published
view ``laag_dekking``, only finished runs) and gives:

* per theme the areas ranked worst-first (:func:`~layers.pages.coverage_results.rank_key`):
  flagged first, ``ernstig`` before ``matig``, then by the measures of the flag rule
  (lowest SPAR first, then the largest share of residents beyond the distance threshold);
  the *short list* is the flagged part;
* the areas × themes table: every area flagged in at least one theme;
* the Dutch sentences stored with the results (``zin``);
* a small SVG map per theme, drawn from the area polygons (scaled in the database, like
  the paper map in :mod:`layers.pages.print_map`).

Fields that a later migration may add (edge effect, estimated 65+ counts, too few
residents) are read defensively: every column of the result row is read as JSON, and a
note is shown only when such a field (or a reason with that rule) is present (one area's
result: :mod:`layers.pages.coverage_results`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from layers.pages.coverage import GROUPS
from layers.pages.coverage_results import (
    AreaResult,
    ThemeReport,
    area_result,
    rank_key,
    spar_first,
)

GEMEENTE_CODE = re.compile(r"^GM[0-9]{4}$")
REPORT_LEVELS = {"buurt": "Buurten", "wijk": "Wijken"}
# One small map per theme: viewBox width, tallest height and padding in SVG units.
MAP_WIDTH, MAP_MAX_HEIGHT, MAP_PAD = 400.0, 400.0, 6.0

GEMEENTEN_SQL = sa.text("""
SELECT g.code, g.naam FROM gebied g
WHERE g.niveau = 'gemeente' AND EXISTS (
    SELECT 1 FROM analyse_resultaat r JOIN analyse_run ar ON ar.id = r.run_id
    WHERE ar.status = 'klaar' AND r.gebiedcode = g.code)
ORDER BY g.naam, g.code
""")
# Every column of the stored result and of the view, as JSON: columns added later (by a
# migration of the analysis) arrive without a change here. The view's rounded figures win.
ROWS_SQL = sa.text("""
SELECT (to_jsonb(r) - 'redenen') || (to_jsonb(d) - 'geom' - 'themas' - 'doelgroepen')
           AS data,
       t.naam AS thema_naam
FROM laag_dekking d
JOIN analyse_resultaat r ON r.run_id = d.run_id AND r.gebiedcode = d.gebiedcode
                        AND r.thema_slug = d.thema AND r.doelgroep = d.doelgroep
JOIN thema t ON t.slug = d.thema
WHERE d.actueel AND d.gemeentecode = :gemeente AND d.doelgroep = :doelgroep
  AND d.niveau = :niveau
ORDER BY t.volgorde, d.gebiedcode
""")
# The gemeente and its areas of one level, scaled into one SVG viewBox (y down).
MAP_SQL = sa.text("""
WITH areas AS (
    SELECT code, niveau, geom FROM gebied
    WHERE code = :gemeente OR (niveau = :niveau AND gemeentecode = :gemeente)
), box AS (
    SELECT ST_XMin(e) AS x0, ST_YMax(e) AS y1, greatest(ST_XMax(e) - ST_XMin(e), 1) AS w,
           greatest(ST_YMax(e) - ST_YMin(e), 1) AS h
    FROM (SELECT ST_Extent(geom)::geometry AS e FROM areas) extent
), fit AS (
    SELECT box.*, least(CAST(:width AS float8) / w, CAST(:max_height AS float8) / h) AS s
    FROM box
)
SELECT a.code, a.niveau, fit.w * fit.s + 2 * CAST(:pad AS float8) AS width,
       fit.h * fit.s + 2 * CAST(:pad AS float8) AS height,
       ST_AsSVG(ST_Translate(ST_Scale(ST_SimplifyPreserveTopology(a.geom, 0.5 / fit.s),
                                      fit.s, fit.s),
                             :pad - fit.x0 * fit.s, -fit.y1 * fit.s - :pad), 0, 1) AS d
FROM areas a, fit
ORDER BY a.code
""")
RULE_SQL = sa.text("SELECT parameters -> 'rule' FROM analyse_run WHERE id = :id")


@dataclass
class ReportMap:
    """The gemeente and its areas as SVG path data, in one viewBox."""

    width: float
    height: float
    outline: str
    paths: dict[str, str]


@dataclass
class GemeenteReport:
    """Everything the short list of one gemeente shows."""

    code: str
    naam: str
    doelgroep: str
    niveau: str
    themes: list[ThemeReport]
    kaart: ReportMap
    run_ids: list[int]
    rule: dict = field(default_factory=dict)

    @property
    def doelgroep_naam(self) -> str:
        """The Dutch name of the target group."""
        return GROUPS[self.doelgroep]

    @property
    def areas(self) -> list[tuple[str, str]]:
        """All areas of the gemeente at this level: (code, naam), by name."""
        seen = {r.gebiedcode: r.naam for t in self.themes for r in t.ranked}
        return sorted(seen.items(), key=lambda item: (item[1].lower(), item[0]))

    def cell(self, code: str, thema: str) -> AreaResult | None:
        """The result of area ``code`` in theme ``thema`` (None when there is none)."""
        theme = next((t for t in self.themes if t.slug == thema), None)
        return next((r for r in theme.ranked if r.gebiedcode == code), None) if theme else None

    @property
    def matrix(self) -> list[tuple[str, str, list[AreaResult | None]]]:
        """Areas flagged in at least one theme, most (severe) flags first.

        Each row is ``(code, naam, cells)``, with one cell per theme.
        """
        rows = []
        for code, naam in self.areas:
            cells = [self.cell(code, t.slug) for t in self.themes]
            flags = [c for c in cells if c is not None and c.flagged]
            if flags:
                severe = sum(c.flag_level == "ernstig" for c in flags)
                rows.append((-severe, -len(flags), naam.lower(), code, naam, cells))
        return [(code, naam, cells) for *_, code, naam, cells in sorted(rows)]

    @property
    def unflagged(self) -> list[str]:
        """Names of the areas without a shortage in any theme."""
        listed = {code for code, _, _ in self.matrix}
        return [naam for code, naam in self.areas if code not in listed]

    @property
    def rows(self) -> list[AreaResult]:
        """The rows of the short lists, theme by theme: what the CSV and GeoPackage hold."""
        return [r for t in self.themes for r in t.shortlist]

    @property
    def ranking(self) -> str:
        """How the lists are ordered, in Dutch."""
        if spar_first(self.rule):
            then = (
                "het minste aanbod per inwoner (SPAR) eerst, en bij gelijk aanbod het "
                "grootste deel van de inwoners ver van het aanbod"
            )
        else:
            then = (
                "het grootste deel van de inwoners ver van het aanbod eerst, dan de "
                "grootste afstand tot het aanbod en het minste aanbod per inwoner (SPAR)"
            )
        return f"eerst ernstig tekort, dan tekort; daarbinnen {then}"

    @property
    def filename(self) -> str:
        """The base name of the downloads, without extension."""
        return f"dekking-{self.code}-{self.doelgroep}-{self.niveau}"


def report_gemeenten(conn: sa.Connection) -> list[dict]:
    """Gemeenten with finished results: code and naam, by name (the chooser)."""
    return [dict(r) for r in conn.execute(GEMEENTEN_SQL).mappings()]


def gemeente_report(
    conn: sa.Connection, code: str, doelgroep: str, niveau: str = "buurt", rule: dict | None = None
) -> GemeenteReport | None:
    """The short list of gemeente ``code`` for one target group and level.

    ``rule`` is the flag rule (``analyse_run.parameters['rule']``); by default that of the
    newest run among the results. It orders the lists and is explained with the report.
    Returns None for a malformed code or a gemeente without current results.
    """
    if (
        not GEMEENTE_CODE.match(code or "")
        or doelgroep not in GROUPS
        or niveau not in REPORT_LEVELS
    ):
        return None
    naam = conn.execute(
        sa.text("SELECT naam FROM gebied WHERE code = :c AND niveau = 'gemeente'"), {"c": code}
    ).scalar()
    if naam is None:
        return None
    themes: dict[str, ThemeReport] = {}
    runs: set[int] = set()
    for data, thema_naam in conn.execute(
        ROWS_SQL, {"gemeente": code, "doelgroep": doelgroep, "niveau": niveau}
    ):
        result = area_result(data)
        runs.add(int(data["run_id"]))
        theme = themes.setdefault(
            result.thema, ThemeReport(result.thema, thema_naam, result.drempel_m, [])
        )
        theme.ranked.append(result)
    if not themes:
        return None
    if rule is None:
        rule = conn.execute(RULE_SQL, {"id": max(runs)}).scalar() or {}
    for theme in themes.values():
        theme.ranked.sort(key=lambda r: rank_key(r, spar_first(rule)))
        for i, r in enumerate(theme.ranked, 1):
            r.rank = i
    return GemeenteReport(
        code,
        naam,
        doelgroep,
        niveau,
        list(themes.values()),
        _report_map(conn, code, niveau),
        sorted(runs),
        rule or {},
    )


def _report_map(conn: sa.Connection, code: str, niveau: str) -> ReportMap:
    rows = conn.execute(
        MAP_SQL,
        {
            "gemeente": code,
            "niveau": niveau,
            "width": MAP_WIDTH,
            "max_height": MAP_MAX_HEIGHT,
            "pad": MAP_PAD,
        },
    ).all()
    outline = next((r.d for r in rows if r.code == code), "") or ""
    paths = {r.code: r.d for r in rows if r.code != code and r.d}
    width = round(rows[0].width, 1) if rows else MAP_WIDTH
    height = round(rows[0].height, 1) if rows else MAP_MAX_HEIGHT
    return ReportMap(width, height, outline, paths)

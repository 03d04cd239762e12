"""One coverage-analysis run: all themes (or one), optionally for some gemeenten.

A run is stored in ``analyse_run`` (parameters, data vintages, demand level, status) and
its results in ``analyse_resultaat`` (one row per area × theme × target group, written
set-based per theme) and ``analyse_locatievoorstel``. ``layers`` publishes them through
the view ``laag_dekking`` once the run is ``klaar``; a failed run is marked ``mislukt``
with its error and never shows up there. The steps of a run are docs/ANALYSIS.md §1, its
parameters docs/ANALYSIS.md §10.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analysis import demand as dem
from analysis import indicators as ind
from analysis import study_area
from analysis.errors import RunRefused
from analysis.flags import FlagRule
from analysis.theme import LEVELS, RunShared, analyse_theme, start_theme
from geo import taxonomy

Progress = Callable[[str, int, int], None]

INSERT_RUN_SQL = sa.text("""
INSERT INTO analyse_run (themas, gemeenten, parameters, data_versies)
VALUES (:themas, :gemeenten, CAST(:parameters AS jsonb), CAST(:versies AS jsonb)) RETURNING id
""")
FINISH_SQL = sa.text("""
UPDATE analyse_run SET status = :status, klaar_op = now(), fout = :fout,
       vraagniveau = :vraagniveau, meldingen = CAST(:meldingen AS jsonb),
       parameters = parameters || CAST(:extra AS jsonb)
WHERE id = :id
""")
# The stored number columns: population, the indicators, the cold-spot z-score.
NUMBERS = ("inwoners", *ind.INDICATORS, "gi_z")
TEXTS = (
    "gebiedcode",
    "niveau",
    "doelgroep",
    "vraagniveau",
    "capaciteit_basis",
    "lisa",
    "flag_level",
    "zin",
    "null_reden",
    "beoordeling",
)
BOOLEANS = ("koude_plek", "flagged", "randeffect", "geschat")
RECORD = ", ".join(
    [
        *(f"{c} text" for c in TEXTS),
        *(f"{c} float8" for c in NUMBERS),
        *(f"{c} boolean" for c in BOOLEANS),
        "redenen jsonb",
    ]
)
INSERT_RESULTS_SQL = sa.text(f"""
INSERT INTO analyse_resultaat (run_id, thema_slug, drempel_m, {", ".join(TEXTS + NUMBERS)},
                               {", ".join(BOOLEANS)}, redenen)
SELECT :run, :thema, :drempel, {", ".join(TEXTS + NUMBERS)}, {", ".join(BOOLEANS)}, redenen
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({RECORD})
""")  # noqa: S608 - column names are constants of this module, values are bound
INSERT_SITES_SQL = sa.text("""
INSERT INTO analyse_locatievoorstel (run_id, thema_slug, gemeentecode, extra, volgnummer,
    buurtcode, nieuw_bereikt, al_bereikt, inwoners, drempel_m, zin, geom)
SELECT :run, :thema, gemeentecode, extra, volgnummer, buurtcode, nieuw_bereikt, al_bereikt,
       inwoners, drempel_m, zin, ST_SetSRID(ST_MakePoint(x, y), 28992)
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(gemeentecode text, extra integer,
    volgnummer integer, buurtcode text, nieuw_bereikt float8, al_bereikt float8,
    inwoners float8, drempel_m integer, zin text, x float8, y float8)
""")
GROUPS = ("iedereen", "ouderen")
__all__ = ["RunParams", "RunSummary", "analyse_theme", "run_analysis"]


@dataclass(frozen=True)
class RunParams:
    """Everything that defines a run; stored as ``analyse_run.parameters``."""

    themas: tuple[str, ...] = ()
    gemeenten: tuple[str, ...] = ()
    doelgroepen: tuple[str, ...] = GROUPS
    decay: str = "gaussian_dai"
    detour: float = ind.DETOUR
    supply_buffer_m: float = 30_000.0
    snap_m: float = 250.0
    rule: FlagRule = field(default_factory=FlagRule)
    permutations: int = 999
    fdr_alpha: float = 0.05
    seed: int = 20240101
    locatievoorstellen: bool = True
    max_extra: int = 3
    zichtbaarheid: tuple[str, ...] = ("openbaar",)
    drempels: dict = field(default_factory=dict)  # theme slug -> T in metres (override)

    def describe(self, themes: Sequence[ind.Theme]) -> dict:
        """The parameters as JSON, with what each theme's catchments and threshold are."""
        data = asdict(self)
        data["rule"] = self.rule.describe()
        data["cost_method"] = f"rechte lijn x {self.detour} (geen wegennet)"
        data["vanggebieden_m"] = {t.slug: list(t.catchments) for t in themes}
        data["drempel_m"] = {t.slug: t.drempel_m for t in themes}
        data["radii_m"] = list(ind.RADII)
        data["spar_referentie"] = "bevolkingsgewogen gemiddelde A over studiegebied + buffer"
        data["aanbod"] = (
            "laag_voorzieningen met de gekozen zichtbaarheid; aanbod op één plek "
            "is één punt (capaciteit opgeteld)"
        )
        data["kandidaten"] = "binnenpunt van elke buurt in de gemeente"
        data["vraagpunten"] = (
            "PC6-punten waar het CBS ze levert, elders de inwoners van elk "
            "PC4-deel van de buurt verdeeld over de BAG-adressen erin"
        )
        data["uitleg"] = self.rule.describe()["uitleg"]
        return data


@dataclass
class RunSummary:
    """What a finished run did (for the CLI and notebooks)."""

    run_id: int
    themas: list[str]
    vraagniveau: str
    rows: int = 0
    flagged: dict = field(default_factory=dict)
    meldingen: list = field(default_factory=list)
    seconds: float = 0.0


def _themes(
    conn: sa.Connection, wanted: Sequence[str], drempels: dict | None = None
) -> list[ind.Theme]:
    drempels = drempels or {}
    themes = [
        ind.Theme(t["slug"], t["naam"], int(drempels.get(t["slug"], t["afstand_m"])))
        for t in taxonomy.themes(conn, ("slug", "naam", "afstand_m"))
    ]
    unknown = sorted(set(wanted) - {t.slug for t in themes})
    if unknown:
        raise RunRefused(
            f"Onbekend thema: {', '.join(unknown)}. Kies uit: {', '.join(t.slug for t in themes)}."
        )
    return [t for t in themes if not wanted or t.slug in wanted]


def _check_areas(areas: pd.DataFrame, gemeenten: Sequence[str]) -> None:
    if areas.empty and not gemeenten:
        raise RunRefused("Er zijn geen gebieden geladen. Draai eerst 'sociale-kaart areas load'.")
    known = set(areas.loc[areas["niveau"] == "gemeente", "code"])
    unknown = sorted(set(gemeenten) - known)
    if unknown:
        raise RunRefused(
            f"Onbekende gemeente: {', '.join(unknown)} (gebruik CBS-codes zoals GM0935)."
        )
    if not (areas["niveau"] == "buurt").any():
        raise RunRefused("De gekozen gemeente(n) hebben geen buurten; laad de buurten.")


def run_analysis(
    engine: sa.Engine,
    params: RunParams = RunParams(),
    progress: Progress | None = None,
    scheduler: str | None = None,
    tegels: int | None = None,
) -> RunSummary:
    """Run the coverage analysis and store it; see the module docstring.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    params : RunParams
        Themes (empty = all), gemeenten (empty = all loaded), thresholds.
    progress : callable, optional
        Called as ``progress(message, done, total)`` after each step (and each tile).
    scheduler : str, optional
        Compute the accessibility in tiles on Dask (docs/ANALYSIS.md §15): ``sync``,
        ``local`` or a scheduler address ``tcp://…``. Default: in one process, untiled.
    tegels : int, optional
        Number of tiles; default 20 km tiles. Given alone, runs on ``local``.

    Returns
    -------
    RunSummary

    Raises
    ------
    RunRefused
        Unknown theme or gemeente, no areas loaded; nothing is stored then.
    """
    started, report = time.perf_counter(), progress or (lambda *_: None)
    with engine.connect() as conn:
        themes = _themes(conn, params.themas, params.drempels)
    areas = study_area.study_areas(engine, params.gemeenten)
    _check_areas(areas, params.gemeenten)
    tiling = _tiling(scheduler, tegels, report)  # a bad scheduler is refused here
    run_id = _start(engine, params, themes)
    try:
        with tiling as tiles:
            summary = _execute(engine, run_id, params, themes, areas, report, tiles)
    except Exception as exc:
        _finish(engine, run_id, "mislukt", [], error=f"{type(exc).__name__}: {exc}")
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _tiling(scheduler: str | None, tegels: int | None, report: Progress):
    """The tiled computation (analysis.tiled) when asked for, else nothing (one process)."""
    if scheduler is None and tegels is None:
        return nullcontext(None)
    from analysis import scheduler as schedulers
    from analysis import tiled  # Dask is only imported for tiled runs

    schedulers.describe(scheduler or "local")
    return tiled.tiling(
        scheduler or "local",
        tiles=tegels,
        progress=lambda done, total: report("Tegels berekenen", done, total),
    )


def _start(engine: sa.Engine, params: RunParams, themes: list[ind.Theme]) -> int:
    with engine.begin() as conn:
        return conn.execute(
            INSERT_RUN_SQL,
            {
                "themas": [t.slug for t in themes],
                "gemeenten": list(params.gemeenten),
                "parameters": json.dumps(params.describe(themes)),
                "versies": json.dumps(study_area.data_vintages(engine), default=str),
            },
        ).scalar_one()


def _finish(
    engine: sa.Engine,
    run_id: int,
    status: str,
    notes: list,
    level: str = "onbekend",
    error: str | None = None,
    extra: dict | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            FINISH_SQL,
            {
                "id": run_id,
                "status": status,
                "fout": error,
                "vraagniveau": level,
                "meldingen": json.dumps(notes),
                "extra": json.dumps(extra or {}, allow_nan=False),
            },
        )


def _execute(engine, run_id, params, themes, areas, report, tiles=None) -> RunSummary:
    total = len(themes) + 2
    report("Vraagpunten laden", 0, total)
    buffer = 2 * max(max(t.catchments) for t in themes)
    demand = dem.load_demand(engine, params.gemeenten, buffer, params.snap_m)
    neighbours = study_area.buurt_neighbours(engine, params.gemeenten)
    summary = RunSummary(
        run_id, [t.slug for t in themes], demand.summary_level(), meldingen=list(demand.notes)
    )
    report("Vraagpunten geladen", 1, total)
    # Each theme's cold spots and suggestions run as tasks (on the cluster, if any) while
    # the client starts the next theme; a theme is finished and written one theme later.
    shared = RunShared.make(demand, areas, neighbours, tiles.runner if tiles else None)
    cutoffs: dict = {}

    def finish(i: int, pending) -> None:
        rows, sites, notes = pending.finish()
        cutoffs[pending.theme.slug] = rows.attrs.get("grenzen", {})
        _write(engine, run_id, pending.theme, rows, sites)
        summary.rows += len(rows)
        summary.meldingen.extend(notes)
        summary.flagged[pending.theme.slug] = _flag_counts(rows)
        report(f"Thema {pending.theme.naam} klaar", i, total)

    previous = None
    for i, theme in enumerate(themes, start=2):
        started = start_theme(engine, theme, shared, params, tiles)
        if previous is not None:
            finish(*previous)
        previous = (i, started)
    if previous is not None:
        finish(*previous)
    extra: dict = {"grenzen": cutoffs}
    if tiles is not None:
        extra["rekenwijze"] = {"scheduler": tiles.runner.spec, "tegels": tiles.tiles}
    _finish(engine, run_id, "klaar", summary.meldingen, summary.vraagniveau, extra=extra)
    report("Run opgeslagen", total, total)
    return summary


def _flag_counts(rows: pd.DataFrame) -> dict:
    flagged = rows[rows["flagged"] & (rows["doelgroep"] == "iedereen")]
    return {level: int((flagged["niveau"] == level).sum()) for level in LEVELS}


def _clean(value):
    """JSON-safe scalar: NaN and infinities become null (never stored as NaN)."""
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


COLUMNS = (
    "gebiedcode",
    "niveau",
    "doelgroep",
    "inwoners",
    "vraagniveau",
    "capaciteit_basis",
    "afstand_m",
    "aantal_1km",
    "aantal_3km",
    "aantal_5km",
    "pct_verder",
    "a_klein",
    "a_midden",
    "a_groot",
    "spar_klein",
    "spar",
    "spar_groot",
    "lisa",
    "gi_z",
    "koude_plek",
    "flagged",
    "flag_level",
    "redenen",
    "zin",
    "null_reden",
    "pct_rand",
    "pct_geschat",
    "beoordeling",
    "randeffect",
    "geschat",
)


def _write(engine, run_id: int, theme: ind.Theme, rows: pd.DataFrame, sites: list) -> None:
    rows = rows.rename(columns={"code": "gebiedcode"})
    for column in COLUMNS:
        if column not in rows:
            rows[column] = None
    records = [
        {k: _clean(v) for k, v in zip(COLUMNS, values, strict=True)}
        for values in rows[list(COLUMNS)].itertuples(index=False, name=None)
    ]
    for r in records:
        for column in ("koude_plek", "randeffect", "geschat"):
            r[column] = None if r[column] is None else bool(r[column])
    payload = json.dumps(records, allow_nan=False)
    with engine.begin() as conn:
        conn.execute(
            INSERT_RESULTS_SQL,
            {"run": run_id, "thema": theme.slug, "drempel": theme.drempel_m, "rows": payload},
        )
        if sites:
            conn.execute(
                INSERT_SITES_SQL,
                {"run": run_id, "thema": theme.slug, "rows": json.dumps(sites, allow_nan=False)},
            )

"""Reports of a stored run: a CSV table and a choropleth map per theme (PNG and PDF).

Maps are drawn offline with geopandas on matplotlib :class:`~matplotlib.figure.Figure`
objects (the object API: no ``pyplot`` state, and importing this module leaves
matplotlib's backend alone); PNGs are rendered by the Agg canvas, the PDF by matplotlib's
PDF backend. No basemap, no network. Colours show SPAR (supply within reach per resident
relative to the region) in four classes; flagged areas get a thick outline; areas without
data are grey and hatched (docs/ANALYSIS.md §11).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo.csvcells import neutralise
from geo.spar_classes import NO_DATA, SPAR_CLASSES

RESULTS_SQL = sa.text("""
SELECT r.run_id, r.thema_slug AS thema, t.naam AS thema_naam, r.doelgroep, r.niveau,
       r.gebiedcode, g.naam, g.gemeentecode, r.inwoners, r.vraagniveau, r.capaciteit_basis,
       r.drempel_m, r.afstand_m, r.aantal_1km, r.aantal_3km, r.aantal_5km, r.pct_verder,
       r.a_klein, r.a_midden, r.a_groot, r.spar_klein, r.spar, r.spar_groot, r.lisa, r.gi_z,
       r.koude_plek, r.flagged, r.flag_level, r.redenen, r.zin, r.null_reden
FROM analyse_resultaat r
JOIN gebied g ON g.code = r.gebiedcode
JOIN thema t ON t.slug = r.thema_slug
WHERE r.run_id = :run AND (CAST(:niveau AS text) IS NULL OR r.niveau = :niveau)
ORDER BY t.volgorde, r.doelgroep, r.niveau, r.gebiedcode
""")

GEOMETRY_SQL = """
SELECT g.code AS gebiedcode, g.geom FROM gebied g
WHERE g.code IN (SELECT gebiedcode FROM analyse_resultaat WHERE run_id = %(run)s
                 AND niveau = %(niveau)s)
"""

SITES_SQL = sa.text("""
SELECT v.thema_slug AS thema, v.gemeentecode, v.extra, v.volgnummer, v.buurtcode,
       round(v.nieuw_bereikt) AS nieuw_bereikt, round(v.al_bereikt) AS al_bereikt,
       round(v.inwoners) AS inwoners, v.drempel_m, ST_X(v.geom) AS x, ST_Y(v.geom) AS y, v.zin
FROM analyse_locatievoorstel v WHERE v.run_id = :run
ORDER BY v.thema_slug, v.gemeentecode, v.extra, v.volgnummer
""")

RUN_SQL = sa.text(
    "SELECT id, gestart_op, status, vraagniveau, parameters FROM analyse_run WHERE id = :run"
)


def load_results(engine: sa.Engine, run_id: int, niveau: str | None = None) -> pd.DataFrame:
    """Results of ``run_id`` (one level, or all when ``niveau`` is None) as a DataFrame."""
    with engine.connect() as conn:
        rows = conn.execute(RESULTS_SQL, {"run": run_id, "niveau": niveau}).mappings().all()
    return pd.DataFrame(rows)


def load_shapes(engine: sa.Engine, run_id: int, niveau: str = "buurt") -> gpd.GeoDataFrame:
    """Outlines (``gebiedcode``, ``geom``) of the areas of one level in run ``run_id``."""
    with engine.connect() as conn:
        return gpd.read_postgis(
            GEOMETRY_SQL, conn, geom_col="geom", params={"run": run_id, "niveau": niveau}
        )


def load_sites(engine: sa.Engine, run_id: int) -> pd.DataFrame:
    """Location suggestions of ``run_id``."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(SITES_SQL, {"run": run_id}).mappings().all())


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a result table as UTF-8 CSV (with BOM for spreadsheets); lists become JSON."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, list | dict)).any():
            frame[column] = frame[column].map(lambda v: json.dumps(v, ensure_ascii=False))
        if frame[column].dtype == object:
            frame[column] = frame[column].map(neutralise)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    return path


def _colour(spar) -> str:
    if spar is None or pd.isna(spar):
        return NO_DATA
    return next(c for lo, hi, c, _ in SPAR_CLASSES if lo <= spar < hi)


def draw_map(ax, areas: gpd.GeoDataFrame, sites: pd.DataFrame | None, title: str) -> None:
    """One choropleth of ``spar`` on ``ax`` with legend; flagged areas outlined."""
    colours = areas["spar"].map(_colour)
    areas.plot(ax=ax, color=colours, edgecolor="#606060", linewidth=0.2)
    missing = areas[colours == NO_DATA]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="none", edgecolor="#808080", hatch="///", linewidth=0)
    flagged = areas[areas["flagged"].fillna(False).astype(bool)]
    if not flagged.empty:
        flagged.boundary.plot(ax=ax, color="black", linewidth=1.1)
    handles: list[Artist] = [
        Patch(facecolor=c, edgecolor="#606060", label=label) for _, _, c, label in SPAR_CLASSES
    ]
    handles.append(
        Patch(
            facecolor=NO_DATA,
            hatch="///",
            edgecolor="#808080",
            label="geen gegevens (geen inwoners of geen aanbod)",
        )
    )
    handles.append(
        Patch(
            facecolor="none",
            edgecolor="black",
            linewidth=1.1,
            label="gevlagd: tekort volgens de regel",
        )
    )
    if sites is not None and not sites.empty:
        ax.scatter(
            sites["x"],
            sites["y"],
            marker="*",
            s=90,
            color="#1a1a1a",
            edgecolor="white",
            linewidth=0.5,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                linestyle="none",
                color="#1a1a1a",
                markersize=10,
                label="voorstel extra locatie",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title="Aanbod per inwoner t.o.v. de regio (SPAR, 1 = gemiddeld)",
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_axis_off()
    ax.set_aspect("equal")


def _footer(run, basis: str, niveau: str) -> str:
    params = run.parameters or {}
    return (
        f"Run {run.id} ({run.gestart_op:%d-%m-%Y %H:%M}), niveau {niveau}, vraagpunten "
        f"{run.vraagniveau}. Afstand: {params.get('cost_method', '?')}. Capaciteit: "
        f"{basis}. Bron: CBS / Kadaster (CC BY 4.0), Sociale Kaart."
    )


def write_maps(
    engine: sa.Engine, run_id: int, folder: Path, niveau: str = "buurt", doelgroep: str = "iedereen"
) -> list[Path]:
    """A PNG per theme and one PDF with a page per theme, for one level and group.

    Returns
    -------
    list of Path
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    results = load_results(engine, run_id, niveau)
    if results.empty:
        return []
    results = results[results["doelgroep"] == doelgroep]
    with engine.connect() as conn:
        run = conn.execute(RUN_SQL, {"run": run_id}).one()
    shapes = load_shapes(engine, run_id, niveau)
    sites = load_sites(engine, run_id)
    written, pdf_path = [], folder / f"dekking_run{run_id}_{niveau}_{doelgroep}.pdf"
    with PdfPages(pdf_path) as pdf:
        for thema, part in results.groupby("thema", sort=False):
            areas = shapes.merge(part, on="gebiedcode")
            chosen = _sites_for(sites, thema)
            fig = Figure(figsize=(11.69, 8.27))
            FigureCanvasAgg(fig)
            ax = fig.subplots()
            person = "65-plusser" if doelgroep == "ouderen" else "inwoner"
            draw_map(
                ax,
                areas,
                chosen,
                f"{part['thema_naam'].iloc[0]}: aanbod binnen bereik "
                f"per {person} t.o.v. de regio ({niveau})",
            )
            fig.text(
                0.01,
                0.01,
                _footer(run, part["capaciteit_basis"].iloc[0], niveau),
                fontsize=7,
                color="#404040",
            )
            png = folder / f"dekking_run{run_id}_{thema}_{niveau}_{doelgroep}.png"
            fig.savefig(png, dpi=150, bbox_inches="tight")
            pdf.savefig(fig)
            written.append(png)
    return [*written, pdf_path]


def _sites_for(sites: pd.DataFrame, thema: str) -> pd.DataFrame | None:
    if sites.empty:
        return None
    part = sites[sites["thema"] == thema]
    return part[part["extra"] == part.groupby("gemeentecode")["extra"].transform("max")]


def write_report(
    engine: sa.Engine, run_id: int, folder: Path, niveau: str = "buurt", doelgroep: str = "iedereen"
) -> list[Path]:
    """CSV of all results of ``niveau``, CSV of location suggestions, and the maps.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    run_id : int
    folder : Path
        Created when missing.
    niveau : {"buurt", "wijk", "gemeente"}
    doelgroep : {"iedereen", "ouderen"}
        Target group of the maps (the CSV holds both).

    Returns
    -------
    list of Path
    """
    folder = Path(folder)
    written = [
        write_csv(
            load_results(engine, run_id, niveau), folder / f"dekking_run{run_id}_{niveau}.csv"
        )
    ]
    sites = load_sites(engine, run_id)
    if not sites.empty:
        written.append(write_csv(sites, folder / f"locatievoorstellen_run{run_id}.csv"))
    return written + write_maps(engine, run_id, folder, niveau, doelgroep)

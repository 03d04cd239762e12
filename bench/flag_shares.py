"""How many buurten the flag rule selects on the full Zuid-Limburg demo, per theme, target
group and level, and how many buurten have a share beyond T strictly between 0 and 100 %
with one demand point per PC4 piece (before) and with residents spread over BAG addresses
(after). docs/ANALYSIS.md §7 and §2.

    .venv/bin/python bench/flag_shares.py [--write] [--url DATABASE_URL]

Without ``--url`` a throw-away database with the demo is made on the bench cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import time

import pandas as pd
import sqlalchemy as sa
from common import BenchDatabase, machine, write_results

from analysis import demand as dem
from analysis import indicators as ind
from analysis import study_area
from analysis.run import RunParams, run_analysis
from geo.db import make_engine

SECTION = "## Flag rule: how many buurten are flagged"
COMMAND = ".venv/bin/python bench/flag_shares.py --write"
RESULTS_SQL = sa.text("""
SELECT r.thema_slug AS thema, r.doelgroep, r.niveau, r.gebiedcode, r.inwoners, r.flagged,
       r.flag_level, r.beoordeling, r.randeffect, r.geschat, r.pct_verder
FROM analyse_resultaat r WHERE r.run_id = :run
""")


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table; floats with one decimal."""

    def cell(v):
        return f"{v:.1f}" if isinstance(v, float) else str(v)

    lines = [
        "| " + " | ".join(map(str, frame.columns)) + " |",
        "|"
        + "|".join("---:" if frame[c].dtype.kind in "if" else "---" for c in frame.columns)
        + "|",
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |"
        for row in frame.itertuples(index=False, name=None)
    ]
    return "\n".join(lines)


def flag_table(rows: pd.DataFrame, themes: list) -> pd.DataFrame:
    """Per theme and target group: flagged buurten (matig, ernstig) of inhabited buurten."""
    buurten = rows[(rows["niveau"] == "buurt") & (rows["inwoners"] > 0)]
    out = []
    for (thema, doelgroep), part in buurten.groupby(["thema", "doelgroep"]):
        flagged = part[part["flagged"]]
        wijk = rows[
            (rows["niveau"] == "wijk") & (rows["thema"] == thema) & (rows["doelgroep"] == doelgroep)
        ]
        gemeente = rows[
            (rows["niveau"] == "gemeente")
            & (rows["thema"] == thema)
            & (rows["doelgroep"] == doelgroep)
        ]
        out.append(
            {
                "thema": thema,
                "doelgroep": doelgroep,
                "bewoonde buurten": len(part),
                "matig": int((flagged["flag_level"] == "matig").sum()),
                "ernstig": int((flagged["flag_level"] == "ernstig").sum()),
                "% gevlagd": 100 * len(flagged) / len(part),
                "te weinig inwoners": int((part["beoordeling"] == "te weinig inwoners").sum()),
                "randeffect (gevlagd)": int((flagged["randeffect"] == True).sum()),  # noqa: E712
                "wijken gevlagd": f"{int(wijk['flagged'].sum())}/{len(wijk)}",
                "gemeenten gevlagd": f"{int(gemeente['flagged'].sum())}/{len(gemeente)}",
            }
        )
    order = {slug: i for i, slug in enumerate(themes)}
    return (
        pd.DataFrame(out)
        .sort_values(["doelgroep", "thema"], key=lambda s: s.map(order) if s.name == "thema" else s)
        .reset_index(drop=True)
    )


def between_counts(engine, themes: list[ind.Theme], buffer: float) -> pd.DataFrame:
    """Buurten with 0 < pct_verder < 100 (iedereen) before and after the address spread."""
    areas = study_area.study_areas(engine)
    buurten = areas[areas["niveau"] == "buurt"]
    out = []
    demands = {
        "voor (één punt per PC4-deel)": dem.load_demand(engine, (), buffer, addresses=False),
        "na (verdeeld over BAG-adressen)": dem.load_demand(engine, (), buffer),
    }
    for label, demand in demands.items():
        counts = []
        for theme in themes:
            services = ind.load_services(engine, theme.slug)
            supply = ind.build_supply(services)
            points = ind.point_indicators(demand.x, demand.y, demand.pop, supply, theme)
            agg = ind.aggregate(points, demand.pop, demand.buurt, theme.drempel_m)
            agg = agg[agg.index.isin(buurten.index) & (agg["inwoners"] > 0)]
            share = agg["pct_verder"]
            counts.append(
                {
                    "thema": theme.slug,
                    "between": int(((share > 0) & (share < 100)).sum()),
                    "n": len(agg),
                }
            )
        frame = pd.DataFrame(counts)
        out.append(
            {
                "vraagpunten": label,
                "punten in studiegebied": int(demand.in_study.sum()),
                "buurten": int(frame["n"].iloc[0]),
                "gemiddeld per thema: 0 < aandeel < 100 %": frame["between"].mean(),
                "als % van de buurten": 100 * frame["between"].mean() / frame["n"].iloc[0],
                "min–max over thema's": f"{frame['between'].min()}–{frame['between'].max()}",
            }
        )
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--url", help="an existing database with the demo loaded")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.url:
            engine = make_engine(args.url)
        else:
            from analysis_bench import load_demo

            engine = stack.enter_context(BenchDatabase())
            load_demo(engine)
        started = time.perf_counter()
        summary = run_analysis(engine, RunParams(locatievoorstellen=False))
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            rows = pd.DataFrame(conn.execute(RESULTS_SQL, {"run": summary.run_id}).mappings().all())
            themes = [
                ind.Theme(r.slug, r.naam, int(r.afstand_m))
                for r in conn.execute(
                    sa.text("SELECT slug, naam, afstand_m FROM thema ORDER BY volgorde")
                )
            ]
        table = flag_table(rows, [t.slug for t in themes])
        buffer = 2 * max(max(t.catchments) for t in themes)
        between = between_counts(engine, themes, buffer)
    buurt = rows[(rows["niveau"] == "buurt") & (rows["inwoners"] > 0)]
    overall = 100 * buurt["flagged"].mean()
    everyone = buurt[buurt["doelgroep"] == "iedereen"]
    any_theme = 100 * everyone.groupby("gebiedcode")["flagged"].any().mean()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        text = "\n".join(
            [
                f"run {summary.run_id} in {seconds:.1f} s; {machine()}",
                "",
                markdown(table),
                "",
                f"All themes and both target groups: {overall:.1f} % of inhabited buurt × theme "
                f"× group pairs flagged; largest share of one theme: "
                f"{table['% gevlagd'].max():.1f} %. Buurten flagged for at least one theme "
                f"(iedereen): {any_theme:.1f} %.",
                "",
                markdown(between),
            ]
        )
    print(text)
    if args.write:
        write_results(
            SECTION, f"{SECTION}\n\nCommand (from the repository root): `{COMMAND}`\n\n{text}\n"
        )


if __name__ == "__main__":
    main()

"""Accessibility indicators, coverage gaps with reasons and siting suggestions.

Imports ``geo`` only; results are written to analysis tables that ``layers`` publishes.
The method is described in ``docs/ANALYSIS.md`` (overview: docs/ANALYSIS.md §1).

The public API is re-exported here (see ``__all__``); the CLI, the server and the notebooks
import from ``analysis``, not from its modules. The names are loaded on first use, so that
``import analysis`` (or ``analysis.errors``, which the server's error table imports) does
not pull in numpy, geopandas and matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from analysis.coldspots import cold_spots
    from analysis.coords import check_projected
    from analysis.errors import AnalysisError, InvalidInput, RunRefused
    from analysis.flags import FlagRule
    from analysis.report import (
        draw_map,
        load_results,
        load_shapes,
        load_sites,
        write_maps,
        write_report,
    )
    from analysis.run import RunParams, RunSummary, run_analysis
    from analysis.siting import SiteSolution, suggest_sites, suggest_sites_from_costs

_EXPORTS = {
    "AnalysisError": "analysis.errors",
    "InvalidInput": "analysis.errors",
    "RunRefused": "analysis.errors",
    "FlagRule": "analysis.flags",
    "cold_spots": "analysis.coldspots",
    "check_projected": "analysis.coords",
    "SiteSolution": "analysis.siting",
    "suggest_sites": "analysis.siting",
    "suggest_sites_from_costs": "analysis.siting",
    "RunParams": "analysis.run",
    "RunSummary": "analysis.run",
    "run_analysis": "analysis.run",
    "draw_map": "analysis.report",
    "load_results": "analysis.report",
    "load_shapes": "analysis.report",
    "load_sites": "analysis.report",
    "write_maps": "analysis.report",
    "write_report": "analysis.report",
}

__all__ = [
    "AnalysisError",
    "FlagRule",
    "InvalidInput",
    "RunParams",
    "RunRefused",
    "RunSummary",
    "SiteSolution",
    "check_projected",
    "cold_spots",
    "draw_map",
    "load_results",
    "load_shapes",
    "load_sites",
    "run_analysis",
    "suggest_sites",
    "suggest_sites_from_costs",
    "write_maps",
    "write_report",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

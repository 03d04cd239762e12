"""Base package: database, CBS areas, taxonomy, organisation records and geocoding.

Every public function that touches the database takes a SQLAlchemy ``Connection`` or
``Engine`` as its first argument; nothing here reads configuration or knows about HTTP.
The demo-data generators live in the development package ``demo`` (not installed).

The public API is re-exported here (see ``__all__``): the server, the analysis, the
notebooks and the benchmarks import it from ``geo``. The small shared vocabularies are
modules of their own: :mod:`geo.codes` (CBS codes), :mod:`geo.crs` (the storage SRID),
:mod:`geo.dutch` (numbers and dates in Dutch) and :mod:`geo.taxonomy` (themes and
doelgroepen). Names are loaded on first use, so ``import geo`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_exports

if TYPE_CHECKING:
    from geo.area_store import load_areas
    from geo.areas import AreaSources
    from geo.bag_loader import load_bag
    from geo.crs import STORAGE_SRID
    from geo.csvcells import neutralise
    from geo.db import make_engine, server_info, upgrade
    from geo.errors import AreaLoadError, ClusterError, DatabaseUnavailable, GeoError, NotFound
    from geo.pdok import Locatieserver
    from geo.pgcluster import WEB_LOGIN, Cluster
    from geo.postcode_loader import load_postcodes
    from geo.records.export import ROLE_VISIBILITY, export_file
    from geo.records.importer import ImportResult, import_file
    from geo.records.melding import MELDING_MAX, MeldingError, add_melding, clean_melding
    from geo.records.report import write_rejects
    from geo.spar_classes import NO_DATA, SPAR_CLASSES

_EXPORTS = {
    "make_engine": "geo.db",
    "server_info": "geo.db",
    "upgrade": "geo.db",
    "Cluster": "geo.pgcluster",
    "WEB_LOGIN": "geo.pgcluster",
    "AreaSources": "geo.areas",
    "load_areas": "geo.area_store",
    "AreaLoadError": "geo.errors",
    "ClusterError": "geo.errors",
    "DatabaseUnavailable": "geo.errors",
    "GeoError": "geo.errors",
    "NotFound": "geo.errors",
    "load_bag": "geo.bag_loader",
    "load_postcodes": "geo.postcode_loader",
    "Locatieserver": "geo.pdok",
    "ImportResult": "geo.records.importer",
    "import_file": "geo.records.importer",
    "ROLE_VISIBILITY": "geo.records.export",
    "export_file": "geo.records.export",
    "write_rejects": "geo.records.report",
    "MELDING_MAX": "geo.records.melding",
    "MeldingError": "geo.records.melding",
    "add_melding": "geo.records.melding",
    "clean_melding": "geo.records.melding",
    "NO_DATA": "geo.spar_classes",
    "SPAR_CLASSES": "geo.spar_classes",
    "neutralise": "geo.csvcells",
    "STORAGE_SRID": "geo.crs",
}

__all__ = [
    "add_melding",
    "AreaLoadError",
    "AreaSources",
    "clean_melding",
    "Cluster",
    "ClusterError",
    "DatabaseUnavailable",
    "export_file",
    "GeoError",
    "import_file",
    "ImportResult",
    "load_areas",
    "load_bag",
    "load_postcodes",
    "Locatieserver",
    "make_engine",
    "MELDING_MAX",
    "MeldingError",
    "neutralise",
    "NO_DATA",
    "NotFound",
    "ROLE_VISIBILITY",
    "server_info",
    "SPAR_CLASSES",
    "STORAGE_SRID",
    "upgrade",
    "WEB_LOGIN",
    "write_rejects",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

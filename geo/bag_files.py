"""The official BAG products as ``geocode load-bag`` reads them (see docs/IMPORT.md).

``geo.bag_loader.load_bag`` stages rows of eight values (``BAG_COLUMNS``: postcode,
huisnummer, huisletter, toevoeging, straat, woonplaats, x, y in EPSG:28992). This module
turns the shapes a municipality gets into such rows:

- our own CSV (the eight columns by name);
- CSV exports with the BAG's own column names: PDOK's ``openbare_ruimte_naam``,
  ``woonplaats_naam`` and NLExtract's ``bagadres.csv`` (``openbareruimte``,
  ``huisnummertoevoeging``, ``woonplaats``, ``x``, ``y``, ``;``-separated), and CSVs with a
  WKT point (``geometrie``/``geometry``/``geom``/``wkt``) instead of x/y;
- the PDOK BAG GeoPackage (``bag-light.gpkg``): the layer ``verblijfsobject`` (or another
  layer with the address columns; chosen with ``layer``), read in batches with pyogrio,
  reprojected to EPSG:28992 when its CRS differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyogrio

from geo.errors import GeoError

BAG_COLUMNS = (
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "straat",
    "woonplaats",
    "x",
    "y",
)
# Column names of the official products -> ours (lower case, as in the files).
ALIASES = {
    "openbare_ruimte_naam": "straat",
    "openbareruimtenaam": "straat",
    "openbareruimte": "straat",
    "straatnaam": "straat",
    "huisnummertoevoeging": "toevoeging",
    "huisnummer_toevoeging": "toevoeging",
    "woonplaats_naam": "woonplaats",
    "woonplaatsnaam": "woonplaats",
}
WKT_COLUMNS = ("geometrie", "geometry", "geom", "wkt")
ADDRESS_COLUMNS = BAG_COLUMNS[:6]
PREFERRED_LAYER = "verblijfsobject"
BATCH = 100_000
RD_NEW = "EPSG:28992"
POINT = re.compile(r"^\s*POINT\s*(?:Z\s*)?\(\s*(\S+)\s+(\S+)(?:\s+\S+)?\s*\)\s*$", re.IGNORECASE)


class BagFileError(GeoError):
    """A BAG file cannot be read as any of the known products; nothing was changed."""


def canonical(names: list[str]) -> list[str]:
    """Header names of a BAG CSV as our names: ``openbare_ruimte_naam`` -> ``straat``."""
    return [ALIASES.get(n, n) for n in (h.strip().lower() for h in names)]


def split_point(wkt: str) -> tuple[str, str]:
    """``'POINT (176420 317950)'`` -> ``('176420', '317950')``; ``('', '')`` when not a point."""
    match = POINT.match(wkt or "")
    return (match[1], match[2]) if match else ("", "")


class WktRows:
    """A CSV reader whose WKT point column is given as x and y (appended to each row)."""

    def __init__(self, reader, column: int):
        self.reader, self.column = reader, column

    @property
    def line_num(self) -> int:
        """The line of the CSV the last row came from."""
        return self.reader.line_num

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.reader:
            if row and len(row) > self.column:
                yield [*row, *split_point(row[self.column])]
            else:
                yield row


def find_layer(path: Path, layer: str | None) -> str:
    """The layer to read: ``layer``, else ``verblijfsobject``, else one with addresses.

    Raises
    ------
    BagFileError
        When the file is no GeoPackage GDAL can open, or no layer has the address columns.
    """
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        raise BagFileError(f"{path.name} is geen GeoPackage die gelezen kan worden.") from exc
    if layer is not None:
        if layer not in layers:
            raise BagFileError(
                f"{path.name} heeft geen laag '{layer}'; lagen: {', '.join(layers)}."
            )
        return layer
    fitting = [name for name in layers if not _missing(path, name)]
    if PREFERRED_LAYER in fitting:
        return PREFERRED_LAYER
    if fitting:
        return fitting[0]
    raise BagFileError(
        f"{path.name} heeft geen laag met adressen ({', '.join(ADDRESS_COLUMNS)} of de "
        f"BAG-namen zoals openbare_ruimte_naam); lagen: {', '.join(layers)}."
    )


def _fields(path: Path, layer: str) -> dict[str, str]:
    """Our column name -> the layer's field name."""
    names = [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]
    return {ours: name for ours, name in zip(canonical(names), names, strict=True)}


def _missing(path: Path, layer: str) -> list[str]:
    fields = _fields(path, layer)
    return [c for c in ADDRESS_COLUMNS if c not in fields]


class GeoPackageRows:
    """Rows of BAG_COLUMNS (text) from a GeoPackage layer, read in batches.

    ``line_num`` is the number of the feature (1 = the first), for the rejects list.
    """

    def __init__(self, path: Path, layer: str | None = None):
        self.path = path
        self.layer = find_layer(path, layer)
        missing = _missing(path, self.layer)
        if missing:
            raise BagFileError(
                f"Laag '{self.layer}' van {path.name} mist kolom(men): {', '.join(missing)}."
            )
        info = pyogrio.read_info(path, layer=self.layer)
        self.total = int(info["features"])
        self.crs = info["crs"]
        self.fields = _fields(path, self.layer)
        self.line_num = 0

    def __iter__(self) -> Iterator[list[str]]:
        columns = [self.fields[c] for c in ADDRESS_COLUMNS]
        for start in range(0, max(self.total, 1), BATCH):
            frame = pyogrio.read_dataframe(
                self.path,
                layer=self.layer,
                columns=columns,
                skip_features=start,
                max_features=BATCH,
            )
            if frame.empty:
                return
            if self.crs and frame.crs is not None and frame.crs.to_epsg() != 28992:
                frame = frame.to_crs(RD_NEW)
            points = frame.geometry.representative_point()  # a point stays itself
            cells = [frame[name].tolist() for name in columns]
            xs, ys = points.x.tolist(), points.y.tolist()
            for i in range(len(frame)):
                self.line_num = start + i + 1
                yield [*(_text(column[i]) for column in cells), _text(xs[i]), _text(ys[i])]


def _text(value: object) -> str:
    """A cell as text for the checks of ``load_bag``: None/NaN -> '', 12.0 -> '12'."""
    if value is None or value != value:  # noqa: PLR0124 - NaN is not equal to itself
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return str(value)

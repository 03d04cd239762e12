"""CQL2 predicates, functions and literals compiled to PostGIS SQL text.

:class:`SqlCompiler` walks a parsed pygeofilter AST. Identifiers in its output come only
from the catalogue (after an exact match of the requested name); every literal becomes a
bound parameter ``:<prefix><n>``. Geometry literals are validated, clipped to the area of
the Dutch national grid and densified in their own CRS before PostGIS transforms them to
EPSG:28992, so that a world-wide BBOX still means "everything" after the transform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from pygeofilter import ast, values
from shapely.geometry import shape

from geo.crs import STORAGE_SRID
from layers.catalog import Collection, Property, q
from layers.errors import FilterError

GEOMETRY_NAMES = ("geometry", "geom")
MAX_IN_ITEMS = 500
MAX_VERTICES = 1000
MAX_DENSIFIED_VERTICES = 20_000
TEXT_TYPES = ("text", "character varying", "character")  # also with a (length)
# Axis-aware CRSs: EPSG:4326/4258 are lat/lon by authority, CRS84 (also 4326 here) lon/lat.
LATLON_SRIDS = (4326, 4258)
# Per filter CRS: (minx, miny, maxx, maxy) of the national grid's area with a margin, in
# that CRS's x/y, and the densification step in its units (~5 km).
CLIP = {
    4326: ((2.0, 50.0, 8.0, 56.0), 0.05),
    4258: ((2.0, 50.0, 8.0, 56.0), 0.05),
    3857: ((222638.98, 6446275.84, 890555.93, 7558415.66), 5000.0),
}
ALLOWED_SRIDS = (*CLIP, STORAGE_SRID)
COMPARISONS = (
    ast.Equal,
    ast.NotEqual,
    ast.LessThan,
    ast.LessEqual,
    ast.GreaterThan,
    ast.GreaterEqual,
)
SPATIAL_SQL = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}
FUNCTIONS = {
    "lower": ("lower", "CASEI"),
    "casei": ("lower", "CASEI"),
    "accenti": ("unaccent", "ACCENTI"),
}
UNSUPPORTED = (
    (ast.TemporalPredicate, "Temporal operators (T_...)"),
    (ast.ArrayPredicate, "Array operators (A_...)"),
    (ast.Relate, "RELATE"),
    (ast.SpatialDistancePredicate, "Distance operators"),
    (ast.BBox, "BBOX(property, ...) as a predicate (use S_INTERSECTS(geometry, BBOX(...)))"),
    (ast.Exists, "EXISTS"),
    (ast.Arithmetic, "Arithmetic (+, -, *, /)"),
)


@dataclass(frozen=True)
class Operand:
    """A compiled expression: its SQL, kind and whether it refers to a column.

    ``kind`` is string, number, boolean, date, geometry or array; ``label`` names it in
    error messages; ``literal`` keeps a literal's value (also inside CASEI/ACCENTI) and
    ``wrapped`` says it is inside such a function.
    """

    sql: str
    kind: str
    is_property: bool
    label: str
    literal: Any = None
    wrapped: bool = False


def property_kind(prop: Property) -> str | None:
    """The comparison kind of a published column, or None if it cannot be filtered."""
    if prop.json_type in ("integer", "number"):
        return "number"
    if prop.json_type == "boolean":
        return "boolean"
    if prop.format == "date" or prop.sql_type.startswith("timestamp"):
        return "date"
    if prop.sql_type.split("(")[0] in TEXT_TYPES:
        return "string"
    return None


def literal_kind(value: Any) -> str:
    """The comparison kind of a Python literal; FilterError for anything unusable."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise FilterError("Numbers in a filter must be finite.")
        return "number"
    if isinstance(value, str):
        if "\x00" in value or not value.encode("utf-8", "replace").decode() == value:
            raise FilterError("Text in a filter must be valid Unicode without NUL characters.")
        return "string"
    if isinstance(value, date):  # datetime is a date too
        return "date"
    if isinstance(value, values.Interval):
        raise FilterError("Intervals (for temporal operators) are not supported.")
    raise FilterError(f"Unsupported value in filter: {_short(value)}.")


def _reject_unsupported(node: Any) -> None:
    for kind, name in UNSUPPORTED:
        if isinstance(node, kind):
            raise FilterError(f"{name} not supported in filters.")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class SqlCompiler:
    """Compiles one filter for one collection; collects the bound parameters.

    Parameters
    ----------
    collection : Collection
        The collection whose view the SQL will run against.
    srid : int
        The filter CRS (already checked against ``ALLOWED_SRIDS``).
    latlon : bool
        True when geometry literals are in lat/lon axis order.
    prefix : str
        Prefix of the bound parameter names.
    """

    def __init__(self, collection: Collection, srid: int, latlon: bool, prefix: str):
        self.collection = collection
        self.srid = srid
        self.latlon = latlon and srid in LATLON_SRIDS
        self.prefix = prefix
        self.params: dict[str, Any] = {}
        self.vertices = 0

    def bind(self, value: Any) -> str:
        """Store a literal as a parameter; return its placeholder."""
        name = f"{self.prefix}{len(self.params) + 1}"
        self.params[name] = value
        return f":{name}"

    def condition(self, node: Any) -> str:
        """SQL for a boolean condition."""
        handlers = (
            (ast.Combination, self._combination),
            (ast.Not, self._not),
            (COMPARISONS, self._comparison),
            (ast.Between, self._between),
            (ast.Like, self._like),
            (ast.In, self._in),
            (ast.IsNull, self._is_null),
            (ast.SpatialComparisonPredicate, self._spatial),
            (ast.Include, self._include),
        )
        for kind, handler in handlers:
            if isinstance(node, kind):
                return handler(node)
        _reject_unsupported(node)
        raise FilterError(f"Expected a condition, got {_short(node)}.")

    def _combination(self, node: ast.Combination) -> str:
        parts, stack = [], [node]
        while stack:  # flatten a chain of the same operator, left to right
            item = stack.pop()
            if type(item) is type(node):
                stack.extend((item.rhs, item.lhs))
            else:
                parts.append(self.condition(item))
        return "(" + f" {node.op.value} ".join(parts) + ")"

    def _not(self, node: ast.Not) -> str:
        inner = self.condition(node.sub_node)
        return f"NOT {inner}" if isinstance(node.sub_node, ast.Combination) else f"NOT ({inner})"

    def _include(self, node: ast.Include) -> str:
        return "FALSE" if node.not_ else "TRUE"

    def _comparison(self, node: ast.Comparison) -> str:
        lhs, rhs = self.operand(node.lhs), self.operand(node.rhs)
        op = node.op.value
        if "array" in (lhs.kind, rhs.kind):
            array, item = (lhs, rhs) if lhs.kind == "array" else (rhs, lhs)
            return self._membership(array, [item], negate=op == "<>", op=op)
        if lhs.is_property == rhs.is_property:
            raise FilterError(
                f"'{op}' needs a property on one side and a literal on the "
                f"other; got {lhs.label} and {rhs.label}."
            )
        prop, lit = (lhs, rhs) if lhs.is_property else (rhs, lhs)
        if prop.kind == "geometry":
            raise FilterError(f"Compare geometries with S_EQUALS or S_INTERSECTS, not '{op}'.")
        self._same_kind(prop, lit, op)
        if prop.kind == "boolean" and op not in ("=", "<>"):
            raise FilterError(f"'{op}' cannot be used with boolean {prop.label}.")
        return f"{lhs.sql} {op} {rhs.sql}"

    def _between(self, node: ast.Between) -> str:
        lhs = self.operand(node.lhs)
        low, high = self.operand(node.low), self.operand(node.high)
        self._property_and_literals(lhs, [low, high], "BETWEEN", ("number", "date", "string"))
        not_ = "NOT " if node.not_ else ""
        return f"{lhs.sql} {not_}BETWEEN {low.sql} AND {high.sql}"

    def _like(self, node: ast.Like) -> str:
        lhs, pattern = self.operand(node.lhs), self.operand(node.pattern)
        self._property_and_literals(lhs, [pattern], "LIKE", ("string",))
        trailing = len(pattern.literal) - len(pattern.literal.rstrip("\\"))
        if trailing % 2:
            raise FilterError("A LIKE pattern cannot end with the escape character '\\'.")
        op = ("NOT " if node.not_ else "") + ("ILIKE" if node.nocase else "LIKE")
        return f"{lhs.sql} {op} {pattern.sql}"

    def _in(self, node: ast.In) -> str:
        if not isinstance(node.sub_nodes, list) or not node.sub_nodes:
            raise FilterError("IN needs a non-empty list of literals.")
        if len(node.sub_nodes) > MAX_IN_ITEMS:
            raise FilterError(f"An IN list can have at most {MAX_IN_ITEMS} items.")
        lhs = self.operand(node.lhs)
        items = [self.operand(item) for item in node.sub_nodes]
        if lhs.kind == "array":
            return self._membership(lhs, items, negate=node.not_, op="IN")
        self._property_and_literals(lhs, items, "IN", ("string", "number", "date", "boolean"))
        not_ = "NOT " if node.not_ else ""
        return f"{lhs.sql} {not_}IN ({', '.join(item.sql for item in items)})"

    def _is_null(self, node: ast.IsNull) -> str:
        lhs = self.operand(node.lhs)
        if not lhs.is_property:
            raise FilterError(f"IS NULL needs a property, got {lhs.label}.")
        if lhs.kind == "array":
            test = f"coalesce(cardinality({lhs.sql}), 0) = 0"
            return f"NOT ({test})" if node.not_ else test
        return f"{lhs.sql} IS {'NOT ' if node.not_ else ''}NULL"

    def _membership(self, array: Operand, items: list[Operand], negate: bool, op: str) -> str:
        for item in items:
            if (
                item.is_property
                or item.wrapped
                or item.kind != "string"
                or op not in ("=", "<>", "IN")
            ):
                raise FilterError(
                    f"{array.label.capitalize()} tests membership: use =, <>, "
                    "IN or IS NULL with text literals."
                )
        tests = [f"{item.sql} = ANY({array.sql})" for item in items]
        test = tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"
        return f"NOT ({test})" if negate else test

    def _spatial(self, node: ast.SpatialComparisonPredicate) -> str:
        name = f"S_{node.op.value}"
        lhs, rhs = self.operand(node.lhs), self.operand(node.rhs)
        if lhs.kind != "geometry" or rhs.kind != "geometry":
            raise FilterError(f"{name} needs two geometries; got {lhs.label} and {rhs.label}.")
        if lhs.is_property == rhs.is_property:
            raise FilterError(f"{name} needs the geometry property and a geometry literal.")
        return f"{SPATIAL_SQL[type(node)]}({lhs.sql}, {rhs.sql})"

    def _same_kind(self, prop: Operand, lit: Operand, what: str) -> None:
        if prop.kind == "array" or lit.kind == "array":
            raise FilterError(f"{what} cannot be used with {prop.label}.")
        if prop.kind != lit.kind:
            hint = " (write dates as DATE('YYYY-MM-DD'))" if prop.kind == "date" else ""
            raise FilterError(
                f"Type mismatch in {what}: {prop.label} is {prop.kind}, "
                f"{lit.label} is {lit.kind}{hint}."
            )

    def _property_and_literals(
        self, lhs: Operand, others: list[Operand], what: str, kinds: tuple[str, ...]
    ) -> None:
        if not lhs.is_property:
            raise FilterError(f"{what} needs a property on the left, got {lhs.label}.")
        if lhs.kind not in kinds:
            raise FilterError(f"{what} cannot be used with {lhs.kind} {lhs.label}.")
        for other in others:
            if other.is_property:
                raise FilterError(f"{what} needs literals, got {other.label}.")
            self._same_kind(lhs, other, what)

    def operand(self, value: Any) -> Operand:
        """Compile a property, function or literal."""
        if isinstance(value, ast.Attribute):
            return self._property(value.name)
        if isinstance(value, ast.Function):
            return self._function(value)
        if isinstance(value, values.Geometry | values.Envelope):
            return self._geometry(value)
        if isinstance(value, ast.Node):
            _reject_unsupported(value)
            raise FilterError(f"A condition cannot be used as a value: {_short(value)}.")
        kind = literal_kind(value)
        return Operand(self.bind(value), kind, False, _short(value), value)

    def _property(self, name: str) -> Operand:
        label = f"property {_short(name)}"
        if name in GEOMETRY_NAMES:
            return Operand(q("geom"), "geometry", True, label)
        if name in self.collection.array_filters:
            return Operand(q(self.collection.array_filters[name]), "array", True, label)
        prop = self.collection.property(name)
        if prop is None:
            raise FilterError(
                f"Unknown {label} for collection '{self.collection.id}'; "
                "see its queryables for the properties you can filter on."
            )
        kind = property_kind(prop)
        if kind is None:
            raise FilterError(f"{label.capitalize()} cannot be used in a filter.")
        return Operand(q(prop.name), kind, True, label)

    def _function(self, node: ast.Function) -> Operand:
        name = node.name.lower()
        if name not in FUNCTIONS:
            raise FilterError(
                f"Unknown function {_short(node.name)}; supported are CASEI, "
                "ACCENTI (and BBOX for geometry literals)."
            )
        sql_name, label = FUNCTIONS[name]
        if len(node.arguments) != 1:
            raise FilterError(f"{label} takes exactly one argument.")
        arg = self.operand(node.arguments[0])
        if arg.kind != "string":
            raise FilterError(f"{label} needs text, got {arg.label}.")
        return Operand(
            f"{sql_name}({arg.sql})",
            "string",
            arg.is_property,
            f"{label}({arg.label})",
            arg.literal,
            True,
        )

    def _geometry(self, value: Any) -> Operand:
        if isinstance(value, values.Envelope):
            raise FilterError("ENVELOPE is not CQL2; use BBOX(minx, miny, maxx, maxy).")
        self.vertices += count_vertices(value.geometry)
        if self.vertices > MAX_VERTICES:
            raise FilterError(f"Geometry literals can have at most {MAX_VERTICES} vertices.")
        wkt = geometry_wkt(value.geometry, self.srid, self.latlon)
        sql = f"ST_SetSRID(ST_GeomFromText({self.bind(wkt)}), {int(self.srid)})"
        if self.latlon:
            sql = f"ST_FlipCoordinates({sql})"
        if self.srid != STORAGE_SRID:
            sql = f"ST_Transform({sql}, {STORAGE_SRID})"
        return Operand(sql, "geometry", False, "a geometry literal")


def count_vertices(geojson: Any) -> int:
    """Count (and type-check) the positions of a GeoJSON geometry, without recursion."""
    if not isinstance(geojson, dict):
        raise FilterError("Invalid geometry literal.")
    if "crs" in geojson:
        raise FilterError("SRID=...; prefixes are not CQL2; use the filter-crs parameter.")
    total, stack = 0, [geojson.get("coordinates", geojson.get("geometries"))]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.append(item.get("coordinates", item.get("geometries")))
        elif (
            isinstance(item, list | tuple)
            and item
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in item)
        ):
            if not 2 <= len(item) <= 4 or not all(math.isfinite(c) for c in item):
                raise FilterError("Invalid position in geometry literal.")
            total += 1
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            raise FilterError("Invalid geometry literal.")
        if total > MAX_VERTICES:
            break
    return total


def geometry_wkt(geojson: dict, srid: int, latlon: bool) -> str:
    """Validate a literal, clip and densify it (unless in EPSG:28992), return 2D WKT."""
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises many kinds for malformed input
        raise FilterError(f"Invalid geometry literal: {exc}") from exc
    if geom.is_empty:
        raise FilterError("Empty geometry literals are not supported.")
    if not geom.is_valid:
        raise FilterError(f"Invalid geometry literal: {shapely.is_valid_reason(geom)}.")
    if srid in LATLON_SRIDS:
        minx, miny, maxx, maxy = geom.bounds
        lon, lat = ((miny, maxy), (minx, maxx)) if latlon else ((minx, maxx), (miny, maxy))
        if lon[0] < -180 or lon[1] > 180 or lat[0] < -90 or lat[1] > 90:
            raise FilterError(
                "Coordinates outside the range of longitude/latitude; check "
                "the axis order for filter-crs."
            )
    if srid in CLIP:
        geom = _clip_and_densify(geom, srid, latlon)
    return shapely.to_wkt(geom, rounding_precision=-1, output_dimension=2)


def _clip_and_densify(geom: Any, srid: int, latlon: bool) -> Any:
    (x1, y1, x2, y2), step = CLIP[srid]
    area = shapely.box(y1, x1, y2, x2) if latlon else shapely.box(x1, y1, x2, y2)
    if not area.contains(geom):
        parts = geom.geoms if isinstance(geom, shapely.GeometryCollection) else [geom]
        clipped = [shapely.intersection(part, area) for part in parts]
        clipped = [part for part in clipped if not part.is_empty]
        if not clipped:
            return shapely.Point()
        geom = clipped[0] if len(clipped) == 1 else shapely.GeometryCollection(clipped)
    dense = shapely.segmentize(geom, step)
    if dense.geom_type != geom.geom_type:  # GEOS returns a one-part Multi* as single
        dense = type(geom)([dense])
    if shapely.get_num_coordinates(dense) > MAX_DENSIFIED_VERTICES:
        raise FilterError("Geometry literal too detailed over the area of this service.")
    return dense

"""CQL2 predicates, functions and literals compiled to PostGIS SQL text.

:class:`SqlCompiler` walks a parsed pygeofilter AST. Identifiers in its output come only
from the catalogue (after an exact match of the requested name); every literal becomes a
bound parameter ``:<prefix><n>``. Geometry literals are checked, clipped and densified
in :mod:`layers.cql2_geometry`; the kinds of operands are in :mod:`layers.cql2_values`.
"""

from __future__ import annotations

from typing import Any

from pygeofilter import ast, values

from geo.crs import STORAGE_SRID
from layers.catalog import Collection, q
from layers.cql2_geometry import LATLON_SRIDS, MAX_VERTICES, count_vertices, geometry_wkt
from layers.cql2_values import Operand, literal_kind, property_kind, short
from layers.errors import FilterError

GEOMETRY_NAMES = ("geometry", "geom")
MAX_IN_ITEMS = 500
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


def _reject_unsupported(node: Any) -> None:
    for kind, name in UNSUPPORTED:
        if isinstance(node, kind):
            raise FilterError(f"{name} not supported in filters.")


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
        raise FilterError(f"Expected a condition, got {short(node)}.")

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
            raise FilterError(f"A condition cannot be used as a value: {short(value)}.")
        kind = literal_kind(value)
        return Operand(self.bind(value), kind, False, short(value), value)

    def _property(self, name: str) -> Operand:
        label = f"property {short(name)}"
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
                f"Unknown function {short(node.name)}; supported are CASEI, "
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

r"""OGC API Features Part 3 filtering: CQL2 (text and JSON) compiled to safe PostGIS SQL.

pygeofilter parses the filter into its AST; :mod:`layers.cql2_functions` turns that AST
into a SQL fragment for ``WHERE`` against a collection's view. Property names are matched
against the catalogue and every literal is a bound parameter, so no request text ever
reaches the SQL. Limits on size, nesting, IN lists and vertices bound the work per query.

Two things of pygeofilter 0.4 are corrected here: its CQL2-text grammar gives AND and OR
equal precedence and only allows NOT before a single predicate (fixed with a patched copy
of its grammar, which also accepts ``''`` and ``\'`` inside text and one-letter property
names); its CQL2-JSON reader predates CQL2 1.0 for ``between``, ``accenti`` and ``bbox``
(fixed by rewriting those nodes before it reads them).
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any

from lark import Lark, v_args
from lark.exceptions import UnexpectedInput
from pygeofilter import ast, values
from pygeofilter.parsers import cql2_json
from pygeofilter.parsers.cql2_json.parser import walk_cql_json
from pygeofilter.parsers.cql2_text import parser as text_parser

from layers.catalog import Collection
from layers.cql2_functions import SqlCompiler
from layers.cql2_geometry import ALLOWED_SRIDS
from layers.cql2_values import property_kind
from layers.errors import FilterError

OGC_F3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
OGC_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
CONFORMANCE: tuple[str, ...] = (
    *(
        OGC_F3 + c
        for c in ("queryables", "queryables-query-parameters", "filter", "features-filter")
    ),
    *(
        OGC_CQL2 + c
        for c in (
            "basic-cql2",
            "cql2-text",
            "cql2-json",
            "advanced-comparison-operators",
            "case-insensitive-comparison",
            "accent-insensitive-comparison",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
        )
    ),
)
LANGUAGES = ("cql2-text", "cql2-json")
MAX_TEXT = 10_000
MAX_NODES = 200
MAX_DEPTH = 20
MAX_JSON_DEPTH = 2 * MAX_DEPTH + 10  # an operator is two JSON levels; coordinates add a few
JSON_OPS = {
    "and",
    "or",
    "not",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "like",
    "between",
    "in",
    "isNull",
    "casei",
    "accenti",
    "s_intersects",
    "s_disjoint",
    "s_contains",
    "s_within",
    "s_touches",
    "s_crosses",
    "s_overlaps",
    "s_equals",
}
PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# (original, replacement) pairs applied to pygeofilter's cql2-text grammar.
GRAMMAR_PATCHES = (
    (
        "?condition: condition_1\n"
        '          | condition "AND"i condition_1                                 -> and_\n'
        '          | condition "OR"i condition_1                                   -> or_\n\n'
        "?condition_1: predicate\n"
        '            | "NOT"i predicate                                               -> not_\n'
        '            | "NOT"i "(" predicate ")"                                       -> not_\n',
        '?condition: conjunction\n          | condition "OR"i conjunction -> or_\n\n'
        '?conjunction: condition_1\n          | conjunction "AND"i condition_1 -> and_\n\n'
        '?condition_1: predicate\n            | "NOT"i condition_1 -> not_\n',
    ),
    ('SINGLE_QUOTED: "\'" /.*?/ "\'"', "SINGLE_QUOTED: /'(?:[^'\\\\]|''|\\\\.)*'/"),
    ("attribute: /[a-zA-Z][a-zA-Z_:0-9.]+/", "attribute: /[a-zA-Z_][a-zA-Z_:0-9.]*/"),
    ('?timestamp: "TIMESTAMP" "("', '?timestamp: "TIMESTAMP"i "("'),
    ('?date: "DATE" "("', '?date: "DATE"i "("'),
)


def compile_filter(
    text: str,
    lang: str,
    collection: Collection,
    filter_srid: int = 4326,
    filter_axis_latlon: bool = False,
    param_prefix: str = "f",
) -> tuple[str, dict]:
    """Compile a CQL2 filter to a SQL condition on the collection's view.

    Parameters
    ----------
    text : str
        The filter, as CQL2 text or as a CQL2-JSON document.
    lang : str
        ``cql2-text`` or ``cql2-json``.
    collection : Collection
        The collection filtered; its properties are the only names allowed.
    filter_srid : int
        EPSG code of geometry literals: 4326 (CRS84 unless ``filter_axis_latlon``),
        4258, 3857 or 28992.
    filter_axis_latlon : bool
        True when literals in EPSG:4326/4258 use the authority's lat/lon order.
    param_prefix : str
        Names of the bound parameters: ``<prefix>1``, ``<prefix>2``, ...

    Returns
    -------
    tuple of (str, dict)
        SQL usable as ``WHERE <sql>`` (columns by quoted name, geometry ``"geom"`` in
        EPSG:28992) and its parameters.

    Raises
    ------
    FilterError
        The filter cannot be parsed, is too large, or uses something not allowed.
    """
    if not PREFIX.fullmatch(param_prefix):
        raise ValueError(f"Invalid parameter prefix {param_prefix!r}")
    if lang not in LANGUAGES:
        raise FilterError(f"Unsupported filter-lang {lang!r}; use cql2-text or cql2-json.")
    if filter_srid not in ALLOWED_SRIDS:
        raise FilterError(f"Unsupported filter-crs EPSG:{filter_srid}.")
    if not isinstance(text, str) or not text.strip():
        raise FilterError("The filter is empty.")
    if len(text) > MAX_TEXT:
        raise FilterError(f"The filter is longer than {MAX_TEXT} characters.")
    tree = parse_text(text) if lang == "cql2-text" else parse_json(text)
    check_limits(tree)
    compiler = SqlCompiler(collection, filter_srid, filter_axis_latlon, param_prefix)
    return compiler.condition(tree), compiler.params


def queryables(collection: Collection) -> dict:
    """The JSON Schema of the properties a filter on this collection may use.

    Parameters
    ----------
    collection : Collection
        The collection.

    Returns
    -------
    dict
        A JSON Schema (2020-12) object; ``$id`` is left empty for the caller to fill.
    """
    props: dict[str, dict] = {
        "geometry": {"$ref": f"https://geojson.org/schema/{collection.geometry_type}.json"},
    }
    for prop in collection.properties:
        kind = property_kind(prop)
        if kind is None or prop.name in collection.array_filters:
            continue
        entry: dict[str, Any] = {"type": prop.json_type, "title": prop.name}
        if kind == "date":
            entry["format"] = prop.format or "date-time"
        if prop.description:
            entry["description"] = prop.description
        props[prop.name] = entry
    for name, column in collection.array_filters.items():
        props[name] = {
            "type": "string",
            "title": name,
            "description": (
                f"Each feature has a list of {column}; '{name} = value' (also <> and IN) tests "
                f"whether the list contains the value, '{name} IS NULL' whether it is empty."
            ),
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "",
        "type": "object",
        "title": collection.title,
        "properties": props,
        "additionalProperties": False,
    }


# -- parsing --------------------------------------------------------------------------


@v_args(inline=True)
class _Transformer(text_parser.CQLTransformer):
    """The transformer of pygeofilter, without its debug prints.

    It adds CQL2 quote escapes and BBOX(...) literals, and negates numbers only.
    """

    def SINGLE_QUOTED(self, token):  # noqa: N802 - named after the lark terminal
        return re.sub(r"''|\\'", "'", str(token)[1:-1])

    def wkt__geometry_with_srid(self, srid, geometry):
        return {**geometry, "crs": int(srid)}

    def wkt__multipoint_2(self, *coordinates):
        return {"type": "MultiPoint", "coordinates": coordinates}

    def function(self, name, *arguments):
        name = name.name.lower()
        if name == "bbox":
            return values.Geometry(bbox_geojson(list(arguments)))
        return ast.Function("lower" if name == "casei" else name, list(arguments))

    def neg(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
        return ast.Mul(-1, value)  # rejected later as arithmetic


@functools.cache
def _text_parser() -> Lark:
    grammar_file = Path(text_parser.__file__).with_name("grammar.lark")
    grammar = grammar_file.read_text()
    for old, new in GRAMMAR_PATCHES:
        if old not in grammar:
            raise RuntimeError(f"pygeofilter's CQL2 grammar changed; cannot patch {old[:40]!r}")
        grammar = grammar.replace(old, new)
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_Transformer(),
        import_paths=[str(grammar_file.parent.parent)],
        source_path=str(grammar_file),
    )


def parse_text(text: str) -> Any:
    """Parse CQL2 text into a pygeofilter AST."""
    parser = _text_parser()  # outside the try: a broken grammar is a bug, not a 400
    try:
        return parser.parse(text)
    except FilterError:
        raise
    except UnexpectedInput as exc:
        raise FilterError(
            f"Could not parse the cql2-text filter near line {exc.line}, column {exc.column}."
        ) from exc
    except Exception as exc:  # transformer errors, e.g. an impossible DATE
        cause = getattr(exc, "orig_exc", exc)
        raise FilterError(
            f"Could not parse the cql2-text filter: invalid value ({cause})."
        ) from exc


def parse_json(text: str) -> Any:
    """Parse CQL2 JSON into a pygeofilter AST (after rewriting CQL2 1.0 forms)."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FilterError("The cql2-json filter is not valid JSON.") from exc
    if not isinstance(document, dict):
        raise FilterError("A cql2-json filter must be a JSON object.")
    document = _normalise_json(document, 0)
    try:
        return cql2_json.parse(document)
    except Exception as exc:  # pygeofilter raises ValueError, KeyError, TypeError, ...
        raise FilterError(f"Could not read the cql2-json filter: {exc}") from exc


def _normalise_json(node: Any, depth: int) -> Any:
    if depth > MAX_JSON_DEPTH:
        raise FilterError(f"The filter is nested more than {MAX_DEPTH} levels deep.")
    if isinstance(node, list):
        return [_normalise_json(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "bbox" in node and "type" not in node:
        return bbox_geojson(node["bbox"] if isinstance(node["bbox"], list) else [])
    if node.get("type") == "GeometryCollection":  # pygeofilter only knows "coordinates"
        return values.Geometry(node)
    node = {key: _normalise_json(value, depth + 1) for key, value in node.items()}
    return node if node.get("op") is None else _normalise_op(node)


def _normalise_op(node: dict) -> dict:
    op, args = node["op"], node.get("args")
    if op not in JSON_OPS or not isinstance(args, list):
        raise FilterError(f"Unsupported cql2-json operator {str(op)[:40]!r} or its args.")
    if op == "between" and len(args) == 3:
        node["args"] = [args[0], args[1:]]
    if op == "accenti":
        return {"function": {"name": "accenti", "arguments": args}}
    if op == "like" and len(args) == 2 and isinstance(args[1], dict):
        try:  # pygeofilter would leave an expression as LIKE pattern unread
            node["args"] = [args[0], walk_cql_json(args[1])]
        except Exception as exc:
            raise FilterError(f"Could not read the LIKE pattern: {exc}") from exc
    return node


def bbox_geojson(arguments: list) -> dict:
    """GeoJSON for ``BBOX(minx, miny, maxx, maxy)`` (or the 6-number 3D form)."""
    if len(arguments) not in (4, 6) or not all(
        isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a)
        for a in arguments
    ):
        raise FilterError("BBOX needs 4 (or 6) numbers: minx, miny, maxx, maxy.")
    half = len(arguments) // 2
    x1, y1, x2, y2 = arguments[0], arguments[1], arguments[half], arguments[half + 1]
    if x1 > x2 or y1 > y2:
        raise FilterError("BBOX needs minx <= maxx and miny <= maxy.")
    if (x1, y1) == (x2, y2):
        return {"type": "Point", "coordinates": [x1, y1]}
    if x1 == x2 or y1 == y2:
        return {"type": "LineString", "coordinates": [[x1, y1], [x2, y2]]}
    ring = [[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]
    return {"type": "Polygon", "coordinates": [ring]}


# -- limits ---------------------------------------------------------------------------


def check_limits(tree: Any) -> None:
    """Raise FilterError for more than MAX_NODES nodes or nesting beyond MAX_DEPTH.

    Nodes are operators, functions, property references and geometry literals; a chain
    of the same AND/OR counts as one level. Scalar literals are bounded by the text size
    and the IN-list limit instead.
    """
    nodes, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FilterError(f"The filter is nested more than {MAX_DEPTH} levels deep.")
        if not isinstance(node, ast.Node):
            nodes += hasattr(node, "__geo_interface__")
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise FilterError(f"The filter has more than {MAX_NODES} parts.")
        for child in _children(node):
            same = isinstance(node, ast.Combination) and type(child) is type(node)
            stack.append((child, depth if same else depth + 1))


def _children(node: ast.Node) -> list:
    children: list = []
    for value in vars(node).values():
        if isinstance(value, list):
            children.extend(v for v in value if isinstance(v, ast.Node))
        elif isinstance(value, ast.Node) or hasattr(value, "__geo_interface__"):
            children.append(value)
    return children

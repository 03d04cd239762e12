"""The operands of a compiled CQL2 filter and the comparison kinds of properties and literals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from pygeofilter import values

from layers.catalog import Property
from layers.errors import FilterError

TEXT_TYPES = ("text", "character varying", "character")  # also with a (length)


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
    raise FilterError(f"Unsupported value in filter: {short(value)}.")


def short(value: Any) -> str:
    """``repr`` of a value for an error message, at most 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."

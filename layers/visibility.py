"""What a caller may see: visibility levels everywhere, plus levels only inside an area scope.

The public sees ``openbaar``; an unscoped professional also sees ``professional`` records
everywhere; a professional scoped to gemeenten, wijken or buurten sees the public view
everywhere and ``professional`` records only where the record lies in one of those areas
(its ``gemeentecode``, ``wijkcode`` or ``buurtcode`` is in the scope). Editors see
everything. Every output (OGC, tiles, map points, search, organisation pages, print,
exports) filters with :meth:`Visibility.sql` and the bound parameters of
:meth:`Visibility.params`, and every cache key or ETag includes the whole value.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.accounts import ROLE_VISIBILITY

# Where a scoped account gets more than the public view.
SCOPED_LEVEL = "professional"
CODE_COLUMNS = ("gemeentecode", "wijkcode", "buurtcode")


@dataclass(frozen=True)
class Visibility:
    """Visibility levels seen everywhere and area codes where ``professional`` is seen too."""

    levels: tuple[str, ...] = ("openbaar",)
    scope: tuple[str, ...] = ()

    @property
    def public(self) -> bool:
        """Whether this is exactly the anonymous public view (shared caches may keep it)."""
        return self.levels == ("openbaar",) and not self.scope

    @property
    def key(self) -> str:
        """A short text for ETags: levels and scope codes."""
        return "-".join(self.levels) + ("~" + "-".join(self.scope) if self.scope else "")

    def sees_professional(self, codes: tuple[str | None, ...] = ()) -> bool:
        """Whether ``professional`` records in an area with ``codes`` are visible."""
        if SCOPED_LEVEL in self.levels:
            return True
        return any(c in self.scope for c in codes if c)

    def params(self) -> dict[str, list[str]]:
        """The bound parameters of :meth:`sql`."""
        return {"visibility": list(self.levels), "visibility_scope": list(self.scope)}

    def sql(
        self, level: str = "zichtbaarheid", codes: tuple[str, ...] | None = CODE_COLUMNS
    ) -> str:
        """A boolean SQL expression for a row with visibility ``level`` and area ``codes``.

        ``level`` and ``codes`` are column expressions chosen by the caller (never user
        input); values are the bound parameters ``visibility`` and ``visibility_scope``.
        ``codes=None``: the row has no area, so only the levels apply.
        """
        levels = f"{level}::text = ANY(CAST(:visibility AS text[]))"
        if not codes:
            return f"({levels})"
        inside = " OR ".join(f"{c} = ANY(CAST(:visibility_scope AS text[]))" for c in codes)
        return f"({levels} OR ({level}::text = '{SCOPED_LEVEL}' AND ({inside})))"


PUBLIC = Visibility()
VisibilityLike = Visibility | tuple[str, ...]


def as_visibility(value: VisibilityLike) -> Visibility:
    """A :class:`Visibility`; a plain tuple of levels means those levels and no scope."""
    return value if isinstance(value, Visibility) else Visibility(tuple(value))


def for_account(rol: str | None, gemeenten=(), gebieden=()) -> Visibility:
    """The visibility of an account (None: anonymous).

    A professional with gemeenten or gebieden is scoped to them; without any area a
    professional sees professional records everywhere. Editors see every level.
    """
    if rol is None:
        return PUBLIC
    if rol == "professional" and (gemeenten or gebieden):
        return Visibility(ROLE_VISIBILITY["publiek"], tuple(gemeenten) + tuple(gebieden))
    return Visibility(ROLE_VISIBILITY[rol])

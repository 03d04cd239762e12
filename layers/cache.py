"""An in-process LRU cache with a byte budget, for results keyed on a data version.

Entries are keyed on a collection's *data version*: the sum of the ``data_versie`` counters
(migration 0009) of the tables its view reads, raised by a statement trigger on every
write. The version is read in the same statement as the data it keys, so a cached
``numberMatched``, serialised feature or tile is exact: after any write the key changes
and old entries are never read again (they age out of the LRU). Each process keeps its
own cache; nothing is shared between machines except the counters in the database.

All cache policy of the published layers lives in ``layers``: feature pages, counts and
extents in ``feature_cache``, tiles in ``tiles.cached_tile``; the server only hands over
the process's ``LayerCache``.

Why a hand-written LRU and not ``cachetools.LRUCache(maxsize, getsizeof=...)``: cachetools
would give the same byte budget, but it is not thread-safe by itself (gunicorn's gthread
workers serve requests on several threads), so it would still need this class's lock
around every call; what is left to write is then a few lines of ``OrderedDict``
bookkeeping. The lock is taken once per batch (``get_many``/``put_many``: all features of
a page at once), which cachetools' single-key API plus a wrapper would not make simpler,
and it keeps one dependency less in the wheel. Reconsider if eviction grows rules (TTL,
per-collection budgets) that cachetools already has.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence

import sqlalchemy as sa

from layers.catalog import Collection

# One scalar subquery: the data version of a collection (bind ``tables``). NULL inside a
# transaction that has written: it may read its own uncommitted changes, and a rollback
# would leave entries under a version number that later committed data could reach.
VERSION_SQL = (
    "(SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN "
    "coalesce(sum(versie), 0)::bigint END FROM data_versie "
    "WHERE tabel = ANY(CAST(:tables AS text[])))"
)
ENTRY_OVERHEAD = 100  # bytes per entry for the key and bookkeeping, roughly


def version_params(collection: Collection) -> dict:
    """The bound parameters ``VERSION_SQL`` needs for ``collection``."""
    return {"tables": list(collection.tables)}


def data_version(conn: sa.Connection, collection: Collection) -> int | None:
    """The collection's data version now (None inside a transaction that has written).

    Read it *before* the data it keys: an entry stored under version v then holds data of
    version v or newer, and once a newer version is committed v is never asked for again.
    """
    return conn.execute(sa.text(f"SELECT {VERSION_SQL}"), version_params(collection)).scalar()


class LayerCache:
    """Thread-safe LRU of str/bytes/tuple values within ``max_bytes`` (0 disables it)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        """Whether the cache keeps anything (a budget of 0 bytes turns it off)."""
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        """Bytes held (approximately: text length plus a fixed overhead per entry)."""
        return self._bytes

    def last_version(self, view: str) -> int | None:
        """The newest data version seen for ``view``: a guess until the next query says."""
        return self._versions.get(view)

    def saw_version(self, view: str, version: int) -> None:
        """Remember ``version`` as the newest data version of ``view``."""
        self._versions[view] = version

    def get(self, key: Hashable):
        """The value for ``key`` (``None`` when missing), marking it recently used."""
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[Hashable]) -> list:
        """Values for ``keys`` (``None`` where missing), marking them recently used."""
        found: list = []
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    found.append(None)
                    continue
                self._entries.move_to_end(key)
                found.append(entry[0])
        hits = sum(v is not None for v in found)
        self.hits += hits
        self.misses += len(found) - hits
        return found

    def put(self, key: Hashable, value) -> None:
        """Store one value, evicting the least recently used entries beyond the budget."""
        self.put_many([(key, value)])

    def put_many(self, items: Iterable[tuple[Hashable, object]]) -> None:
        """Store values, evicting the least recently used entries beyond the budget."""
        if not self.enabled:
            return
        with self._lock:
            for key, value in items:
                size = _size(value) + ENTRY_OVERHEAD
                if size > self.max_bytes:
                    continue
                old = self._entries.pop(key, None)
                if old is not None:
                    self._bytes -= old[1]
                self._entries[key] = (value, size)
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, size) = self._entries.popitem(last=False)
                self._bytes -= size

    def clear(self) -> None:
        """Drop every entry and every data version seen."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._versions.clear()


def _size(value) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, array):
        return len(value) * value.itemsize
    if isinstance(value, tuple):
        return sum(_size(v) for v in value)
    return 8

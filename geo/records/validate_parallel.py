"""Validate the rows of a large file on two cores (issue 12).

Validating is pure Python (phone numbers, opening hours, addresses): 100,000 rows keep one
core busy for about ten seconds while the database waits. Above ``PARALLEL_ABOVE`` rows a
forked child process validates the second half of the rows while this process validates
the first half; the child sends its results back pickled through a pipe. Forking needs no
``if __name__ == "__main__"`` guard in the calling script (unlike a spawned pool) and
shares the rows already read, so nothing is sent to the child.

The child only validates: it never touches the database connection, progress bars or
files, and leaves with ``os._exit``. Each row is validated by ``validate_row`` alone, so
the results are the same as in one process, in the same order. When the child fails for
any reason (an error, killed for memory), its half is validated here: the import never
depends on the child.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable

from geo.records.readers import RawRow
from geo.records.validate import Reject, Taxonomy, validate_row

PARALLEL_ABOVE = 20_000  # rows; below this forking costs more than it saves

Result = tuple[dict | None, list[Reject]]


def validate_all(
    rows: list[RawRow],
    taxonomy: Taxonomy,
    tick: Callable[[], None] = lambda: None,
    parallel_above: int | None = None,
) -> list[Result]:
    """``validate_row`` of every row, in order; on two cores above ``PARALLEL_ABOVE`` rows."""
    limit = PARALLEL_ABOVE if parallel_above is None else parallel_above
    if len(rows) <= limit or not hasattr(os, "fork"):
        return [_validated(raw, taxonomy, tick) for raw in rows]
    half = (len(rows) + 1) // 2
    second = rows[half:]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: validate the second half, send it, leave at once
        os.close(reader)
        code = 1
        try:
            with os.fdopen(writer, "wb") as out:
                results = [validate_row(raw, taxonomy) for raw in second]
                pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)  # no cleanup of the parent's connections, files or threads
    os.close(writer)
    pipe = os.fdopen(reader, "rb")
    try:
        first = [_validated(raw, taxonomy, tick) for raw in rows[:half]]
        theirs = _received(pipe, len(second))
    finally:
        pipe.close()  # a child still writing gets a broken pipe and leaves
        os.waitpid(pid, 0)
    if theirs is None:  # the child failed: validate its half here
        return first + [_validated(raw, taxonomy, tick) for raw in second]
    for _ in second:
        tick()
    return first + theirs


def _validated(raw: RawRow, taxonomy: Taxonomy, tick: Callable[[], None]) -> Result:
    result = validate_row(raw, taxonomy)
    tick()
    return result


def _received(pipe, expected: int) -> list[Result] | None:
    """The child's results, or None when it sent nothing usable."""
    try:
        results = pickle.load(pipe)  # noqa: S301 - our own child process wrote it
    except (EOFError, pickle.UnpicklingError):
        return None
    return results if isinstance(results, list) and len(results) == expected else None

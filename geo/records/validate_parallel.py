"""Validate the rows of a large file on two cores (issue 12).

Validating is pure Python (phone numbers, opening hours, addresses): 100,000 rows keep one
core busy for about ten seconds while the database waits. Above ``PARALLEL_ABOVE`` rows a
forked child process validates the second half of the rows while this process validates
the first half; the child writes its results pickled, chunk by chunk, to an unnamed
temporary file that this process reads when both are done. Forking needs no
``if __name__ == "__main__"`` guard in the calling script (unlike a spawned pool) and
shares the rows already read, so nothing is sent to the child.

The child only validates: it never touches the database connection, progress bars or
the file being imported, and leaves with ``os._exit``. Each row is validated by
``validate_row`` alone, so the results are the same as in one process, in the same order.
When the child fails for any reason (an error, killed for memory), its half is validated
here: the import never depends on the child. Without free memory for a copy of this
process, there is no child.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from collections.abc import Callable

import psutil

from geo.records.readers import RawRow
from geo.records.validate import Reject, Taxonomy, validate_row

PARALLEL_ABOVE = 20_000  # rows; below this forking costs more than it saves
CHUNK = 5_000  # rows the child validates and writes at a time (its memory stays small)

Result = tuple[dict | None, list[Reject]]


def validate_all(
    rows: list[RawRow],
    taxonomy: Taxonomy,
    tick: Callable[[], None] = lambda: None,
    parallel_above: int | None = None,
) -> list[Result]:
    """``validate_row`` of every row, in order; on two cores above ``PARALLEL_ABOVE`` rows."""
    limit = PARALLEL_ABOVE if parallel_above is None else parallel_above
    if len(rows) <= limit or not hasattr(os, "fork") or not _memory_for_a_child():
        return [_validated(raw, taxonomy, tick) for raw in rows]
    half = (len(rows) + 1) // 2
    second = rows[half:]
    with tempfile.TemporaryFile() as spool:
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads (a progress bar, a test server)
            # forks: the child could wait forever for a lock another thread held. This child
            # takes no lock of theirs: it validates, writes the spool and leaves.
            warnings.filterwarnings("ignore", ".*fork", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: validate the second half chunk by chunk, leave at once
            code = 1
            try:
                for start in range(0, len(second), CHUNK):
                    chunk = [validate_row(raw, taxonomy) for raw in second[start : start + CHUNK]]
                    pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                spool.flush()
                code = 0
            finally:
                os._exit(code)  # no cleanup of the parent's connections, files or threads
        try:
            first = [_validated(raw, taxonomy, tick) for raw in rows[:half]]
        finally:
            _, status = os.waitpid(pid, 0)
        spool.seek(0)
        theirs = _received(spool, len(second)) if status == 0 else None
    if theirs is None:  # the child failed: validate its half here
        return first + [_validated(raw, taxonomy, tick) for raw in second]
    for _ in second:
        tick()
    return first + theirs


def _validated(raw: RawRow, taxonomy: Taxonomy, tick: Callable[[], None]) -> Result:
    result = validate_row(raw, taxonomy)
    tick()
    return result


def _received(spool, expected: int) -> list[Result] | None:
    """The child's results, or None when it wrote nothing usable."""
    results: list[Result] = []
    try:
        while len(results) < expected:
            results += pickle.load(spool)  # noqa: S301 - our own child process wrote it
    except (EOFError, pickle.UnpicklingError):
        return None
    return results if len(results) == expected else None


def _memory_for_a_child() -> bool:
    """Enough free memory for the child even if it copied all of this process's pages.

    The child shares this process's memory until it writes to it; reading the rows changes
    their reference counts, so the pages of its half are copied. Where the system cannot
    tell (psutil), the rows are validated here alone.
    """
    try:
        return psutil.virtual_memory().available > psutil.Process().memory_info().rss
    except psutil.Error:
        return False

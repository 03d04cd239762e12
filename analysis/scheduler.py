"""One entry point for running a Dask task graph: synchronous, a local cluster or a remote one.

``open_runner(spec)`` gives a :class:`Runner` for

* ``"sync"`` (or ``"synchronous"``): Dask's synchronous scheduler in this process — no
  threads, no processes; for tests, debugging and small runs;
* ``"local"``: a ``dask.distributed.LocalCluster`` of worker *processes* (default two,
  one thread each), started offline (no dashboard) and closed afterwards — the default
  for large runs;
* ``"tcp://host:port"`` (or any other ``scheme://`` address): an existing cluster,
  reached with ``dask.distributed.Client(address)``; it is left running.

``Runner.run(tasks, on_result, progress)`` computes a list of ``dask.delayed`` objects and
hands every result to ``on_result(index, result)`` as it arrives (streamed: with a
cluster, each result is released as soon as it has been handed over), reporting
``progress(done, total)`` for a progress bar (docs/ANALYSIS.md §15).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dask
from dask.callbacks import Callback

from analysis.errors import InvalidInput

OnResult = Callable[[int, Any], None]
OnProgress = Callable[[int, int], None]
SYNC = ("sync", "synchronous")


def _quiet(done: int, total: int) -> None:
    """A progress callback that shows nothing."""


class _Counter(Callback):
    """Dask callback that reports finished tasks of the synchronous scheduler."""

    def __init__(self, progress: OnProgress):
        super().__init__()
        self.progress, self.total, self.done = progress, 0, 0

    def _start_state(self, dsk, state):
        self.total = sum(len(state[k]) for k in ("ready", "waiting", "running"))

    def _posttask(self, key, result, dsk, state, worker_id):
        self.done += 1
        self.progress(self.done, max(self.total, self.done))


class Runner:
    """Computes task lists on one scheduler; see the module docstring.

    Attributes
    ----------
    spec : str
        The scheduler as given (``sync``, ``local`` or an address).
    client : distributed.Client or None
        The client of a (local or remote) cluster; None for the synchronous scheduler.
    """

    def __init__(self, spec: str, client=None):
        self.spec, self.client = spec, client

    def run(
        self,
        tasks: Sequence,
        on_result: OnResult,
        progress: OnProgress | None = None,
    ) -> None:
        """Compute ``tasks`` (``dask.delayed``) and pass each result to ``on_result``.

        Parameters
        ----------
        tasks : sequence of dask.delayed.Delayed
        on_result : callable
            ``on_result(i, result)`` for ``tasks[i]``, in order of completion.
        progress : callable, optional
            ``progress(done, total)``: tasks of the whole graph on the synchronous
            scheduler, requested results on a cluster.
        """
        report = progress or _quiet
        if self.client is None:
            with _Counter(report):
                results = dask.compute(*tasks, scheduler="synchronous")
            for i, result in enumerate(results):
                on_result(i, result)
            return
        from distributed import as_completed

        futures = self.client.compute(list(tasks))
        index = {f.key: i for i, f in enumerate(futures)}
        report(0, len(futures))
        for done, (future, result) in enumerate(as_completed(futures, with_results=True), start=1):
            on_result(index[future.key], result)
            future.release()
            report(done, len(futures))

    def submit(self, fn: Callable, *args) -> Any:
        """Run ``fn(*args)`` as one task; returns something with ``.result()``.

        On a cluster the task runs on a worker (a ``distributed.Future``; arguments may be
        futures from :meth:`share`); on the synchronous scheduler it runs here and now.
        """
        if self.client is None:
            return _Done(fn(*args))
        return self.client.submit(fn, *args, pure=False)

    def share(self, value: Any) -> Any:
        """``value`` sent once to every worker (a future to pass to :meth:`submit`)."""
        if self.client is None:
            return value
        return self.client.scatter(value, broadcast=True, hash=False)


class _Done:
    """A result computed in this process, with the ``.result()`` of a future."""

    def __init__(self, value: Any):
        self.value = value

    def result(self) -> Any:
        return self.value


INLINE = Runner("sync")  # submit() computes at once, in this process


def describe(spec: str) -> str:
    """The kind of scheduler ``spec`` names: ``sync``, ``local`` or ``address``.

    Raises
    ------
    InvalidInput
        For anything else (the message lists the choices).
    """
    spec = (spec or "").strip()
    if spec in SYNC:
        return "sync"
    if spec == "local":
        return "local"
    if "://" in spec:
        return "address"
    raise InvalidInput(
        f"Onbekende scheduler '{spec}'; kies 'sync', 'local' of een adres als tcp://host:8786."
    )


@contextmanager
def open_runner(spec: str = "sync", n_workers: int = 2) -> Iterator[Runner]:
    """A :class:`Runner` for ``spec`` (see the module docstring); closes what it started.

    Parameters
    ----------
    spec : str
        ``sync``, ``local`` or a scheduler address such as ``tcp://10.0.0.5:8786``.
    n_workers : int
        Worker processes of a ``local`` cluster (one thread each).
    """
    kind = describe(spec)
    if kind == "sync":
        yield Runner("sync")
        return
    from distributed import Client, LocalCluster

    if kind == "address":
        with Client(spec.strip(), timeout="30s") as client:
            yield Runner(spec, client)
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        yield Runner("local", client)

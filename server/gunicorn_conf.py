"""gunicorn settings of ``sociale-kaart demo`` (``-c python:server.gunicorn_conf``).

No version banner: gunicorn puts ``Server: gunicorn`` (and ``SERVER_SOFTWARE``
``gunicorn/<version>``) in every response and environ. gunicorn 27 copies both names from
the ``gunicorn`` package into ``gunicorn.http.wsgi`` (read per response) and
``gunicorn.arbiter`` (read when the arbiter starts) at import time, so all three modules are
patched; this module is loaded before the arbiter starts.
"""

import os
import signal
import sys

import gunicorn
import gunicorn.arbiter
import gunicorn.http.wsgi

SERVER_NAME = "sociale-kaart"

for module in (gunicorn, gunicorn.http.wsgi, gunicorn.arbiter):
    module.SERVER = SERVER_NAME
    module.SERVER_SOFTWARE = SERVER_NAME

worker_class = "gthread"
# Long PDF or 10,000-feature pages are bounded by the statement timeout; the worker
# timeout only catches a hung process.
timeout = 60
graceful_timeout = 10
keepalive = 5
# gunicorn 25.1+ opens a control socket at $HOME/.gunicorn/gunicorn.ctl by default, one path
# for every gunicorn of the user: a second instance (tests, a benchmark) would take it over.
control_socket_disable = True


def worker_int(worker):
    """Ignore further quit signals once a worker is quitting.

    Ctrl+C reaches each worker twice: from the terminal (the whole process group) and from
    the master passing it on. gunicorn's handler raises ``SystemExit`` for each; a second
    one raised while the first is already on its way out (in gthread's shutdown or in
    ``worker_exit`` below) skips the quick exit, and the worker then outlasted
    ``graceful_timeout`` and was killed (1 of 4 Ctrl+C in a row took 11 s).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)


def worker_exit(server, worker):
    """End a worker that stops normally at once, without tearing down the interpreter.

    The worker has served its last request when this hook runs. Python's own shutdown then
    walks the whole heap of the preloaded app (layer caches, geopandas, GDAL); with several
    workers doing that on a busy machine it outlasted ``graceful_timeout``, so Ctrl+C took
    10 s and ended in SIGKILL. Connections close with the process. The master calls this hook
    too (for a worker that is already gone), and a worker that failed to boot must keep its
    exit code (the master stops on it): both take the usual way out.
    """
    if os.getpid() != worker.pid or not worker.booted or worker.alive:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

"""The servers of ``ogc_bench.py``: ours and pygeoapi under gunicorn, started and stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from common import ROOT
from ogc_data import TABLE, buurt_extent_crs84
from ogc_load import get
from ogc_pygeoapi import generate_openapi, write_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen, log: Path, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _ = get("127.0.0.1", port, path, timeout=30)
            if status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"server on {port} not ready after {timeout} s: {log.read_text()[-3000:]}")


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:
        return subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def postmaster_pid(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        directory = conn.execute(sa.text("SHOW data_directory")).scalar_one()
    with contextlib.suppress(OSError, ValueError):
        return [int(Path(directory, "postmaster.pid").read_text().split()[0])]
    return []


def start_servers(
    args,
    engine,
    collection,
    tmp: Path,
    venv: Path,
    ports: dict,
    pythonpath: list[str],
    procs: dict[str, subprocess.Popen],
) -> None:
    """Start ours and pygeoapi under gunicorn (into ``procs``) and wait until both answer."""
    gunicorn = [
        "-w",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    # development: the bench's own throw-away database, read as its owner (no web role)
    env = dict(
        os.environ,
        SOCIALE_KAART_DATABASE_URL=engine.url.render_as_string(hide_password=False),
        SOCIALE_KAART_ENV="development",
    )
    if args.cache_mb is not None:
        env["SOCIALE_KAART_LAYER_CACHE_MB"] = str(args.cache_mb)
    procs["ours"] = start(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            *gunicorn,
            "-b",
            f"127.0.0.1:{ports['ours']}",
            "--pythonpath",
            ",".join(pythonpath),
            args.ours_app,
        ],
        env,
        tmp / "ours.log",
    )
    cfg, openapi = write_config(
        tmp,
        engine.url,
        ports["pygeoapi"],
        [p.name for p in collection.properties],
        buurt_extent_crs84(engine),
        TABLE,
    )
    generate_openapi(venv, cfg, openapi)
    procs["pygeoapi"] = start(
        [
            str(venv / "bin" / "gunicorn"),
            *gunicorn,
            "-b",
            f"127.0.0.1:{ports['pygeoapi']}",
            "pygeoapi.flask_app:APP",
        ],
        {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYGEOAPI_CONFIG": str(cfg),
            "PYGEOAPI_OPENAPI": str(openapi),
        },
        tmp / "pygeoapi.log",
    )
    wait_ready(ports["ours"], "/ogc/collections/bench", procs["ours"], tmp / "ours.log")
    wait_ready(ports["pygeoapi"], "/collections/bench", procs["pygeoapi"], tmp / "pygeoapi.log")

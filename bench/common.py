"""Shared set-up for benchmarks: a throw-away database on the test cluster (or a given URL)."""

from __future__ import annotations

import os
import platform
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import pgcluster  # noqa: E402
from geo.area_store import load_areas  # noqa: E402
from geo.areas import AreaSources  # noqa: E402
from geo.db import make_engine, upgrade  # noqa: E402

BENCH_CLUSTER = pgcluster.Cluster(ROOT / "var" / "bench-cluster", 54359)
RESULTS = ROOT / "bench" / "RESULTS.md"


def machine(*extra: str) -> str:
    """One line on the machine the numbers come from."""
    mem = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1]) / 1024 / 1024
    return ", ".join(
        [
            f"nproc {os.cpu_count()}",
            f"RAM {mem:.1f} GiB",
            platform.platform(),
            f"Python {platform.python_version()}",
            *extra,
        ]
    )


def write_results(section: str, text: str) -> None:
    """Replace ``section`` of RESULTS.md with ``text``; a hand-written "### Analysis" in it
    is kept."""
    current = (
        RESULTS.read_text()
        if RESULTS.exists()
        else (
            "# Benchmark results\n\nNumbers printed by the scripts in `bench/`, one section per "
            "benchmark, each written by its own script.\n"
        )
    )
    text = text.rstrip("\n") + "\n"
    start = current.find(section)
    if start < 0:
        new = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + len(section))
        old = current[start : end + 1] if end >= 0 else current[start:]
        kept = old[old.find("### Analysis") :] if "### Analysis" in old else ""
        new = (
            current[:start]
            + text
            + ("\n" + kept.rstrip("\n") + "\n" if kept else "")
            + ("\n" + current[end + 1 :] if end >= 0 else "")
        )
    RESULTS.write_text(new.rstrip("\n") + "\n")


class BenchDatabase:
    """Create a migrated database with the Zuid-Limburg areas; drop it on exit."""

    def __init__(self):
        admin = os.environ.get("SOCIALE_KAART_TEST_DATABASE_URL")
        if not admin:
            pgcluster.start(BENCH_CLUSTER)
            admin = BENCH_CLUSTER.url("postgres")
        self.admin = make_engine(admin, isolation_level="AUTOCOMMIT")
        self.name = f"sk_bench_{uuid.uuid4().hex[:8]}"
        self.url = sa.make_url(admin).set(database=self.name)

    def __enter__(self) -> sa.Engine:
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.engine = make_engine(self.url)
        upgrade(self.engine)
        load_areas(self.engine, AreaSources.from_manifest(ROOT / "data" / "gebieden.toml"))
        return self.engine

    def __exit__(self, *exc):
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()

"""Lifecycle of the private PostgreSQL + PostGIS cluster used when no database URL is set.

The cluster lives in ``<data_dir>/pgdata`` and listens only on a Unix socket inside
``<data_dir>/run`` (plus 127.0.0.1 on its own port), so it never collides with a system
PostgreSQL on 5432. PostgreSQL refuses to run as root: when we are root, every server
binary runs as the ``postgres`` system user via ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from geo.errors import ClusterError

SUPERUSER = "sociale_kaart"
DATABASE = "sociale_kaart"
# The web app's roles (see geo/sql/0012_webrol.up.sql): a NOLOGIN group holding the grants
# and a login role that is a member of it. Migrations and commands connect as SUPERUSER.
WEB_GROUP = "sociale_kaart_web"
WEB_LOGIN = "sociale_kaart_webapp"
POSTGIS_HINT = (
    "PostGIS is not installed for PostgreSQL {major}: install the Debian package "
    "postgresql-{major}-postgis-3 (sudo apt-get install postgresql-{major}-postgis-3)."
)


@dataclass(frozen=True)
class Cluster:
    """A private cluster: where it lives and how to reach it.

    Parameters
    ----------
    data_dir : Path
        Project data folder; the cluster uses ``pgdata/``, ``run/`` and ``postgres.log``.
    port : int
        TCP port on 127.0.0.1 (also names the socket file).
    """

    data_dir: Path
    port: int

    @property
    def pgdata(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self.data_dir / "pgdata"

    @property
    def socket_dir(self) -> Path:
        """The directory of the server's Unix socket."""
        return self.data_dir / "run"

    @property
    def logfile(self) -> Path:
        """The server's log file."""
        return self.data_dir / "postgres.log"

    def url(self, database: str = DATABASE) -> str:
        """SQLAlchemy URL (psycopg 3) that reaches this cluster over its socket."""
        return (
            f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"
        )

    def web_url(self, database: str = DATABASE) -> str:
        """URL of the web app's least-privilege login role (same socket, trust auth)."""
        return (
            f"postgresql+psycopg://{WEB_LOGIN}@/{database}?host={self.socket_dir}&port={self.port}"
        )


def web_roles_sql(password: str | None = None, login: str = WEB_LOGIN) -> str:
    """SQL that creates the web group and login roles if missing (idempotent).

    The login becomes a member of the group. ``password`` only for servers with password
    auth; it must be URL-safe text (letters, digits, ``-`` and ``_``).
    """
    if password is not None and not password.replace("-", "").replace("_", "").isalnum():
        raise ValueError("password must be letters, digits, '-' or '_'")
    if not (login.isidentifier() and login.isascii() and login.islower()):
        raise ValueError("login must be a lower-case ASCII identifier")
    # Checked above: only identifier and URL-safe characters reach the SQL text.
    set_password = f"ALTER ROLE {login} PASSWORD '{password}';\n" if password else ""
    return (
        "DO $$\nBEGIN\n"  # noqa: S608 - no value from outside, see the checks above
        f"    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WEB_GROUP}') THEN\n"
        f"        CREATE ROLE {WEB_GROUP} NOLOGIN;\n"
        "    END IF;\n"
        f"    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN\n"
        f"        CREATE ROLE {login} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;\n"
        "    END IF;\n"
        "END $$;\n"
        f"{set_password}"
        f"GRANT {WEB_GROUP} TO {login};\n"
    )


PG_CTL_GLOB = "/usr/lib/postgresql/*/bin/pg_ctl"  # Debian/Ubuntu layout


def find_bindir(pattern: str = PG_CTL_GLOB) -> Path:
    """Return the newest PostgreSQL server ``bin`` folder, or raise with the package to install."""
    candidates = sorted(
        glob.glob(pattern),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise ClusterError(
        "PostgreSQL server binaries (pg_ctl, initdb) were not found: install the Debian "
        "package postgresql (sudo apt-get install postgresql postgresql-15-postgis-3)."
    )


def postgis_available(bindir: Path) -> bool:
    """True when the PostGIS extension files exist for this PostgreSQL installation."""
    sharedir = (
        subprocess.run(
            [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True
        ).stdout.strip()
        if (bindir / "pg_config").exists()
        else str(bindir.parent / "share")
    )
    major = bindir.parent.name
    roots = {sharedir, f"/usr/share/postgresql/{major}"}
    return any(glob.glob(f"{root}/extension/postgis.control") for root in roots)


def _owner_args() -> list[str]:
    """Prefix that runs a server binary as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ClusterError(
            "Running as root needs the 'postgres' system user to run the database: "
            "install the Debian package postgresql."
        ) from exc
    return ["runuser", "-u", "postgres", "--"]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_owner_args() + args, capture_output=True, text=True, **kwargs)


def _prepare_dirs(cluster: Cluster) -> None:
    cluster.data_dir.mkdir(parents=True, exist_ok=True)
    for path in (cluster.pgdata, cluster.socket_dir):
        path.mkdir(exist_ok=True)
        path.chmod(0o700)
    cluster.logfile.touch(exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (cluster.pgdata, cluster.socket_dir, cluster.logfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)


def initialise(cluster: Cluster) -> bool:
    """Create the cluster files if they do not exist yet. Returns True when created."""
    bindir = find_bindir()
    if (cluster.pgdata / "PG_VERSION").exists():
        return False
    _prepare_dirs(cluster)
    result = _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(cluster.pgdata),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
    )
    if result.returncode != 0:
        raise ClusterError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
    # Why these settings: a private, single-user cluster tuned a little for GIS reads.
    with open(cluster.pgdata / "postgresql.auto.conf", "a") as conf:
        conf.write(
            "listen_addresses = '127.0.0.1'\n"
            "shared_buffers = '256MB'\n"
            "work_mem = '32MB'\n"
            "max_connections = 100\n"
            "fsync = on\n"
        )
    return True


def is_running(cluster: Cluster) -> bool:
    """True when the cluster's postmaster is up."""
    if not (cluster.pgdata / "PG_VERSION").exists():
        return False
    result = _run([str(find_bindir() / "pg_ctl"), "status", "-D", str(cluster.pgdata)])
    return result.returncode == 0


def start(cluster: Cluster, timeout: float = 30.0) -> str:
    """Initialise (if needed) and start the cluster; idempotent.

    Returns
    -------
    str
        ``"started"`` or ``"already running"``.
    """
    bindir = find_bindir()
    if not postgis_available(bindir):
        raise ClusterError(POSTGIS_HINT.format(major=bindir.parent.name))
    initialise(cluster)
    if is_running(cluster):
        _ensure_web_roles(cluster, bindir)  # a cluster started before the roles existed
        return "already running"
    _prepare_dirs(cluster)
    result = _run(
        [
            str(bindir / "pg_ctl"),
            "start",
            "-D",
            str(cluster.pgdata),
            "-l",
            str(cluster.logfile),
            "-w",
            "-t",
            str(int(timeout)),
            # Port and socket come from the Cluster, not the config file, so moving the
            # data folder or changing DB_PORT just works.
            "-o",
            f"-p {cluster.port} -k '{cluster.socket_dir}'",
        ]
    )
    if result.returncode != 0:
        tail = cluster.logfile.read_text(errors="replace").strip().splitlines()[-5:]
        raise ClusterError(f"PostgreSQL did not start on port {cluster.port}: " + " | ".join(tail))
    _ensure_database(cluster, bindir)
    _ensure_web_roles(cluster, bindir)
    return "started"


def _ensure_web_roles(cluster: Cluster, bindir: Path) -> None:
    """The web app's login role, member of the group role (socket auth is trust here)."""
    result = subprocess.run(
        [
            str(bindir / "psql"),
            "-h",
            str(cluster.socket_dir),
            "-p",
            str(cluster.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            web_roles_sql(),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ClusterError(f"Could not create the web role {WEB_LOGIN}: {result.stderr.strip()}")


def _ensure_database(cluster: Cluster, bindir: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        probe = subprocess.run(
            [
                str(bindir / "psql"),
                "-h",
                str(cluster.socket_dir),
                "-p",
                str(cluster.port),
                "-U",
                SUPERUSER,
                "-d",
                "postgres",
                "-tAc",
                "SELECT 1 FROM pg_database WHERE datname = 'sociale_kaart'",
            ],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if probe.stdout.strip() != "1":
        created = subprocess.run(
            [
                str(bindir / "createdb"),
                "-h",
                str(cluster.socket_dir),
                "-p",
                str(cluster.port),
                "-U",
                SUPERUSER,
                DATABASE,
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode != 0:
            raise ClusterError(f"Could not create database {DATABASE}: {created.stderr.strip()}")


def stop(cluster: Cluster) -> str:
    """Stop the cluster if it runs; idempotent. Returns ``"stopped"`` or ``"not running"``."""
    if not is_running(cluster):
        return "not running"
    result = _run(
        [str(find_bindir() / "pg_ctl"), "stop", "-D", str(cluster.pgdata), "-m", "fast", "-w"]
    )
    if result.returncode != 0:
        raise ClusterError(f"pg_ctl stop failed: {result.stderr.strip()}")
    return "stopped"


def status(cluster: Cluster) -> dict:
    """Describe the cluster: whether it exists, runs, and how to reach it."""
    return {
        "data_dir": str(cluster.data_dir),
        "initialised": (cluster.pgdata / "PG_VERSION").exists(),
        "running": is_running(cluster),
        "port": cluster.port,
        "url": cluster.url(),
        "web_url": cluster.web_url(),
    }

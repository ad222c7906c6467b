"""A throwaway PostgreSQL server on 127.0.0.1, for the test suite and the benchmarks.

It runs the server binaries of Debian's `postgresql` package (or any
`initdb`/`pg_ctl` on PATH) from a fresh data directory on a free port, and
removes everything when stopped. PostgreSQL refuses to run as root; started
by root, the server runs as `nobody`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "kam"


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL's server binaries."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    if candidates and (candidates[-1] / "initdb").exists():
        return candidates[-1]
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresNotFound("PostgreSQL's server binaries (initdb, pg_ctl) were not found; install Debian's `postgresql`.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    data_dir: Path

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq/asyncpg connection string, without SQLAlchemy's driver part."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def _run_as(user: str | None, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, user=user, **kwargs)  # type: ignore[call-overload,no-any-return]


@contextlib.contextmanager
def temporary_postgres(*, durable: bool = False, settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """Start a server for the duration of the block.

    Unless `durable`, it trades crash safety for speed (no fsync), as a
    test database may. `settings` are further `postgres -c` settings.
    """
    bin_dir = find_bin_dir()
    user = "nobody" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="kam-pg-"))
    data_dir = root / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = free_port()
    options = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(root),
        "max_connections": "200",
        **({} if durable else {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}),
        **(settings or {}),
    }
    started = False
    try:
        _run_as(user, [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                       "--locale=C.UTF-8"], cwd=root)
        flags = " ".join(f"-c {key}={value}" for key, value in options.items())
        _run_as(user, [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-o", flags, "-l", str(root / "server.log"),
                       "-w", "-t", "60", "start"], cwd=root)
        started = True
        yield PostgresServer(port=port, data_dir=data_dir)
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                _run_as(user, [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"], cwd=root)
        shutil.rmtree(root, ignore_errors=True)

"""The servers under test, each a uvicorn process tree on 127.0.0.1, and the memory of their workers.

kam is started as its users start it, `kam serve --workers N`; the baseline
with the same uvicorn settings (`uvicorn bench.baseline:create_app --factory`,
log level info). With one worker uvicorn serves from its own process; with
more, from N children it spawns, whose memory is what is sampled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

from kam.pgserver import free_port

ROOT = Path(__file__).resolve().parent.parent
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def children(pid: int) -> list[int]:
    """The processes `pid` started, from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _status_kib(pid: int, key: str) -> int:
    """A `VmRSS`/`VmHWM` line of /proc/PID/status, in KiB; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid: int) -> int:
    """User and system CPU time a process has used, in clock ticks; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def rss_kib(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Server:
    """One server process tree: `kind` is "graphql" or "baseline"."""

    kind: str
    workers: int
    database_url: str
    log: Path
    settings: dict[str, str] = field(default_factory=dict)  # KAM_* variables for the server
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint_path(self) -> str:
        return "/graphql" if self.kind == "graphql" else "/bench/{query}"

    def endpoint(self, query: str) -> str:
        return self.url + self.endpoint_path.format(query=query)

    def command(self) -> list[str]:
        bind = ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        if self.kind == "graphql":
            return [sys.executable, "-m", "kam.cli", "serve", *bind]
        return [sys.executable, "-m", "uvicorn", "bench.baseline:create_app", "--factory", *bind, "--log-level", "info"]

    def start(self) -> Self:
        env = {**os.environ, **self.settings, "KAM_DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT)}
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until /healthz answers and every worker is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"The {self.kind} server exited; see {self.log}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:
                    if answer.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"The {self.kind} server did not come up within {timeout:.0f} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The processes that serve requests."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in children(self.process.pid) if "spawn_main" in _cmdline(pid)]

    def wait_idle(self, timeout: float = 300.0, step: float = 0.25) -> None:
        """Until the workers stop using CPU: requests a load run left in flight are finished before the
        next run starts, so they take no CPU from it (nor, on a small machine, from the other server)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        before = sum(cpu_ticks(pid) for pid in self.worker_pids())
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(step)
            now = sum(cpu_ticks(pid) for pid in self.worker_pids())
            quiet = quiet + 1 if now - before <= 1 else 0
            before = now

    def peak_kib(self) -> int:
        """The highest resident memory any worker has had since it started (VmHWM)."""
        return max((_status_kib(pid, "VmHWM") for pid in self.worker_pids()), default=0)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class MemorySampler:
    """Samples the resident memory of a server's workers every `interval` seconds in a thread."""

    def __init__(self, server: Server, interval: float) -> None:
        self.server = server
        self.interval = interval
        self.samples: list[tuple[float, dict[int, int]]] = []  # (seconds since start, {pid: KiB})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def _sample(self) -> None:
        pids = self.server.worker_pids()
        self.samples.append((time.monotonic() - self._started, {pid: rss_kib(pid) for pid in pids}))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Self:
        self._started = time.monotonic()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_kib(self) -> int:
        return max((kib for _, sample in self.samples for kib in sample.values()), default=0)

    def per_worker(self) -> dict[int, dict[str, int]]:
        """Each worker's resident memory at the first and last sample, and its highest."""
        out: dict[int, dict[str, int]] = {}
        for _, sample in self.samples:
            for pid, kib in sample.items():
                if kib == 0:
                    continue
                entry = out.setdefault(pid, {"start_kib": kib, "end_kib": kib, "peak_kib": kib})
                entry["end_kib"] = kib
                entry["peak_kib"] = max(entry["peak_kib"], kib)
        return out

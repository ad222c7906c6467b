"""Load from a second process: wrk, with a Lua script that POSTs a body drawn from a prepared list.

wrk (https://github.com/wg/wrk, Debian package `wrk`) keeps a fixed number of
connections busy for a fixed time from an event loop in C, so the load
generator is not the bottleneck of a Python server; its Lua hooks pick a new
request body per request and report the latency percentiles at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent / "load.lua"
MARKER = "BENCH_RESULT "


class LoadGeneratorMissing(RuntimeError):
    """wrk is not installed and could not be installed."""


def ensure_wrk() -> str:
    """The path of wrk; installed from Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        installed = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True, text=True, check=False
        )
        if installed.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise LoadGeneratorMissing("The benchmark needs wrk: install Debian's package with `apt-get install wrk`.")


@dataclass(frozen=True)
class Load:
    connections: int = 16
    duration: float = 10.0
    threads: int = 1
    timeout: float = 10.0


@dataclass
class Outcome:
    requests: int
    seconds: float
    failed: int
    errors: dict[str, int]
    latency_ms: dict[str, float]  # p50, p95, p99, mean, max
    bytes: int

    @property
    def unanswered(self) -> int:
        """Requests that failed or got no answer: GraphQL errors, other statuses (the Lua script counts
        those, wrk's own `status` count is the same requests), timeouts, socket errors."""
        return self.failed + sum(n for kind, n in self.errors.items() if kind != "status")

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(self.rate, 2),
            "latency_ms": self.latency_ms,
            "failed": self.unanswered,
            "failed_answers": self.failed,
            "socket_errors": self.errors,
            "bytes": self.bytes,
        }


def write_bodies(path: Path, bodies: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(body, separators=(",", ":")) + "\n" for body in bodies), encoding="utf-8")
    return path


def run(url: str, bodies: Path, token: str, load: Load) -> Outcome:
    """Drive `url` for `load.duration` seconds with `load.connections` connections."""
    command = [
        ensure_wrk(),
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={max(1, round(load.duration))}s",
        f"--timeout={max(1, round(load.timeout))}s",
        f"--script={SCRIPT}",
        url,
        "--",
        str(bodies),
        token,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=load.duration + load.timeout + 60, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix(MARKER))
    return Outcome(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        failed=raw["failed"],
        errors={k: v for k, v in raw["errors"].items() if v},
        latency_ms={k: round(v / 1000, 2) for k, v in raw["latency_us"].items()},
        bytes=raw["bytes"],
    )

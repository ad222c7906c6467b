"""The `kam` command: migrate, demo, export-schema, and a real server started from it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import domain
from kam.cli import app
from kam.settings import get_settings
from tests.stores import Store, query

runner = CliRunner()


@pytest.fixture
def db_url(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh empty database as KAM_DATABASE_URL; settings are re-read for every test."""
    url = store.empty()
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    store.drop(url)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("serve", "migrate", "demo", "export-schema"):
        assert command in result.output


def test_migrate_creates_the_tables(db_url: str) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    for table in domain.Base.metadata.tables:
        assert query(db_url, f"SELECT count(*) FROM {table}") == [(0,)]


def test_demo_migrates_and_loads_the_portfolio(db_url: str) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert query(db_url, "SELECT count(*) FROM account") == [(6,)]
    assert query(db_url, "SELECT count(*) FROM team_member") == [(8,)]


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = runner.invoke(app, ["export-schema", "--path", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "type Query" in text and "type Mutation" in text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_checks_and_graphql(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "KAM_DATABASE_URL": db_url, "KAM_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    kam = [sys.executable, "-m", "kam.cli"]
    migrated = subprocess.run([*kam, "migrate"], check=False, env=env, capture_output=True, text=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    query(
        db_url,
        "INSERT INTO team_member (name, email, role, active, created_at, updated_at, version) "
        "VALUES ('Ops', 'ops@kam.test', 'ADMIN', true, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
    )
    issued = subprocess.run([*kam, "token", "create", "--member", "ops@kam.test"], check=False, env=env, capture_output=True, text=True, timeout=60)
    assert issued.returncode == 0, issued.stderr
    (token,) = [line for line in issued.stdout.splitlines() if line.startswith("kam_")]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*kam, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, f"kam serve exited early:\n{log.read_text()}"
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"kam serve did not become healthy:\n{log.read_text()}"
            time.sleep(0.2)
        assert health.json()["database"] == "reachable"

        assert httpx.post(f"{base}/graphql", json={"query": "{ accounts { totalCount } }"}, timeout=10).status_code == 401
        response = httpx.post(
            f"{base}/graphql", json={"query": "{ accounts { totalCount } }"}, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 200
        assert response.json()["data"] == {"accounts": {"totalCount": 0}}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert f"GraphiQL: http://127.0.0.1:{port}/graphql" in log.read_text()

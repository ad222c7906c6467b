"""The `kam` command: migrate, demo, export-schema, and a real server started from it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import httpx
import pytest
import typer
from typer.testing import CliRunner

import domain
import kam.demo
from kam import cli
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
    for command in ("serve", "migrate", "demo", "recompute", "export-schema"):
        assert command in result.output


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The argument lists that reach `kam` and each of its (sub)commands."""
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


def option_line(help_text: str, option: str) -> str:
    """The help row that starts with `option` (the table's first column)."""
    rows = [line for line in help_text.splitlines() if line.strip("│ ").startswith(option + " ")]
    assert rows, f"{option} not in help:\n{help_text}"
    return rows[0]


@pytest.mark.parametrize("path", list(command_paths(typer.main.get_command(app))), ids=lambda p: " ".join(("kam", *p)))
def test_help_shows_flags_as_flags(path: tuple[str, ...]) -> None:
    """A flag's help row names no value: `--demo`, not `--demo <bool>` (typer 0.29 wrote one even for --help)."""
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for value in ("<bool>", "BOOLEAN", "bool]"):
        assert value not in result.output, result.output
    assert option_line(result.output, "--help").split("--help", 1)[1].strip(" │").startswith("Show this message")


def test_serve_help_shows_its_switches_without_a_value() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert option_line(result.output, "--demo").split("--demo", 1)[1].strip(" │").startswith("Migrate and load")
    assert option_line(result.output, "--reload").split("--no-reload", 1)[1].strip(" │").startswith("Restart on code")
    assert option_line(result.output, "--access-log").split("--no-access-log", 1)[1].strip(" │").startswith("Log a line")
    assert "<int>" in option_line(result.output, "--port") or "INTEGER" in option_line(result.output, "--port")


@pytest.fixture
def serve_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """`kam serve` with the server, the migration, the demo load and the demo token stubbed out: what it would run."""
    import uvicorn

    calls: list[tuple[str, object]] = []

    async def load_demo(url: str, *, only_if_empty: bool) -> bool:
        calls.append(("load_demo", only_if_empty))
        return True

    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append(("run", options)))
    monkeypatch.setattr(cli, "migrate", lambda revision="head": calls.append(("migrate", revision)))
    monkeypatch.setattr(kam.demo, "load_demo", load_demo)
    monkeypatch.setattr(cli, "_print_demo_token", lambda: calls.append(("demo_token", None)))
    return calls


def test_serve_demo_is_a_flag(serve_calls: list[tuple[str, object]]) -> None:
    result = runner.invoke(app, ["serve", "--demo", "--reload", "--no-access-log", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert [name for name, _ in serve_calls] == ["migrate", "load_demo", "demo_token", "run"]
    options = serve_calls[-1][1]
    assert isinstance(options, dict)
    assert options["reload"] is True and options["access_log"] is False and options["port"] == 8123


def test_serve_without_flags_takes_their_defaults(serve_calls: list[tuple[str, object]]) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert [name for name, _ in serve_calls] == ["run"]
    options = serve_calls[-1][1]
    assert isinstance(options, dict)
    assert options["reload"] is False and options["access_log"] is True


def test_serve_demo_takes_no_value(serve_calls: list[tuple[str, object]]) -> None:
    result = runner.invoke(app, ["serve", "--demo", "true"])
    assert result.exit_code == 2
    assert "true" in result.output
    assert serve_calls == []


def test_migrate_creates_the_tables(db_url: str) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    for table in domain.Base.metadata.tables:
        # Every table is empty but the scoring policy's versions: the first holds the defaults.
        expected = [(1,)] if table == "scoring_policy_version" else [(0,)]
        assert query(db_url, f"SELECT count(*) FROM {table}") == expected, table


def test_demo_migrates_and_loads_the_portfolio(db_url: str) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert query(db_url, "SELECT count(*) FROM account") == [(6,)]
    assert query(db_url, "SELECT count(*) FROM team_member") == [(8,)]


def test_recompute_recounts_the_demo(db_url: str) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    query(db_url, "UPDATE account SET interactions_365d = 0, interactions_counted_on = NULL")
    result = runner.invoke(app, ["recompute", "--batch", "4"])
    assert result.exit_code == 0, result.output
    assert "Recounted 6 accounts and 44 stakeholders" in result.output
    assert query(db_url, "SELECT count(*) FROM account WHERE interactions_365d = 0 OR interactions_counted_on IS NULL") == [(0,)]


def test_import_revenue_checks_every_row_then_loads_once(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    before = query(db_url, "SELECT count(*) FROM revenue_record")[0][0]
    header = "account,date,amount,currency,margin,product_line,reference\n"
    good = tmp_path / "good.csv"
    good.write_text(header + "Meridian Capital Bank plc,2026-01-15,1000.00,EUR,250,Pilot,INV-9001\n"
                    + "Meridian Capital Bank plc,2026-02-15,2000.00,,,,INV-9002\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "Meridian Capital Bank plc,2026-03-15,5.00,EUR,,,INV-9003\n"
                   + "Meridian Capital Bank plc,15/03/2026,-5,EUR,,,INV-9004\n" + "Nobody Ltd,2026-03-15,5,EUR,,,INV-9005\n")

    result = runner.invoke(app, ["import", "revenue", str(bad)])
    assert result.exit_code == 1, result.output
    assert "row 2, column date: is not a day written YYYY-MM-DD" in result.output
    assert "nothing was loaded" in result.output
    assert query(db_url, "SELECT count(*) FROM revenue_record")[0][0] == before

    result = runner.invoke(app, ["import", "revenue", str(good), "--member", "helena.brandt@kam-demo.example"])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 added, 0 updated, 0 unchanged, 0 refused." in result.output
    again = runner.invoke(app, ["import", "revenue", str(good)])
    assert "2 rows: 0 added, 0 updated, 2 unchanged, 0 refused." in again.output
    kept = runner.invoke(app, ["import", "revenue", str(bad), "--keep-good-rows"])
    assert kept.exit_code == 0 and "1 added" in kept.output and "row 3, column account: names no account" in kept.output
    assert query(db_url, "SELECT count(*) FROM revenue_record")[0][0] == before + 3
    assert query(db_url, "SELECT annual_value_source FROM account WHERE name = 'Meridian Capital Bank plc'") == [
        ("TRAILING_TWELVE_MONTHS",)
    ]
    assert query(db_url, "SELECT count(*) FROM audit_event WHERE operation = 'importRevenue' AND entity_type = 'RevenueRecord'") == [(3,)]


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

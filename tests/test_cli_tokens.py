"""`kam token create/list/revoke`, and the ready token that `kam demo` and `kam serve --demo` print."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from kam.app import create_app
from kam.cli import app
from kam.settings import Settings, get_settings
from tests.stores import Store, query

runner = CliRunner()
TOKEN = re.compile(r"kam_[0-9a-f]{8}_[A-Za-z0-9_-]+")
ME = "{ teamMembers(filter: {search: \"ops\"}) { totalCount } }"


@pytest.fixture
def db_url(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database as KAM_DATABASE_URL, holding an active and an inactive member."""
    url = store.copy(store.base)
    monkeypatch.setenv("KAM_DATABASE_URL", url)
    get_settings.cache_clear()
    for email, active in (("ops@kam.test", "true"), ("gone@kam.test", "false")):
        query(
            url,
            "INSERT INTO team_member (name, email, role, active, created_at, updated_at, version) "
            f"VALUES ('Ops', '{email}', 'ADMIN', {active}, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
        )
    yield url
    get_settings.cache_clear()
    store.drop(url)


async def status_with(url: str, token: str, query: str = ME) -> int:
    kam = create_app(Settings(database_url=url))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=kam), base_url="http://kam.test") as http:
            response = await http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    finally:
        await kam.state.engine.dispose()
    return response.status_code


def status(url: str, token: str, query: str = ME) -> int:
    """The HTTP status of a request with `token`, against an app on the CLI's database."""
    return asyncio.run(status_with(url, token, query))


def create(*args: str) -> str:
    result = runner.invoke(app, ["token", "create", *args])
    assert result.exit_code == 0, result.output
    (token,) = TOKEN.findall(result.output)
    return token


def test_create_prints_a_working_token_once(db_url: str) -> None:
    result = runner.invoke(app, ["token", "create", "--member", "OPS@kam.test", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    (token,) = TOKEN.findall(result.output)
    assert "shown only this once" in result.output
    assert status(db_url, token) == 200
    listing = runner.invoke(app, ["token", "list"]).output
    assert token.split("_")[1] in listing and token.split("_", 2)[2] not in listing


def test_create_refuses_unknown_and_inactive_members(db_url: str) -> None:
    unknown = runner.invoke(app, ["token", "create", "--member", "nobody@kam.test"])
    assert unknown.exit_code == 1 and "No team member" in unknown.output
    inactive = runner.invoke(app, ["token", "create", "--member", "gone@kam.test"])
    assert inactive.exit_code == 1 and "inactive" in inactive.output


def test_create_takes_an_expiry(db_url: str) -> None:
    result = runner.invoke(app, ["token", "create", "--member", "ops@kam.test", "--expires", "2999-12-31"])
    assert result.exit_code == 0 and "expires 3000-01-01 00:00Z" in result.output
    (row,) = runner.invoke(app, ["token", "list"]).output.splitlines()[1:]
    assert row.split()[0] == TOKEN.findall(result.output)[0].split("_")[1]
    assert row.split()[5:7] == ["3000-01-01", "00:00Z"]
    bad = runner.invoke(app, ["token", "create", "--member", "ops@kam.test", "--expires", "yesterday"])
    assert bad.exit_code == 2 and "--expires" in bad.output


def test_an_expired_token_is_refused(db_url: str) -> None:
    token = create("--member", "ops@kam.test", "--expires", "1h")
    assert status(db_url, token) == 200
    query(db_url, "UPDATE api_token SET expires_at = '2020-01-01 00:00:00'")
    assert status(db_url, token) == 401


def test_list_shows_every_token_without_its_secret_and_filters_by_member(db_url: str) -> None:
    assert runner.invoke(app, ["token", "list"]).output.strip() == "No API tokens."
    first = create("--member", "ops@kam.test", "--name", "ci")
    second = create("--member", "ops@kam.test", "--name", "laptop", "--expires", "30d")
    output = runner.invoke(app, ["token", "list", "--member", "ops@kam.test"]).output
    header, *rows = output.strip().splitlines()
    assert header.split() == ["PREFIX", "MEMBER", "NAME", "CREATED", "EXPIRES", "REVOKED", "LAST", "USED"]
    assert [row.split()[0] for row in rows] == [first.split("_")[1], second.split("_")[1]]
    assert all("ops@kam.test" in row for row in rows)
    for token in (first, second):
        assert token.split("_", 2)[2] not in output
    assert runner.invoke(app, ["token", "list", "--member", "nobody@kam.test"]).exit_code == 1


def test_revoke_stops_a_token_at_once(db_url: str) -> None:
    token = create("--member", "ops@kam.test")
    kept = create("--member", "ops@kam.test")
    prefix = token.split("_")[1]
    assert status(db_url, token) == 200
    result = runner.invoke(app, ["token", "revoke", prefix])
    assert result.exit_code == 0 and f"Revoked API token {prefix}" in result.output
    assert status(db_url, token) == 401
    assert status(db_url, kept) == 200
    again = runner.invoke(app, ["token", "revoke", token])
    assert again.exit_code == 0 and "already revoked" in again.output
    revoked_row = [row for row in runner.invoke(app, ["token", "list"]).output.splitlines() if row.startswith(prefix)]
    assert len(revoked_row) == 1 and revoked_row[0].split()[7] != "-"
    unknown = runner.invoke(app, ["token", "revoke", "ffffffff"])
    assert unknown.exit_code == 1 and "No API token" in unknown.output


def test_demo_prints_a_ready_admin_token_for_graphiql(db_url: str) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    (token, pasted) = TOKEN.findall(result.output)
    assert token == pasted
    header_line = next(line for line in result.output.splitlines() if line.strip().startswith("{"))
    assert json.loads(header_line) == {"Authorization": f"Bearer {token}"}
    assert "ADMIN" in result.output
    assert status(db_url, token, "{ accounts { totalCount } }") == 200


def test_serve_demo_prints_a_fresh_token_on_every_start(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    tokens = []
    for _ in range(2):
        result = runner.invoke(app, ["serve", "--demo"])
        assert result.exit_code == 0, result.output
        tokens.append(TOKEN.findall(result.output)[0])
        assert '{"Authorization": "Bearer ' in result.output
    assert tokens[0] != tokens[1]
    names = [row.split()[2] for row in runner.invoke(app, ["token", "list"]).output.splitlines()[1:]]
    assert names == ["demo", "demo"]

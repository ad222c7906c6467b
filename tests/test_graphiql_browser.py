"""GraphiQL works with no internet: its page loads nothing from another host, and a real browser runs a query in it.

A real `kam serve --demo` (SQLite) serves the page. The page and its assets are checked over HTTP: every script and
stylesheet is kam's own (`/graphiql/...`), matches the page's SRI hash and is cached for long. Then headless
Chromium (Debian's, driven by Playwright, which downloads no browser of its own) opens `/graphql` with every request
that leaves 127.0.0.1 aborted, as on a machine without internet: GraphiQL's editor renders (not "Loading..."),
the demo ADMIN's token goes into its Headers tab, the query runs, and the result pane shows the API's answer.

`KAM_TEST_BROWSER` decides the browser half: `auto` (the default) runs it when Chromium and Playwright are
installed and skips it otherwise, `required` fails without them (CI), `off` skips it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from kam.app import create_app
from kam.graphiql import ASSETS, ASSETS_DIR, OffHostAsset, offline_page
from kam.pgserver import free_port
from kam.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BROWSER_MODE = os.environ.get("KAM_TEST_BROWSER", "auto")
QUERY = "{ accounts(first: 2) { totalCount nodes { name } } }"
LOCAL_HOSTS = {"127.0.0.1"}
SERVER_START_SECONDS = 60
BROWSER_TIMEOUT_MS = 30_000


@dataclass
class Served:
    base: str
    token: str
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`kam serve --demo` on 127.0.0.1, a free port and a new SQLite database, with the settings' defaults."""
    root = tmp_path_factory.mktemp("graphiql")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env |= {"KAM_DATABASE_URL": f"sqlite+aiosqlite:///{root / 'kam.db'}", "PYTHONUNBUFFERED": "1"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    command = [sys.executable, "-m", "kam.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            assert server.poll() is None, f"kam serve exited:\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/livez", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"kam serve did not come up in {SERVER_START_SECONDS}s:\n{log.read_text()}"
            time.sleep(0.2)
        tokens = [line.strip() for line in log.read_text().splitlines() if line.strip().startswith("kam_")]
        assert len(tokens) == 1, f"no demo token in kam serve --demo's output:\n{log.read_text()}"
        yield Served(base, tokens[0], log)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def assets_of(page: str) -> list[tuple[str, str | None]]:
    """The (URL, integrity) of each <script src> and <link href> of an HTML page."""
    found = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page, re.IGNORECASE):
        url = re.search(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", tag, re.IGNORECASE)
        if url is None or url.group(1).startswith("data:"):
            continue
        integrity = re.search(r"""\bintegrity\s*=\s*["']([^"']*)["']""", tag, re.IGNORECASE)
        found.append((url.group(1), integrity.group(1) if integrity else None))
    return found


def test_the_page_loads_its_assets_from_kam_itself(served: Served) -> None:
    page = httpx.get(f"{served.base}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="graphiql"' in page.text
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page.text, re.IGNORECASE), "an off-host asset"
    assert "unpkg.com" not in page.text and "jsdelivr" not in page.text
    assets = assets_of(page.text)
    assert len(assets) == len(ASSETS)  # React, ReactDOM, js-cookie, GraphiQL's script and CSS, the explorer's two
    for url, integrity in assets:
        assert url.startswith("/graphiql/"), url
        asset = httpx.get(f"{served.base}{url}", timeout=10)  # no token: public files
        assert asset.status_code == 200, url
        assert "immutable" in asset.headers["cache-control"] and "max-age=31536000" in asset.headers["cache-control"]
        assert asset.headers["content-type"].startswith("text/css" if url.endswith(".css") else "text/javascript"), url
        # strawberry's SRI hash still holds: these are the very files the CDN served.
        assert integrity is not None and integrity.startswith("sha384-"), url
        assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(asset.content).digest()).decode(), url


def test_every_vendored_asset_is_there() -> None:
    """The files the page names are in the source tree (and so, by package-data, in an installed kam)."""
    for local in ASSETS.values():
        assert (ASSETS_DIR / local).is_file(), local
    assert (ASSETS_DIR / "README.md").is_file()


def test_a_page_with_an_unknown_cdn_asset_is_refused() -> None:
    page = '<script src="https://unpkg.com/react@99.0.0/umd/react.production.min.js"></script>'
    with pytest.raises(OffHostAsset, match="react@99"):
        offline_page(page)
    with pytest.raises(OffHostAsset):
        offline_page('<link rel="stylesheet" href="//cdn.example/x.css" />')


async def test_no_assets_are_served_when_graphiql_is_off(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'kam.db'}", graphiql=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kam.test") as http:
        assert (await http.get("/graphiql/graphiql-3.8.3/graphiql.min.js")).status_code == 404


# The browser ------------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    found = os.environ.get("KAM_TEST_CHROMIUM")
    if found:
        return found if os.access(found, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_browser(reason: str) -> None:
    if BROWSER_MODE == "required":
        pytest.fail(f"KAM_TEST_BROWSER=required: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium, Debian's (`apt-get install chromium`), driven by Playwright."""
    if BROWSER_MODE == "off":
        pytest.skip("KAM_TEST_BROWSER=off")
    executable = find_chromium()
    if executable is None:
        missing_browser("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            timeout=BROWSER_TIMEOUT_MS,
            # No name resolves but the loopback's: nothing the browser itself might fetch leaves the machine.
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            yield browser
        finally:
            browser.close()


def editor(page: Any, selector: str) -> Any:
    """The CodeMirror editor inside `selector` that is shown (the Variables and Headers tabs share one place)."""
    return page.locator(f"{selector} .CodeMirror >> visible=true").first


def type_into(page: Any, selector: str, text: str) -> None:
    """Click an editor, select what it holds and type `text` over it, as a person pasting would."""
    editor(page, selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def editor_text(page: Any, selector: str) -> str:
    return editor(page, selector).evaluate("element => element.CodeMirror.getValue()")


def test_graphiql_runs_a_query_with_no_internet(served: Served, chromium: Any, tmp_path: Path) -> None:
    expected = httpx.post(
        f"{served.base}/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {served.token}"}, timeout=10
    ).json()
    assert "errors" not in expected and expected["data"]["accounts"]["totalCount"] > 0, expected

    blocked: list[str] = []
    problems: list[str] = []

    def offline(route: Any) -> None:
        """As on a machine with no internet: only 127.0.0.1 answers."""
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = chromium.new_context(service_workers="block")
    try:
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        context.route("**/*", offline)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
        try:
            page.goto(f"{served.base}/graphql", wait_until="load")
            # React replaced "Loading..." with GraphiQL: its query editor is there.
            try:
                editor(page, ".graphiql-query-editor").wait_for(state="visible")
            except PlaywrightTimeout:
                pytest.fail(f"GraphiQL did not render (blocked off-host: {blocked}; problems: {problems})")
            assert "Loading..." not in page.locator("#graphiql").inner_text()

            page.get_by_role("button", name="Headers").click()
            headers = json.dumps({"Authorization": f"Bearer {served.token}"})
            type_into(page, ".graphiql-editor-tool", headers)
            assert editor_text(page, ".graphiql-editor-tool") == headers
            type_into(page, ".graphiql-query-editor", QUERY)
            assert editor_text(page, ".graphiql-query-editor") == QUERY

            def is_the_query(response: Any) -> bool:
                return response.request.method == "POST" and "accounts(first: 2)" in (response.request.post_data or "")

            with page.expect_response(is_the_query) as ran:
                page.locator(".graphiql-execute-button").click()
            assert ran.value.status == 200, ran.value.text()
            assert ran.value.request.headers.get("authorization") == f"Bearer {served.token}"

            result = page.locator(".graphiql-response")
            result.get_by_text('"totalCount"').wait_for(state="visible")
            assert json.loads(editor_text(page, ".graphiql-response")) == expected
            assert blocked == [], f"the page asked for something off 127.0.0.1: {blocked}"
            assert problems == [], problems

            # The harness itself: the internet is really out of reach of the page.
            cdn = "https://unpkg.com/react@18.2.0/umd/react.production.min.js"
            assert page.evaluate("url => fetch(url).then(() => 'reached', () => 'refused')", cdn) == "refused"
            assert blocked == [cdn]
        finally:
            with contextlib.suppress(PlaywrightError):  # what the page showed, for whoever reads a failure
                page.screenshot(path=str(tmp_path / "graphiql.png"), timeout=5_000)
    finally:
        context.close()

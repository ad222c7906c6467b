"""GraphiQL with no internet: strawberry's page, its assets served by kam instead of a CDN.

strawberry's GraphiQL page loads React, ReactDOM, js-cookie, GraphiQL and its explorer plugin from unpkg; with no
internet it stays on "Loading...". The same files, at the versions the page pins, are vendored in
`kam/static/graphiql/` (its README names versions and licenses), served at `/graphiql/` with long cache headers,
and the page is strawberry's own with each CDN URL replaced by the local one (the rest, such as the subscription
URL and the SRI hashes, which the local files match, is left as strawberry wrote it). A page that would still load
something from another host (strawberry upgraded to new pins, say) is refused: the app does not start, rather
than serve a page that needs the internet.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_URL = "/graphiql"

# The CDN URL in strawberry's page (strawberry-graphql 0.341) -> the vendored file, under ASSETS_DIR.
ASSETS = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react-18.2.0/react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom-18.2.0/react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js-cookie-3.0.5/js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql-3.8.3/graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql-3.8.3/graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "graphiql-plugin-explorer-1.0.2/style.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "graphiql-plugin-explorer-1.0.2/index.umd.js",
}

# A src or href that leaves the host: `http://`, `https://` or protocol-relative `//`.
OFF_HOST = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", re.IGNORECASE)

# The files' names carry their versions: a browser may keep them for a year without asking again.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class OffHostAsset(RuntimeError):
    """The IDE page would load something from another host."""


def off_host_assets(html: str) -> list[str]:
    """The URLs of `html`'s scripts, stylesheets and links that point to another host."""
    return OFF_HOST.findall(html)


def offline_page(html: str) -> str:
    """strawberry's IDE page with its CDN assets replaced by kam's own copies."""
    for cdn, local in ASSETS.items():
        html = html.replace(cdn, f"{ASSETS_URL}/{local}")
    if remaining := off_host_assets(html):
        raise OffHostAsset(
            f"GraphiQL's page loads {', '.join(remaining)} from another host; vendor it in {ASSETS_DIR} "
            "and map it in kam.graphiql.ASSETS"
        )
    return html


class PinnedFiles(StaticFiles):
    """Static files whose names change with their versions, cached by browsers for a year."""

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response


def asset_routes(enabled: bool) -> list[BaseRoute]:
    """The route serving GraphiQL's assets, when GraphiQL is served (no token needed: they are public files)."""
    return [Mount(ASSETS_URL, app=PinnedFiles(directory=ASSETS_DIR), name="graphiql")] if enabled else []

"""The baseline's Starlette app: one endpoint per benchmark query, behind kam's token check."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.baseline.reads import (
    PING,
    account_page,
    account_timeline,
    accounts_by_grade_industry,
    actions_done_by_owner_quarter,
    filtered_accounts,
    funnel,
    growth_matrix,
    moved_quadrant,
    needs_by_category_quarter,
    not_contacted,
    overdue_accounts,
    relationship_map,
    revenue_by_quarter,
)
from bench.baseline.store import Connection, Database, Sql, open_database
from bench.baseline.values import Refused, utcnow
from bench.baseline.writes import writes

LAST_USED_RESOLUTION = timedelta(minutes=1)

AUTHENTICATE = Sql("""
    SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, m.id, m.role, m.active
    FROM api_token AS t JOIN team_member AS m ON m.id = t.member_id
    WHERE t.token_hash = $1
""")
RECORD_USE = Sql("""
    UPDATE api_token SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)
""")


async def authenticate(db: Database, conn: Connection, authorization: str | None) -> int:
    """The id of the ADMIN whose API token the request carries."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "Authentication required: send `Authorization: Bearer <token>`.", "UNAUTHENTICATED")
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    found = await conn.rows(AUTHENTICATE, digest)
    if not found:
        raise Refused(401, "The API token is not known.", "UNAUTHENTICATED")
    token_id, expires_at, revoked_at, last_used_at, member_id, role, active = found[0]
    now = utcnow()
    if revoked_at is not None:
        raise Refused(401, "The API token was revoked.", "UNAUTHENTICATED")
    expires = db.moment(expires_at)
    if expires is not None and expires <= now:
        raise Refused(401, "The API token has expired.", "UNAUTHENTICATED")
    if not active:
        raise Refused(401, "The API token's team member is inactive.", "UNAUTHENTICATED")
    if role != "ADMIN":
        raise Refused(403, "The baseline serves the benchmark's ADMIN only.", "FORBIDDEN")
    last_used = db.moment(last_used_at)
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        await conn.rows(RECORD_USE, db.bind_moment(now), token_id, db.bind_moment(now - LAST_USED_RESOLUTION))
    return member_id  # type: ignore[no-any-return]


Read = Callable[[Database, Connection, dict[str, Any], int], Awaitable[Any]]
READS: dict[str, Read] = {
    "relationship_map": relationship_map,
    "account_page": account_page,
    "growth_matrix": growth_matrix,
    "filtered_accounts": filtered_accounts,
    "not_contacted": not_contacted,
    "overdue_accounts": overdue_accounts,
    "moved_quadrant": moved_quadrant,
    "account_timeline": account_timeline,
    "funnel": funnel,
    "revenue_by_quarter": revenue_by_quarter,
    "accounts_by_grade_industry": accounts_by_grade_industry,
    "needs_by_category_quarter": needs_by_category_quarter,
    "actions_done_by_owner_quarter": actions_done_by_owner_quarter,
}
ENDPOINTS = (*READS, "writes")


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def create_app(database_url: str | None = None) -> Starlette:
    """The baseline app on `database_url` (default: KAM_DATABASE_URL, as for kam itself)."""
    db = open_database(database_url or os.environ["KAM_DATABASE_URL"])

    def endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
        read = READS.get(name)

        async def serve(request: Request) -> Response:
            try:
                body = orjson.loads(await request.body())
                variables = body.get("variables") or {}
                async with db.connection() as conn:
                    member_id = await authenticate(db, conn, request.headers.get("authorization"))
                    if read is not None:
                        data = await read(db, conn, variables, member_id)
                    else:
                        data = await writes(db, conn, variables, member_id, body.get("operationName") or "")
            except Refused as exc:
                return _json({"data": None, **exc.body} if exc.status == 200 else exc.body, exc.status)
            except orjson.JSONDecodeError:
                return _json(
                    {
                        "errors": [
                            {"message": "Unable to parse request body as JSON", "extensions": {"code": "BAD_REQUEST"}}
                        ]
                    },
                    400,
                )
            return _json({"data": data})

        return serve

    async def healthz(_: Request) -> Response:
        async with db.connection() as conn:
            await conn.rows(PING)
        return _json({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await db.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            *(Route(f"/bench/{name}", endpoint(name), methods=["POST"]) for name in ENDPOINTS),
        ],
        lifespan=lifespan,
    )
    app.state.db = db
    return app

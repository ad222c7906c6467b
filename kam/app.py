"""The ASGI application: GraphQL (and GraphiQL) at /graphql, a health check at /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from domain.growth import MatrixThresholds
from kam.db import create_engine, session_factory
from kam.extensions import CloseSession, MaskUnexpectedErrors
from kam.settings import Settings, get_settings
from resolvers.context import ApiConfig, RequestContext
from schema.api import build_schema


def api_config(settings: Settings) -> ApiConfig:
    return ApiConfig(
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
        matrix_thresholds=MatrixThresholds(
            current_value=settings.growth_value_threshold, potential=settings.growth_potential_threshold
        ),
        default_currency=settings.default_currency,
    )


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


class KamGraphQL(GraphQL):
    """Strawberry's ASGI view with kam's per-request context and GraphQL-over-HTTP status codes."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        schema = build_schema(extensions=[CloseSession, MaskUnexpectedErrors])
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.sessions = session_factory(engine)
        self.config = api_config(settings)

    async def get_context(self, request: Any, response: Any) -> RequestContext:  # type: ignore[override]
        return RequestContext(session=self.sessions(), config=self.config)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # type: ignore[override]
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        try:
            response: Response = await super().run(request, context, root_value)
        except HTTPException as exc:
            if request.method == "GET" and isinstance(exc.__cause__, InvalidOperationTypeError):
                # GET never runs a mutation: 405, naming the method that would.
                return PlainTextResponse(exc.reason, status_code=405, headers={"Allow": "POST"})
            raise
        if accepts_graphql_response(request) and response.media_type == "application/json":
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:  # type: ignore[override]
        processed = await super().process_result(request, result)
        request_error = result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
        if request_error and accepts_graphql_response(request):
            # Nothing was executed (syntax, validation or variable errors): no `data`, and a 400 status.
            processed.pop("data", None)
            request.state.graphql_request_error = True
        return processed


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or get_settings()
    engine = engine or create_engine(settings.database_url, echo=settings.echo_sql)

    async def healthz(_: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(2):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            return JSONResponse({"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "reachable"})

    async def home(_: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/graphql", KamGraphQL(engine, settings)),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    return app

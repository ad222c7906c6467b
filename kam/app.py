"""The ASGI application: GraphQL (and GraphiQL) at /graphql, a health check at /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

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


class KamGraphQL(GraphQL):
    """Strawberry's ASGI view with kam's per-request context."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        schema = build_schema(extensions=[CloseSession, MaskUnexpectedErrors])
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.sessions = session_factory(engine)
        self.config = api_config(settings)

    async def get_context(self, request: Any, response: Any) -> RequestContext:  # type: ignore[override]
        return RequestContext(session=self.sessions(), config=self.config)


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

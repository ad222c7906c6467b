"""The ASGI application: GraphQL (and GraphiQL) at /graphql, a health check at /healthz."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from domain.growth import MatrixThresholds
from kam.auth import AuthenticationError, Authenticator
from kam.db import create_engine, session_factory
from kam.extensions import ROLLED_BACK, end_session, mask_unexpected, schema_extensions
from kam.graphiql import asset_routes, offline_page
from kam.health import Readiness, livez
from kam.heavy import HeavyTurns
from kam.inputs import json_problem, text_problem
from kam.limits import BodyLimit, timeout_error
from kam.compiled.direct import DirectReads
from kam.request_id import RequestIdMiddleware, current_request_id
from kam.reevaluation import Reevaluation
from kam.settings import Settings, get_settings
from kam.unavailable import RETRY_AFTER, is_unavailable, reason, says_unavailable, unavailable_error
from resolvers.access import bind_access
from resolvers.context import ApiConfig, RequestContext
from resolvers.driver import Reader, session_rows
from schema.api import build_schema


def api_config(settings: Settings, after_policy_change: Callable[[], None] | None = None) -> ApiConfig:
    return ApiConfig(
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
        matrix_thresholds=MatrixThresholds(
            current_value=settings.growth_value_threshold, potential=settings.growth_potential_threshold
        ),
        default_currency=settings.default_currency,
        after_policy_change=after_policy_change,
    )


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# The code of a request refused before GraphQL ran, by HTTP status.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
# Codes of errors that are no fault of the request's, even before execution: no 400 for them.
SERVER_SIDE_CODES = frozenset({"TIMEOUT", "INTERNAL_SERVER_ERROR"})

log = logging.getLogger("kam.errors")

GC_THRESHOLDS = (50_000, 20, 20)  # allocations before a young collection; young, then middle, collections before the next


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, without its parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def error_response(
    request: Request, message: str, status_code: int, extensions: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    """A GraphQL-shaped error for a request refused before (or outside) GraphQL execution."""
    media_type = GRAPHQL_RESPONSE_JSON if accepts_graphql_response(request) else "application/json"
    body = {"errors": [{"message": message, "extensions": extensions}]}
    return JSONResponse(body, status_code, headers=headers, media_type=media_type)


def unauthenticated(request: Request, exc: AuthenticationError) -> JSONResponse:
    return error_response(request, exc.message, 401, {"code": "UNAUTHENTICATED"}, {"WWW-Authenticate": exc.challenge})


class KamGraphQL(GraphQL):
    """Strawberry's ASGI view with kam's per-request context and GraphQL-over-HTTP status codes."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.turns = HeavyTurns(settings.heavy_query_cost)
        schema = build_schema(extensions=schema_extensions(settings, self.turns))
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        # strawberry's page with its assets served by kam (at /graphiql/), not a CDN: GraphiQL works offline.
        self.ide_html = offline_page(super().graphql_ide_html) if self.graphql_ide else ""
        self.request_timeout = settings.request_timeout
        self.max_json_depth = settings.max_json_depth
        self.max_json_items = settings.max_json_items
        self.engine = engine
        self.sessions = session_factory(engine)
        self.reevaluation = Reevaluation(engine) if settings.rejudge_on_policy_change else None
        self.config = api_config(settings, None if self.reevaluation is None else self.reevaluation.request)
        self.authenticator = Authenticator(settings, self.sessions)
        self.direct = DirectReads(self.schema, settings) if settings.compiled_reads else None

    async def get_context(self, request: Any, response: Any) -> RequestContext:  # type: ignore[override]
        return self.request_context(request)

    def request_context(self, request: Any, reader: Reader | None = None) -> RequestContext:
        """The request's context: its session is the one authentication read through, if any, else
        opened on first use; a direct read's reads go to `reader` instead."""
        state = request.state if isinstance(request, Request) else None
        context = RequestContext(
            config=self.config,
            member=getattr(state, "member", None),
            sessions=self.sessions,
            opened=getattr(state, "session", None),
            reader=reader,
        )
        if state is not None:
            state.context = context
        bind_access(context)
        return context

    @property
    def graphql_ide_html(self) -> str:
        return self.ide_html

    def serves_ide_page(self, request: Request) -> bool:
        """GraphiQL's page itself needs no token (nothing runs); the user adds one in its headers."""
        return self.graphql_ide is not None and self.should_render_graphql_ide(self.request_adapter_class(request))

    async def authenticate(self, request: Request) -> Response | None:
        """Find the caller before anything else; None when known, else the 401 to answer with.

        The request's session is opened here and handed to its GraphQL context."""
        session = request.state.session = self.sessions()
        try:
            request.state.member = await self.authenticator.authenticate(
                request.headers.get("authorization"), partial(session_rows, session)
            )
        except AuthenticationError as exc:
            return unauthenticated(request, exc)
        return None

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # type: ignore[override]
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        try:
            if not self.serves_ide_page(request):
                direct = await self.answer_directly(request)
                if direct is not None:
                    return direct
                refused = await self.authenticate(request)
                if refused is not None:
                    return refused
            response: Response = await super().run(request, context, root_value)
        except HTTPException as exc:
            if request.method == "GET" and isinstance(exc.__cause__, InvalidOperationTypeError):
                # GET never runs a mutation: 405, naming the method that would.
                return error_response(request, exc.reason, 405, {"code": "METHOD_NOT_ALLOWED"}, {"Allow": "POST"})
            code = HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST")
            return error_response(request, exc.reason, exc.status_code, {"code": code})
        except StarletteHTTPException:
            raise
        except Exception as exc:
            request_id = current_request_id.get()
            if is_unavailable(exc):  # authentication's read, a commit, a connection that timed out
                extra = {"request_id": request_id}
                log.warning("the database is unavailable (request %s): %s", request_id, reason(exc), extra=extra)
                return self.unavailable(request)
            log.exception("unexpected error (request %s)", request_id, extra={"request_id": request_id})
            masked = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
            return error_response(request, "Internal server error.", 500, masked)
        finally:
            session = getattr(request.state, "session", None)
            context = getattr(request.state, "context", None)
            if session is not None and (context is None or not context.operating):
                await session.close()  # no operation ran to end it (refused, or not a GraphQL request)
        if accepts_graphql_response(request) and response.media_type == "application/json":
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        if getattr(request.state, "unavailable", False):
            response.status_code = 503
            response.headers["Retry-After"] = RETRY_AFTER
        return response

    def unavailable(self, request: Request) -> Response:
        """503 with Retry-After: the database cannot answer now (kam/unavailable.py); the client retries."""
        body = self.encode_json({"data": None, "errors": [unavailable_error().formatted]})
        answered_as = GRAPHQL_RESPONSE_JSON if accepts_graphql_response(request) else "application/json"
        return Response(body, 503, headers={"Retry-After": RETRY_AFTER}, media_type=answered_as)

    async def answer_directly(self, request: Request) -> Response | None:
        """A query answered from its plan before, answered again without the pipeline (kam/compiled/direct.py) and
        without a session: authentication and the plan read through one pooled connection (`Reader`).
        None when the pipeline must answer it (it authenticates again, on a session of its own)."""
        if (
            self.direct is None
            or request.method != "POST"
            or media_type(request.headers.get("content-type")) != "application/json"
            or self._get_stream_transport_from_headers(request.headers) is not None
        ):
            return None
        known = self.direct.find(await request.body())
        if known is None:
            return None
        reader = Reader(self.engine)
        context: RequestContext | None = None
        try:
            try:
                member = await self.authenticator.authenticate(request.headers.get("authorization"), reader.rows)
            except AuthenticationError as exc:
                return unauthenticated(request, exc)
            request.state.member = member
            context = self.request_context(request, reader)
            body: bytes | None = None
            try:
                async with asyncio.timeout(self.request_timeout) as deadline, self.turns.admitted(self.turns.is_heavy(known.cost)):
                    body = await self.direct.answer(known, context)
            except TimeoutError:
                if not deadline.expired():
                    raise
            if body is None and not deadline.expired():
                return None  # nothing kept: the pipeline answers, with a context and a session of its own
            context.operating = True
        finally:
            if context is not None:
                await end_session(context, keep=False)  # a read: nothing to commit; the reader goes back
            else:
                await reader.close()
        if body is None:
            body = self.encode_json(process_result(self.timed_out()))
        answered_as = GRAPHQL_RESPONSE_JSON if accepts_graphql_response(request) else "application/json"
        return Response(body, 200, media_type=answered_as)

    def timed_out(self) -> ExecutionResult:
        log.warning("request %s stopped after %ss", current_request_id.get(), self.request_timeout)
        return ExecutionResult(data=None, errors=[timeout_error(self.request_timeout)])

    def encode_json(self, data: object) -> bytes:
        """orjson: a page of fifty accounts with everything below them is half a megabyte of JSON."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = json.loads(data)
        except ValueError as exc:  # not JSON, or not UTF-8
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        except RecursionError as exc:
            raise HTTPException(400, f"The request's JSON is nested more than {self.max_json_depth} levels deep, the limit.") from exc
        if not isinstance(decoded, (dict, list)):
            raise HTTPException(400, "Expected a JSON object.")
        problem = json_problem(decoded, self.max_json_depth, self.max_json_items)
        if problem is not None:
            raise HTTPException(400, f"The request's JSON {problem}.")
        name = decoded.get("operationName") if isinstance(decoded, dict) else None
        problem = text_problem(name) if isinstance(name, str) else None
        if problem is not None:  # it would be echoed in "Unknown operation named ..."
            raise HTTPException(400, f"`operationName` must not contain {problem}.")
        return decoded

    async def parse_http_body(self, request: Any) -> Any:
        content_type = media_type(request.content_type)
        if request.method == "POST" and content_type != "application/json":
            got = f"got {content_type}" if content_type else "no Content-Type was given"
            raise HTTPException(415, f"Send GraphQL requests as application/json ({got}).")
        return await super().parse_http_body(request)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        """Run one operation within the request time limit (CloseSession gives the session back either way)."""
        result: ExecutionResult | None = None
        try:
            async with asyncio.timeout(self.request_timeout) as deadline:
                result = await super().execute_single(*args, **kwargs)
        except TimeoutError:
            if not deadline.expired():
                raise
        if deadline.expired() or result is None:
            return self.timed_out()
        if result.errors:
            result.errors = mask_unexpected(result.errors)
            if any(says_unavailable(e) for e in result.errors):
                # The request as a whole could not be answered: no partial data; what its mutations wrote was
                # rolled back (CloseSession), as its ROLLED_BACK error says when they wrote anything.
                rolled_back = [e for e in result.errors if e is ROLLED_BACK]
                result.data, result.errors = None, [unavailable_error(), *rolled_back]
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:  # type: ignore[override]
        processed = await super().process_result(request, result)
        if any(says_unavailable(e) for e in result.errors or ()):
            request.state.unavailable = True  # run() answers 503 with Retry-After
            return processed
        if not getattr(getattr(request.state, "context", None), "executed", False):
            # Refused before execution began (syntax, validation, a limit, the variables: kam.extensions'
            # RequestErrorCodes notes when it begins): no `data` entry at all (GraphQL spec, "Response"); and
            # 400 to a client that accepts graphql-response+json, unless the fault is the server's.
            processed.pop("data", None)
            server_side = any((e.extensions or {}).get("code") in SERVER_SIDE_CODES for e in result.errors or ())
            if accepts_graphql_response(request) and not server_side:
                request.state.graphql_request_error = True
        return processed


class MediaTypeCase:
    """Media types are case-insensitive (RFC 9110): `APPLICATION/JSON` is JSON. strawberry compares the type
    as written, so the Content-Type's type is lowercased before it reads it (its parameters are left alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            for n, (name, value) in enumerate(headers):
                if name == b"content-type":
                    kind, semicolon, parameters = value.partition(b";")
                    if kind != kind.lower():
                        lowered = (name, kind.lower() + semicolon + parameters)
                        scope = {**scope, "headers": [*headers[:n], lowered, *headers[n + 1 :]]}
                    break
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or get_settings()
    engine = engine or create_engine(
        settings.database_url,
        echo=settings.echo_sql,
        statement_timeout=settings.request_timeout,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        busy_timeout=settings.sqlite_busy_timeout,
    )

    async def home(_: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # What a worker made before serving (modules, the schema, the engine) lives as long as it does: out of
        # the collector's sight, a full collection of what requests leave behind takes milliseconds, not 100.
        gc.freeze()
        # A request's objects (a parsed document, a 200 KB answer) mostly die by reference counting when it ends;
        # collected every 700 allocations, those of requests in flight were promoted and walked again by frequent
        # full collections (50-125 ms each, every few requests under load).
        gc.set_threshold(*GC_THRESHOLDS)
        yield
        if graphql.reevaluation is not None:
            await graphql.reevaluation.stop()
        await engine.dispose()

    graphql = KamGraphQL(engine, settings)
    readiness = Readiness(engine)
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/livez", livez),
            Route("/readyz", readiness.check),
            Route("/healthz", readiness.check),
            Route("/graphql", BodyLimit(MediaTypeCase(graphql), settings.max_body_bytes)),
            *asset_routes(settings.graphiql),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.graphql = graphql
    app.state.reevaluation = graphql.reevaluation
    # Queries the executor answered because no plan covers them (kam/compiled/fallbacks.py); None without plans.
    app.state.fallbacks = graphql.direct.planner.fallbacks if graphql.direct is not None else None
    return app

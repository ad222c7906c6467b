"""Request IDs: one per HTTP request, taken from `X-Request-ID` or made up, echoed in the response.

The ID ties what a client saw (a masked error carries it in
`extensions.requestId`) to what the server logged about the same request.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
# What a proxy's or client's ID may look like; anything else is replaced rather than logged.
ACCEPTED = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

current_request_id: ContextVar[str | None] = ContextVar("kam_request_id", default=None)


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == HEADER.lower().encode():
            sent = value.decode("latin-1")
            if ACCEPTED.fullmatch(sent):
                return sent
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request ID for the request's lifetime and adds it to the response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope["headers"])
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


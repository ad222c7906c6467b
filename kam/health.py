"""Liveness and readiness, for the probes of an orchestrator or a load balancer.

`/livez` answers as soon as the worker's event loop gets to it and touches
nothing else: if it does not answer, the process is stuck and restarting it is
right. `/readyz` (and `/healthz`, its older name) also asks the database, within
two seconds: a worker that cannot reach its database, or is too busy to hear
back in time, should get no traffic for now, but it is not dead. The answer
says which of the two it was, by watching how late the event loop ran while it
waited, so a stalled worker is never reported as a dead database. Neither
answer names exception classes or anything else of the server's insides.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger("kam.health")

CHECK_SECONDS = 2.0
TICK = 0.05  # how often the loop's lateness is sampled while the database is asked
BUSY_LAG = 0.5  # a loop this late at least once could not have heard the database in time


async def livez(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


class Readiness:
    """The readiness check of one worker's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def check(self, _: Request) -> JSONResponse:
        lag = LoopLag()
        watch = asyncio.ensure_future(lag.watch())
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except TimeoutError:
            if lag.worst >= BUSY_LAG:
                log.warning("readiness: the event loop ran %.2fs late while the database was asked", lag.worst)
                return JSONResponse({"status": "busy", "database": "unknown"}, 503, headers={"Retry-After": "1"})
            log.warning("readiness: the database did not answer within %ss", CHECK_SECONDS)
            return JSONResponse({"status": "unavailable", "database": "no answer"}, 503, headers={"Retry-After": "1"})
        except Exception:  # noqa: BLE001 - any failure to connect or ask means "not reachable"
            log.warning("readiness: the database is unreachable", exc_info=True)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503, headers={"Retry-After": "1"})
        finally:
            watch.cancel()
        return JSONResponse({"status": "ok", "database": "reachable"})


class LoopLag:
    """The most the event loop ran late while watched: how long a ready callback waited for its turn."""

    def __init__(self) -> None:
        self.worst = 0.0

    async def watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + TICK
            await asyncio.sleep(TICK)
            self.worst = max(self.worst, loop.time() - due)

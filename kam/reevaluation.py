"""A new scoring policy reaches the portfolio in the background: the worker that served the change judges
every account again in short batches (`kam.recompute.rejudge_portfolio`), as `kam recompute` would, while it
keeps serving. A change that arrives during a run starts another run after it. Each account names the
policy version it was judged under, so a run cut short (the worker stops) is finished by the next
`kam recompute`."""

from __future__ import annotations

import asyncio
import logging
from domain.base import today

from sqlalchemy.ext.asyncio import AsyncEngine

from kam.recompute import rejudge_portfolio

log = logging.getLogger("kam.reevaluation")


class Reevaluation:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def request(self) -> None:
        """A new policy version is in force: judge the portfolio again (after the run in progress, if any)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        else:
            self._again = True

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                judged = await rejudge_portfolio(self.engine, today())
                log.info("portfolio judged again under the policy in force: %d accounts", judged)
            except Exception:
                log.exception("judging the portfolio again failed; `kam recompute` finishes it")
            if not self._again:
                return

    async def idle(self) -> None:
        """Wait for the runs requested so far."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

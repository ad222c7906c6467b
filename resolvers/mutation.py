"""Running a mutation: one transaction with its audit trail, and every failure turned into userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from domain.base import utcnow
from domain.errors import DomainError, ErrorCode, UserError
from resolvers.audit.recording import recording, write_events
from resolvers.context import RequestContext
from resolvers.judgments.judging import judge_pending

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a mutation produced: the changed object, or the reasons nothing changed."""

    result: T | None = None
    errors: list[UserError] = field(default_factory=list)


async def run_mutation(
    ctx: RequestContext, work: Callable[[AsyncSession], Awaitable[T]], *, operation: str
) -> Outcome[T]:
    """Run `work` in one transaction, recorded in the audit trail as `operation` (the mutation's field name)."""
    try:
        async with ctx.transaction() as session:
            with recording(session, operation):
                result = await work(session)
                await session.flush()
                await judge_pending(session, utcnow().date())
                await write_events(session)
    except DomainError as exc:
        return Outcome(errors=exc.errors)
    except StaleDataError:
        return Outcome(
            errors=[UserError("version", "Someone else changed this object first; read it again.", ErrorCode.CONFLICT)]
        )
    except IntegrityError:
        return Outcome(
            errors=[UserError(None, "The change conflicts with existing data.", ErrorCode.DUPLICATE)]
        )
    return Outcome(result=result)

"""An account's quadrant moves as judgment transitions, derived from its growth assessments.

The quadrant an account had on a day is that of its latest assessment up to that day, so a back-dated
assessment or a deleted one can change moves long past: the moves are rebuilt from the whole history in
order (assessed on, then recorded), one wherever the quadrant differs from the one before, by two
statements whatever the history's length. Writers of assessments call `rebuild_quadrant_moves` in their
transaction, after their assessments are flushed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from sqlalchemy import Insert, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.growth import GrowthAssessment
from domain.judgment import JudgmentKind, JudgmentTransition, TransitionCause


def moves_insert(account_ids: Sequence[int]) -> Insert:
    """INSERT ... SELECT of the accounts' quadrant moves: each assessment whose quadrant differs from the
    one before it in (assessed_on, id) order (the first: from none), on its day, by its assessor."""
    a = GrowthAssessment
    history = select(
        a.id, a.account_id, a.assessed_on, a.quadrant, a.assessed_by_id,
        func.lag(a.quadrant).over(partition_by=a.account_id, order_by=(a.assessed_on, a.id)).label("previous"),
    ).where(a.account_id.in_(account_ids)).subquery()
    h = history.c
    moves = (
        select(
            h.account_id, literal(JudgmentKind.QUADRANT, JudgmentTransition.kind.type), h.previous, h.quadrant,
            h.assessed_on, literal(TransitionCause.ASSESSMENT, JudgmentTransition.cause.type), h.assessed_by_id,
        )
        .where(h.previous.is_distinct_from(h.quadrant))
        # In order, so that moves of one day keep their order by id.
        .order_by(h.account_id, h.assessed_on, h.id)
    )
    t = JudgmentTransition
    columns = [t.account_id, t.kind, t.from_value, t.to_value, t.changed_on, t.cause, t.by_id]
    return insert(t).from_select(columns, moves)


async def rebuild_quadrant_moves(session: AsyncSession, account_ids: Iterable[int]) -> None:
    """Replace the accounts' QUADRANT transitions with those their assessments give now."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    await session.flush()
    await session.execute(
        delete(JudgmentTransition).where(
            JudgmentTransition.account_id.in_(ids), JudgmentTransition.kind == JudgmentKind.QUADRANT
        )
    )
    await session.execute(moves_insert(ids))


def quadrant_moves(history: Iterable[tuple[date, str, int | None]]) -> Iterator[tuple[str | None, str, date, int | None]]:
    """(from, to, day, by) of one account's quadrant moves, from the (day, quadrant, assessor) of its assessments
    in the order `moves_insert` reads them: for writers that hold the assessments (the portfolio generator)."""
    before = None
    for day, quadrant, by_id in history:
        if quadrant != before:
            yield before, quadrant, day, by_id
        before = quadrant

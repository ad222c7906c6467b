"""Judging accounts: each one's grade from its evidence under the policy in force, and when its next
contact is due; kept on the account's row with the explanation beside it (domain/judgment.py).

A batch of accounts is judged in a few statements whatever its size: the policy, the accounts' rows, their
open needs and their open deals (grouped), then the writes; a grade that moves is a dated transition. Writes of the evidence call it within their
own transaction for the accounts they touched; `kam recompute` calls it for the portfolio as days pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account, Grade, RelationshipStage
from domain.cadence import next_contact_due
from domain.grading import CLEAR_STATUSES, GradeInputs, GradeResult, grade_of
from domain.judgment import AccountJudgment, JudgmentKind, JudgmentTransition, TransitionCause, factors_document
from domain.need import OPEN_STATUSES, Need, NeedVisibility
from domain.opportunity import OPEN_STAGES, Opportunity, OpportunityStage
from domain.policy import ScoringPolicy
from domain.revenue import AnnualValueSource
from resolvers.kept import write_kept
from resolvers.policy.reads import policy_in_force

PER_STATEMENT = 5000  # accounts bound in one statement: well under what any driver takes

# Relationship stages at which an account counts as an established customer for the sales-stage factor.
ESTABLISHED = frozenset({RelationshipStage.REPEAT_CUSTOMER, RelationshipStage.PREFERRED_SUPPLIER, RelationshipStage.STRATEGIC_PARTNER})


def furthest(stages: Iterable[OpportunityStage]) -> OpportunityStage | None:
    """The furthest of some open stages, in funnel order."""
    found = [s for s in stages if s in OPEN_STAGES]
    return max(found, key=OPEN_STAGES.index) if found else None


def inputs_of(row: Any, needs: tuple[int, int], stages: Iterable[OpportunityStage]) -> GradeInputs:
    """An account's grade evidence from its row (entered and current value, where the current one comes
    from, interactions in 90 days, relationship stage), its open and clear needs and its open deals' stages."""
    _id, entered, current, source, interactions_90d, relationship, *_rest = row
    ttm = current if source == AnnualValueSource.TRAILING_TWELVE_MONTHS.name else None
    return GradeInputs(
        open_needs=needs[0],
        clear_needs=needs[1],
        trailing_revenue=ttm,
        current_annual_value=entered,
        interactions_90d=interactions_90d,
        furthest_open_stage=furthest(stages),
        repeat_or_closer=relationship in ESTABLISHED,
    )


def judged_values(result: GradeResult, due: date, version: int, today: date) -> dict[str, object]:
    return {
        "judged_grade": result.grade,
        "grade_score": Decimal(str(result.score)),
        "next_contact_day": due.toordinal(),
        "judged_policy_version": version,
        "judged_on": today,
    }


async def judge_accounts(
    session: AsyncSession, account_ids: Iterable[int], today: date, policy: tuple[int, ScoringPolicy] | None = None
) -> None:
    """Judge the accounts (those that still exist) as of `today` under the policy in force (or `policy`, a
    version and its settings, when the caller read it once for many batches)."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    if policy is None:
        stored = await policy_in_force(session)
        policy = (stored.id, stored.policy)
    for start in range(0, len(ids), PER_STATEMENT):
        await _judge(session, ids[start : start + PER_STATEMENT], today, policy)


async def _judge(session: AsyncSession, ids: list[int], today: date, policy: tuple[int, ScoringPolicy]) -> None:
    version, settings = policy
    rows = (
        await session.execute(
            select(
                Account.id, Account.entered_annual_value, Account.current_annual_value, Account.annual_value_source,
                Account.interactions_90d, Account.relationship_stage, Account.last_interaction_day, Account.created_at,
                Account.judged_grade,
            ).where(Account.id.in_(ids))
        )
    ).all()
    if not rows:
        return
    found = [row[0] for row in rows]
    clear = (Need.visibility == NeedVisibility.EXPLICIT) & Need.status.in_(CLEAR_STATUSES)
    needs = {
        account: (int(n), int(c))
        for account, n, c in (
            await session.execute(
                select(Need.account_id, func.count(), func.count(case((clear, 1))))
                .where(Need.account_id.in_(found), Need.status.in_(OPEN_STATUSES))
                .group_by(Need.account_id)
            )
        ).all()
    }
    stages: dict[int, list[OpportunityStage]] = defaultdict(list)
    for account, stage in (
        await session.execute(
            select(Opportunity.account_id, Opportunity.stage)
            .where(Opportunity.account_id.in_(found), Opportunity.stage.in_(OPEN_STAGES))
            .group_by(Opportunity.account_id, Opportunity.stage)
        )
    ).all():
        stages[account].append(stage)
    values: dict[int, dict[str, object]] = {}
    explanations = []
    transitions = []
    for row in rows:
        account_id, last_day, created_at, before = row[0], row[6], row[7], row[8]
        result = grade_of(inputs_of(row, needs.get(account_id, (0, 0)), stages.get(account_id, ())), settings)
        last = date.fromordinal(last_day) if last_day else None
        due = next_contact_due(last, result.grade, settings, since=created_at.date())
        values[account_id] = judged_values(result, due, version, today)
        explanations.append({"account_id": account_id, "grade_factors": factors_document(result.factors)})
        if result.grade is not before:
            transitions.append(rule_transition(account_id, before, result, version, today))
    await write_kept(session, Account, values)
    await session.execute(delete(AccountJudgment).where(AccountJudgment.account_id.in_(found)))
    await session.execute(insert(AccountJudgment), explanations)
    if transitions:
        await session.execute(insert(JudgmentTransition), transitions)


def rule_transition(account_id: int, before: Grade | None, result: GradeResult, version: int, today: date) -> dict[str, Any]:
    """The rules moved an account's judged grade (from none at its first judgment)."""
    return {
        "account_id": account_id,
        "kind": JudgmentKind.GRADE,
        "from_value": None if before is None else before.name,
        "to_value": result.grade.name,
        "changed_on": today,
        "cause": TransitionCause.RULE,
        "policy_version": version,
        "score": Decimal(str(result.score)),
    }


_PENDING = "judgments.pending"  # session.info key: accounts a running write changed the evidence of


def rejudge(session: AsyncSession, account_id: int) -> None:
    """The running write changed the account's evidence: it is judged again before the write commits."""
    session.info.setdefault(_PENDING, set()).add(account_id)


async def judge_pending(session: AsyncSession, today: date) -> None:
    """Judge the accounts the running write changed the evidence of (`rejudge`), in its transaction."""
    ids = session.info.pop(_PENDING, None)
    if ids:
        await judge_accounts(session, ids, today)

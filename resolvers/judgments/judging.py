"""Judging accounts: each one's grade, stages, health and churn warning, key-account recommendation and
predicted lifetime value from its evidence under the policy in force, people's overrides applied, and when
its next contact is due; kept on the account's row with the explanations beside it (domain/judgment.py).

A batch of accounts is judged in a fixed number of statements whatever its size (resolvers/judgments/
evidence.py reads, then the writes); every value in force that moves is a dated transition with its cause.
Writes of the evidence call it within their own transaction for the accounts they touched; `kam recompute`
calls it for the portfolio as days pass. The order matters: the relationship stage feeds the grade's sales
stage, the grade in force sets the cadence that health's recency is judged by, and the churn warning moves
the lifecycle stage.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account, Grade, RelationshipStage
from domain.cadence import cadence_days, next_contact_due
from domain.grading import GradeInputs, GradeResult, grade_of
from domain.health import HealthInputs, HealthResult, health_of
from domain.judgment import AccountJudgment, JudgmentKind, JudgmentTransition, TransitionCause, to_document
from domain.judgment_override import IN_FORCE_COLUMN, OVERRIDE_VALUES, JudgmentOverride, OverrideKind, transition_kind
from domain.key_account import KeyAccountInputs, KeyAccountRecommendation, key_account_recommendation
from domain.lifetime_value import LifetimeValue, lifetime_value_of
from domain.opportunity import OPEN_STAGES, OpportunityStage
from domain.policy import ScoringPolicy
from domain.revenue import AnnualValueSource
from domain.stages import LifecycleStageResult, RelationshipStageResult, StageInputs, lifecycle_stage_of, relationship_stage_of
from resolvers.judgments.evidence import Evidence, gather
from resolvers.kept import write_kept
from resolvers.policy.reads import policy_in_force

PER_STATEMENT = 5000  # accounts bound in one statement: well under what any driver takes

# Relationship stages at which an account counts as an established customer for the sales-stage factor.
ESTABLISHED = frozenset({RelationshipStage.REPEAT_CUSTOMER, RelationshipStage.PREFERRED_SUPPLIER, RelationshipStage.STRATEGIC_PARTNER})


def furthest(stages: Iterable[OpportunityStage]) -> OpportunityStage | None:
    """The furthest of some open stages, in funnel order."""
    found = [s for s in stages if s in OPEN_STAGES]
    return max(found, key=OPEN_STAGES.index) if found else None


@dataclass(frozen=True, slots=True)
class Judged:
    """One account's judgments: the rules' results and the values in force (an override's while it holds)."""

    grade: GradeResult
    relationship: RelationshipStageResult
    lifecycle: LifecycleStageResult
    health: HealthResult
    key_account: KeyAccountRecommendation
    lifetime: LifetimeValue | None
    in_force: dict[OverrideKind, enum.Enum | None]
    next_contact_on: date


def held(evidence: Evidence, kind: OverrideKind, today: date) -> JudgmentOverride | None:
    override = evidence.overrides.get(kind)
    return override if override is not None and override.holds(today) else None


def judge_one(evidence: Evidence, today: date, policy: ScoringPolicy) -> Judged:
    """An account's judgments from its evidence, as of `today`."""
    row = evidence.row

    def in_force(kind: OverrideKind, rules: enum.Enum | None) -> Any:
        override = held(evidence, kind, today)
        return rules if override is None else OVERRIDE_VALUES[kind][override.value]

    bought = [d for d in (evidence.last_won_on, row.revenue_last_order_on) if d is not None]
    stage_inputs = StageInputs(
        won_deals=evidence.won_deals,
        orders=evidence.orders,
        last_bought_on=max(bought) if bought else None,
        furthest_open_stage=furthest(evidence.open_stages),
        churn_warning=False,
        entered_relationship=row.relationship_stage,
        today=today,
    )
    relationship = relationship_stage_of(stage_inputs)
    relationship_in_force: RelationshipStage = in_force(OverrideKind.RELATIONSHIP_STAGE, relationship.stage)

    ttm = row.current_annual_value if row.annual_value_source == AnnualValueSource.TRAILING_TWELVE_MONTHS.name else None
    grade = grade_of(
        GradeInputs(
            open_needs=evidence.open_needs,
            clear_needs=evidence.clear_needs,
            trailing_revenue=ttm,
            current_annual_value=row.entered_annual_value,
            interactions_90d=row.interactions_90d,
            furthest_open_stage=stage_inputs.furthest_open_stage,
            repeat_or_closer=relationship_in_force in ESTABLISHED,
        ),
        policy,
    )
    grade_in_force: Grade = in_force(OverrideKind.GRADE, grade.grade)
    last = date.fromordinal(row.last_interaction_day) if row.last_interaction_day else None
    due = next_contact_due(last, grade_in_force, policy, since=row.created_at.date())

    health = health_of(
        HealthInputs(
            days_since_last_interaction=None if last is None else max((today - last).days, 0),
            cadence_days=cadence_days(grade_in_force, policy),
            support_index=evidence.support_index,
            overdue_actions=evidence.overdue_actions,
            open_actions=evidence.open_actions,
            revenue_last_12=evidence.revenue_last_12,
            revenue_previous_12=evidence.revenue_previous_12,
            days_since_created=max((today - row.created_at.date()).days, 0),
        ),
        policy,
    )
    lifecycle = lifecycle_stage_of(
        replace(stage_inputs, churn_warning=health.churn_warning),
        lapsed_after_days=policy.lifecycle_lapsed_after_days,
    )
    first_deals = [d for d in (evidence.first_won_on, evidence.first_order_on) if d is not None]
    key_account = key_account_recommendation(
        KeyAccountInputs(
            estimated_wallet=row.estimated_wallet or None,  # 0: never estimated
            growth_potential=None if row.assessed_potential is None else Decimal(row.assessed_potential),
            first_won_on=min(first_deals) if first_deals else None,
            strategic_fit=row.strategic_fit,
            today=today,
        ),
        policy,
    )
    return Judged(
        grade=grade,
        relationship=relationship,
        lifecycle=lifecycle,
        health=health,
        key_account=key_account,
        lifetime=lifetime_value_of(row.revenue_margin_to_date, evidence.first_order_on, today, policy),
        in_force={
            OverrideKind.GRADE: grade_in_force,
            OverrideKind.VALUE_TIER: in_force(OverrideKind.VALUE_TIER, row.ranked_value_tier),
            OverrideKind.LIFECYCLE_STAGE: in_force(OverrideKind.LIFECYCLE_STAGE, lifecycle.stage),
            OverrideKind.RELATIONSHIP_STAGE: relationship_in_force,
        },
        next_contact_on=due,
    )


def account_values(judged: Judged, version: int, today: date) -> dict[str, object]:
    """The judgments kept on the account's row (`JUDGMENT_COLUMNS`)."""
    return {
        **{IN_FORCE_COLUMN[kind]: value for kind, value in judged.in_force.items()},
        "grade_score": Decimal(str(judged.grade.score)),
        "next_contact_day": judged.next_contact_on.toordinal(),
        "health_score": Decimal(str(judged.health.score)),
        "health_band": judged.health.band,
        "key_account_score": Decimal(str(judged.key_account.score)),
        "key_account_recommended": judged.key_account.recommended,
        "predicted_lifetime_value": None if judged.lifetime is None else judged.lifetime.predicted,
        "judged_policy_version": version,
        "judged_on": today,
    }


def explanation(account_id: int, judged: Judged) -> dict[str, object]:
    """The explanations kept beside the row (`account_judgment`)."""
    return {
        "account_id": account_id,
        "grade_factors": to_document(judged.grade.factors),
        "rule_grade": judged.grade.grade.name,
        "rule_lifecycle_stage": judged.lifecycle.stage.name,
        "rule_relationship_stage": judged.relationship.stage.name,
        "health": to_document(judged.health),
        "key_account": to_document(judged.key_account),
        "stages": {"relationship": to_document(judged.relationship), "lifecycle": to_document(judged.lifecycle)},
        "lifetime": None if judged.lifetime is None else to_document(judged.lifetime),
    }


def transitions_of(
    evidence: Evidence, judged: Judged, version: int, today: date, people: dict[tuple[int, OverrideKind], tuple[int | None, str]]
) -> list[dict[str, Any]]:
    """The dated transitions of the values in force that moved, each with its cause: a person who set or
    cleared an override in the running write (with their reason), an override that ended at its expiry, or
    the rules (with the policy version, and the score for a grade or a health band)."""
    row = evidence.row
    found = []

    def moved(kind: Any, before: enum.Enum | None, after: enum.Enum | None, cause: TransitionCause, **more: Any) -> None:
        if after is None or before is after:
            return
        found.append({
            "account_id": row.id, "kind": kind, "from_value": None if before is None else before.name,
            "to_value": after.name, "changed_on": today, "cause": cause, "policy_version": None, "score": None,
            "by_id": None, "reason": None, **more,
        })

    rule = {"policy_version": version}
    for kind, column in IN_FORCE_COLUMN.items():
        after = judged.in_force[kind]
        person = people.get((row.id, kind))
        override = evidence.overrides.get(kind)
        if person is not None:
            moved(transition_kind(kind), getattr(row, column), after, TransitionCause.PERSON, by_id=person[0], reason=person[1])
        elif override is not None and not override.holds(today):
            moved(transition_kind(kind), getattr(row, column), after, TransitionCause.EXPIRY, **rule)
        else:
            score = Decimal(str(judged.grade.score)) if kind is OverrideKind.GRADE and held(evidence, kind, today) is None else None
            moved(transition_kind(kind), getattr(row, column), after, TransitionCause.RULE, **rule, score=score)
    moved(JudgmentKind.HEALTH_BAND, row.health_band, judged.health.band, TransitionCause.RULE, **rule, score=Decimal(str(judged.health.score)))
    return found


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
    found = await gather(session, ids, today)
    if not found:
        return
    people = session.info.get(_PEOPLE, {})
    values: dict[int, dict[str, object]] = {}
    explanations, transitions, ended = [], [], []
    for account_id, evidence in found.items():
        judged = judge_one(evidence, today, settings)
        values[account_id] = account_values(judged, version, today)
        explanations.append(explanation(account_id, judged))
        transitions += transitions_of(evidence, judged, version, today, people)
        ended += [o.id for o in evidence.overrides.values() if not o.holds(today)]
    await write_kept(session, Account, values)
    await session.execute(delete(AccountJudgment).where(AccountJudgment.account_id.in_(list(found))))
    await session.execute(insert(AccountJudgment), explanations)
    if transitions:
        await session.execute(insert(JudgmentTransition), transitions)
    if ended:
        await session.execute(delete(JudgmentOverride).where(JudgmentOverride.id.in_(ended)))


_PENDING = "judgments.pending"  # session.info key: accounts a running write changed the evidence of
_PEOPLE = "judgments.people"  # session.info key: (account, kind) -> (member id, reason) of overrides set or cleared


def rejudge(session: AsyncSession, account_id: int) -> None:
    """The running write changed the account's evidence: it is judged again before the write commits."""
    session.info.setdefault(_PENDING, set()).add(account_id)


def overridden(session: AsyncSession, account_id: int, kind: OverrideKind, by_id: int | None, reason: str) -> None:
    """The running write set or cleared a person's override: the account is judged again, and a value in force
    that moves is the person's transition, with their reason."""
    session.info.setdefault(_PEOPLE, {})[(account_id, kind)] = (by_id, reason)
    rejudge(session, account_id)


async def judge_pending(session: AsyncSession, today: date) -> None:
    """Judge the accounts the running write changed the evidence of (`rejudge`), in its transaction."""
    ids = session.info.pop(_PENDING, None)
    if ids:
        await judge_accounts(session, ids, today)
    session.info.pop(_PEOPLE, None)

"""The scoring policy as clients see it: the version in force, its history, and changing it (ADMINs).

Every setting of domain.policy.ScoringPolicy is a field of `ScoringPolicy` and an optional field of
`ScoringPolicyChangeInput`, under the same camelCase name the `userErrors` of a refused change use;
both types are made from one table of descriptions, so a new setting is one line here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain import policy as rules
from domain.policy_version import ScoringPolicyVersion
from resolvers.mutation import Outcome
from resolvers.pagination import page_request
from resolvers.policy import mutations, reads
from schema.common import member_of, After, Before, Connection, First, Last, UserError, context, mutate, user_errors
from schema.team import TeamMember

# What each setting means, for the reader of GraphiQL (DOMAIN.md section 9 gives the defaults).
SETTINGS: dict[str, str] = {
    "grade_need_clarity_weight": "Grade points of need clarity: the share of open needs that are explicit and validated.",
    "grade_value_weight": "Grade points of value: trailing-twelve-month revenue (else the entered value) against `gradeFullValue`.",
    "grade_interaction_frequency_weight": "Grade points of interaction frequency: interactions in 90 days against what the A cadence expects.",
    "grade_sales_stage_weight": "Grade points of the sales stage: the furthest open opportunity's stage credit.",
    "grade_full_value": "Yearly revenue (account currency) that earns all value points.",
    "grade_a_from": "Score from which an account is graded A.",
    "grade_b_from": "Score from which an account is graded B.",
    "grade_c_from": "Score from which an account is graded C (below: D).",
    "stage_credit_initial_contact": "Share of the sales-stage points a furthest open deal in INITIAL_CONTACT earns (0-1).",
    "stage_credit_needs_analysis": "Share of the sales-stage points for NEEDS_ANALYSIS (0-1).",
    "stage_credit_solution_design": "Share of the sales-stage points for SOLUTION_DESIGN (0-1).",
    "stage_credit_quotation": "Share of the sales-stage points for QUOTATION (0-1).",
    "stage_credit_signing": "Share of the sales-stage points for SIGNING (0-1).",
    "stage_credit_established": "Share a repeat customer (or closer relationship) earns at least, with or without an open deal (0-1).",
    "cadence_a_days": "Days between contacts an A account expects; longer without one is overdue.",
    "cadence_b_days": "Days between contacts a B account expects.",
    "cadence_c_days": "Days between contacts a C account expects.",
    "cadence_d_days": "Days between contacts a D account expects.",
    "value_tier_high_up_to": "ABC analysis: accounts making up the first this-many per cent of revenue are HIGH.",
    "value_tier_medium_up_to": "ABC analysis: then up to this cumulative per cent MEDIUM; the rest LOW.",
    "health_recency_weight": "Health points of recency: days since the last interaction against the grade's cadence.",
    "health_satisfaction_weight": "Health points of satisfaction (latest NPS/CSAT and its trend).",
    "health_complaints_weight": "Health points of open complaints, weighted by severity.",
    "health_organisational_support_weight": "Health points of organisational support (the relationship map's support index).",
    "health_plan_progress_weight": "Health points of plan progress (overdue actions).",
    "health_revenue_trend_weight": "Health points of the revenue trend (last twelve months against the twelve before).",
    "health_recency_zero_at_cadences": "Recency earns nothing from this many cadences since the last interaction.",
    "health_trend_full_ratio": "Revenue ratio (last 12 months / the 12 before) that earns all trend points.",
    "health_trend_zero_ratio": "Revenue ratio at or below which the trend earns nothing.",
    "health_healthy_from": "Health score from which an account is HEALTHY.",
    "churn_warning_below": "Health score below which an account gets a churn warning (AT_RISK).",
    "key_account_purchasing_power_weight": "Key-account points of purchasing power (the estimated wallet).",
    "key_account_cooperation_potential_weight": "Key-account points of cooperation potential (the growth potential).",
    "key_account_relationship_length_weight": "Key-account points of the relationship's length (years since the first won deal).",
    "key_account_strategic_fit_weight": "Key-account points of a planner's strategic-fit rating.",
    "key_account_full_wallet": "Estimated wallet that earns all purchasing-power points.",
    "key_account_full_potential": "Growth potential that earns all cooperation-potential points.",
    "key_account_full_years": "Years since the first won deal that earn all relationship points.",
    "key_account_from": "Score from which an account is recommended as a key account.",
    "lifetime_retention_rate": "Yearly retention rate the predicted lifetime value assumes (0-1).",
    "lifetime_discount_rate": "Yearly rate future margins are discounted at (0-1).",
    "lifetime_max_years": "Years ahead the predicted lifetime value counts at most.",
    "lifecycle_lapsed_after_days": "Days after its last purchase a customer has lapsed (CHURNED, or WIN_BACK while a deal is open).",
}


def _settings(optional: bool) -> dict[str, Any]:
    """The settings as strawberry fields: required (the policy), or optional and unset (a change)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for name in rules.FIELDS:
        kind = rules.SETTING_TYPES[name]
        if optional:
            annotations[name] = kind | None
            namespace[name] = strawberry.field(default=strawberry.UNSET, description=SETTINGS[name])
        else:
            annotations[name] = kind
            namespace[name] = strawberry.field(description=SETTINGS[name])
    return namespace


PolicySettings = strawberry.type(
    type("PolicySettings", (), _settings(optional=False)),
    name="ScoringPolicySettings",
    description="Every weight, threshold and period the judgments use; weights of a group add up to 100.",
)

_CHANGES = _settings(optional=True)
ScoringPolicyChangeInput = strawberry.input(
    type(
        "ScoringPolicyChangeInput",
        (),
        {
            **_CHANGES,
            "__annotations__": {"reason": str, "version": int | None, **_CHANGES["__annotations__"]},
            "reason": strawberry.field(description="Why the policy changes; recorded with the new version."),
            "version": strawberry.field(
                default=None, description="The version you read; refused with CONFLICT when another is in force by now."
            ),
        },
    ),
    description="A change of the scoring policy: the settings given change, the others stay as they are.",
)


@strawberry.type(description="One version of the scoring policy: the weights, thresholds and periods of every judgment.")
class ScoringPolicy:
    """Answered from a `ScoringPolicyVersion` row."""

    reason: str = strawberry.field(description="Why this version was made.")
    created_at: datetime = strawberry.field(description="When this version was made (UTC).")

    @strawberry.field(description="The version number; every computed judgment names the version it came from.")
    def version(self) -> int:
        return self.id  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="Who made this version; null for the defaults.")
    async def created_by(self, info: Info) -> TeamMember | None:
        return await member_of(info, self.created_by_id)  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="The settings of this version.")
    def settings(self) -> PolicySettings:  # type: ignore[valid-type]
        policy = rules.from_document(self.document)  # type: ignore[attr-defined]
        return PolicySettings(**{name: getattr(policy, name) for name in rules.FIELDS})  # type: ignore[no-any-return]


@strawberry.type(description="Result of a change of the scoring policy.")
class ScoringPolicyPayload:
    scoring_policy: ScoringPolicy | None = strawberry.field(description="The policy in force now; null if refused.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _payload(outcome: Outcome[ScoringPolicyVersion]) -> ScoringPolicyPayload:
    return ScoringPolicyPayload(scoring_policy=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="The scoring policy in force, or the given version of it (null if there is none).")
    async def scoring_policy(
        self,
        info: Info,
        version: Annotated[int | None, strawberry.argument(description="A version number; the one in force if left out.")] = None,
    ) -> ScoringPolicy | None:
        return await reads.policy_version(context(info), version)  # type: ignore[return-value]

    @strawberry.field(description="Every version of the scoring policy, newest first.")
    async def scoring_policy_versions(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[ScoringPolicy]:
        ctx = context(info)
        page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
        return Connection(page=await reads.list_versions(ctx, page))


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(
        description=(
            "Change the scoring policy (ADMINs): a new version with the settings given, the others as they are; refused"
            " whole when a setting is out of range or a group's weights do not add up to 100. Nothing changed: the"
            " version in force, no new one."
        )
    )
    async def scoring_policy_change(self, info: Info, input: ScoringPolicyChangeInput) -> ScoringPolicyPayload:  # type: ignore[valid-type]
        given = {k: v for k, v in vars(input).items() if v is not strawberry.UNSET}
        reason, version = given.pop("reason"), given.pop("version", None)
        outcome = await mutate(info, lambda s: mutations.change_policy(s, given, reason, version))
        ctx = context(info)
        if ctx.opened is not None and ctx.opened.info.pop(mutations.POLICY_CHANGED, False) and ctx.config.after_policy_change:
            ctx.after_commit.append(ctx.config.after_policy_change)  # the portfolio is judged again once it is kept
        return _payload(outcome)

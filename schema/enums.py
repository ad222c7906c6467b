"""The domain's enums as GraphQL enums: the same Python classes, described for the client."""

from __future__ import annotations

import strawberry

from domain import (
    account, grading, growth, health, interaction, judgment, judgment_override, key_account, need, opportunity, plan, revenue,
    stages, stakeholder, team,
)

MemberRole = strawberry.enum(team.MemberRole, description="What a team member may do in kam as a whole.")
TeamRole = strawberry.enum(team.TeamRole, description="A team member's role on one account's team.")
Grade = strawberry.enum(
    account.Grade,
    description="Account grade: A (clear needs, high value, frequent contact, late stage) to D (vague needs, low value, little contact).",
)
ValueTier = strawberry.enum(account.ValueTier, description="Value tier by revenue or profit contribution.")
RelationshipStage = strawberry.enum(
    account.RelationshipStage, description="How close the relationship is, from prospect to strategic partner."
)
LifecycleStage = strawberry.enum(
    account.LifecycleStage, description="Customer lifecycle stage, including churn early-warning and win-back."
)
GrowthQuadrant = strawberry.enum(
    growth.GrowthQuadrant,
    description=(
        "Quadrant of the growth-potential matrix: DEVELOP (low value, high potential), STRATEGIC (high, high), "
        "MAINTAIN (high value, low potential), MONITOR (low, low)."
    ),
)
BuyingRole = strawberry.enum(stakeholder.BuyingRole, description="Role in the buying decision; a person may hold several.")
Attitude = strawberry.enum(stakeholder.Attitude, description="Attitude toward us, from CHAMPION (+2) to OPPONENT (-2).")
Influence = strawberry.enum(stakeholder.Influence, description="How much weight a stakeholder carries in the decision.")
DecisionLevel = strawberry.enum(stakeholder.DecisionLevel, description="Level in the customer's organisation.")
LinkStrength = strawberry.enum(stakeholder.LinkStrength, description="How strongly one stakeholder sways another.")
CoverageStrength = strawberry.enum(
    stakeholder.CoverageStrength, description="How well one of our people knows a stakeholder."
)
NeedCategory = strawberry.enum(need.NeedCategory, description="Functional, emotional or social need.")
NeedVisibility = strawberry.enum(need.NeedVisibility, description="EXPLICIT (said out loud) or IMPLICIT (inferred by us).")
NeedStatus = strawberry.enum(need.NeedStatus, description="Where a need stands, from identified to met or dropped.")
Priority = strawberry.enum(need.Priority, description="How urgent a need is.")
Quarter = strawberry.enum(need.Quarter, description="A quarter of the calendar year (four-seasons table).")
PlanStatus = strawberry.enum(plan.PlanStatus, description="Where an account plan stands.")
ActionStatus = strawberry.enum(plan.ActionStatus, description="Where an action stands.")
InteractionKind = strawberry.enum(interaction.InteractionKind, description="How we were in touch: a call, an email, a meeting, a visit, an event, a message.")
InteractionDirection = strawberry.enum(
    interaction.InteractionDirection,
    description="Who reached out: we did (OUTBOUND), the customer did (INBOUND), or both sides met as agreed (MUTUAL).",
)
OpportunityStage = strawberry.enum(
    opportunity.OpportunityStage,
    description="Where a deal stands in the sales funnel: five open stages, then WON or LOST.",
)
ContactRole = strawberry.enum(opportunity.ContactRole, description="The part a stakeholder plays in one deal.")
Grain = strawberry.enum(revenue.Grain, description="A length of period: month, quarter or year.")
AnnualValueSource = strawberry.enum(
    revenue.AnnualValueSource,
    description="Where an account's current annual value comes from: entered by a person, or its revenue records' trailing twelve months.",
)
GradeFactor = strawberry.enum(
    grading.GradeFactor,
    description="A factor of the judged grade: need clarity, value, interaction frequency, sales stage.",
)
JudgmentKind = strawberry.enum(judgment.JudgmentKind, description="What a judgment transition changed.")
TransitionCause = strawberry.enum(
    judgment.TransitionCause,
    description="Why a judgment changed: the rules (evidence or policy), a person, a growth assessment, or an override's expiry.",
)
OverrideKind = strawberry.enum(
    judgment_override.OverrideKind, description="A judgment a person may override: grade, value tier, lifecycle or relationship stage."
)
HealthBand = strawberry.enum(
    health.HealthBand, description="Health band: HEALTHY, WATCH, or AT_RISK (a churn warning) by the policy's health scores."
)
HealthFactor = strawberry.enum(health.HealthFactor, description="A factor of the health score.")
KeyAccountFactor = strawberry.enum(key_account.KeyAccountFactor, description="A factor of the key-account recommendation.")
RelationshipReason = strawberry.enum(stages.RelationshipReason, description="Why the rules give the relationship stage they give.")
LifecycleReason = strawberry.enum(stages.LifecycleReason, description="Why the rules give the lifecycle stage they give.")

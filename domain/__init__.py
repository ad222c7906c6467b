"""The KAM domain: SQLAlchemy models and the business rules, free of GraphQL and HTTP."""

from domain.account import Account, Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.audit import AuditChange, AuditEvent
from domain.base import Base
from domain.growth import GrowthAssessment, GrowthQuadrant
from domain.interaction import Interaction, InteractionDirection, InteractionKind, InteractionMember, InteractionStakeholder
from domain.need import (
    Need,
    NeedCategory,
    NeedPeakQuarter,
    NeedStatus,
    NeedVisibility,
    Priority,
    Quarter,
)
from domain.need_tally import NeedTally
from domain.judgment import AccountJudgment, JudgmentTransition
from domain.judgment_override import JudgmentOverride, OverrideKind
from domain.policy_version import ScoringPolicyVersion
from domain.opportunity import ContactRole, Opportunity, OpportunityContact, OpportunityNeed, OpportunityStage, StageChange
from domain.revenue import AnnualValueSource, Grain, RevenueRecord
from domain.plan import Action, ActionPlan, ActionStatus, Objective, PlanStatus
from domain.stakeholder import (
    Attitude,
    BuyingRole,
    Coverage,
    CoverageStrength,
    DecisionLevel,
    Influence,
    InfluenceLink,
    LinkStrength,
    Stakeholder,
    StakeholderBuyingRole,
)
from domain.stakeholder_facts import StakeholderFact
from domain.team import AccountTeamMember, MemberRole, TeamMember, TeamRole
from domain.token import ApiToken

__all__ = [
    "Account", "AccountTeamMember", "Action", "ActionPlan", "ActionStatus", "ApiToken", "Attitude", "AuditChange",
    "AuditEvent", "Base",
    "BuyingRole", "Coverage", "CoverageStrength", "DecisionLevel", "Grade", "GrowthAssessment",
    "GrowthQuadrant", "Influence", "InfluenceLink", "Interaction", "InteractionDirection", "InteractionKind",
    "InteractionMember", "InteractionStakeholder", "LifecycleStage", "LinkStrength", "MemberRole",
    "Need", "NeedCategory", "NeedPeakQuarter", "NeedStatus", "NeedTally", "NeedVisibility", "Objective",
    "Opportunity", "OpportunityContact", "OpportunityNeed", "OpportunityStage", "StageChange", "ContactRole",
    "RevenueRecord", "AnnualValueSource", "Grain", "ScoringPolicyVersion", "AccountJudgment", "JudgmentTransition", "JudgmentOverride", "OverrideKind",
    "PlanStatus", "Priority", "Quarter", "RelationshipStage", "Stakeholder", "StakeholderBuyingRole", "StakeholderFact",
    "TeamMember", "TeamRole", "ValueTier",
]

"""The demo portfolio: six key accounts with their maps, needs, growth history and plans.

The data is declared as tables and written straight through the models in one
transaction. Dates are offsets from today, so the portfolio never goes stale:
negative offsets lie in the past, positive ones in the future.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import (
    Account,
    Grade,
    LifecycleStage,
    RelationshipStage,
    ValueTier,
    account_table,
)
from domain.base import today
from domain.growth import GrowthAssessment, MatrixThresholds, classify_quadrant
from domain.interaction import Interaction, InteractionDirection, InteractionKind
from domain.opportunity import DEFAULT_PROBABILITY, ContactRole, Opportunity, OpportunityContact, OpportunityStage
from domain.need import (
    Need,
    NeedCategory,
    NeedStatus,
    NeedVisibility,
    Priority,
    Quarter,
)
from domain.revenue import RevenueRecord
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
)
from domain.team import AccountTeamMember, MemberRole, TeamMember, TeamRole
from resolvers.growth.transitions import rebuild_quadrant_moves
from resolvers.interactions.recency import refresh_accounts, refresh_stakeholders
from resolvers.judgments.judging import judge_accounts
from resolvers.revenue.summary import refresh_revenue
from kam.db import create_engine, session_factory
from kam.demo_interactions import INTERACTIONS
from kam.demo_map_history import write_map_history
from kam.demo_opportunities import DEALS, DealRow
from kam.demo_revenue import monthly_orders
from kam.settings import get_settings

CURRENCY = "EUR"
EMAIL_DOMAIN = "kam-demo.example"


class Member(NamedTuple):
    key: str
    name: str
    title: str
    role: str
    manager: str | None


class Person(NamedTuple):
    key: str
    name: str
    title: str
    department: str
    roles: str  # space-separated BuyingRole names
    attitude: str
    influence: str
    level: str
    reports_to: str | None
    motive: str


class NeedRow(NamedTuple):
    key: str
    title: str
    category: str
    visibility: str
    priority: str
    status: str
    quarters: str  # space-separated Quarter names
    holder: str | None
    pain_points: str | None


class Assessment(NamedTuple):
    days_ago: int
    current_value: int
    potential: int
    assessed_by: str
    note: str


class ObjectiveRow(NamedTuple):
    description: str
    metric: str
    target: int
    due: int


class ActionRow(NamedTuple):
    title: str
    owner: str
    due: int
    status: str
    need: str | None
    stakeholder: str | None


class Plan(NamedTuple):
    title: str
    description: str
    status: str
    starts: int
    ends: int
    owner: str
    objectives: tuple[ObjectiveRow, ...]
    actions: tuple[ActionRow, ...]


class DemoAccount(NamedTuple):
    name: str
    industry: str
    region: str
    domain: str
    owner: str
    grade: str
    value_tier: str
    is_key_account: bool
    relationship_stage: str
    lifecycle_stage: str
    current_value: int
    wallet: int
    team: tuple[tuple[str, str], ...]  # (member, TeamRole)
    people: tuple[Person, ...]  # managers before their reports
    influence: tuple[tuple[str, str, str], ...]  # (source, target, LinkStrength)
    coverage: tuple[tuple[str, str, str], ...]  # (stakeholder, member, CoverageStrength)
    needs: tuple[NeedRow, ...]
    assessments: tuple[Assessment, ...]  # oldest first; the last one matches value and wallet
    plans: tuple[Plan, ...]


# Managers come before their reports.
MEMBERS = (
    Member("helena", "Helena Brandt", "Head of Sales Operations", "ADMIN", None),
    Member("marco", "Marco Rossi", "Head of Key Accounts Central & Southern Europe", "MANAGER", "helena"),
    Member("ingrid", "Ingrid Svensson", "Head of Key Accounts Northern Europe & UK", "MANAGER", "helena"),
    Member("lukas", "Lukas Weber", "Key Account Manager", "ACCOUNT_MANAGER", "marco"),
    Member("sofia", "Sofia Almeida", "Key Account Manager", "ACCOUNT_MANAGER", "marco"),
    Member("jonas", "Jonas Lindqvist", "Senior Key Account Manager", "ACCOUNT_MANAGER", "ingrid"),
    Member("amira", "Amira Haddad", "Key Account Manager & Solution Architect", "ACCOUNT_MANAGER", "ingrid"),
    Member("pieter", "Pieter de Vries", "Sales Analyst", "VIEWER", "helena"),
)

P, N, A, O, X = Person, NeedRow, Assessment, ObjectiveRow, ActionRow

ACCOUNTS = (
    DemoAccount(
        "Nordwerk Maschinenbau AG", "Manufacturing", "DACH", "nordwerk.example", "lukas",
        "A", "HIGH", True, "STRATEGIC_PARTNER", "RETENTION", 2_400_000, 5_600_000,
        team=(("lukas", "OWNER"), ("marco", "EXECUTIVE_SPONSOR"), ("amira", "SPECIALIST")),
        people=(
            P("ceo", "Dr. Katrin Vogel", "Chief Executive Officer", "Executive Board", "DECISION_MAKER", "SUPPORTER", "HIGH", "EXECUTIVE", None,
              "Promised the supervisory board a 15% productivity gain across the plant network by 2030."),
            P("coo", "Stefan Hartmann", "Chief Operating Officer", "Operations", "DECISION_MAKER INFLUENCER", "CHAMPION", "HIGH", "EXECUTIVE", "ceo",
              "Unplanned downtime is his personal KPI in the executive bonus plan."),
            P("cfo", "Matthias Krüger", "Chief Financial Officer", "Finance", "DECISION_MAKER ECONOMIC_BUYER", "SKEPTIC", "HIGH", "EXECUTIVE", "ceo",
              "Judged on free cash flow; wants payback within 24 months and prefers subscription pricing."),
            P("it", "Julia Neumann", "Head of IT & OT Integration", "IT", "TECHNICAL_EVALUATOR INFLUENCER", "NEUTRAL", "MEDIUM", "SENIOR_MANAGER", "cfo",
              "Wants one data platform for the shop floor instead of another point solution to integrate."),
            P("proc", "Sabine Roth", "Head of Strategic Procurement", "Procurement", "GATEKEEPER ECONOMIC_BUYER", "OPPONENT", "MEDIUM", "SENIOR_MANAGER", "cfo",
              "Measured on price savings; pushes for a second supplier in every category."),
            P("plant", "Tobias Scholz", "Plant Manager Chemnitz", "Production", "USER INFLUENCER", "CHAMPION", "MEDIUM", "SENIOR_MANAGER", "coo",
              "Wants his plant to become the group's reference site for the rollout."),
            P("quality", "Eva Lehmann", "Quality Manager", "Quality", "USER TECHNICAL_EVALUATOR", "NEUTRAL", "LOW", "MANAGER", "coo",
              "Needs audit-ready traceability for the automotive customers' annual audits."),
            P("maint", "Ali Yilmaz", "Maintenance Lead", "Production", "USER", "SUPPORTER", "LOW", "MANAGER", "plant",
              "Wants fewer night call-outs for his maintenance crew."),
        ),
        influence=(("coo", "ceo", "STRONG"), ("proc", "cfo", "STRONG"), ("it", "cfo", "MODERATE"),
                   ("plant", "coo", "MODERATE"), ("quality", "it", "WEAK")),
        coverage=(("coo", "lukas", "TRUSTED_ADVISOR"), ("ceo", "marco", "GOOD"), ("cfo", "lukas", "ACQUAINTED"),
                  ("plant", "lukas", "GOOD"), ("plant", "amira", "GOOD"), ("it", "amira", "GOOD"),
                  ("maint", "amira", "ACQUAINTED"), ("proc", "lukas", "ACQUAINTED")),
        needs=(
            N("downtime", "Cut unplanned downtime on the press lines", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "BEING_ADDRESSED", "Q1 Q3", "coo",
              "Two unplanned stops a month on press line 4, each costing about EUR 180k in lost output."),
            N("capex", "Get the predictive-maintenance rollout into the annual capex round", "FUNCTIONAL", "EXPLICIT", "HIGH", "VALIDATED", "Q4", "cfo",
              "Capex is fixed in October; whatever is not in the plan waits a full year."),
            N("reference", "Be seen as the industry's digital reference plant", "SOCIAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q2", "plant",
              "The board looks for showcases during the spring trade-fair season."),
            N("sourcing", "Reduce single-supplier risk", "FUNCTIONAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q1", "proc",
              "An internal audit flagged three sole-source contracts, ours among them."),
            N("traceability", "Audit-ready traceability for automotive customers", "FUNCTIONAL", "EXPLICIT", "HIGH", "MET", "Q2", "quality", None),
        ),
        assessments=(
            A(700, 850_000, 2_600_000, "marco", "First assessment after the framework agreement."),
            A(480, 1_600_000, 3_000_000, "lukas", "Line 4 pilot converted into a plant-wide contract."),
            A(250, 2_000_000, 3_400_000, "lukas", "Second plant live; wallet grows with the new Chemnitz hall."),
            A(40, 2_400_000, 3_200_000, "lukas", "Three plants live; remaining potential is the rollout to all sites."),
        ),
        plans=(
            Plan("Press line 4 pilot", "Prove the value of predictive maintenance on the worst line first.", "COMPLETED", -400, -130, "lukas",
                 (O("Reduce unplanned stops on press line 4 by 30%", "Reduction of unplanned stops (%)", 30, -130),),
                 (X("Install vibration sensors on press line 4", "amira", -330, "DONE", "downtime", "maint"),
                  X("Traceability export for the automotive audit", "amira", -200, "DONE", "traceability", "quality"),
                  X("Pilot review with the plant manager", "lukas", -140, "DONE", "downtime", "plant"))),
            Plan("Predictive maintenance across all plants", "Grow from three plants to the whole network and win over finance.", "ACTIVE", -120, 245, "lukas",
                 (O("Grow annual revenue with Nordwerk", "Annual revenue (EUR)", 3_200_000, 245),
                  O("Win the CFO as at least a supporter", "CFO attitude score", 1, 120)),
                 (X("Downtime workshop with the COO and plant managers", "lukas", -90, "DONE", "downtime", "coo"),
                  X("Pilot results report for the executive board", "amira", -30, "DONE", "downtime", "ceo"),
                  X("Payback case with finance for the capex round", "lukas", 45, "IN_PROGRESS", "capex", "cfo"),
                  X("Architecture review with IT & OT integration", "amira", 20, "TODO", None, "it"),
                  X("Offer a dual-sourcing option for spare parts", "lukas", 60, "BLOCKED", "sourcing", "proc"),
                  X("Invite Nordwerk to present at our trade-fair booth", "marco", 150, "TODO", "reference", "plant"))),
        ),
    ),
    DemoAccount(
        "Lumen Retail Group", "Retail", "Benelux", "lumen-retail.example", "sofia",
        "B", "MEDIUM", True, "REPEAT_CUSTOMER", "RETENTION", 650_000, 2_900_000,
        team=(("sofia", "OWNER"), ("marco", "EXECUTIVE_SPONSOR"), ("pieter", "SUPPORT")),
        people=(
            P("ceo", "Anouk Jansen", "Chief Executive Officer", "Executive Board", "DECISION_MAKER", "NEUTRAL", "HIGH", "EXECUTIVE", None,
              "Needs a turnaround story on like-for-like sales for the next investor day."),
            P("cdo", "Ruben Visser", "Chief Digital Officer", "Digital", "DECISION_MAKER ECONOMIC_BUYER INFLUENCER", "CHAMPION", "HIGH", "EXECUTIVE", "ceo",
              "Sponsors the omnichannel programme and must show results within his first two years."),
            P("cfo", "Marieke de Boer", "Chief Financial Officer", "Finance", "ECONOMIC_BUYER", "SKEPTIC", "HIGH", "EXECUTIVE", "ceo",
              "Cost-cutting mandate: every new contract has to replace an old one."),
            P("pa", "Eline Claes", "Executive Assistant to the CEO", "Executive Board", "GATEKEEPER", "SUPPORTER", "LOW", "STAFF", "ceo",
              "Guards the CEO's calendar; answers short, well-prepared requests."),
            P("stores", "Thomas Peeters", "Director Store Operations", "Operations", "INFLUENCER USER", "OPPONENT", "MEDIUM", "SENIOR_MANAGER", "ceo",
              "Fears another system rollout during peak season will wear out his store staff."),
            P("ecom", "Lotte Bakker", "Head of E-commerce", "Digital", "INFLUENCER USER", "SUPPORTER", "MEDIUM", "SENIOR_MANAGER", "cdo",
              "Needs click-and-collect to work flawlessly before the holiday peak."),
            P("arch", "Daan Mertens", "Enterprise Architect", "IT", "TECHNICAL_EVALUATOR", "NEUTRAL", "MEDIUM", "MANAGER", "cdo",
              "Wants a clean API landscape and fewer point-to-point integrations."),
            P("buyer", "Sanne Willems", "IT Category Buyer", "Procurement", "GATEKEEPER", "NEUTRAL", "LOW", "MANAGER", "cfo",
              "Runs the tender calendar; rewards suppliers who deliver paperwork on time."),
        ),
        influence=(("cdo", "ceo", "STRONG"), ("cfo", "ceo", "MODERATE"), ("stores", "ceo", "MODERATE"),
                   ("ecom", "cdo", "STRONG"), ("arch", "cdo", "MODERATE"), ("buyer", "cfo", "WEAK")),
        coverage=(("cdo", "sofia", "TRUSTED_ADVISOR"), ("ecom", "sofia", "GOOD"), ("arch", "pieter", "ACQUAINTED"),
                  ("buyer", "sofia", "GOOD"), ("ceo", "marco", "ACQUAINTED"), ("stores", "sofia", "NONE")),
        needs=(
            N("peak", "Click-and-collect ready before the holiday peak", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "BEING_ADDRESSED", "Q4", "ecom",
              "Last December 14% of online orders missed their pickup slot."),
            N("stock", "Spring collection launch without stock-outs", "FUNCTIONAL", "EXPLICIT", "HIGH", "VALIDATED", "Q1", "stores",
              "Stock levels between stores and the web shop are a day out of sync."),
            N("fatigue", "Less change fatigue for store staff", "EMOTIONAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q3 Q4", "stores",
              "Three tool rollouts in two years; store managers push back on every new system."),
            N("esg", "Visible sustainability progress for the annual report", "SOCIAL", "EXPLICIT", "MEDIUM", "IDENTIFIED", "Q2", "ceo",
              "Investors asked about packaging and delivery emissions."),
            N("consolidate", "Consolidate the retail IT supplier base", "FUNCTIONAL", "IMPLICIT", "HIGH", "VALIDATED", "Q1", "cfo", None),
        ),
        assessments=(
            A(650, 300_000, 2_100_000, "sofia", "Repeat orders after the web-shop project."),
            A(400, 420_000, 2_400_000, "sofia", "Omnichannel programme announced; wallet grows."),
            A(120, 650_000, 2_250_000, "sofia", "Click-and-collect rollout contracted."),
        ),
        plans=(
            Plan("Lumen omnichannel expansion", "Grow from the web shop into stores and win over store operations.", "ACTIVE", -60, 300, "sofia",
                 (O("Double annual revenue with Lumen", "Annual revenue (EUR)", 1_300_000, 300),
                  O("Bring store operations from opponent to neutral", "Attitude score of the store operations director", 0, 180)),
                 (X("Map the click-and-collect process with e-commerce", "sofia", -20, "DONE", "peak", "ecom"),
                  X("Integration design review with enterprise architecture", "sofia", 15, "IN_PROGRESS", None, "arch"),
                  X("Change workshop with store operations", "sofia", 40, "TODO", "fatigue", "stores"),
                  X("Present a supplier-consolidation offer to finance", "marco", 75, "TODO", "consolidate", "cfo"))),
        ),
    ),
    DemoAccount(
        "St. Aurelia Health Network", "Healthcare", "Southern Europe", "st-aurelia.example", "sofia",
        "B", "HIGH", True, "PREFERRED_SUPPLIER", "AT_RISK", 1_450_000, 1_900_000,
        team=(("sofia", "OWNER"), ("marco", "EXECUTIVE_SPONSOR"), ("jonas", "SPECIALIST")),
        people=(
            P("ceo", "Dr. Javier Morales", "Chief Executive Officer", "Board of Directors", "DECISION_MAKER", "SKEPTIC", "HIGH", "EXECUTIVE", None,
              "Appointed six months ago to merge three hospitals; wants quick, visible savings and doubts every legacy contract."),
            P("cmo", "Dr. Lucía Ferreira", "Chief Medical Officer", "Medical Board", "DECISION_MAKER INFLUENCER", "SUPPORTER", "HIGH", "EXECUTIVE", "ceo",
              "Patient safety and clinicians' time; rejects any tool that adds clicks."),
            P("cfo", "Ricardo Nunes", "Chief Financial Officer", "Finance", "DECISION_MAKER ECONOMIC_BUYER", "OPPONENT", "HIGH", "EXECUTIVE", "ceo",
              "Must cut 8% of operating cost and sees our contract as the largest discretionary line."),
            P("dpo", "Inês Carvalho", "Data Protection Officer", "Legal & Compliance", "TECHNICAL_EVALUATOR", "NEUTRAL", "LOW", "MANAGER", "ceo",
              "Needs a clean data-processing agreement before any renewal."),
            P("cio", "Marta Oliveira", "Chief Information Officer", "IT", "TECHNICAL_EVALUATOR INFLUENCER", "CHAMPION", "MEDIUM", "SENIOR_MANAGER", "cfo",
              "Built the current platform with us; her reputation is tied to its success."),
            P("purchasing", "Pedro Alves", "Head of Purchasing", "Purchasing", "GATEKEEPER", "SKEPTIC", "MEDIUM", "MANAGER", "cfo",
              "Preparing a public tender to benchmark all IT contracts."),
            P("nursing", "Carmen Díaz", "Director of Nursing", "Nursing", "USER INFLUENCER", "SUPPORTER", "MEDIUM", "SENIOR_MANAGER", "cmo",
              "Wants shift planning the nurses trust."),
        ),
        influence=(("cfo", "ceo", "STRONG"), ("cmo", "ceo", "MODERATE"), ("cio", "cfo", "WEAK"),
                   ("nursing", "cmo", "STRONG"), ("purchasing", "cfo", "MODERATE")),
        # Nobody on our side knows the new CEO: the gap the retention plan works on.
        coverage=(("cio", "sofia", "TRUSTED_ADVISOR"), ("cio", "jonas", "GOOD"), ("cmo", "marco", "GOOD"),
                  ("nursing", "jonas", "GOOD"), ("cfo", "sofia", "ACQUAINTED"), ("purchasing", "sofia", "ACQUAINTED")),
        needs=(
            N("savings", "Show operating-cost savings from the merger", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "VALIDATED", "Q2 Q3", "cfo",
              "The board expects the three-hospital merger to save 8% by year end."),
            N("renewal", "Decide on the framework-contract renewal", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "IDENTIFIED", "Q3", "ceo",
              "The contract expires this year and the new CEO has never met us."),
            N("clinician", "Give clinicians time back from documentation", "EMOTIONAL", "EXPLICIT", "HIGH", "BEING_ADDRESSED", "Q1", "cmo",
              "Physicians spend two hours per shift on documentation."),
            N("gdpr", "Audit-proof processing of patient data", "FUNCTIONAL", "IMPLICIT", "HIGH", "IDENTIFIED", "Q4", "dpo", None),
            N("showcase", "Be recognised as the region's most digital hospital group", "SOCIAL", "IMPLICIT", "LOW", "DROPPED", "Q2", "cio", None),
        ),
        assessments=(
            A(720, 1_300_000, 1_400_000, "marco", "Platform live in all wards of the main hospital."),
            A(380, 1_500_000, 1_100_000, "sofia", "Expansion to the two partner hospitals agreed."),
            A(60, 1_450_000, 450_000, "sofia", "Merger shrinks the wallet; new CEO reviews every supplier contract."),
        ),
        plans=(
            Plan("St. Aurelia retention plan", "Secure the renewal: reach the new CEO and answer finance's savings target.", "ACTIVE", -45, 150, "sofia",
                 (O("Renew the framework contract before it expires", "Contract renewed (1 = yes)", 1, 120),
                  O("Cover every decision maker with at least a good relationship", "Decision makers covered", 3, 90)),
                 (X("Send the updated data-processing agreement", "sofia", -25, "DONE", "gdpr", "dpo"),
                  X("Clinician time study in two wards", "jonas", -10, "DONE", "clinician", "nursing"),
                  # Both late: the plan is behind while nobody calls.
                  X("Introduction to the new CEO through the CMO", "marco", -20, "IN_PROGRESS", "renewal", "ceo"),
                  X("Savings case: licence consolidation across the three hospitals", "sofia", -5, "IN_PROGRESS", "savings", "cfo"),
                  X("Prepare for the purchasing benchmark tender", "sofia", 60, "BLOCKED", None, "purchasing"))),
        ),
    ),
    DemoAccount(
        "Boreal Energy ASA", "Energy", "Nordics", "boreal-energy.example", "jonas",
        "A", "HIGH", True, "PREFERRED_SUPPLIER", "RETENTION", 1_900_000, 4_600_000,
        team=(("jonas", "OWNER"), ("ingrid", "EXECUTIVE_SPONSOR"), ("amira", "SPECIALIST")),
        people=(
            P("ceo", "Kristin Aas", "Chief Executive Officer", "Group Management", "DECISION_MAKER", "SUPPORTER", "HIGH", "EXECUTIVE", None,
              "Committed publicly to doubling renewable capacity by 2030."),
            P("cto", "Henrik Solberg", "Chief Technology Officer", "Technology", "DECISION_MAKER TECHNICAL_EVALUATOR", "CHAMPION", "HIGH", "EXECUTIVE", "ceo",
              "Wants one asset-performance platform for hydro, wind and grid."),
            P("cfo", "Marit Hansen", "Chief Financial Officer", "Finance", "ECONOMIC_BUYER", "NEUTRAL", "HIGH", "EXECUTIVE", "ceo",
              "Capital discipline: asks for proven returns from the wind rollout before funding hydro."),
            P("procurement", "Nora Strand", "Category Manager IT", "Procurement", "GATEKEEPER", "NEUTRAL", "LOW", "MANAGER", "cfo",
              "Call-offs must follow the framework's rate card."),
            P("wind", "Erik Johansen", "VP Wind Operations", "Wind", "INFLUENCER USER", "SUPPORTER", "MEDIUM", "SENIOR_MANAGER", "cto",
              "His availability bonus depends on fewer unplanned turbine stops."),
            P("hydro", "Ola Berg", "VP Hydro Operations", "Hydro", "INFLUENCER USER", "SKEPTIC", "MEDIUM", "SENIOR_MANAGER", "cto",
              "Runs decades-old plants on proven tools and distrusts cloud solutions."),
            P("data", "Silje Nilsen", "Head of Data & Analytics", "Technology", "TECHNICAL_EVALUATOR INFLUENCER", "CHAMPION", "MEDIUM", "MANAGER", "cto",
              "Wants her team's models running in production, not in slide decks."),
            P("security", "Anders Dahl", "Chief Information Security Officer", "Security", "TECHNICAL_EVALUATOR GATEKEEPER", "NEUTRAL", "MEDIUM", "SENIOR_MANAGER", "cto",
              "Critical infrastructure: every vendor must pass the NIS2 assessment."),
            P("engineer", "Magnus Eide", "Senior Reliability Engineer", "Wind", "USER", "CHAMPION", "LOW", "STAFF", "wind",
              "Wants alarms his crews can act on, not more dashboards."),
        ),
        influence=(("cto", "ceo", "STRONG"), ("cto", "cfo", "MODERATE"), ("data", "cto", "STRONG"),
                   ("wind", "cto", "MODERATE"), ("hydro", "cfo", "WEAK"), ("engineer", "wind", "STRONG")),
        coverage=(("cto", "jonas", "TRUSTED_ADVISOR"), ("ceo", "ingrid", "GOOD"), ("cfo", "jonas", "ACQUAINTED"),
                  ("data", "amira", "TRUSTED_ADVISOR"), ("wind", "jonas", "GOOD"), ("engineer", "amira", "GOOD"),
                  ("security", "amira", "ACQUAINTED"), ("procurement", "jonas", "GOOD")),
        needs=(
            N("gearbox", "Predict gearbox failures in the offshore wind fleet", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "BEING_ADDRESSED", "Q1 Q4", "wind",
              "Winter storms make offshore repairs impossible for weeks at a time."),
            N("hydro", "Extend asset monitoring to the hydro plants", "FUNCTIONAL", "EXPLICIT", "HIGH", "VALIDATED", "Q2", "hydro",
              "Maintenance windows are planned for spring, when reservoirs are low."),
            N("nis2", "NIS2 compliance of all operational-technology vendors", "FUNCTIONAL", "EXPLICIT", "HIGH", "VALIDATED", "Q3", "security", None),
            N("pledge", "Show progress on the renewable-capacity pledge", "SOCIAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q1", "ceo", None),
            N("confidence", "Confidence that the platform scales beyond wind", "EMOTIONAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q3", "cfo", None),
            N("budget", "Multi-year platform budget", "FUNCTIONAL", "EXPLICIT", "HIGH", "MET", "Q4", "cfo", None),
        ),
        assessments=(
            A(710, 600_000, 2_800_000, "ingrid", "First wind park live."),
            A(500, 850_000, 3_100_000, "jonas", "Technology strategy names one asset platform for all fleets."),
            A(270, 1_300_000, 3_000_000, "jonas", "Multi-year budget approved; six wind parks live."),
            A(20, 1_900_000, 2_700_000, "jonas", "Ten wind parks live; hydro is the next wave."),
        ),
        plans=(
            Plan("Wind fleet rollout", "Bring every offshore wind park onto the platform.", "ACTIVE", -150, 210, "jonas",
                 (O("Roll the platform out to all 12 offshore wind parks", "Wind parks live", 12, 210),
                  O("Reach EUR 2.5M annual revenue", "Annual revenue (EUR)", 2_500_000, 210)),
                 (X("Validate the gearbox model on two parks", "amira", -60, "DONE", "gearbox", "data"),
                  X("Agree the rollout schedule with wind operations", "jonas", -20, "DONE", "gearbox", "wind"),
                  X("Submit the NIS2 vendor assessment", "amira", 25, "IN_PROGRESS", "nis2", "security"),
                  X("Roll out to the remaining parks", "jonas", 180, "TODO", "gearbox", None))),
            Plan("Hydro expansion", "Win the hydro fleet by proving the platform on two plants.", "DRAFT", 30, 390, "jonas",
                 (O("Pilot monitoring at two hydro plants", "Hydro plants in pilot", 2, 200),),
                 (X("Site visit at a hydro plant with the VP Hydro Operations", "jonas", 45, "TODO", "hydro", "hydro"),
                  X("Reference call with an existing manufacturing customer", "ingrid", 60, "TODO", None, "hydro"),
                  X("Business case for the CFO", "ingrid", 90, "TODO", "confidence", "cfo"))),
        ),
    ),
    DemoAccount(
        "Transalpina Logistics S.p.A.", "Logistics", "Southern Europe", "transalpina.example", "lukas",
        "C", "MEDIUM", False, "FIRST_DEAL", "CONVERSION", 380_000, 950_000,
        team=(("lukas", "OWNER"), ("sofia", "SUPPORT")),
        people=(
            P("md", "Giovanni Ferraro", "Managing Director", "Management", "DECISION_MAKER ECONOMIC_BUYER", "NEUTRAL", "HIGH", "EXECUTIVE", None,
              "Family-owned business: wants growth without outside capital."),
            P("finance", "Paolo Greco", "Finance Director", "Finance", "ECONOMIC_BUYER", "SKEPTIC", "HIGH", "SENIOR_MANAGER", "md",
              "Diesel and tolls eat the margin; every euro must pay back within the year."),
            P("fleet", "Chiara Romano", "Head of Fleet Operations", "Operations", "INFLUENCER USER CHAMPION", "CHAMPION", "MEDIUM", "SENIOR_MANAGER", "md",
              "Bought the route-planning pilot and wants it to prove her right."),
            P("it", "Francesca Conti", "IT Manager", "IT", "TECHNICAL_EVALUATOR", "NEUTRAL", "MEDIUM", "MANAGER", "finance",
              "Two-person IT team: wants software as a service without integration work."),
            P("warehouse", "Luca Moretti", "Warehouse Manager Verona", "Warehousing", "USER INFLUENCER", "OPPONENT", "MEDIUM", "MANAGER", "fleet",
              "Sees route planning as a threat to his loading schedule."),
            P("dispatch", "Davide Bianchi", "Dispatch Team Lead", "Operations", "USER", "SUPPORTER", "LOW", "STAFF", "fleet",
              "Wants fewer calls with drivers every morning."),
        ),
        influence=(("fleet", "md", "MODERATE"), ("finance", "md", "STRONG"), ("warehouse", "fleet", "WEAK")),
        # Single-threaded: fleet operations is the only relationship we have.
        coverage=(("fleet", "lukas", "GOOD"), ("finance", "lukas", "NONE")),
        needs=(
            N("routes", "Cut empty kilometres with dynamic route planning", "FUNCTIONAL", "EXPLICIT", "HIGH", "BEING_ADDRESSED", "Q3", "fleet",
              "In the summer peak 22% of truck kilometres run empty."),
            N("payback", "Payback within the fiscal year", "FUNCTIONAL", "EXPLICIT", "HIGH", "VALIDATED", "Q4", "finance", None),
            N("drivers", "Keep drivers from leaving", "EMOTIONAL", "IMPLICIT", "MEDIUM", "IDENTIFIED", "Q1", "dispatch",
              "Driver shortage; long waits at the warehouse ramps drive people away."),
        ),
        assessments=(
            A(540, 120_000, 700_000, "lukas", "Route-planning pilot signed."),
            A(300, 250_000, 650_000, "lukas", "Pilot extended to the Verona depot."),
            A(90, 380_000, 570_000, "lukas", "First fleet-wide order; the wallet is modest."),
        ),
        plans=(
            Plan("From pilot to fleet-wide contract", "Turn the pilot into a full contract and get beyond one relationship.", "ACTIVE", -30, 150, "lukas",
                 (O("Convert the pilot into a fleet-wide contract", "Annual revenue (EUR)", 600_000, 150),
                  O("Build relationships beyond fleet operations", "Covered stakeholders", 3, 90)),
                 (X("Pilot results review with fleet operations", "lukas", -7, "DONE", "routes", "fleet"),
                  X("Meet the managing director with the pilot numbers", "lukas", 21, "TODO", "payback", "md"),
                  X("Loading-schedule workshop at the Verona warehouse", "sofia", 35, "TODO", "routes", "warehouse"))),
        ),
    ),
    DemoAccount(
        "Meridian Capital Bank plc", "Financial Services", "UK & Ireland", "meridian-bank.example", "amira",
        "D", "LOW", False, "PROSPECT", "ACQUISITION", 0, 1_800_000,
        team=(("amira", "OWNER"), ("ingrid", "EXECUTIVE_SPONSOR"), ("pieter", "SUPPORT")),
        people=(
            P("coo", "Charlotte Hughes", "Chief Operating Officer", "Executive Committee", "DECISION_MAKER ECONOMIC_BUYER", "NEUTRAL", "HIGH", "EXECUTIVE", None,
              "Leads the post-merger integration; needs regulatory reporting that survives the audit."),
            P("cro", "Rajesh Patel", "Chief Risk Officer", "Risk", "DECISION_MAKER INFLUENCER", "SKEPTIC", "HIGH", "EXECUTIVE", "coo",
              "Personally accountable to the regulator; avoids unproven vendors."),
            P("architecture", "Oliver Bennett", "Head of Enterprise Architecture", "Technology", "TECHNICAL_EVALUATOR", "OPPONENT", "MEDIUM", "SENIOR_MANAGER", "coo",
              "Favours building in-house on the bank's own data platform."),
            P("vendors", "Emma Clarke", "Vendor Management Lead", "Procurement", "GATEKEEPER", "NEUTRAL", "LOW", "MANAGER", "coo",
              "Enforces the third-party risk process; onboarding takes twelve weeks."),
            P("governance", "Siobhan Murphy", "Head of Data Governance", "Risk", "TECHNICAL_EVALUATOR INFLUENCER CHAMPION", "CHAMPION", "MEDIUM", "SENIOR_MANAGER", "cro",
              "Wants lineage for every number in the regulatory returns."),
            P("analyst", "Daniel O'Connor", "Regulatory Reporting Analyst", "Risk", "USER", "SUPPORTER", "LOW", "STAFF", "governance",
              "Spends the last week of every quarter reconciling spreadsheets."),
        ),
        influence=(("cro", "coo", "STRONG"), ("governance", "cro", "MODERATE"), ("architecture", "coo", "MODERATE"),
                   ("analyst", "governance", "WEAK")),
        coverage=(("governance", "amira", "GOOD"), ("analyst", "amira", "ACQUAINTED"), ("coo", "ingrid", "ACQUAINTED")),
        needs=(
            N("reporting", "Quarter-end regulatory reporting without manual reconciliation", "FUNCTIONAL", "EXPLICIT", "CRITICAL", "VALIDATED", "Q1 Q2 Q3 Q4",
              "analyst", "Five days of spreadsheet reconciliation at every quarter end."),
            N("lineage", "Data lineage the regulator accepts", "FUNCTIONAL", "EXPLICIT", "HIGH", "IDENTIFIED", "Q2", "governance", None),
            N("safe-choice", "Low personal risk in choosing a new vendor", "EMOTIONAL", "IMPLICIT", "HIGH", "IDENTIFIED", "Q3", "cro", None),
            N("peers", "Keep pace with peer banks' digital reporting", "SOCIAL", "IMPLICIT", "LOW", "IDENTIFIED", "Q4", "coo", None),
        ),
        assessments=(
            A(420, 0, 1_500_000, "ingrid", "Merger announced; reporting platform to be replaced."),
            A(180, 0, 800_000, "amira", "Budget frozen until the merger closes."),
            A(25, 0, 1_800_000, "amira", "Budget released for the regulatory reporting programme."),
        ),
        plans=(
            Plan("Meridian entry plan", "Win a paid proof of concept in regulatory reporting.", "ACTIVE", -10, 170, "amira",
                 (O("Win a paid proof of concept", "Signed proof-of-concept contracts", 1, 120),
                  O("Get the CRO to neutral or better", "CRO attitude score", 0, 150)),
                 (X("Lineage demo for data governance", "amira", -3, "DONE", "lineage", "governance"),
                  X("Start third-party risk onboarding", "pieter", 20, "IN_PROGRESS", None, "vendors"),
                  X("Proof-of-concept proposal to the COO", "amira", 45, "TODO", "reporting", "coo"),
                  X("Peer-bank reference visit for the CRO", "ingrid", 60, "TODO", "safe-choice", "cro"))),
        ),
    ),
)


def member_email(name: str) -> str:
    return f"{_slug(name)}@{EMAIL_DOMAIN}"


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.removeprefix("Dr. ")).encode("ascii", "ignore").decode()
    return plain.lower().replace("'", "").replace(" ", ".")


def _roles(names: str) -> list[BuyingRole]:
    return [BuyingRole[n] for n in names.split()]


async def load_demo(database_url: str, only_if_empty: bool) -> bool:
    """Write the demo portfolio in one transaction; True if it was loaded.

    With `only_if_empty` nothing is written when any account exists, so
    `kam serve --demo` can run on every start without duplicating data.
    """
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            if only_if_empty and await session.scalar(select(Account.id).limit(1)) is not None:
                return False
            await _write(session, today())
        return True
    finally:
        await engine.dispose()


async def _write(session: AsyncSession, today: date) -> None:
    settings = get_settings()
    thresholds = MatrixThresholds(settings.growth_value_threshold, settings.growth_potential_threshold)
    # Our people may already be in kam: they are found by email and reused, not added twice.
    emails = [member_email(m.name) for m in MEMBERS]
    existing = {t.email: t for t in await session.scalars(select(TeamMember).where(TeamMember.email.in_(emails)))}
    members: dict[str, TeamMember] = {}
    for m, email in zip(MEMBERS, emails, strict=True):
        if email in existing:
            members[m.key] = existing[email]
            continue
        member = TeamMember(
            name=m.name,
            email=email,
            title=m.title,
            role=MemberRole[m.role],
            manager_id=members[m.manager].id if m.manager else None,
            active=True,
        )
        session.add(member)
        await session.flush()
        members[m.key] = member
    for spec in ACCOUNTS:
        await _write_account(session, spec, members, thresholds, today)


async def _write_account(
    session: AsyncSession,
    spec: DemoAccount,
    members: dict[str, TeamMember],
    thresholds: MatrixThresholds,
    today: date,
) -> None:
    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    # In kam since the first assessment: the maps of past days have an account to be of.
    since = datetime.combine(day(-max(a.days_ago for a in spec.assessments)), time(9, 0), UTC)
    quadrants = [
        classify_quadrant(Decimal(a.current_value), Decimal(a.potential), thresholds) for a in spec.assessments
    ]
    account = Account(
        name=spec.name,
        industry=spec.industry,
        region=spec.region,
        website=f"https://www.{spec.domain}",
        owner_id=members[spec.owner].id,
        grade=Grade[spec.grade],
        value_tier=ValueTier[spec.value_tier],
        is_key_account=spec.is_key_account,
        relationship_stage=RelationshipStage[spec.relationship_stage],
        lifecycle_stage=LifecycleStage[spec.lifecycle_stage],
        current_annual_value=Decimal(spec.current_value),
        entered_annual_value=Decimal(spec.current_value),
        estimated_wallet=Decimal(spec.wallet),
        currency=CURRENCY,
        quadrant=quadrants[-1],
        created_at=since,
    )
    session.add(account)
    await session.flush()

    session.add_all(
        AccountTeamMember(account_id=account.id, member_id=members[m].id, team_role=TeamRole[role])
        for m, role in spec.team
    )

    people: dict[str, Stakeholder] = {}
    for p in spec.people:
        person = Stakeholder(
            account_id=account.id,
            name=p.name,
            title=p.title,
            department=p.department,
            email=f"{_slug(p.name)}@{spec.domain}",
            attitude=Attitude[p.attitude],
            influence=Influence[p.influence],
            decision_level=DecisionLevel[p.level],
            buying_motive=p.motive,
            reports_to_id=people[p.reports_to].id if p.reports_to else None,
            created_at=since,
        )
        person.buying_roles = _roles(p.roles)
        session.add(person)
        await session.flush()
        people[p.key] = person

    links = [
        InfluenceLink(account_id=account.id, source_id=people[s].id, target_id=people[t].id, strength=LinkStrength[k])
        for s, t, k in spec.influence
    ]
    covers = [
        Coverage(account_id=account.id, stakeholder_id=people[s].id, member_id=members[m].id, strength=CoverageStrength[k])
        for s, m, k in spec.coverage
    ]
    session.add_all([*links, *covers])
    await session.flush()
    write_map_history(session, spec.name, account.id, people, links, covers, members, day)

    needs: dict[str, Need] = {}
    for n in spec.needs:
        need = Need(
            account_id=account.id,
            stakeholder_id=people[n.holder].id if n.holder else None,
            title=n.title,
            pain_points=n.pain_points,
            category=NeedCategory[n.category],
            visibility=NeedVisibility[n.visibility],
            priority=Priority[n.priority],
            status=NeedStatus[n.status],
        )
        need.peak_quarters = [Quarter[q] for q in n.quarters.split()]
        session.add(need)
        needs[n.key] = need

    session.add_all(
        GrowthAssessment(
            account_id=account.id,
            assessed_on=day(-a.days_ago),
            current_value=Decimal(a.current_value),
            potential=Decimal(a.potential),
            currency=CURRENCY,
            quadrant=quadrant,
            assessed_by_id=members[a.assessed_by].id,
            note=a.note,
        )
        for a, quadrant in zip(spec.assessments, quadrants, strict=True)
    )
    await session.flush()
    await rebuild_quadrant_moves(session, [account.id])
    # The account carries its latest assessment's figures beside its quadrant, as the API keeps them.
    newest = spec.assessments[-1]
    await session.execute(
        update(account_table)
        .where(account_table.c.id == account.id)
        .values(
            assessed_value=Decimal(newest.current_value),
            assessed_potential=Decimal(newest.potential),
            assessed_currency=CURRENCY,
        )
    )

    for p in spec.plans:
        plan = ActionPlan(
            account_id=account.id,
            title=p.title,
            description=p.description,
            status=PlanStatus[p.status],
            starts_on=day(p.starts),
            ends_on=day(p.ends),
            owner_id=members[p.owner].id,
        )
        session.add(plan)
        await session.flush()
        session.add_all(
            Objective(plan_id=plan.id, description=o.description, metric=o.metric, target=Decimal(o.target), due_on=day(o.due))
            for o in p.objectives
        )
        session.add_all(_action(plan.id, x, members, needs, people, day(x.due), today) for x in p.actions)
    await session.flush()

    for row in INTERACTIONS.get(spec.name, ()):
        interaction = Interaction(
            account_id=account.id,
            kind=InteractionKind[row.kind],
            direction=InteractionDirection[row.direction],
            occurred_at=datetime.combine(day(-row.days_ago), time(row.hour, 0), UTC),
            duration_minutes=row.minutes,
            subject=row.subject,
            outcome=row.outcome,
            next_step=row.next_step,
            need_id=needs[row.need].id if row.need else None,
        )
        interaction.stakeholder_rows, interaction.member_rows = [], []
        interaction.stakeholder_ids = [people[k].id for k in row.people.split()]
        interaction.member_ids = [members[k].id for k in row.members.split()]
        session.add(interaction)
    await session.flush()
    for deal in DEALS.get(spec.name, ()):
        await _write_deal(session, account, deal, members, people, needs, day)
    session.add_all(
        RevenueRecord(
            account_id=account.id, booked_on=booked_on, amount=amount, currency=CURRENCY, margin=margin,
            product_line=line, reference=reference,
        )
        for booked_on, amount, margin, line, reference in monthly_orders(spec.name, spec.current_value, today)
    )
    await session.flush()
    await refresh_revenue(session, [account.id], today)
    # Recency on the account, its people and their coverage, as the API's writes keep it.
    await refresh_accounts(session, [account.id], today)
    await refresh_stakeholders(session, [p.id for p in people.values()], today)
    # Judged from all of it, as the API's writes judge an account they change.
    await judge_accounts(session, [account.id], today)


async def _write_deal(
    session: AsyncSession,
    account: Account,
    deal: DealRow,
    members: dict[str, TeamMember],
    people: dict[str, Stakeholder],
    needs: dict[str, Need],
    day: Callable[[int], date],
) -> None:
    """A deal opened and moved as `opportunityCreate` and `opportunityMoveStage` would have, on the demo's days."""
    first = OpportunityStage.INITIAL_CONTACT
    opportunity = Opportunity(
        account_id=account.id, name=deal.name, amount=Decimal(deal.amount), currency=CURRENCY,
        probability=DEFAULT_PROBABILITY[first], probability_set=False, owner_id=members[deal.owner].id,
        expected_close_on=None if deal.expected_close is None else day(deal.expected_close),
        opened_on=day(-deal.opened), reached_stages=0, path="", moves=0,
    )
    opportunity.need_rows = []
    opportunity.need_ids = [needs[k].id for k in deal.needs]
    opportunity.enter(first, day(-deal.opened))
    session.add(opportunity)
    await session.flush()
    owner = members[deal.owner].id
    moved_at = datetime.combine(day(-deal.opened), time(9, 0), UTC)
    changes = [opportunity.opening(moved_at, owner)]
    for stage, days_ago, why in deal.moves:
        to = OpportunityStage[stage]
        at = datetime.combine(day(-days_ago), time(9, 0), UTC)
        changes.append(opportunity.move_to(to, day(-days_ago), at=at, by_id=owner, reason=None if to is OpportunityStage.LOST else why))
        opportunity.lost_reason = why if to is OpportunityStage.LOST else None
    session.add_all(changes)
    session.add_all(
        OpportunityContact(
            account_id=account.id, opportunity_id=opportunity.id, stakeholder_id=people[person].id,
            role=ContactRole[role], is_primary=i == 0,
        )
        for i, (person, role) in enumerate(deal.contacts)
    )


def _action(
    plan_id: int,
    x: ActionRow,
    members: dict[str, TeamMember],
    needs: dict[str, Need],
    people: dict[str, Stakeholder],
    due_on: date,
    today: date,
) -> Action:
    status = ActionStatus[x.status]
    # Done actions were finished the afternoon before they were due (and never in the future).
    finished = min(due_on, today) - timedelta(days=1)
    return Action(
        plan_id=plan_id,
        title=x.title,
        owner_id=members[x.owner].id,
        due_on=due_on,
        status=status,
        need_id=needs[x.need].id if x.need else None,
        stakeholder_id=people[x.stakeholder].id if x.stakeholder else None,
        completed_at=datetime.combine(finished, time(15, 0), UTC) if status is ActionStatus.DONE else None,
    )


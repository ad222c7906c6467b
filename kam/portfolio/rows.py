"""The rows the generator writes: which columns of which table, in the order they are loaded.

Parents come before their children, so a chunk can be written table by table
with every foreign key already satisfied. Primary keys are given by the
generator, counting on from the highest id each table holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.interaction import RECENCY_COLUMNS
from domain.opportunity import OPEN_STAGES, days_column

# What the writes of interactions keep on accounts and stakeholders (domain/interaction.py), last on their rows:
# the generator fills them in once it has drawn the account's interactions.
RECENCY = RECENCY_COLUMNS
# What the writes of revenue records keep on accounts (resolvers/revenue/summary.py), after the recency: the
# generator fills them in once it has drawn the account's revenue (kam/portfolio/revenue.py).
REVENUE_SUMMARY = (
    "entered_annual_value", "annual_value_source", "revenue_orders_12m", "revenue_last_order_on",
    "revenue_margin_to_date", "revenue_counted_on",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "team_member": ("id", "name", "email", "title", "role", "manager_id", "active", "created_at", "updated_at", "version"),
    "account": (
        "id", "name", "industry", "region", "website", "owner_id", "grade", "value_tier", "is_key_account",
        "relationship_stage", "lifecycle_stage", "current_annual_value", "estimated_wallet", "currency", "quadrant",
        "archived_at", "created_at", "updated_at", "version", "assessed_value", "assessed_potential", "assessed_currency",
        *RECENCY, *REVENUE_SUMMARY,
    ),
    "account_team_member": ("account_id", "member_id", "team_role"),
    "stakeholder": (
        "id", "account_id", "name", "title", "department", "email", "phone", "attitude", "influence", "decision_level",
        "buying_motive", "reports_to_id", "created_at", "updated_at", "version", *RECENCY,
    ),
    "stakeholder_buying_role": ("stakeholder_id", "role"),
    "influence_link": ("id", "account_id", "source_id", "target_id", "strength"),
    "coverage": ("id", "account_id", "stakeholder_id", "member_id", "strength", "last_interaction_at"),
    "need": (
        "id", "account_id", "stakeholder_id", "title", "description", "pain_points", "category", "visibility",
        "priority", "status", "created_at", "updated_at", "version", "peak_mask",
    ),
    "need_peak_quarter": ("need_id", "quarter"),
    "growth_assessment": (
        "id", "account_id", "assessed_on", "current_value", "potential", "currency", "quadrant", "assessed_by_id",
        "note", "created_at",
    ),
    # The accounts' quadrant moves, as the writes of assessments keep them (resolvers/growth/transitions.py).
    "judgment_transition": ("id", "account_id", "kind", "from_value", "to_value", "changed_on", "cause", "by_id"),
    "action_plan": (
        "id", "account_id", "title", "description", "status", "starts_on", "ends_on", "owner_id", "created_at",
        "updated_at", "version",
    ),
    "objective": ("id", "plan_id", "description", "metric", "target", "due_on", "created_at", "updated_at", "version"),
    "action": (
        "id", "plan_id", "title", "owner_id", "due_on", "status", "need_id", "stakeholder_id", "completed_at",
        "created_at", "updated_at", "version",
    ),
    "opportunity": (
        "id", "account_id", "name", "amount", "currency", "probability", "probability_set", "expected_close_on",
        "owner_id", "stage", "lost_reason", "opened_on", "stage_entered_on", "closed_on", "reached_stages", "path",
        "moves", "created_at", "updated_at", "version", *(days_column(stage) for stage in OPEN_STAGES),
    ),
    "opportunity_need": ("opportunity_id", "need_id"),
    "opportunity_contact": ("id", "account_id", "opportunity_id", "stakeholder_id", "role", "is_primary"),
    "stage_change": (
        "id", "opportunity_id", "account_id", "from_stage", "to_stage", "moved_on", "moved_at", "moved_by_id",
        "reason", "days_in_stage", "skipped",
    ),
    # `opportunity_id` last: the deals are drawn after the interactions, and name some of them.
    "interaction": (
        "id", "account_id", "kind", "direction", "occurred_at", "duration_minutes", "subject", "summary", "outcome",
        "next_step", "need_id", "created_at", "updated_at", "version", "opportunity_id",
    ),
    "interaction_stakeholder": ("interaction_id", "stakeholder_id"),
    "interaction_member": ("interaction_id", "member_id"),
    "revenue_record": (
        "id", "account_id", "booked_on", "amount", "currency", "margin", "product_line", "reference", "created_at",
        "updated_at", "version",
    ),
}

# Tables whose rows carry an `id` of their own (the others are keyed by their parents).
ID_TABLES = tuple(name for name, columns in COLUMNS.items() if columns[0] == "id")

# Every row starts at version 1, as a row written through the API does.
VERSION = 1


class Batch:
    """The rows of one chunk, per table, as tuples in `COLUMNS` order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


class Ids:
    """The next free primary key of each table with ids, counting on from the highest one already taken."""

    def __init__(self, highest: Mapping[str, int]) -> None:
        self.next = {name: highest.get(name, 0) + 1 for name in ID_TABLES}

    def take(self, table: str, count: int = 1) -> int:
        """Reserve `count` consecutive ids; returns the first."""
        first = self.next[table]
        self.next[table] = first + count
        return first

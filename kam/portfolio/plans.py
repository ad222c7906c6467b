"""Two account plans per account, each with three objectives and five actions, obeying the plan rules.

Most accounts have last period's plan (completed, sometimes cancelled) and the
running one; some have the running one and a draft for the next period; a few
run two initiatives side by side. Objectives and actions are due inside their
plan (domain/plan.py), and an action's status and completion time follow its
due date and its plan's status.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kam.portfolio.accounts import Draft
from kam.portfolio.chance import Clock, pick, table
from kam.portfolio.people import Person
from kam.portfolio.rows import VERSION, Batch, Ids
from kam.portfolio.words import (
    ACTION_TITLES,
    ACTION_TITLES_NEED,
    ACTION_TITLES_PERSON,
    BOARD,
    OBJECTIVES,
    PLAN_DESCRIPTIONS,
    PLAN_TITLES,
)

PLANS_PER_ACCOUNT = 2
OBJECTIVES_PER_PLAN = 3
ACTIONS_PER_PLAN = 5

SCENARIOS = table({"renewal": 65, "next": 20, "initiatives": 15})
LENGTHS = table({365: 60, 182: 30, 91: 10})
CLOSED = table({"COMPLETED": 85, "CANCELLED": 15})
# Status of an action by its plan's status and whether its due date has passed.
OVERDUE = table({"DONE": 70, "IN_PROGRESS": 15, "BLOCKED": 10, "TODO": 5})
AHEAD = table({"TODO": 55, "IN_PROGRESS": 30, "BLOCKED": 8, "DONE": 7})
CANCELLED = table({"DONE": 60, "BLOCKED": 20, "TODO": 20})
UNDATED = table({"TODO": 60, "IN_PROGRESS": 40})


@dataclass(frozen=True, slots=True)
class Schedule:
    status: str
    starts: int  # day ordinals
    ends: int


def schedule(rng: random.Random, clock: Clock) -> list[Schedule]:
    """The two plans' status and dates, drawn before the account so that it can be created before them."""
    today = clock.today_ord
    scenario = pick(rng, SCENARIOS)
    if scenario == "initiatives":
        plans = []
        for _ in range(PLANS_PER_ACCOUNT):
            length = rng.randint(90, 270)
            starts = today - rng.randint(10, length - 10)
            plans.append(Schedule("ACTIVE", starts, starts + length - 1))
        return plans
    length = pick(rng, LENGTHS)
    starts = today - rng.randint(14, length - 14)
    running = Schedule("ACTIVE", starts, starts + length - 1)
    if scenario == "renewal":
        return [Schedule(pick(rng, CLOSED), starts - length, starts - 1), running]
    return [running, Schedule("DRAFT", running.ends + 1, running.ends + length)]


def _action_status(rng: random.Random, plan: str, due: int | None, today: int) -> str:
    if plan == "COMPLETED":
        return "DONE"
    if plan == "DRAFT":
        return "TODO"
    if plan == "CANCELLED":
        return pick(rng, CANCELLED)
    if due is None:
        return pick(rng, UNDATED)
    return pick(rng, OVERDUE if due < today else AHEAD)


def lower_first(text: str) -> str:
    """A need's title inside a sentence: "Send the proposal for a framework agreement", acronyms kept."""
    word = text.split(" ", 1)[0]
    return text if len(word) > 1 and word.isupper() else text[0].lower() + text[1:]


def _target(rng: random.Random, kind: str, draft: Draft) -> Decimal:
    if kind == "revenue":
        base = draft.current or draft.wallet * 0.15
        return Decimal(int(base * rng.uniform(1.05, 1.4)) // 1_000 * 1_000)
    if kind == "count":
        return Decimal(rng.randint(2, 12))
    if kind == "percent":
        return Decimal(rng.randint(15, 60))
    if kind == "score":
        return Decimal(rng.randint(25, 60))
    return Decimal(0)


def generate_plans(
    rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock, people: list[Person], plans: list[Schedule]
) -> None:
    rows = batch.rows
    today = clock.today_ord
    leaders = [p for p in people if p.level <= 1 and p.department != BOARD]
    first_plan = ids.take("action_plan", len(plans))
    for n, plan in enumerate(plans):
        plan_id = first_plan + n
        department = pick(rng, leaders).department
        year = clock.day(plan.starts).year
        title = pick(rng, PLAN_TITLES).format(year=year, department=department)
        owner = draft.owner_id if rng.random() < 0.8 else pick(rng, draft.members)
        prepared = plan.starts - rng.randint(3, 30)
        if prepared >= today - 1:
            created = clock.between(rng, max(draft.created, clock.moment(rng, today - 30)))
        else:
            created = max(draft.created, clock.moment(rng, prepared))
        if plan.status in ("COMPLETED", "CANCELLED"):
            updated = max(created, clock.moment(rng, min(today - 1, plan.ends + rng.randint(0, 20))))
        else:
            updated = clock.between(rng, created) if rng.random() < 0.5 else created
        rows["action_plan"].append((
            plan_id, draft.id, title, pick(rng, PLAN_DESCRIPTIONS).format(department=department), plan.status,
            clock.day(plan.starts), clock.day(plan.ends), owner, created, updated, VERSION,
        ))
        _objectives(rng, ids, batch, draft, clock, plan_id, plan, created)
        _actions(rng, ids, batch, draft, clock, people, plan_id, plan, created)


def _objectives(
    rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock, plan_id: int, plan: Schedule, created: datetime
) -> None:
    first_id = ids.take("objective", OBJECTIVES_PER_PLAN)
    for n, (metric, description, kind) in enumerate(rng.sample(OBJECTIVES, OBJECTIVES_PER_PLAN)):
        roll = rng.random()
        due = plan.ends if roll < 0.6 else rng.randint(plan.starts, plan.ends) if roll < 0.9 else None
        batch.rows["objective"].append((
            first_id + n, plan_id, description, metric, _target(rng, kind, draft),
            None if due is None else clock.day(due), created,
            clock.between(rng, created) if rng.random() < 0.3 else created, VERSION,
        ))


def _actions(
    rng: random.Random,
    ids: Ids,
    batch: Batch,
    draft: Draft,
    clock: Clock,
    people: list[Person],
    plan_id: int,
    plan: Schedule,
    created: datetime,
) -> None:
    today = clock.today_ord
    dues = sorted(rng.randint(plan.starts, plan.ends) for _ in range(ACTIONS_PER_PLAN))
    first_id = ids.take("action", ACTIONS_PER_PLAN)
    for n, dated in enumerate(dues):
        due = None if rng.random() < 0.08 else dated
        person = pick(rng, people)
        need_id, need_title = pick(rng, person.needs)
        roll = rng.random()
        if roll < 0.45:
            template = pick(rng, ACTION_TITLES_PERSON)
            title = template.format(person=person.name, need=lower_first(need_title))
            stakeholder_id, need_id = person.id, (need_id if "{need}" in template else None)
        elif roll < 0.75:
            title = pick(rng, ACTION_TITLES_NEED).format(need=lower_first(need_title))
            stakeholder_id = person.id
        else:
            title, stakeholder_id, need_id = pick(rng, ACTION_TITLES), None, None
        status = _action_status(rng, plan.status, due, today)
        completed = None
        if status == "DONE":
            # Finished in the days before it was due (or the plan ended), after the plan started, before today.
            finished = max(plan.starts, min(plan.ends if due is None else due, today - 1) - rng.randint(0, 10))
            completed = max(created, clock.moment(rng, finished))
        updated = completed or (clock.between(rng, created) if rng.random() < 0.5 else created)
        batch.rows["action"].append((
            first_id + n, plan_id, title, draft.owner_id if rng.random() < 0.7 else pick(rng, draft.members),
            None if due is None else clock.day(due), status, need_id, stakeholder_id, completed, created, updated,
            VERSION,
        ))

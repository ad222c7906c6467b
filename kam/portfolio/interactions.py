"""Two years of an account's interactions: calls, emails, meetings, visits, events and messages, and who took part.

How often we are in touch leans on the grade (A accounts are worked every
week, D accounts a few times a year) and varies from account to account.
Some accounts have gone quiet: nobody has been in touch for more than sixty
days (most at-risk and churned ones, a few others); archived accounts fell
silent around the day they were archived; a few prospects were never
contacted. Every other account had an interaction in the last sixty days.

The people who take part are the account's own: its stakeholders, mostly
those our team covers and the senior ones, and one or two members of the
account team, mostly whoever covers the first stakeholder. Sometimes an
interaction is about a need of one of its stakeholders.

Once an account's interactions are drawn, the account, its stakeholders and
their coverage get the recency the writes keep (resolvers/interactions/
recency.py), counted as of the day of the run, as `kam recompute` (or a write
of an interaction, for the rows it touches) leaves them that day: the last
interaction, its day as an ordinal (0: never), the counts over the 30, 90 and
365 days ending today, the day counted on; and per coverage row the last
interaction its member and stakeholder took part in together.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import NamedTuple

from domain.interaction import WINDOWS
from kam.portfolio.accounts import Draft
from kam.portfolio.chance import DAY, EPOCH, WORKDAY_SECONDS, WORKDAY_START, Clock, table
from kam.portfolio.people import Person
from kam.portfolio.plans import lower_first
from kam.portfolio.rows import VERSION, Batch, Ids
from kam.portfolio.words import (
    INTERACTION_NEED_SUBJECTS,
    INTERACTION_NEXT_STEPS,
    INTERACTION_OUTCOMES,
    INTERACTION_SUBJECTS,
    INTERACTION_SUMMARIES,
)

HISTORY_DAYS = 730  # two years
RECENT_DAYS = 60  # "not contacted for more than 60 days" is what an account manager looks at
# Interactions a year: typical per grade, spread per account (of the logarithm), the most any account has.
PER_YEAR = {"A": 70.0, "B": 40.0, "C": 24.0, "D": 12.0}
SPREAD = 0.6
MOST_PER_YEAR = 250.0
PROSPECT_FACTOR = 0.5  # prospects are in touch half as often
# Never contacted, per relationship stage; quiet for more than RECENT_DAYS, per lifecycle stage.
NEVER = {"PROSPECT": 0.06}
NEVER_OTHERWISE = 0.004
QUIET = {"AT_RISK": 0.2, "WIN_BACK": 0.2, "CHURNED": 0.5}
QUIET_OTHERWISE = 0.05
QUIET_SINCE = (RECENT_DAYS + 1, 300)  # days since the last interaction of a quiet account
ARCHIVED_SILENCE = 30  # the last interaction of an archived account: up to this many days before archiving

KINDS = table({"EMAIL": 30, "CALL": 25, "MEETING": 20, "MESSAGE": 9, "VISIT": 8, "EVENT": 4, "OTHER": 4})
DIRECTIONS = {
    "EMAIL": table({"OUTBOUND": 55, "INBOUND": 45}),
    "CALL": table({"OUTBOUND": 65, "INBOUND": 35}),
    "MEETING": table({"MUTUAL": 70, "OUTBOUND": 25, "INBOUND": 5}),
    "MESSAGE": table({"INBOUND": 50, "OUTBOUND": 50}),
    "VISIT": table({"OUTBOUND": 85, "MUTUAL": 15}),
    "EVENT": table({"OUTBOUND": 90, "INBOUND": 10}),
    "OTHER": table({"OUTBOUND": 60, "INBOUND": 25, "MUTUAL": 15}),
}
# Minutes; None: not recorded (an email takes no meeting time).
DURATIONS: dict[str, tuple[int | None, ...]] = {
    "EMAIL": (None,),
    "MESSAGE": (None,),
    "CALL": (10, 15, 15, 20, 30, 30, 45, 60, None),
    "MEETING": (30, 45, 60, 60, 60, 90, 120),
    "VISIT": (60, 90, 120, 180, 240, 300),
    "EVENT": (90, 120, 180, 240, 480),
    "OTHER": (None, None, 30, 60, 90),
}
# How many of the customer's people take part, and how often a second member of ours does.
PARTICIPANTS = {
    "EMAIL": table({1: 80, 2: 15, 3: 5}),
    "CALL": table({1: 85, 2: 15}),
    "MEETING": table({1: 30, 2: 40, 3: 30}),
    "MESSAGE": table({1: 1}),
    "VISIT": table({1: 25, 2: 40, 3: 35}),
    "EVENT": table({1: 40, 2: 35, 3: 25}),
    "OTHER": table({1: 70, 2: 30}),
}
SECOND_MEMBER = {"EMAIL": 0.1, "CALL": 0.15, "MEETING": 0.4, "MESSAGE": 0.0, "VISIT": 0.5, "EVENT": 0.45, "OTHER": 0.2}
COVERING_MEMBER = 0.8  # the first member is whoever covers the first stakeholder, this often
# Who is contacted: people our team covers most, then the senior ones.
COVERED_WEIGHT, SENIOR_WEIGHT, OTHER_WEIGHT = 4, 2, 1
ABOUT_A_NEED = 0.15
SUMMARY, OUTCOME, NEXT_STEP = 0.3, 0.45, 0.4
RECORDED_WITHIN = 36 * 3600  # seconds after it happened, at most, an interaction is written down
EDITED = 0.15  # share of interactions changed after they were recorded
QUARTER_NAMES = ("", *(f"Q{(month - 1) // 3 + 1}" for month in range(1, 13)))  # by month

RecencyRow = tuple[datetime | None, int, int, int, int, date]


def _days(rng: random.Random, draft: Draft, clock: Clock) -> list[int]:
    """The days (ordinals) the account's interactions happened on, oldest first; none if never contacted."""
    today = clock.today_ord
    if rng.random() < NEVER.get(draft.stage, NEVER_OTHERWISE):
        return []
    quiet = rng.random() < QUIET.get(draft.lifecycle, QUIET_OTHERWISE)
    start = max(draft.created_ord + 1, today - HISTORY_DAYS)
    if draft.archived_ord is not None:
        end = draft.archived_ord - rng.randint(0, ARCHIVED_SILENCE)
    elif quiet:
        end = today - rng.randint(*QUIET_SINCE)
    else:
        end = today - 1
    end = min(today - 1, max(end, start))
    per_year = min(MOST_PER_YEAR, PER_YEAR[draft.grade] * rng.lognormvariate(0.0, SPREAD))
    if draft.stage == "PROSPECT":
        per_year *= PROSPECT_FACTOR
    per_day = per_year / 365.0
    days: list[int] = []
    moment = float(start)
    while True:
        # A Poisson process: the gaps between interactions are exponential.
        moment += rng.expovariate(per_day)
        if moment >= end + 1:
            break
        day = int(moment)
        weekday = (day - 1) % 7  # Monday is 0
        if weekday == 5:  # Saturday: the Friday before
            day -= 1
        elif weekday == 6:  # Sunday: the Monday after, if that is not past the end
            day = day + 1 if day + 1 <= end else day - 2
        days.append(max(start, day))
    if not days:
        days.append(end)
    if draft.archived_ord is None and not quiet and days[-1] < today - RECENT_DAYS:
        # Every account that is neither quiet nor archived was contacted in the last weeks.
        days.append(max(start, today - rng.randint(1, RECENT_DAYS - 10)))
    days.sort()
    return days


def _recency(days: list[int], last: datetime | None, clock: Clock) -> RecencyRow:
    """What refresh_accounts/refresh_stakeholders write for a row with interactions on `days` (in order), as of
    today: the counts over the windows that end today (the one of 30 days holds today and the 29 before)."""
    if not days:
        return (None, 0, 0, 0, 0, clock.today)
    today, total = clock.today_ord, len(days)
    d30, d90, d365 = (total - bisect_left(days, today - (window - 1)) for window in WINDOWS)
    return (last, days[-1], d30, d90, d365, clock.today)


class _Kind(NamedTuple):
    """What an interaction of one kind draws from."""

    name: str
    directions: tuple[str, ...]
    durations: tuple[int | None, ...]
    participants: tuple[int, ...]
    second_member: float
    subjects: tuple[str, ...]


KIND_TABLE = tuple(
    _Kind(kind, DIRECTIONS[kind], DURATIONS[kind], PARTICIPANTS[kind], SECOND_MEMBER[kind], INTERACTION_SUBJECTS[kind])
    for kind in KINDS
)


def generate_interactions(
    rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock, people: list[Person]
) -> int:
    """Write the account's interactions with who took part, then the recency of the account, its people and
    their coverage (the rows `generate_account` and `generate_people` wrote last); returns the index of the
    account's first interaction row."""
    rows = batch.rows
    coverage_rows = rows["coverage"]
    first_cover = len(coverage_rows)
    while first_cover and coverage_rows[first_cover - 1][1] == draft.id:
        first_cover -= 1
    covering: dict[int, list[int]] = defaultdict(list)
    for row in coverage_rows[first_cover:]:
        covering[row[2]].append(row[3])
    contacts = tuple(
        person
        for person in people
        for _ in range(COVERED_WEIGHT if person.id in covering else SENIOR_WEIGHT if person.level <= 1 else OTHER_WEIGHT)
    )
    team = draft.members
    owner = draft.owner_id

    days = _days(rng, draft, clock)
    interactions, with_people, with_members = rows["interaction"], rows["interaction_stakeholder"], rows["interaction_member"]
    first_row = len(interactions)
    random_ = rng.random
    first_id = ids.take("interaction", len(days))
    horizon = clock.horizon
    account_id = draft.id
    person_days: dict[int, list[int]] = defaultdict(list)
    person_last: dict[int, datetime] = {}
    pair_last: dict[tuple[int, int], datetime] = {}
    last: datetime | None = None
    kinds, n_kinds, n_contacts = KIND_TABLE, len(KIND_TABLE), len(contacts)
    need_subjects, summaries, outcomes, next_steps = (
        INTERACTION_NEED_SUBJECTS, INTERACTION_SUMMARIES, INTERACTION_OUTCOMES, INTERACTION_NEXT_STEPS
    )
    from_timestamp = datetime.fromtimestamp
    # (picks are inlined: `values[int(random_() * len(values))]` is `pick`, at a fraction of the calls)
    for n, day in enumerate(days):
        interaction_id = first_id + n
        kind = kinds[int(random_() * n_kinds)]
        # During working hours (UTC) on that day: before today, so never in the future.
        seconds = (day - EPOCH) * DAY + WORKDAY_START + int(random_() * WORKDAY_SECONDS)
        occurred = from_timestamp(seconds, UTC)
        wanted = kind.participants[int(random_() * len(kind.participants))]
        first = contacts[int(random_() * n_contacts)]
        chosen = [first]
        if wanted > 1:
            for _ in range(4 * wanted):
                person = contacts[int(random_() * n_contacts)]
                if person not in chosen:
                    chosen.append(person)
                    if len(chosen) == wanted:
                        break
        covers = covering.get(first.id)
        member = covers[int(random_() * len(covers))] if covers and random_() < COVERING_MEMBER else owner
        if len(team) > 1 and random_() < kind.second_member:
            other = team[int(random_() * len(team))]
            members = (member,) if other == member else (member, other)
        else:
            members = (member,)
        need_id = None
        department = first.department
        if random_() < ABOUT_A_NEED:
            need_id, title = first.needs[int(random_() * len(first.needs))]
            subject = need_subjects[int(random_() * len(need_subjects))].format(need=lower_first(title))
        else:
            when = date.fromordinal(day)
            subject = kind.subjects[int(random_() * len(kind.subjects))].format(
                department=department, quarter=QUARTER_NAMES[when.month], year=when.year
            )
        recorded = seconds + int(random_() * min(RECORDED_WITHIN, horizon - 1 - seconds))
        created = from_timestamp(recorded, UTC)
        updated = (
            from_timestamp(recorded + int(random_() * (horizon - 1 - recorded)), UTC) if random_() < EDITED else created
        )
        interactions.append((
            interaction_id, account_id, kind.name, kind.directions[int(random_() * len(kind.directions))], occurred,
            kind.durations[int(random_() * len(kind.durations))], subject,
            summaries[int(random_() * len(summaries))] if random_() < SUMMARY else None,
            outcomes[int(random_() * len(outcomes))].format(department=department) if random_() < OUTCOME else None,
            next_steps[int(random_() * len(next_steps))].format(department=department) if random_() < NEXT_STEP else None,
            need_id, created, updated, VERSION, None,  # the deal it was about: kam/portfolio/deals.py
        ))
        for m in members:
            with_members.append((interaction_id, m))
        # Days come in order, times within a day do not: keep the latest.
        if last is None or occurred > last:
            last = occurred
        for person in chosen:
            person_id = person.id
            with_people.append((interaction_id, person_id))
            person_days[person_id].append(day)
            if occurred > person_last.get(person_id, occurred):
                person_last[person_id] = occurred
            else:
                person_last.setdefault(person_id, occurred)
            for m in members:
                pair = (person_id, m)
                if occurred > pair_last.get(pair, occurred):
                    pair_last[pair] = occurred
                else:
                    pair_last.setdefault(pair, occurred)

    accounts = rows["account"]
    assert accounts[-1][0] == draft.id, "the account's row is not the last one written"
    accounts[-1] = accounts[-1] + _recency(days, last, clock)
    stakeholders = rows["stakeholder"]
    first_person = len(stakeholders) - len(people)
    assert stakeholders[first_person][1] == draft.id, "the account's people are not the last rows written"
    for index in range(first_person, len(stakeholders)):
        row = stakeholders[index]
        person_id = row[0]
        stakeholders[index] = row + _recency(person_days.get(person_id, []), person_last.get(person_id), clock)
    for index in range(first_cover, len(coverage_rows)):
        row = coverage_rows[index]
        coverage_rows[index] = (*row, pair_last.get((row[2], row[3])))
    return first_row

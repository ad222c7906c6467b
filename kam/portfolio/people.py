"""The customer's people: an org chart of fifteen stakeholders, influence across it, our coverage and their needs.

The org chart is built top down (chief executive, three executives, four
senior managers, four managers, three staff), each person reporting to
someone of the level above in the same account: a tree, so never a loop.
Titles, buying roles and needs follow the person's function and level;
attitudes lean on how close the relationship already is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from domain.need import Quarter, quarter_mask
from kam.portfolio.accounts import Draft
from kam.portfolio.chance import Clock, pick, table
from kam.portfolio.names import mailbox
from kam.portfolio.rows import VERSION, Batch, Ids
from kam.portfolio.words import (
    BOARD,
    CEO_MOTIVES,
    CEO_NEEDS,
    CEO_PAIN_POINTS,
    CEO_TITLE,
    EMOTIONAL_NEEDS,
    FIRST_NAMES,
    FUNCTIONS,
    LAST_NAMES,
    MANAGING_DIRECTOR,
    MONTHS,
    NEED_SOURCES_EXPLICIT,
    NEED_SOURCES_IMPLICIT,
    SOCIAL_NEEDS,
    Function,
)

STAKEHOLDERS = 15
NEEDS_PER_STAKEHOLDER = 3
# How many people sit on each level below the chief executive, and on which level their managers sit.
EXECUTIVES, SENIORS, MANAGERS, STAFF = 3, 4, 4, 3
LEVELS = ("EXECUTIVE", "SENIOR_MANAGER", "MANAGER", "STAFF")
# Legal forms of companies run by a managing director rather than a chief executive.
DIRECTOR_LED = frozenset({"GmbH", "GmbH & Co. KG", "Ltd", "B.V.", "S.r.l.", "S.L.", "Sp. z o.o.", "Pte. Ltd.", "LLC"})

ATTITUDES = {
    stage: table(dict(zip(("CHAMPION", "SUPPORTER", "NEUTRAL", "SKEPTIC", "OPPONENT"), weights, strict=True)))
    for stage, weights in {
        "STRATEGIC_PARTNER": (18, 35, 32, 10, 5),
        "PREFERRED_SUPPLIER": (12, 32, 36, 14, 6),
        "REPEAT_CUSTOMER": (8, 27, 40, 17, 8),
        "FIRST_DEAL": (6, 22, 44, 19, 9),
        "PROSPECT": (3, 15, 50, 22, 10),
    }.items()
}
INFLUENCE = (
    table({"HIGH": 80, "MEDIUM": 20}),
    table({"HIGH": 30, "MEDIUM": 55, "LOW": 15}),
    table({"HIGH": 5, "MEDIUM": 45, "LOW": 50}),
    table({"MEDIUM": 15, "LOW": 85}),
)
TECHNICAL = frozenset({"IT", "R&D"})
LINK_STRENGTHS = table({"WEAK": 30, "MODERATE": 45, "STRONG": 25})
COVERAGE_STRENGTHS = table({"TRUSTED_ADVISOR": 10, "GOOD": 35, "ACQUAINTED": 45, "NONE": 10})
# How many stakeholders our people know, per grade (fewest, most).
COVERED = {"A": (6, 11), "B": (4, 8), "C": (2, 5), "D": (1, 3)}

CATEGORIES = table({"FUNCTIONAL": 60, "EMOTIONAL": 22, "SOCIAL": 18})
PRIORITIES = table({"CRITICAL": 8, "HIGH": 27, "MEDIUM": 45, "LOW": 20})
STATUSES = table({"IDENTIFIED": 30, "VALIDATED": 25, "BEING_ADDRESSED": 20, "MET": 15, "DROPPED": 10})
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
# The quarters a need peaks in: mostly one, often two, rarely more.
PEAKS = table({
    quarters: {1: 16, 2: 5, 3: 1, 4: 2}[len(quarters)]
    for quarters in (tuple(q for bit, q in enumerate(QUARTERS) if mask >> bit & 1) for mask in range(1, 16))
})


@dataclass(slots=True)
class Person:
    """A stakeholder as the account's plans refer to it."""

    id: int
    name: str
    department: str
    level: int
    created: datetime
    needs: list[tuple[int, str]]


def _org_chart(rng: random.Random) -> list[tuple[Function | None, int, int | None]]:
    """(function, level, index of the manager) per stakeholder, managers first; the chief executive has no function."""
    execs = rng.sample(FUNCTIONS, EXECUTIVES)
    chart: list[tuple[Function | None, int, int | None]] = [(None, 0, None)]
    chart += [(f, 0, 0) for f in execs]
    for _ in range(SENIORS):
        boss = rng.randint(1, EXECUTIVES)
        # Some senior managers head a function without a seat on the board, e.g. procurement under the CFO.
        function = chart[boss][0] if rng.random() < 0.75 else pick(rng, FUNCTIONS)
        chart.append((function, 1, boss))
    first = 1 + EXECUTIVES
    for _ in range(MANAGERS):
        boss = rng.randint(first, first + SENIORS - 1)
        chart.append((chart[boss][0], 2, boss))
    first += SENIORS
    for _ in range(STAFF):
        boss = rng.randint(first, first + MANAGERS - 1)
        chart.append((chart[boss][0], 3, boss))
    return chart


def _roles(rng: random.Random, function: Function | None, level: int, attitude: str) -> list[str]:
    """Buying roles from function and level: executives decide, finance pays, IT evaluates, procurement guards."""
    department = BOARD if function is None else function.department
    roles: list[str] = []
    if function is None:
        roles.append("DECISION_MAKER")
        if rng.random() < 0.3:
            roles.append("ECONOMIC_BUYER")
    elif level == 0:
        if rng.random() < (0.5 if department == "Finance" else 0.35):
            roles.append("DECISION_MAKER")
        if department in ("Finance", "Procurement"):
            roles.append("ECONOMIC_BUYER")
        roles.append("TECHNICAL_EVALUATOR" if department in TECHNICAL else "INFLUENCER")
    elif level == 1:
        if department == "Procurement":
            roles.append("GATEKEEPER")
            if rng.random() < 0.4:
                roles.append("ECONOMIC_BUYER")
        elif department in TECHNICAL:
            roles.append("TECHNICAL_EVALUATOR")
            if rng.random() < 0.5:
                roles.append("INFLUENCER")
        else:
            roles.append("INFLUENCER")
            if rng.random() < 0.3:
                roles.append("USER")
    elif level == 2:
        if department in TECHNICAL and rng.random() < 0.6:
            roles.append("TECHNICAL_EVALUATOR")
        elif department == "Procurement" and rng.random() < 0.5:
            roles.append("GATEKEEPER")
        roles.append("USER")
        if rng.random() < 0.3:
            roles.append("INFLUENCER")
    else:
        roles.append("USER")
        if department in TECHNICAL and rng.random() < 0.2:
            roles.append("TECHNICAL_EVALUATOR")
    if attitude == "CHAMPION":
        roles.append("CHAMPION")
    return list(dict.fromkeys(roles))


def _title(rng: random.Random, function: Function | None, level: int, legal_form: str) -> str:
    if function is None:
        return MANAGING_DIRECTOR if legal_form in DIRECTOR_LED else CEO_TITLE
    if level == 0:
        return function.executive
    return pick(rng, (function.senior, function.manager, function.staff)[level - 1])


def generate_people(rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock) -> list[Person]:
    """Write the stakeholders with their buying roles and needs, then influence lines and our coverage."""
    rows = batch.rows
    stakeholders, roles_rows = rows["stakeholder"], rows["stakeholder_buying_role"]
    region = draft.region
    firsts, lasts = FIRST_NAMES[region.culture], LAST_NAMES[region.culture]
    names = rng.sample(range(len(firsts) * len(lasts)), STAKEHOLDERS)
    first_id = ids.take("stakeholder", STAKEHOLDERS)
    attitudes = ATTITUDES[draft.stage]
    people: list[Person] = []
    for n, (function, level, boss) in enumerate(_org_chart(rng)):
        person_id = first_id + n
        first, last = divmod(names[n], len(lasts))
        given, family = firsts[first], lasts[last]
        name = f"{given} {family}"
        if level == 0 and region.culture == "german" and rng.random() < 0.15:
            name = f"Dr. {name}"
        department = BOARD if function is None else function.department
        attitude = pick(rng, attitudes)
        motives = CEO_MOTIVES if function is None else function.motives
        motive = pick(rng, motives) if rng.random() < (0.7 if level < 2 else 0.35) else None
        email = f"{mailbox(given)}.{mailbox(family)}@{draft.domain}" if rng.random() < 0.85 else None
        phone = (f"{region.phone_prefix} {rng.randint(10, 99)} {rng.randint(1_000_000, 9_999_999)}"
                 if rng.random() < 0.7 else None)
        created = clock.between(rng, draft.created)
        updated = clock.between(rng, created) if rng.random() < 0.35 else created
        stakeholders.append((
            person_id, draft.id, name, _title(rng, function, level, draft.legal_form), department, email, phone,
            attitude, "HIGH" if function is None else pick(rng, INFLUENCE[level]), LEVELS[level], motive,
            None if boss is None else first_id + boss, created, updated, VERSION,
        ))
        roles_rows.extend((person_id, role) for role in _roles(rng, function, level, attitude))
        person = Person(person_id, name, department, level, created, [])
        _needs(rng, ids, batch, draft, clock, person, function)
        people.append(person)
    _influence(rng, ids, batch, draft, people)
    _coverage(rng, ids, batch, draft, people)
    return people


def _distinct(rng: random.Random, pool: tuple[str, ...], count: int) -> list[str]:
    """`count` (at most 3) different items of `pool`: a random start and a random step that cannot wrap onto it."""
    size = len(pool)
    start = int(rng.random() * size)
    step = 1 + int(rng.random() * (size - 1))
    if 2 * step == size:
        step = 1
    return [pool[(start + n * step) % size] for n in range(count)]


def _needs(
    rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock, person: Person, function: Function | None
) -> None:
    needs, peaks = batch.rows["need"], batch.rows["need_peak_quarter"]
    random_ = rng.random
    categories = [pick(rng, CATEGORIES) for _ in range(NEEDS_PER_STAKEHOLDER)]
    functional_titles = _distinct(rng, CEO_NEEDS if function is None else function.needs, categories.count("FUNCTIONAL"))
    emotional_titles = _distinct(rng, EMOTIONAL_NEEDS, categories.count("EMOTIONAL"))
    social_titles = _distinct(rng, SOCIAL_NEEDS, categories.count("SOCIAL"))
    titles = {"FUNCTIONAL": functional_titles, "EMOTIONAL": emotional_titles, "SOCIAL": social_titles}
    pain_points = CEO_PAIN_POINTS if function is None else function.pain_points
    first_id = ids.take("need", NEEDS_PER_STAKEHOLDER)
    for n, category in enumerate(categories):
        need_id = first_id + n
        title = titles[category].pop()
        functional = category == "FUNCTIONAL"
        explicit = random_() < (0.75 if functional else 0.3)
        created = clock.between(rng, person.created)
        description = None
        if random_() < 0.6:
            sources = NEED_SOURCES_EXPLICIT if explicit else NEED_SOURCES_IMPLICIT
            description = pick(rng, sources).format(month=MONTHS[created.month - 1])
        pains = pick(rng, pain_points) if functional and random_() < 0.55 else None
        priority, status = pick(rng, PRIORITIES), pick(rng, STATUSES)
        updated = clock.between(rng, created) if random_() < 0.4 else created
        quarters = pick(rng, PEAKS)
        needs.append((
            need_id, draft.id, person.id, title, description, pains,
            category, "EXPLICIT" if explicit else "IMPLICIT", priority, status,
            created, updated, VERSION, quarter_mask(Quarter[q] for q in quarters),
        ))
        peaks.extend((need_id, quarter) for quarter in quarters)
        person.needs.append((need_id, title))


def _influence(rng: random.Random, ids: Ids, batch: Batch, draft: Draft, people: list[Person]) -> None:
    """Lines of influence, mostly upwards: people sway those who decide."""
    wanted = rng.randint(3, 8)
    senior = [p for p in people if p.level <= 1]
    pairs: dict[tuple[int, int], None] = {}
    for _ in range(wanted * 3):
        if len(pairs) == wanted:
            break
        source = pick(rng, people)
        target = pick(rng, senior) if rng.random() < 0.75 else pick(rng, people)
        if source.id != target.id:
            pairs.setdefault((source.id, target.id))
    first_id = ids.take("influence_link", len(pairs))
    batch.rows["influence_link"].extend(
        (first_id + n, draft.id, source, target, pick(rng, LINK_STRENGTHS)) for n, (source, target) in enumerate(pairs)
    )


def _coverage(rng: random.Random, ids: Ids, batch: Batch, draft: Draft, people: list[Person]) -> None:
    """Who of the account team knows whom: the owner most people, the sponsor the executives, the specialist IT."""
    low, high = COVERED[draft.grade]
    covered = rng.sample(people, rng.randint(low, high))
    pairs: dict[tuple[int, int], None] = {}
    for person in covered:
        member = draft.owner_id
        if draft.sponsor_id is not None and person.level == 0 and rng.random() < 0.6:
            member = draft.sponsor_id
        elif draft.specialist_id is not None and person.department in TECHNICAL and rng.random() < 0.7:
            member = draft.specialist_id
        pairs.setdefault((person.id, member))
        if len(draft.members) > 1 and rng.random() < 0.2:
            pairs.setdefault((person.id, pick(rng, draft.members)))
    first_id = ids.take("coverage", len(pairs))
    batch.rows["coverage"].extend(
        (first_id + n, draft.id, stakeholder, member, pick(rng, COVERAGE_STRENGTHS))
        for n, (stakeholder, member) in enumerate(pairs)
    )

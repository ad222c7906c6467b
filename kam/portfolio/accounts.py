"""One synthetic account: its segmentation, money, growth history and account team.

Grades follow a realistic pyramid (few A accounts, many C and D), and
everything else leans on the grade: value, wallet, relationship stage, how
often it is assessed and how large its team is. The latest assessment holds
the account's current value and wallet, and the account carries that
assessment's quadrant, current value, potential and currency, and its moves
between quadrants as transitions, as the API keeps them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.growth import MatrixThresholds, classify_quadrant, default_potential
from domain.judgment import JudgmentKind, TransitionCause
from kam.portfolio.chance import Clock, pick, table
from kam.portfolio.names import account_name
from kam.portfolio.rows import VERSION, Batch, Ids
from kam.portfolio.team import Team
from kam.portfolio.words import ASSESSMENT_NOTES, REGIONS, Region
from resolvers.growth.transitions import quadrant_moves

GRADES = table({"A": 8, "B": 22, "C": 38, "D": 32})
REGION_TABLE = table({index: region.weight for index, region in enumerate(REGIONS)})
STAGES = {
    "A": table({"STRATEGIC_PARTNER": 45, "PREFERRED_SUPPLIER": 40, "REPEAT_CUSTOMER": 15}),
    "B": table({"PREFERRED_SUPPLIER": 30, "REPEAT_CUSTOMER": 50, "FIRST_DEAL": 15, "PROSPECT": 5}),
    "C": table({"REPEAT_CUSTOMER": 40, "FIRST_DEAL": 35, "PROSPECT": 25}),
    "D": table({"REPEAT_CUSTOMER": 25, "FIRST_DEAL": 30, "PROSPECT": 45}),
}
LIFECYCLES = {
    "PROSPECT": table({"ACQUISITION": 1}),
    "FIRST_DEAL": table({"CONVERSION": 70, "RETENTION": 20, "AT_RISK": 10}),
    "REPEAT_CUSTOMER": table({"RETENTION": 76, "AT_RISK": 13, "WIN_BACK": 5, "CHURNED": 6}),
    "PREFERRED_SUPPLIER": table({"RETENTION": 82, "AT_RISK": 12, "WIN_BACK": 3, "CHURNED": 3}),
    "STRATEGIC_PARTNER": table({"RETENTION": 90, "AT_RISK": 10}),
}
# Annual value: median and spread (of the logarithm), lowest and highest, per grade.
VALUE = {
    "A": (2_500_000, 0.6, 600_000, 40_000_000),
    "B": (900_000, 0.6, 150_000, 8_000_000),
    "C": (250_000, 0.7, 20_000, 3_000_000),
    "D": (60_000, 0.8, 5_000, 800_000),
}
# Our share of the customer's whole spend in our category (its wallet), lowest and highest, per grade.
SHARE_OF_WALLET = {"A": (0.3, 0.9), "B": (0.2, 0.8), "C": (0.12, 0.7), "D": (0.08, 0.5)}
KEY_ACCOUNT_SHARE = {"A": 1.0, "B": 0.55, "C": 0.08, "D": 0.0}
SPONSOR_SHARE = {"A": 1.0, "B": 0.5, "C": 0.1, "D": 0.05}
ASSESSMENTS = {"A": (4, 6), "B": (3, 6), "C": (2, 5), "D": (2, 4)}
CADENCE = {"A": 91, "B": 91, "C": 182, "D": 182}
HIGH_VALUE, MEDIUM_VALUE = 1_500_000, 250_000
ROUND = 1_000
CHURNED_ARCHIVED_SHARE = 0.5
QUADRANT, ASSESSMENT = JudgmentKind.QUADRANT.name, TransitionCause.ASSESSMENT.name


@dataclass(slots=True)
class Draft:
    """What the rest of an account's data needs to know about the account."""

    id: int
    region: Region
    domain: str
    legal_form: str
    grade: str
    stage: str
    lifecycle: str
    current: int
    drawn: int  # what it buys (churned: bought; a prospect: would buy) in a normal year
    wallet: int
    owner_id: int
    sponsor_id: int | None
    specialist_id: int | None
    created: datetime
    created_ord: int
    archived_ord: int | None  # the day it was archived; None while it is not

    @property
    def members(self) -> list[int]:
        """Our people who work with the customer's stakeholders: owner, sponsor and specialist."""
        return [m for m in (self.owner_id, self.sponsor_id, self.specialist_id) if m is not None]


def _money(value: float) -> int:
    return max(ROUND, round(value / ROUND) * ROUND)


def _history(
    rng: random.Random, grade: str, stage: str, lifecycle: str, drawn: int, current: int, wallet: int
) -> list[tuple[int, int]]:
    """(value, wallet) per assessment, oldest first, ending at the account's current figures.

    `drawn` is what the account buys (or, churned, bought) in a normal year.
    """
    low, high = ASSESSMENTS[grade]
    count = rng.randint(low, high)
    points = [(current, wallet)]
    value = drawn
    for step in range(count - 1):
        value = _money(value / (1 + rng.uniform(-0.08, 0.3)))
        wallet = max(value, _money(wallet / (1 + rng.uniform(-0.05, 0.2))))
        if stage == "PROSPECT" or (stage == "FIRST_DEAL" and step >= 1):
            points.append((0, wallet))
        else:
            points.append((value, wallet))
    if lifecycle == "CHURNED":
        # Bought until recently: the history shows the decline to nothing.
        points[1] = (drawn, max(drawn, points[1][1]))
    points.reverse()
    return points


def generate_account(
    rng: random.Random, ids: Ids, batch: Batch, team: Team, clock: Clock, thresholds: MatrixThresholds, first_plan_ord: int
) -> Draft:
    """Write the account, its growth history and its team; `first_plan_ord` is the day its oldest plan starts."""
    rows = batch.rows
    account_id = ids.take("account")
    region_index = pick(rng, REGION_TABLE)
    region = REGIONS[region_index]
    legal_form = pick(rng, region.legal_forms)
    name, industry, domain = account_name(account_id, legal_form)
    grade = pick(rng, GRADES)
    stage = pick(rng, STAGES[grade])
    lifecycle = pick(rng, LIFECYCLES[stage])

    median, sigma, lowest, highest = VALUE[grade]
    drawn = _money(min(highest, max(lowest, rng.lognormvariate(math.log(median), sigma))))
    wallet = _money(drawn / rng.uniform(*SHARE_OF_WALLET[grade]))
    current = 0 if stage == "PROSPECT" or lifecycle == "CHURNED" else drawn
    tier = "HIGH" if current >= HIGH_VALUE else "MEDIUM" if current >= MEDIUM_VALUE else "LOW"

    owner = team.owner_for(rng, region_index)
    sponsor = owner.manager_id if rng.random() < SPONSOR_SHARE[grade] else None
    specialist = team.peer_of(rng, region_index, owner) if rng.random() < 0.5 else None
    seats = rows["account_team_member"]
    seats.append((account_id, owner.id, "OWNER"))
    if sponsor is not None:
        seats.append((account_id, sponsor, "EXECUTIVE_SPONSOR"))
    if specialist is not None:
        seats.append((account_id, specialist.id, "SPECIALIST"))
    if team.viewers and rng.random() < 0.15:
        seats.append((account_id, pick(rng, team.viewers), "SUPPORT"))

    # Assessments at the grade's cadence, the latest within the last weeks (and before today).
    history = _history(rng, grade, stage, lifecycle, drawn, current, wallet)
    cadence = CADENCE[grade]
    latest_ord = clock.today_ord - rng.randint(1, 75)
    days = [latest_ord - cadence * (len(history) - 1 - n) + (rng.randint(-12, 12) if n < len(history) - 1 else 0)
            for n in range(len(history))]
    # Before its first assessment, and before anyone prepared its first plan.
    created_ord = min(days[0], first_plan_ord) - rng.randint(31, 400)
    created = clock.moment(rng, created_ord)

    quadrant = current_value = potential = None
    assessments = rows["growth_assessment"]
    currency = region.currency
    assessed_by = (owner.id, owner.id, sponsor or owner.manager_id)
    first_id = ids.take("growth_assessment", len(history))
    for n, ((value, wealth), day) in enumerate(zip(history, days, strict=True)):
        current_value, potential = Decimal(value), default_potential(Decimal(wealth), Decimal(value))
        quadrant = classify_quadrant(current_value, potential, thresholds).name
        note = pick(rng, ASSESSMENT_NOTES[quadrant]) if rng.random() < 0.45 else None
        assessments.append((
            first_id + n, account_id, clock.day(day), current_value, potential, currency, quadrant,
            pick(rng, assessed_by), note, clock.moment(rng, day),
        ))
    # Its quadrant moves: the assessments are in (assessed_on, id) order, days a cadence apart.
    moves = list(quadrant_moves((row[2], row[6], row[7]) for row in assessments[-len(history):]))
    first_move = ids.take("judgment_transition", len(moves))
    rows["judgment_transition"].extend(
        (first_move + n, account_id, QUADRANT, was, now, day, ASSESSMENT, by)
        for n, (was, now, day, by) in enumerate(moves)
    )

    archived = archived_ord = None
    if lifecycle == "CHURNED" and rng.random() < CHURNED_ARCHIVED_SHARE:
        archived_ord = min(clock.today_ord - 1, latest_ord + rng.randint(1, 60))
        archived = clock.moment(rng, archived_ord)
    updated = clock.moment(rng, latest_ord) if archived is None else archived
    rows["account"].append((
        account_id, name, industry, region.name, f"https://www.{domain}", owner.id, grade, tier,
        rng.random() < KEY_ACCOUNT_SHARE[grade], stage, lifecycle, Decimal(current), Decimal(wallet), currency,
        quadrant, archived, created, max(created, updated), VERSION,
        # The latest (last) assessment's figures.
        current_value, potential, currency if quadrant is not None else None,
    ))
    return Draft(
        id=account_id, region=region, domain=domain, legal_form=legal_form, grade=grade, stage=stage,
        lifecycle=lifecycle, current=current, drawn=drawn, wallet=wallet, owner_id=owner.id, sponsor_id=sponsor,
        specialist_id=None if specialist is None else specialist.id, created=created, created_ord=created_ord,
        archived_ord=archived_ord,
    )

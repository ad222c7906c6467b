"""Two years of an account's deals: opened, moved through the funnel's stages, won, lost or still open.

An account has about three deals (more for A accounts, fewer for D ones),
opened over the last two years. Each walks the stages from INITIAL_CONTACT
(a few open straight in NEEDS_ANALYSIS) towards SIGNING and WON, staying a
while in each stage (some stall), sometimes skipping one, and may be lost at
any stage, with the reason. A few closed deals are reopened, with a reason.
Deals still walking today are open in the stage they reached, so every open
stage holds some; an archived account's open deals were lost the day before
it was archived. Contacts come from the account's stakeholders (the first is
the primary one), needs from those contacts' needs.

Every deal carries what the writes keep (domain/opportunity.py: `enter`,
`opening`, `move_to`): the stage and the day it was entered, the day it
closed, the probability of its stage (unless a person set one, for a few
open deals), the stages it reached as a bit mask, its path and moves; its
stage changes carry the days spent in the stage they leave and the stages
they skipped. Some interactions held while a deal was open are about it.
"""

from __future__ import annotations

import random

from domain.opportunity import DEFAULT_PROBABILITY, OPEN_STAGES, PATH_SEPARATOR, OpportunityStage, bit, skipped_stages
from kam.portfolio.accounts import Draft
from kam.portfolio.chance import Clock, pick, table
from kam.portfolio.interactions import HISTORY_DAYS
from kam.portfolio.people import Person
from kam.portfolio.rows import VERSION, Batch, Ids

S = OpportunityStage
IC, NA, SD, QU, SI, WON, LOST = (S.INITIAL_CONTACT, S.NEEDS_ANALYSIS, S.SOLUTION_DESIGN, S.QUOTATION, S.SIGNING, S.WON, S.LOST)
# The open stages in order, then WON: a deal moves along it.
FORWARD = (*OPEN_STAGES, WON)

DEALS = {
    "A": table({3: 20, 4: 30, 5: 30, 6: 20}),
    "B": table({2: 25, 3: 40, 4: 35}),
    "C": table({2: 40, 3: 40, 4: 20}),
    "D": table({1: 20, 2: 45, 3: 35}),
}
OPENS_IN_NEEDS_ANALYSIS = 0.12
# Per open stage: the mean days spent in it, the chance of losing the deal on leaving it, of skipping the next stage.
MEAN_DAYS = {IC: 18.0, NA: 28.0, SD: 32.0, QU: 26.0, SI: 16.0}
LOSS = {IC: 0.14, NA: 0.12, SD: 0.12, QU: 0.18, SI: 0.1}
SKIP = 0.06
STALL, STALL_FACTOR = 0.12, 4  # a stay this often lasts this many times longer
REOPEN = 0.05
REOPENED_TO = {WON: (SI, QU), LOST: (NA, SD, QU)}
REOPEN_AFTER = (7, 90)
PROBABILITY_SET = 0.12  # open deals whose probability a person set
AMOUNT_SHARE = (0.04, 0.4)  # of the account's annual value
ROUND = 500
CLOSE_WITHIN = (45, 270)  # days from opening to the expected close
OWNED_BY_SPECIALIST = 0.25
CONTACTS = table({1: 20, 2: 35, 3: 30, 4: 15})
NEEDS = table({0: 15, 1: 40, 2: 30, 3: 15})
PRIMARY_ROLES = ("DECISION_MAKER", "CHAMPION", "ECONOMIC_BUYER")
ROLES = table({"DECISION_MAKER": 10, "INFLUENCER": 25, "USER": 25, "ECONOMIC_BUYER": 10, "TECHNICAL_EVALUATOR": 20, "CHAMPION": 10})
ABOUT_A_DEAL = 0.3  # of the interactions held while one of the account's deals was open

THEMES = (
    "Rollout", "Pilot", "Renewal", "Expansion", "Upgrade", "Framework agreement", "Service contract",
    "Proof of concept", "Replacement", "Extension", "Managed service", "Licence true-up",
)
LOST_REASONS = (
    "Chose a competitor on price.", "No budget this year.", "The project was cancelled.",
    "Went with the incumbent supplier.", "Decision postponed indefinitely.", "Our solution did not fit their process.",
    "The sponsor left the company.", "Lost the tender.", "They built it in-house.",
)
ARCHIVED_REASON = "The customer stopped buying from us."
REOPEN_REASONS = (
    "The customer came back with a new budget.", "The competitor could not deliver.", "Scope changed; quoting again.",
    "Contract signature fell through; renegotiating.", "New sponsor revived the project.",
)


Entry = tuple[OpportunityStage, int, str | None]


def _history(rng: random.Random, opened: int, last_day: int, archived: bool) -> tuple[list[Entry], bool]:
    """(stage, day entered, reason of the move) from the opening on, moves dated up to `last_day`; and whether
    the deal was lost because the account was archived."""
    stage = NA if rng.random() < OPENS_IN_NEEDS_ANALYSIS else IC
    entries: list[Entry] = [(stage, opened, None)]
    entered, reopened = opened, False
    while True:
        if stage in MEAN_DAYS:
            stay = int(rng.expovariate(1.0 / MEAN_DAYS[stage]))
            if rng.random() < STALL:
                stay *= STALL_FACTOR
            day = entered + stay
            if day > last_day:
                if archived:  # lost when the account was archived
                    entries.append((LOST, max(entered, last_day), None))
                    return entries, True
                break
            r = rng.random()
            if r < LOSS[stage]:
                to = LOST
            else:
                at = FORWARD.index(stage)
                to = FORWARD[min(at + (2 if r < LOSS[stage] + SKIP else 1), len(FORWARD) - 1)]
            entries.append((to, day, None))
        else:
            if reopened or rng.random() >= REOPEN:
                break
            day = entered + rng.randint(*REOPEN_AFTER)
            if day > last_day:
                break
            reopened = True
            to = pick(rng, REOPENED_TO[stage])
            entries.append((to, day, pick(rng, REOPEN_REASONS)))
        stage, entered = to, day
    return entries, False


def generate_deals(
    rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock, people: list[Person], first_interaction: int
) -> None:
    """Write the account's deals with their stage changes, contacts and needs; then let some of the account's
    interactions (the rows from `first_interaction` on) name the deal they were about."""
    rows = batch.rows
    deals, changes, contacts, deal_needs = rows["opportunity"], rows["stage_change"], rows["opportunity_contact"], rows["opportunity_need"]
    today = clock.today_ord
    account_id = draft.id
    archived = draft.archived_ord is not None
    last_day = (draft.archived_ord if archived else today) - 1
    first_day = min(max(draft.created_ord + 1, today - HISTORY_DAYS), last_day)
    weighted = tuple(p for p in people for _ in range(3 if p.level <= 1 else 1))
    currency = draft.region.currency
    windows: list[tuple[int, int, int]] = []  # (opened, closed or today, deal id)
    for _ in range(pick(rng, DEALS[draft.grade])):
        deal_id = ids.take("opportunity")
        opened = rng.randint(first_day, last_day)
        entries, archived_close = _history(rng, opened, last_day, archived)
        owner = (draft.specialist_id if draft.specialist_id is not None and rng.random() < OWNED_BY_SPECIALIST
                 else draft.owner_id)
        created = clock.moment(rng, opened)
        moved_at = created
        previous: OpportunityStage | None = None
        previous_day = opened
        reached = 0
        days_in = dict.fromkeys(OPEN_STAGES, 0)
        for n, (stage, day, reason) in enumerate(entries):
            if n:
                moved_at = max(moved_at, clock.moment(rng, day))
            changes.append((
                ids.take("stage_change"), deal_id, account_id, None if previous is None else previous.name, stage.name,
                clock.day(day), moved_at, owner, reason, None if previous is None else day - previous_day,
                OPEN_STAGES.index(stage) if previous is None else skipped_stages(previous, stage),
            ))
            reached |= bit(stage)
            if previous in days_in:
                days_in[previous] += day - previous_day
            previous, previous_day = stage, day
        stage, entered_on = previous, previous_day
        assert stage is not None
        is_open = stage in MEAN_DAYS
        probability, probability_set, updated = DEFAULT_PROBABILITY[stage], False, moved_at
        if is_open and rng.random() < PROBABILITY_SET:
            probability_set = True
            probability = min(95, max(5, probability + 5 * rng.randint(-3, 3)))
            updated = clock.between(rng, moved_at)
        lost_reason = None
        if stage is LOST:
            lost_reason = ARCHIVED_REASON if archived_close else pick(rng, LOST_REASONS)
        expected = opened + rng.randint(*CLOSE_WITHIN)
        amount = max(1_000, round(draft.drawn * rng.uniform(*AMOUNT_SHARE) / ROUND) * ROUND)
        chosen: list[Person] = []
        wanted = pick(rng, CONTACTS)
        for _ in range(4 * wanted):
            person = pick(rng, weighted)
            if person not in chosen:
                chosen.append(person)
                if len(chosen) == wanted:
                    break
        name = f"{pick(rng, THEMES)}, {chosen[0].department} {clock.day(opened).year}"
        deals.append((
            deal_id, account_id, name, amount, currency, probability, probability_set,
            clock.day(entered_on if stage is WON else expected), owner, stage.name, lost_reason, clock.day(opened),
            clock.day(entered_on), None if is_open else clock.day(entered_on), reached,
            PATH_SEPARATOR.join(s.name for s, _, _ in entries), len(entries), created, updated, VERSION,
            *(days_in[s] for s in OPEN_STAGES),
        ))
        for n, person in enumerate(chosen):
            role = pick(rng, PRIMARY_ROLES) if n == 0 else pick(rng, ROLES)
            contacts.append((ids.take("opportunity_contact"), account_id, deal_id, person.id, role, n == 0))
        offered = [need for person in chosen for need in person.needs]
        wanted = min(pick(rng, NEEDS), len(offered))
        for need_id in sorted({offered[i][0] for i in rng.sample(range(len(offered)), wanted)}):
            deal_needs.append((deal_id, need_id))
        windows.append((opened, today if is_open else entered_on, deal_id))

    interactions = rows["interaction"]
    if not windows:
        return
    for index in range(first_interaction, len(interactions)):
        row = interactions[index]
        day = row[4].toordinal()
        during = [deal_id for opened, closed, deal_id in windows if opened <= day <= closed]
        if during and rng.random() < ABOUT_A_DEAL:
            interactions[index] = (*row[:-1], during[int(rng.random() * len(during))])

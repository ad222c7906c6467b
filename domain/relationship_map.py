"""Analysis of one account's relationship map: plain functions, no database.

Planners read the map to find gaps: a decision maker nobody on our side knows,
a single-threaded account, an influential opponent. Organisational support is
the influence-weighted mean of attitudes (DOMAIN.md section 2).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, Influence

ATTITUDE_SCORE: Mapping[Attitude, int] = {
    Attitude.CHAMPION: 2,
    Attitude.SUPPORTER: 1,
    Attitude.NEUTRAL: 0,
    Attitude.SKEPTIC: -1,
    Attitude.OPPONENT: -2,
}

INFLUENCE_WEIGHT: Mapping[Influence, int] = {
    Influence.HIGH: 3,
    Influence.MEDIUM: 2,
    Influence.LOW: 1,
}

# Weakest first, so `max` finds the best relationship we have with someone.
COVERAGE_RANK: Mapping[CoverageStrength, int] = {s: rank for rank, s in enumerate(CoverageStrength)}


class EdgeKind(enum.Enum):
    """The two kinds of line on a map: the org chart and influence across it."""

    REPORTS_TO = "REPORTS_TO"
    INFLUENCES = "INFLUENCES"


@dataclass(frozen=True, slots=True)
class MapPerson:
    """What the analysis needs to know of a stakeholder."""

    id: int
    buying_roles: tuple[BuyingRole, ...]
    attitude: Attitude
    influence: Influence


@dataclass(frozen=True, slots=True)
class MapCoverage:
    stakeholder_id: int
    member_id: int
    strength: CoverageStrength


@dataclass(frozen=True, slots=True)
class MapSummary:
    role_counts: dict[BuyingRole, int]
    uncovered_decision_maker_ids: list[int]
    influential_opponent_ids: list[int]
    covered_stakeholder_count: int
    single_threaded: bool
    support_index: float | None


def support_index(people: Iterable[MapPerson]) -> float | None:
    """Influence-weighted mean attitude, from -2 (all opposed) to +2 (all champions); None if empty."""
    total = weight = 0
    for p in people:
        w = INFLUENCE_WEIGHT[p.influence]
        total += w * ATTITUDE_SCORE[p.attitude]
        weight += w
    return round(total / weight, 4) if weight else None


def is_coverage(strength: CoverageStrength) -> bool:
    """Whether a link between one of our people and a stakeholder means they know each other (NONE does not)."""
    return strength is not CoverageStrength.NONE


def covered_ids(coverage: Iterable[MapCoverage]) -> set[int]:
    """Stakeholders at least one of our people actually knows."""
    return {c.stakeholder_id for c in coverage if is_coverage(c.strength)}


def covered_by_count(coverage: Iterable[tuple[int, CoverageStrength]]) -> int:
    """How many of our people know one stakeholder, from its (member id, strength) coverage."""
    return len({member_id for member_id, strength in coverage if is_coverage(strength)})


def map_lines(
    people: Iterable[tuple[int, int | None]], links: Iterable[tuple[int, int]]
) -> list[tuple[EdgeKind, int, int, int | None]]:
    """The lines of a map, in the order it answers them: each person's reporting line (in the order of
    `people`, given as (id, manager id)), then the influence lines (in the order of `links`, given as
    (source id, target id)); only lines between people on the map. Each line is (kind, source id, target id,
    the position of its link in `links`, None for a reporting line)."""
    people = list(people)
    on_map = {person for person, _ in people}
    lines: list[tuple[EdgeKind, int, int, int | None]] = [
        (EdgeKind.REPORTS_TO, person, manager, None) for person, manager in people if manager in on_map
    ]
    lines += [
        (EdgeKind.INFLUENCES, source, target, j)
        for j, (source, target) in enumerate(links)
        if source in on_map and target in on_map
    ]
    return lines


def strongest_coverage(strengths: Iterable[CoverageStrength]) -> CoverageStrength | None:
    """The best relationship any of our people has with one stakeholder; None when nobody is linked."""
    return max(strengths, key=COVERAGE_RANK.__getitem__, default=None)


def summarize(people: list[MapPerson], coverage: list[MapCoverage]) -> MapSummary:
    known = covered_ids(coverage)
    roles = Counter(r for p in people for r in p.buying_roles)
    return MapSummary(
        role_counts={role: roles.get(role, 0) for role in BuyingRole},
        uncovered_decision_maker_ids=[
            p.id for p in people if BuyingRole.DECISION_MAKER in p.buying_roles and p.id not in known
        ],
        influential_opponent_ids=[
            p.id
            for p in people
            if p.influence is Influence.HIGH and p.attitude in (Attitude.OPPONENT, Attitude.SKEPTIC)
        ],
        covered_stakeholder_count=len(known & {p.id for p in people}),
        single_threaded=len(known & {p.id for p in people}) <= 1,
        support_index=support_index(people),
    )

"""Paths of influence on a relationship map: how we reach each decision maker from someone on our side.

A planner asks "how do we get to the CFO from our champion?" (DOMAIN.md
section 2: no path of influence from our champion to the decision maker is a
gap). The rule, documented in the README ("Influence paths"):

- A path starts at a stakeholder one of our people knows GOOD or better, or at
  a champion; a decision maker who is such a person is reached by a path of
  no steps (strength 1).
- A step follows an influence line from the influencer to the influenced, at
  the line's strength, or a reporting line either way (a report sways their
  manager, a manager their report) at MODERATE.
- A step of strength WEAK counts 0.3, MODERATE 0.6, STRONG 0.9; a path's
  strength is the product of its steps', so every step weakens it and a path
  never passes anyone twice (a loop could only weaken it). A path has at most
  six steps: a decision maker only longer paths reach is unreachable.
- The strongest path wins; among equally strong ones the one of fewer steps,
  then the one whose people's ids, from its start, come first, then the one
  whose lines come first (influence lines before reporting lines, influence
  lines in the order given): every map answers the same path every time.

Strengths are exact fractions: paths of the same steps in another order are
equally strong, not a rounding error apart.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from domain.stakeholder import Attitude, CoverageStrength, LinkStrength

STEP_STRENGTH: Mapping[LinkStrength, Fraction] = {
    LinkStrength.WEAK: Fraction(3, 10),
    LinkStrength.MODERATE: Fraction(6, 10),
    LinkStrength.STRONG: Fraction(9, 10),
}
REPORTING_LINE_STRENGTH = LinkStrength.MODERATE
MAX_STEPS = 6  # beyond six steps influence has faded (even six STRONG lines give 0.53); it also bounds the answer
WELL_COVERED = frozenset({CoverageStrength.GOOD, CoverageStrength.TRUSTED_ADVISOR})


class StepKind(enum.Enum):
    """Which way a step follows a line of the map."""

    INFLUENCES = "INFLUENCES"  # along an influence line, from the influencer to the influenced
    REPORTS_TO = "REPORTS_TO"  # from a report to their manager
    MANAGES = "MANAGES"  # from a manager to their report


KIND_RANK: Mapping[StepKind, int] = {kind: rank for rank, kind in enumerate(StepKind)}


class StartReason(enum.Enum):
    """Why a path may start at someone."""

    COVERED_WELL = "COVERED_WELL"  # one of our people knows them GOOD or better
    CHAMPION = "CHAMPION"  # their attitude toward us is CHAMPION


@dataclass(frozen=True, slots=True)
class PathPerson:
    """What the rule needs to know of a stakeholder of the map."""

    id: int
    manager_id: int | None
    attitude: Attitude
    coverage: tuple[CoverageStrength, ...]  # how well each of our linked people knows them
    decision_maker: bool


@dataclass(frozen=True, slots=True)
class PathLink:
    """An influence line: `source` sways `target` with `strength`."""

    source_id: int
    target_id: int
    strength: LinkStrength


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    source_id: int
    target_id: int
    strength: LinkStrength
    link: int | None  # the position of its influence line among the links given; None for a reporting line


@dataclass(frozen=True, slots=True)
class InfluencePath:
    decision_maker_id: int
    start_id: int
    start_reasons: tuple[StartReason, ...]
    steps: tuple[Step, ...]
    strength: Fraction


@dataclass(frozen=True, slots=True)
class InfluencePaths:
    paths: list[InfluencePath]  # one per decision maker with a path, in the order the people were given
    unreachable_ids: list[int]  # decision makers no path reaches, in the same order


def coverage_by_person(coverage: Iterable[tuple[int, CoverageStrength]]) -> dict[int, tuple[CoverageStrength, ...]]:
    """(stakeholder id, strength) of a map's coverage, gathered per stakeholder as `PathPerson.coverage` holds it."""
    found: dict[int, list[CoverageStrength]] = defaultdict(list)
    for stakeholder_id, strength in coverage:
        found[stakeholder_id].append(strength)
    return {stakeholder_id: tuple(strengths) for stakeholder_id, strengths in found.items()}


def start_reasons(person: PathPerson) -> tuple[StartReason, ...]:
    reasons = []
    if any(strength in WELL_COVERED for strength in person.coverage):
        reasons.append(StartReason.COVERED_WELL)
    if person.attitude is Attitude.CHAMPION:
        reasons.append(StartReason.CHAMPION)
    return tuple(reasons)


def steps_from(people: Iterable[PathPerson], links: Iterable[PathLink]) -> dict[int, list[Step]]:
    """The steps leaving each person: influence lines and both ways of reporting lines, between people given."""
    people = list(people)
    on_map = {p.id for p in people}
    leaving: dict[int, list[Step]] = defaultdict(list)
    for p in people:
        if p.manager_id in on_map and p.manager_id != p.id:
            leaving[p.id].append(Step(StepKind.REPORTS_TO, p.id, p.manager_id, REPORTING_LINE_STRENGTH, None))
            leaving[p.manager_id].append(Step(StepKind.MANAGES, p.manager_id, p.id, REPORTING_LINE_STRENGTH, None))
    for j, link in enumerate(links):
        if link.source_id in on_map and link.target_id in on_map and link.source_id != link.target_id:
            leaving[link.source_id].append(Step(StepKind.INFLUENCES, link.source_id, link.target_id, link.strength, j))
    return leaving


def influence_paths(people: list[PathPerson], links: list[PathLink]) -> InfluencePaths:
    """The strongest path to every decision maker (see the module's rule), from all starts at once.

    Rounds of relaxation, one per step (as Bellman and Ford): after round k each person holds the best path
    of at most k steps. Exact for the best simple path: a path through its own end again has a stronger
    prefix of fewer steps. Time O(MAX_STEPS x lines); every path held is at most MAX_STEPS long."""
    leaving = steps_from(people, links)
    reasons = {p.id: start_reasons(p) for p in people}
    best: dict[int, _Held] = {p.id: _Held(Fraction(1), (p.id,), (), ()) for p in sorted(people, key=_by_id) if reasons[p.id]}
    frontier = dict(best)  # the people whose path changed in the last round: only theirs can extend to better ones
    for _ in range(MAX_STEPS):
        changed: dict[int, _Held] = {}
        for here, held in frontier.items():
            for step in leaving.get(here, ()):
                if step.target_id in held.ids:
                    continue
                line = (KIND_RANK[step.kind], -1 if step.link is None else step.link)
                found = _Held(
                    held.strength * STEP_STRENGTH[step.strength],
                    (*held.ids, step.target_id),
                    (*held.lines, line),
                    (*held.steps, step),
                )
                known = changed.get(step.target_id) or best.get(step.target_id)
                if known is None or found.key() < known.key():
                    changed[step.target_id] = found
        best.update(changed)
        frontier = changed
        if not frontier:
            break
    paths, unreachable = [], []
    for p in people:
        if not p.decision_maker:
            continue
        held = best.get(p.id)
        if held is None:
            unreachable.append(p.id)
        else:
            paths.append(InfluencePath(p.id, held.ids[0], reasons[held.ids[0]], held.steps, held.strength))
    return InfluencePaths(paths, unreachable)


def _by_id(person: PathPerson) -> int:
    return person.id


@dataclass(frozen=True, slots=True)
class _Held:
    """The best path found so far to a person."""

    strength: Fraction
    ids: tuple[int, ...]  # its people, from its start
    lines: tuple[tuple[int, int], ...]  # per step: (the kind's rank, the influence line's position or -1)
    steps: tuple[Step, ...]

    def key(self) -> tuple[Fraction, int, tuple[int, ...], tuple[tuple[int, int], ...]]:
        """Smaller is better: stronger, then fewer steps, then its people's ids, then its lines."""
        return (-self.strength, len(self.steps), self.ids, self.lines)

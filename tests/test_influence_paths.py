"""The influence-path rule on small maps worked out by hand (domain/influence_paths.py)."""

from __future__ import annotations

from fractions import Fraction

from domain.influence_paths import (
    MAX_STEPS,
    PathLink,
    PathPerson,
    StartReason,
    StepKind,
    influence_paths,
)
from domain.stakeholder import Attitude, CoverageStrength, LinkStrength

WEAK, MODERATE, STRONG = LinkStrength.WEAK, LinkStrength.MODERATE, LinkStrength.STRONG


def person(
    pid: int,
    manager: int | None = None,
    *,
    champion: bool = False,
    covered: tuple[CoverageStrength, ...] = (),
    decides: bool = False,
    attitude: Attitude = Attitude.NEUTRAL,
) -> PathPerson:
    return PathPerson(pid, manager, Attitude.CHAMPION if champion else attitude, covered, decides)


def link(source: int, target: int, strength: LinkStrength = MODERATE) -> PathLink:
    return PathLink(source, target, strength)


def route(found, decision_maker: int) -> tuple[list[tuple[StepKind, int, int]], Fraction]:
    path = next(p for p in found.paths if p.decision_maker_id == decision_maker)
    return [(s.kind, s.source_id, s.target_id) for s in path.steps], path.strength


def test_a_champion_reaches_the_decision_maker_through_an_influence_line_then_a_reporting_line() -> None:
    # 1 champion -STRONG-> 2, 2 reports to 3 (decides): 0.9 x 0.6 = 0.54. 4 (known GOOD) -WEAK-> 3: 0.3.
    people = [person(1, champion=True), person(2, 3), person(3, decides=True), person(4, covered=(CoverageStrength.GOOD,))]
    found = influence_paths(people, [link(1, 2, STRONG), link(4, 3, WEAK)])
    steps, strength = route(found, 3)
    assert steps == [(StepKind.INFLUENCES, 1, 2), (StepKind.REPORTS_TO, 2, 3)]
    assert strength == Fraction(54, 100) and found.unreachable_ids == []
    assert found.paths[0].start_id == 1 and found.paths[0].start_reasons == (StartReason.CHAMPION,)


def test_a_weak_shortcut_loses_to_a_stronger_detour() -> None:
    # 1 -WEAK-> 9 is 0.3; 1 -STRONG-> 2 -STRONG-> 9 is 0.81.
    people = [person(1, champion=True), person(2), person(9, decides=True)]
    found = influence_paths(people, [link(1, 9, WEAK), link(1, 2, STRONG), link(2, 9, STRONG)])
    assert route(found, 9) == ([(StepKind.INFLUENCES, 1, 2), (StepKind.INFLUENCES, 2, 9)], Fraction(81, 100))


def test_a_decision_maker_we_know_well_is_reached_without_steps() -> None:
    people = [person(5, covered=(CoverageStrength.ACQUAINTED, CoverageStrength.TRUSTED_ADVISOR), decides=True, champion=True)]
    found = influence_paths(people, [])
    assert route(found, 5) == ([], Fraction(1))
    assert found.paths[0].start_reasons == (StartReason.COVERED_WELL, StartReason.CHAMPION)


def test_acquaintance_and_none_are_no_start_and_a_decision_maker_out_of_reach_is_a_gap() -> None:
    people = [
        person(1, covered=(CoverageStrength.ACQUAINTED, CoverageStrength.NONE)),
        person(2, decides=True),
        person(3, champion=True),
        person(4, decides=True),
    ]
    found = influence_paths(people, [link(1, 2, STRONG), link(3, 4, WEAK)])
    assert found.unreachable_ids == [2]
    assert route(found, 4) == ([(StepKind.INFLUENCES, 3, 4)], Fraction(3, 10))


def test_influence_lines_run_one_way_and_reporting_lines_both_ways() -> None:
    # The champion 1 manages 2 (decides): MANAGES 0.6. Decision maker 3 influences the champion: no use.
    people = [person(1, champion=True), person(2, 1, decides=True), person(3, decides=True)]
    found = influence_paths(people, [link(3, 1, STRONG)])
    assert route(found, 2) == ([(StepKind.MANAGES, 1, 2)], Fraction(6, 10))
    assert found.unreachable_ids == [3]


def test_cycles_end_and_never_help() -> None:
    # 1 <-> 2 STRONG both ways, 2 -> 3 -> 1 back, 3 -MODERATE-> 4 (decides).
    people = [person(1, champion=True), person(2), person(3), person(4, decides=True)]
    links = [link(1, 2, STRONG), link(2, 1, STRONG), link(2, 3, STRONG), link(3, 1, STRONG), link(3, 4, MODERATE)]
    found = influence_paths(people, links)
    steps, strength = route(found, 4)
    assert [(s, t) for _, s, t in steps] == [(1, 2), (2, 3), (3, 4)]
    assert strength == Fraction(9, 10) * Fraction(9, 10) * Fraction(6, 10)


def test_ties_go_to_the_first_ids_then_to_the_influence_line_then_to_the_first_line() -> None:
    # Starts 5 and 3 each sway 9 STRONG: the path from 3 (its ids come first).
    people = [person(5, champion=True), person(3, covered=(CoverageStrength.GOOD,)), person(9, decides=True)]
    found = influence_paths(people, [link(5, 9, STRONG), link(3, 9, STRONG)])
    assert found.paths[0].start_id == 3 and found.paths[0].steps[0].link == 1
    # 1 reports to 2 (decides) and also sways 2 MODERATE, twice: the first influence line.
    people = [person(1, 2, champion=True), person(2, decides=True)]
    found = influence_paths(people, [link(1, 2, MODERATE), link(1, 2, MODERATE)])
    step = found.paths[0].steps[0]
    assert (step.kind, step.link) == (StepKind.INFLUENCES, 0)
    # Equally strong paths through other people: 1 -> 4 -> 9 and 1 -> 2 -> 9, all STRONG: through 2, whatever
    # the order of the lines.
    people = [person(1, champion=True), person(4), person(2), person(9, decides=True)]
    links = [link(1, 4, STRONG), link(4, 9, STRONG), link(1, 2, STRONG), link(2, 9, STRONG)]
    assert [s.target_id for s in influence_paths(people, links).paths[0].steps] == [2, 9]
    assert [s.target_id for s in influence_paths(people, links[::-1]).paths[0].steps] == [2, 9]


def test_lines_to_people_off_the_map_and_to_oneself_are_left_out() -> None:
    people = [person(1, 1, champion=True), person(2, 77, decides=True)]
    found = influence_paths(people, [link(1, 1, STRONG), link(1, 99, STRONG), link(99, 2, STRONG)])
    assert found.paths == [] and found.unreachable_ids == [2]


def test_a_path_has_at_most_six_steps() -> None:
    # A chain of people, each reporting to the next, the champion at the bottom: the sixth manager up is reached
    # (0.6^6), the seventh is not.
    people = [person(i, i + 1, champion=i == 1, decides=i in (7, 8)) for i in range(1, 9)]
    found = influence_paths(people, [])
    steps, strength = route(found, 7)
    assert len(steps) == MAX_STEPS == 6 and strength == Fraction(6, 10) ** 6
    assert found.unreachable_ids == [8]


def test_the_best_path_within_six_steps_is_found_though_a_longer_one_is_stronger_on_the_way() -> None:
    # 1 reaches 10 by five STRONG steps (0.59) or by one WEAK step (0.3); 6 (decides) is two STRONG steps past 10:
    # within six steps only through the weak shortcut (0.3 x 0.81), though 10's own best path is the long one.
    people = [person(i, champion=i == 1, decides=i == 6) for i in (1, 2, 3, 4, 5, 6, 7, 10)]
    chain = [link(1, 2, STRONG), link(2, 3, STRONG), link(3, 4, STRONG), link(4, 5, STRONG), link(5, 10, STRONG)]
    links = [*chain, link(10, 7, STRONG), link(7, 6, STRONG), link(1, 10, WEAK)]
    found = influence_paths(people, links)
    steps, strength = route(found, 6)
    assert [t for _, _, t in steps] == [10, 7, 6] and strength == Fraction(3, 10) * Fraction(81, 100)


def test_a_large_dense_map_is_quick() -> None:
    # 3,000 people, each swaying the next ten: 30,000 lines, every decision maker found.
    n = 3000
    people = [person(i, champion=i % 500 == 0, decides=i % 7 == 0) for i in range(n)]
    links = [link(i, (i + d) % n, [WEAK, MODERATE, STRONG][d % 3]) for i in range(n) for d in range(1, 11)]
    found = influence_paths(people, links)
    assert len(found.paths) + len(found.unreachable_ids) == len([p for p in people if p.decision_maker])
    assert all(len(p.steps) <= MAX_STEPS for p in found.paths)

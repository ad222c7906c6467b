"""The map analysis and the org-chart rule as plain functions, without a database."""

from __future__ import annotations

import pytest

from domain.hierarchy import creates_cycle
from domain.relationship_map import (
    MapCoverage,
    MapPerson,
    covered_ids,
    strongest_coverage,
    summarize,
    support_index,
)
from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, Influence

DM = (BuyingRole.DECISION_MAKER,)


def person(pid: int, attitude: Attitude = Attitude.NEUTRAL, influence: Influence = Influence.MEDIUM,
           roles: tuple[BuyingRole, ...] = ()) -> MapPerson:
    return MapPerson(pid, roles, attitude, influence)


def covers(pid: int, strength: CoverageStrength, member: int = 1) -> MapCoverage:
    return MapCoverage(pid, member, strength)


@pytest.mark.parametrize(
    ("attitude", "score"),
    [(Attitude.CHAMPION, 2), (Attitude.SUPPORTER, 1), (Attitude.NEUTRAL, 0), (Attitude.SKEPTIC, -1), (Attitude.OPPONENT, -2)],
)
def test_support_index_of_one_person_is_their_attitude_score(attitude: Attitude, score: int) -> None:
    for influence in Influence:
        assert support_index([person(1, attitude, influence)]) == score


def test_support_index_weights_influence_high_3_medium_2_low_1() -> None:
    people = [
        person(1, Attitude.CHAMPION, Influence.LOW),  # 1 * +2
        person(2, Attitude.OPPONENT, Influence.HIGH),  # 3 * -2
        person(3, Attitude.SUPPORTER, Influence.MEDIUM),  # 2 * +1
    ]
    assert support_index(people) == round((2 - 6 + 2) / 6, 4) == -0.3333  # rounded to four decimals
    # A high-influence champion outweighs a low-influence opponent and a medium skeptic together.
    balance = [person(1, Attitude.CHAMPION, Influence.HIGH), person(2, Attitude.OPPONENT, Influence.LOW),
               person(3, Attitude.SKEPTIC, Influence.MEDIUM)]
    assert support_index(balance) == round((6 - 2 - 2) / 6, 4) == 0.3333


def test_support_index_is_none_without_stakeholders_and_stays_in_range() -> None:
    assert support_index([]) is None
    assert support_index([person(i, Attitude.CHAMPION, inf) for i, inf in enumerate(Influence)]) == 2
    assert support_index([person(i, Attitude.OPPONENT, inf) for i, inf in enumerate(Influence)]) == -2


def test_coverage_of_none_is_not_coverage() -> None:
    coverage = [covers(1, CoverageStrength.NONE), covers(2, CoverageStrength.ACQUAINTED), covers(1, CoverageStrength.NONE, 2)]
    assert covered_ids(coverage) == {2}


def test_uncovered_decision_makers_ignore_none_coverage() -> None:
    people = [person(1, roles=DM), person(2, roles=DM), person(3, roles=(BuyingRole.USER,)), person(4, roles=DM)]
    coverage = [covers(1, CoverageStrength.NONE), covers(2, CoverageStrength.GOOD), covers(4, CoverageStrength.NONE, 2),
                covers(4, CoverageStrength.ACQUAINTED, 3)]
    summary = summarize(people, coverage)
    assert summary.uncovered_decision_maker_ids == [1]
    assert summary.covered_stakeholder_count == 2
    assert summary.single_threaded is False


def test_influential_opponents_are_high_influence_skeptics_and_opponents() -> None:
    people = [
        person(1, Attitude.OPPONENT, Influence.HIGH),
        person(2, Attitude.SKEPTIC, Influence.HIGH),
        person(3, Attitude.OPPONENT, Influence.MEDIUM),
        person(4, Attitude.NEUTRAL, Influence.HIGH),
    ]
    assert summarize(people, []).influential_opponent_ids == [1, 2]


def test_role_counts_cover_every_role_and_count_each_role_held() -> None:
    people = [person(1, roles=(BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER)), person(2, roles=DM), person(3)]
    counts = summarize(people, []).role_counts
    assert list(counts) == list(BuyingRole)
    assert counts[BuyingRole.DECISION_MAKER] == 2 and counts[BuyingRole.ECONOMIC_BUYER] == 1
    assert counts[BuyingRole.USER] == 0


def test_single_threaded_when_at_most_one_person_is_known() -> None:
    people = [person(1), person(2)]
    assert summarize(people, []).single_threaded is True
    assert summarize(people, [covers(1, CoverageStrength.TRUSTED_ADVISOR), covers(1, CoverageStrength.GOOD, 2)]).single_threaded is True
    assert summarize(people, [covers(1, CoverageStrength.GOOD), covers(2, CoverageStrength.NONE)]).single_threaded is True
    assert summarize(people, [covers(1, CoverageStrength.GOOD), covers(2, CoverageStrength.ACQUAINTED)]).single_threaded is False


def test_coverage_of_people_off_the_map_is_not_counted() -> None:
    summary = summarize([person(1)], [covers(1, CoverageStrength.GOOD), covers(99, CoverageStrength.GOOD)])
    assert summary.covered_stakeholder_count == 1


def test_strongest_coverage() -> None:
    assert strongest_coverage([]) is None
    assert strongest_coverage([CoverageStrength.NONE]) is CoverageStrength.NONE
    assert strongest_coverage(
        [CoverageStrength.GOOD, CoverageStrength.TRUSTED_ADVISOR, CoverageStrength.ACQUAINTED]
    ) is CoverageStrength.TRUSTED_ADVISOR
    assert strongest_coverage([CoverageStrength.ACQUAINTED, CoverageStrength.NONE]) is CoverageStrength.ACQUAINTED


# 1 is the top; 2 and 3 report to 1; 4 reports to 2; 5 stands alone.
ORG = {1: None, 2: 1, 3: 1, 4: 2, 5: None}


@pytest.mark.parametrize(
    ("node", "new_parent", "cycle"),
    [
        (1, 1, True),  # oneself
        (1, 2, True),  # own direct report
        (1, 4, True),  # a report's report
        (2, 4, True),
        (4, 3, False),  # a sibling branch
        (1, 5, False),  # someone outside the tree
        (5, 4, False),
        (3, None, False),  # to the top
        (4, 99, False),  # a parent the map does not know
    ],
)
def test_creates_cycle(node: int, new_parent: int | None, cycle: bool) -> None:
    assert creates_cycle(node, new_parent, ORG) is cycle


def test_creates_cycle_terminates_on_an_existing_loop() -> None:
    broken = {1: 2, 2: 1, 3: None}
    assert creates_cycle(3, 1, broken) is False
    assert creates_cycle(1, 2, broken) is True

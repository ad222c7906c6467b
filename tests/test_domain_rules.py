"""The growth-matrix, plan and four-seasons rules in domain/, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode, with_article
from domain.growth import (
    GrowthAssessment,
    GrowthQuadrant,
    MatrixThresholds,
    check_assessed_on,
    classify_quadrant,
    default_potential,
    latest,
)
from domain.need import Need, NeedStatus, Quarter, four_seasons, is_open
from domain.plan import (
    Action,
    ActionPlan,
    ActionStatus,
    apply_action_status,
    check_due_within_plan,
    check_plan_covers,
    check_plan_dates,
    progress,
)

THRESHOLDS = MatrixThresholds(current_value=Decimal(1000), potential=Decimal(500))
D = Decimal


def codes(exc: pytest.ExceptionInfo[DomainError]) -> list[tuple[str | None, ErrorCode]]:
    return [(e.field, e.code) for e in exc.value.errors]


# Growth matrix


@pytest.mark.parametrize(
    ("current", "potential", "quadrant"),
    [
        ("1000", "500", GrowthQuadrant.STRATEGIC),  # both exactly at the thresholds count as high
        ("999.99", "500", GrowthQuadrant.DEVELOP),
        ("1000", "499.99", GrowthQuadrant.MAINTAIN),
        ("999.99", "499.99", GrowthQuadrant.MONITOR),
        ("0", "0", GrowthQuadrant.MONITOR),
        ("1000000", "1000000", GrowthQuadrant.STRATEGIC),
        ("0", "1000000", GrowthQuadrant.DEVELOP),
        ("1000000", "0", GrowthQuadrant.MAINTAIN),
    ],
)
def test_quadrant_at_and_around_thresholds(current: str, potential: str, quadrant: GrowthQuadrant) -> None:
    assert classify_quadrant(D(current), D(potential), THRESHOLDS) is quadrant


@pytest.mark.parametrize(
    ("wallet", "current", "potential"),
    [("5000", "1200", "3800"), ("1000", "1000", "0"), ("500", "2000", "0"), ("0", "0", "0"), ("0", "10", "0")],
)
def test_default_potential_is_the_unwon_wallet_never_negative(wallet: str, current: str, potential: str) -> None:
    result = default_potential(D(wallet), D(current))
    assert result == D(potential) and result >= 0


def assessment(row_id: int, assessed_on: date) -> GrowthAssessment:
    return GrowthAssessment(id=row_id, assessed_on=assessed_on, quadrant=GrowthQuadrant.MONITOR)


def test_latest_is_newest_date_then_newest_row() -> None:
    a = assessment(1, date(2025, 6, 1))
    b = assessment(2, date(2025, 1, 1))
    c = assessment(3, date(2025, 6, 1))
    assert latest([a, b, c]) is c
    assert latest([c, a, b]) is c
    assert latest([a, b]) is a
    assert latest([b]) is b
    assert latest([]) is None


def test_assessment_dates_may_be_today_or_earlier_not_later() -> None:
    today = date(2026, 3, 15)
    check_assessed_on(today, today)
    check_assessed_on(date(2020, 1, 1), today)
    with pytest.raises(DomainError) as exc:
        check_assessed_on(today + timedelta(days=1), today)
    assert codes(exc) == [("assessedOn", ErrorCode.OUT_OF_RANGE)]


# Plans


def plan(starts_on: date, ends_on: date | None) -> ActionPlan:
    return ActionPlan(starts_on=starts_on, ends_on=ends_on)


def test_plan_may_not_end_before_it_starts() -> None:
    check_plan_dates(date(2026, 1, 1), date(2026, 1, 1))
    check_plan_dates(date(2026, 1, 1), None)
    with pytest.raises(DomainError) as exc:
        check_plan_dates(date(2026, 1, 2), date(2026, 1, 1))
    assert codes(exc) == [("endsOn", ErrorCode.INVALID_DATE_RANGE)]
    with pytest.raises(DomainError) as exc:
        check_plan_dates(date(2026, 1, 2), date(2026, 1, 1), "startsOn")
    assert codes(exc) == [("startsOn", ErrorCode.INVALID_DATE_RANGE)]


def test_due_dates_fall_inside_the_plan_bounds_included() -> None:
    bounded = plan(date(2026, 1, 1), date(2026, 12, 31))
    for due_on in (None, date(2026, 1, 1), date(2026, 6, 1), date(2026, 12, 31)):
        check_due_within_plan(bounded, due_on)
    check_due_within_plan(plan(date(2026, 1, 1), None), date(2099, 1, 1))
    for due_on in (date(2025, 12, 31), date(2027, 1, 1)):
        with pytest.raises(DomainError) as exc:
            check_due_within_plan(bounded, due_on)
        assert codes(exc) == [("dueOn", ErrorCode.INVALID_DATE_RANGE)]


def test_new_plan_dates_must_cover_what_is_due() -> None:
    due = [date(2026, 2, 1), None, date(2026, 11, 30)]
    check_plan_covers(date(2026, 2, 1), date(2026, 11, 30), due)
    check_plan_covers(date(2026, 1, 1), None, due)
    check_plan_covers(date(2030, 1, 1), None, [None])
    with pytest.raises(DomainError) as exc:
        check_plan_covers(date(2026, 3, 1), None, due)
    assert codes(exc) == [("startsOn", ErrorCode.INVALID_DATE_RANGE)]
    assert "2026-02-01" in exc.value.errors[0].message
    with pytest.raises(DomainError) as exc:
        check_plan_covers(date(2026, 1, 1), date(2026, 10, 31), due)
    assert codes(exc) == [("endsOn", ErrorCode.INVALID_DATE_RANGE)]
    with pytest.raises(DomainError) as exc:
        check_plan_covers(date(2026, 6, 1), date(2026, 6, 30), due)
    assert codes(exc) == [("startsOn", ErrorCode.INVALID_DATE_RANGE), ("endsOn", ErrorCode.INVALID_DATE_RANGE)]


def test_completion_time_follows_the_status() -> None:
    first = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    later = first + timedelta(days=1)
    action = Action(status=ActionStatus.TODO)
    apply_action_status(action, ActionStatus.IN_PROGRESS, first)
    assert (action.status, action.completed_at) == (ActionStatus.IN_PROGRESS, None)
    apply_action_status(action, ActionStatus.DONE, first)
    assert (action.status, action.completed_at) == (ActionStatus.DONE, first)
    apply_action_status(action, ActionStatus.DONE, later)
    assert action.completed_at == first  # done twice keeps the first completion
    apply_action_status(action, ActionStatus.BLOCKED, later)
    assert (action.status, action.completed_at) == (ActionStatus.BLOCKED, None)
    new = Action()
    apply_action_status(new, ActionStatus.DONE, later)
    assert new.completed_at == later


def test_progress_counts_done_blocked_and_all() -> None:
    p = progress({ActionStatus.DONE: 3, ActionStatus.TODO: 4, ActionStatus.BLOCKED: 1})
    assert (p.done, p.total, p.blocked, p.ratio) == (3, 8, 1, 3 / 8)
    assert progress({}).ratio is None
    assert progress({ActionStatus.DONE: 2}).ratio == 1.0


# Needs


def need(title: str, *quarters: Quarter) -> Need:
    n = Need(title=title, status=NeedStatus.IDENTIFIED)
    n.peak_quarters = list(quarters)
    return n


def test_four_seasons_places_each_need_under_every_quarter_it_peaks_in() -> None:
    a, b, c = need("a", Quarter.Q4, Quarter.Q1), need("b", Quarter.Q1), need("c")
    table = four_seasons([a, b, c])
    assert list(table) == [Quarter.Q1, Quarter.Q2, Quarter.Q3, Quarter.Q4]
    assert table == {Quarter.Q1: [a, b], Quarter.Q2: [], Quarter.Q3: [], Quarter.Q4: [a]}


def test_open_needs_are_the_ones_still_worked_on() -> None:
    assert [s for s in NeedStatus if is_open(s)] == [NeedStatus.IDENTIFIED, NeedStatus.VALIDATED, NeedStatus.BEING_ADDRESSED]


@pytest.mark.parametrize(
    ("noun", "said"),
    [
        ("Account", "an Account"),
        ("ActionPlan", "an ActionPlan"),
        ("Objective", "an Objective"),
        ("Action", "an Action"),
        ("InfluenceLink", "an InfluenceLink"),
        ("AuditEvent", "an AuditEvent"),
        ("Stakeholder", "a Stakeholder"),
        ("Need", "a Need"),
        ("TeamMember", "a TeamMember"),
        ("GrowthAssessment", "a GrowthAssessment"),
        ("Coverage", "a Coverage"),
        ("User", "a User"),  # a vowel letter said with a consonant
        ("Unit", "a Unit"),
        ("Hour", "an Hour"),  # a silent h
        ("ID", "an ID"),  # an abbreviation, said letter by letter
        ("URL", "a URL"),
    ],
)
def test_a_name_takes_the_article_it_is_said_with(noun: str, said: str) -> None:
    assert with_article(noun) == said

"""Contact cadence per grade (分层策略): how often an account should hear from us, and when it is overdue.

An account is overdue when the days since its last interaction exceed its grade's cadence: on the due
day itself it is not overdue yet, the day after it is one day overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.account import Grade
from domain.policy import ScoringPolicy


def cadence_days(grade: Grade, policy: ScoringPolicy) -> int:
    return getattr(policy, f"cadence_{grade.name.lower()}_days")


def next_contact_due(last_interaction_on: date | None, grade: Grade, policy: ScoringPolicy, since: date) -> date:
    """The day the next contact is due: one cadence after the last interaction.

    An account never contacted is due one cadence after `since` (the day it was created, say): a new
    account is given one cadence to be contacted before it counts as overdue. A due day past the end of
    the calendar is `date.max`, which is never overdue, as such a far cadence means.
    """
    start = last_interaction_on if last_interaction_on is not None else since
    try:
        return start + timedelta(days=cadence_days(grade, policy))
    except OverflowError:
        return date.max


def days_overdue(due: date, today: date) -> int:
    """Days past the due day; 0 on the due day and before it."""
    return max((today - due).days, 0)

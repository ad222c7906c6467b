"""The access rules on their own: which role reads and writes which account, who creates and deletes."""

from __future__ import annotations

import pytest

from domain.access import (
    Attachment,
    Scope,
    can_change_team_members,
    can_create_account,
    can_delete_account,
    can_read_account,
    can_write_account,
    creator_team_role,
    in_scope,
    reads_every_account,
)
from domain.team import MemberRole, TeamRole

ME, REPORT, BOSS, STRANGER = 1, 2, 3, 4

# The people attached to an account, seen from member ME (whose reports have manager_id ME).
SITUATIONS = {
    "on the team": [Attachment(ME, BOSS), Attachment(STRANGER, None)],
    "a report is on the team": [Attachment(REPORT, ME)],
    "strangers only": [Attachment(STRANGER, BOSS)],
    "nobody": [],
}

# (role, situation) -> (may read, may write)
EXPECTED = {
    ("ADMIN", "on the team"): (True, True),
    ("ADMIN", "a report is on the team"): (True, True),
    ("ADMIN", "strangers only"): (True, True),
    ("ADMIN", "nobody"): (True, True),
    ("MANAGER", "on the team"): (True, True),
    ("MANAGER", "a report is on the team"): (True, True),
    ("MANAGER", "strangers only"): (True, False),
    ("MANAGER", "nobody"): (True, False),
    ("ACCOUNT_MANAGER", "on the team"): (True, True),
    ("ACCOUNT_MANAGER", "a report is on the team"): (False, False),
    ("ACCOUNT_MANAGER", "strangers only"): (False, False),
    ("ACCOUNT_MANAGER", "nobody"): (False, False),
    ("VIEWER", "on the team"): (True, False),
    ("VIEWER", "a report is on the team"): (False, False),
    ("VIEWER", "strangers only"): (False, False),
    ("VIEWER", "nobody"): (False, False),
}


@pytest.mark.parametrize(("role", "situation"), sorted(EXPECTED), ids=lambda v: v.replace(" ", "-"))
def test_read_and_write_by_role_and_team(role: str, situation: str) -> None:
    attached = SITUATIONS[situation]
    assert (
        can_read_account(MemberRole[role], ME, attached),
        can_write_account(MemberRole[role], ME, attached),
    ) == EXPECTED[(role, situation)]


def test_every_role_and_situation_is_covered() -> None:
    assert {r for r, _ in EXPECTED} == {r.name for r in MemberRole}
    assert {s for _, s in EXPECTED} == set(SITUATIONS)


def test_a_report_of_a_report_does_not_count_for_the_manager_above() -> None:
    # Only direct reports: the manager of REPORT's manager is not their manager.
    attached = [Attachment(REPORT, BOSS)]
    assert not in_scope(Scope.MANAGED, ME, attached)
    assert in_scope(Scope.MANAGED, BOSS, attached)


def test_scopes_all_and_none_ignore_the_team() -> None:
    assert in_scope(Scope.ALL, ME, [])
    assert not in_scope(Scope.NONE, ME, [Attachment(ME, None)])


@pytest.mark.parametrize(
    ("role", "reads_all", "creates", "deletes", "changes_members"),
    [
        ("ADMIN", True, True, True, True),
        ("MANAGER", True, True, False, False),
        ("ACCOUNT_MANAGER", False, True, False, False),
        ("VIEWER", False, False, False, False),
    ],
)
def test_role_wide_permissions(role: str, reads_all: bool, creates: bool, deletes: bool, changes_members: bool) -> None:
    r = MemberRole[role]
    assert reads_every_account(r) is reads_all
    assert can_create_account(r) is creates
    assert can_delete_account(r) is deletes
    assert can_change_team_members(r) is changes_members


@pytest.mark.parametrize(
    ("role", "owner", "seat"),
    [
        ("ADMIN", None, None),
        ("ADMIN", Attachment(STRANGER, None), None),
        ("MANAGER", None, TeamRole.OWNER),
        ("MANAGER", Attachment(REPORT, ME), None),
        ("MANAGER", Attachment(STRANGER, BOSS), TeamRole.SUPPORT),
        ("ACCOUNT_MANAGER", None, TeamRole.OWNER),
        ("ACCOUNT_MANAGER", Attachment(ME, BOSS), None),
        ("ACCOUNT_MANAGER", Attachment(STRANGER, BOSS), TeamRole.SUPPORT),
    ],
)
def test_a_creator_keeps_working_on_what_they_created(role: str, owner: Attachment | None, seat: TeamRole | None) -> None:
    assert creator_team_role(MemberRole[role], ME, owner) is seat
    # With the seat taken, the creator can change the new account.
    attached = [a for a in (owner,) if a is not None]
    if seat is not None:
        attached.append(Attachment(ME, BOSS))
    assert can_write_account(MemberRole[role], ME, attached)

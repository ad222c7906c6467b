"""Who may read and change which account: the rules of access, free of SQL.

A member's role gives a *scope* for reading and one for writing. Whether an
account falls into a scope depends only on the people attached to it (its team
and its owner) and on whom those people report to.

| role            | reads                  | writes                                     |
|-----------------|------------------------|--------------------------------------------|
| ADMIN           | every account          | every account                              |
| MANAGER         | every account          | accounts they, or a member they manage, are attached to |
| ACCOUNT_MANAGER | accounts they are attached to | the same                            |
| VIEWER          | accounts they are attached to | nothing                             |

Team members themselves are visible to every member; only ADMINs change them.
Creating accounts is open to every role but VIEWER; deleting one for good is
for ADMINs only (everyone else archives).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from domain.team import MemberRole, TeamRole


class Scope(enum.Enum):
    """Which accounts a permission covers."""

    ALL = "ALL"
    # Accounts the member is attached to (on the team, or the owner).
    ATTACHED = "ATTACHED"
    # Accounts the member, or a member whose manager they are, is attached to.
    MANAGED = "MANAGED"
    NONE = "NONE"


READ_SCOPE: dict[MemberRole, Scope] = {
    MemberRole.ADMIN: Scope.ALL,
    MemberRole.MANAGER: Scope.ALL,
    MemberRole.ACCOUNT_MANAGER: Scope.ATTACHED,
    MemberRole.VIEWER: Scope.ATTACHED,
}

WRITE_SCOPE: dict[MemberRole, Scope] = {
    MemberRole.ADMIN: Scope.ALL,
    MemberRole.MANAGER: Scope.MANAGED,
    MemberRole.ACCOUNT_MANAGER: Scope.ATTACHED,
    MemberRole.VIEWER: Scope.NONE,
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One person attached to an account (team member or owner) and that person's manager."""

    member_id: int
    manager_id: int | None


def in_scope(scope: Scope, member_id: int, attached: Iterable[Attachment]) -> bool:
    """Whether an account with these people attached falls into `scope` for `member_id`."""
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE:
        return False
    people = list(attached)
    if any(a.member_id == member_id for a in people):
        return True
    return scope is Scope.MANAGED and any(a.manager_id == member_id for a in people)


def can_read_account(role: MemberRole, member_id: int, attached: Iterable[Attachment]) -> bool:
    return in_scope(READ_SCOPE[role], member_id, attached)


def can_write_account(role: MemberRole, member_id: int, attached: Iterable[Attachment]) -> bool:
    people = list(attached)
    return can_read_account(role, member_id, people) and in_scope(WRITE_SCOPE[role], member_id, people)


def reads_every_account(role: MemberRole) -> bool:
    return READ_SCOPE[role] is Scope.ALL


def can_create_account(role: MemberRole) -> bool:
    return WRITE_SCOPE[role] is not Scope.NONE


def can_delete_account(role: MemberRole) -> bool:
    """Deleting for good removes history; everyone else archives, which can be undone."""
    return role is MemberRole.ADMIN


def can_change_team_members(role: MemberRole) -> bool:
    """Adding, changing and removing our own people, including their roles: ADMINs only."""
    return role is MemberRole.ADMIN


def can_change_policy(role: MemberRole) -> bool:
    """The scoring policy decides every account's grade, tier and health: ADMINs only."""
    return role is MemberRole.ADMIN


def creator_team_role(role: MemberRole, creator_id: int, owner: Attachment | None) -> TeamRole | None:
    """The seat on a new account's team for the member who creates it, when they need one.

    A creator must be able to go on working on what they created: when the new
    account (with its owner, if one is named) would be outside their write scope,
    they join its team: as OWNER when nobody else is named owner, else as SUPPORT.
    """
    attached = [owner] if owner is not None else []
    if can_write_account(role, creator_id, attached):
        return None
    return TeamRole.OWNER if owner is None else TeamRole.SUPPORT

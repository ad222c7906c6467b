"""Changing the scoring policy: a new version of the one in force, ADMINs only, refused whole when any
setting is out of its range or the weights of a group do not add up to 100."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.access import can_change_policy
from domain.errors import DomainError, ErrorCode, UserError
from domain.policy import policy_problems, to_document, with_changes
from domain.policy_version import MAX_REASON, ScoringPolicyVersion
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.policy.reads import policy_in_force


POLICY_CHANGED = "policy.changed"  # session.info key: the running write made a new version


async def change_policy(session: AsyncSession, changes: dict[str, Any], reason: str, version: int | None) -> ScoringPolicyVersion:
    """A new version holding the one in force with `changes` (settings by their snake_case names); the one in
    force itself when nothing changes. `version` is the version the caller read: a newer one is a CONFLICT."""
    access_of(session).require(can_change_policy, "Only ADMINs change the scoring policy.")
    why = v.required_text(reason, "reason", MAX_REASON)
    current = await policy_in_force(session)
    if version is not None and version != current.id:
        raise DomainError.single(
            "version", f"The policy changed since you read it (you sent version {version}, version {current.id} is in force).",
            ErrorCode.CONFLICT,
        )
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise DomainError(*(UserError(v.camel(n), f"`{v.camel(n)}` cannot be null.", ErrorCode.REQUIRED) for n in nulls))
    policy = with_changes(current.policy, changes)
    problems = policy_problems(policy)
    if problems:
        raise DomainError(*(UserError(field, message, ErrorCode.OUT_OF_RANGE) for field, message in problems))
    document = to_document(policy)
    if document == current.document:
        return current
    changed = ScoringPolicyVersion(id=current.id + 1, document=document, reason=why, created_by_id=access_of(session).member_id)
    session.add(changed)
    session.info[POLICY_CHANGED] = True
    return changed

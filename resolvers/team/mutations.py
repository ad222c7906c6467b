"""Creating, updating and deleting team members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.access import can_change_team_members
from domain.errors import DomainError, ErrorCode
from domain.hierarchy import creates_cycle
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.ids import input_id


def _require_admin(session: AsyncSession) -> None:
    """Team members carry roles, so changing them is changing who may do what: ADMINs only."""
    access_of(session).require(can_change_team_members, "Only ADMINs add, change or remove team members.")


async def _check_email_free(session: AsyncSession, email: str, member_id: int | None = None) -> None:
    stmt = select(func.count()).select_from(TeamMember).where(TeamMember.email == email)
    if member_id is not None:
        stmt = stmt.where(TeamMember.id != member_id)
    if await session.scalar(stmt):
        raise DomainError.single("email", f"A team member with email {email} already exists.", ErrorCode.DUPLICATE)


async def _manager_id(session: AsyncSession, value: str | None, member_id: int | None = None) -> int | None:
    if value is None:
        return None
    manager_id = input_id(value, "TeamMember", "managerId")
    await v.get_row(session, TeamMember, manager_id, "managerId")
    if member_id is not None:
        parent_of = dict((await session.execute(select(TeamMember.id, TeamMember.manager_id))).all())
        if creates_cycle(member_id, manager_id, parent_of):
            raise DomainError.single(
                "managerId", "This manager would make the reporting line a loop.", ErrorCode.CYCLE
            )
    return manager_id


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = v.required_text(data["name"], "name", 200)
    if "email" in data:
        out["email"] = v.email(data["email"])
    if "title" in data:
        out["title"] = v.optional_text(data["title"], "title", 200)
    for key in ("role", "active"):
        if key in data:
            if data[key] is None:
                raise DomainError.single(key, f"`{key}` cannot be null.", ErrorCode.REQUIRED)
            out[key] = data[key]
    return out


async def create_team_member(session: AsyncSession, data: dict[str, Any]) -> TeamMember:
    _require_admin(session)
    values = _clean(data)
    await _check_email_free(session, values["email"])
    values["manager_id"] = await _manager_id(session, data.get("manager_id"))
    member = TeamMember(**values)
    session.add(member)
    return member


async def update_team_member(session: AsyncSession, data: dict[str, Any]) -> TeamMember:
    _require_admin(session)
    member = await v.get_row(session, TeamMember, input_id(data.pop("id"), "TeamMember", "id"), "id")
    v.check_version(member, data.pop("version", None))
    values = _clean(data)
    if "email" in values:
        await _check_email_free(session, values["email"], member.id)
    if "manager_id" in data:
        values["manager_id"] = await _manager_id(session, data["manager_id"], member.id)
    v.apply(member, values)
    return member


async def delete_team_member(session: AsyncSession, member_id: str) -> str:
    _require_admin(session)
    member = await v.get_row(session, TeamMember, input_id(member_id, "TeamMember", "id"), "id")
    await session.delete(member)
    return member_id

"""Writing stakeholders, the org chart between them, influence links and our coverage of them.

Every change is refused while the account it belongs to is archived, and every
line on the map (reports-to, influence) stays inside one account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.base import utcnow
from domain.errors import DomainError, ErrorCode
from domain.hierarchy import creates_cycle
from domain.stakeholder import (
    Coverage,
    CoverageStrength,
    InfluenceLink,
    LinkStrength,
    Stakeholder,
    StakeholderBuyingRole,
)
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.accounts.ownership import open_account
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge
from resolvers.interactions.recency import lock_account, refresh_stakeholders

TEXT_FIELDS = {"title": 200, "department": 200, "phone": 50, "buying_motive": 2000}
ENUM_FIELDS = ("attitude", "influence", "decision_level")


async def _stakeholder(session: AsyncSession, value: str, field: str) -> Stakeholder:
    return await v.get_row(session, Stakeholder, input_id(value, "Stakeholder", field), field)


async def writable_stakeholder(session: AsyncSession, value: str, field: str) -> Stakeholder:
    person = await _stakeholder(session, value, field)
    await open_account(session, person.account_id, field)
    return person


def _email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return v.email(value)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = v.required_text(data["name"], "name", 200)
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            out[key] = v.optional_text(data[key], v.camel(key), limit)
    if "email" in data:
        out["email"] = _email(data["email"])
    for key in ENUM_FIELDS:
        if key in data:
            out[key] = v.not_null(data, key)
    if "buying_roles" in data:
        out["buying_roles"] = list(dict.fromkeys(v.not_null(data, "buying_roles")))
    return out


async def _manager_id(
    session: AsyncSession, value: str | None, account_id: int, person_id: int | None, field: str = "reportsToId"
) -> int | None:
    """The stakeholder someone may report to: same account, and no loop in the org chart."""
    if value is None:
        return None
    manager = await _stakeholder(session, value, field)
    if manager.account_id != account_id:
        raise DomainError.single(field, "The manager must be a stakeholder of the same account.", ErrorCode.CROSS_ACCOUNT)
    if person_id is not None:
        if manager.id == person_id:
            raise DomainError.single(field, "A stakeholder cannot report to themselves.", ErrorCode.CYCLE)
        rows = await session.execute(
            select(Stakeholder.id, Stakeholder.reports_to_id).where(Stakeholder.account_id == account_id)
        )
        if creates_cycle(person_id, manager.id, {row.id: row.reports_to_id for row in rows}):
            raise DomainError.single(field, "This manager would make the reporting line a loop.", ErrorCode.CYCLE)
    return manager.id


async def _load_roles(session: AsyncSession, person: Stakeholder) -> None:
    """Buying roles never load with the person: read them before comparing, replacing or deleting them."""
    if "role_rows" in inspect(person).dict:
        return
    rows = await session.scalars(
        select(StakeholderBuyingRole).where(StakeholderBuyingRole.stakeholder_id == person.id)
    )
    set_committed_value(person, "role_rows", list(rows))


def _touch(person: Stakeholder) -> None:
    """Buying roles live in their own table; changing them still counts as changing the stakeholder."""
    person.updated_at = utcnow()


async def create_stakeholder(session: AsyncSession, data: dict[str, Any]) -> Stakeholder:
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    values = _clean(data)
    values["reports_to_id"] = await _manager_id(session, data.get("reports_to_id"), account.id, None)
    roles = values.pop("buying_roles", [])
    person = Stakeholder(account_id=account.id, **values)
    person.buying_roles = roles
    session.add(person)
    rejudge(session, account.id)  # the map's support counts toward health
    return person


async def update_stakeholder(session: AsyncSession, data: dict[str, Any]) -> Stakeholder:
    person = await writable_stakeholder(session, data.pop("id"), "id")
    v.check_version(person, data.pop("version", None))
    values = _clean(data)
    if "reports_to_id" in data:
        values["reports_to_id"] = await _manager_id(session, data["reports_to_id"], person.account_id, person.id)
    roles = values.pop("buying_roles", None)
    if roles is not None:
        # Read first: the query flushes pending changes, and a second flush would bump the version again.
        await _load_roles(session, person)
    if "attitude" in values or "influence" in values:
        rejudge(session, person.account_id)
    v.apply(person, values)
    if roles is not None and set(roles) != set(person.buying_roles):
        person.buying_roles = roles
        _touch(person)
    return person


async def set_reports_to(session: AsyncSession, value: str, manager: str | None, version: int | None) -> Stakeholder:
    person = await writable_stakeholder(session, value, "stakeholderId")
    v.check_version(person, version)
    person.reports_to_id = await _manager_id(session, manager, person.account_id, person.id)
    return person


async def delete_stakeholder(session: AsyncSession, value: str) -> str:
    """Direct reports stay, reporting to nobody; links and coverage of the person go with them."""
    person = await writable_stakeholder(session, value, "id")
    rejudge(session, person.account_id)
    # The audit trail records the roles that go with the person.
    await _load_roles(session, person)
    reports = await session.scalars(select(Stakeholder).where(Stakeholder.reports_to_id == person.id))
    for report in reports:
        report.reports_to_id = None
    await session.flush()
    await session.delete(person)
    return value


async def add_influence_link(session: AsyncSession, source: str, target: str, strength: LinkStrength) -> InfluenceLink:
    influencer = await writable_stakeholder(session, source, "sourceId")
    influenced = await _stakeholder(session, target, "targetId")
    if influenced.account_id != influencer.account_id:
        raise DomainError.single(
            "targetId", "Both ends of an influence link must be stakeholders of the same account.", ErrorCode.CROSS_ACCOUNT
        )
    if influenced.id == influencer.id:
        raise DomainError.single("targetId", "A stakeholder cannot influence themselves.", ErrorCode.INVALID)
    existing = await session.scalar(
        select(InfluenceLink.id).where(InfluenceLink.source_id == influencer.id, InfluenceLink.target_id == influenced.id)
    )
    if existing is not None:
        raise DomainError.single(
            "targetId", "This stakeholder already influences the target; update that link instead.", ErrorCode.DUPLICATE
        )
    link = InfluenceLink(
        account_id=influencer.account_id, source_id=influencer.id, target_id=influenced.id, strength=strength
    )
    session.add(link)
    return link


async def _writable_link(session: AsyncSession, value: str) -> InfluenceLink:
    link = await v.get_row(session, InfluenceLink, input_id(value, "InfluenceLink", "id"), "id")
    await open_account(session, link.account_id, "id")
    return link


async def update_influence_link(session: AsyncSession, value: str, strength: LinkStrength) -> InfluenceLink:
    link = await _writable_link(session, value)
    link.strength = strength
    return link


async def remove_influence_link(session: AsyncSession, value: str) -> str:
    await session.delete(await _writable_link(session, value))
    return value


async def set_coverage(session: AsyncSession, member: str, stakeholder: str, strength: CoverageStrength) -> Coverage:
    """One row per (member, stakeholder): setting it again changes the strength."""
    member_id = input_id(member, "TeamMember", "memberId")
    await v.get_row(session, TeamMember, member_id, "memberId")
    person = await writable_stakeholder(session, stakeholder, "stakeholderId")
    # Interactions of the account recount its coverage: the writers of one account queue for it.
    await lock_account(session, person.account_id)
    row = await session.scalar(
        select(Coverage).where(Coverage.stakeholder_id == person.id, Coverage.member_id == member_id)
    )
    if row is None:
        row = Coverage(account_id=person.account_id, stakeholder_id=person.id, member_id=member_id, strength=strength)
        session.add(row)
        # A new pair may already have spoken: its last interaction together comes with it.
        await session.flush()
        await refresh_stakeholders(session, [person.id], utcnow().date())
    else:
        row.strength = strength
    return row


async def remove_coverage(session: AsyncSession, value: str) -> str:
    row = await v.get_row(session, Coverage, input_id(value, "Coverage", "id"), "id")
    await open_account(session, row.account_id, "id")
    await session.delete(row)
    return value

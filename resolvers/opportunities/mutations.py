"""Writing opportunities: amounts in the account's currency, needs and contacts of the same account, and
stage moves recorded as dated transitions (skips allowed and counted, a closed deal reopened only with a
reason, a lost one only with the reason it was lost)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.base import EARLIEST_DAY, utcnow
from domain.errors import DomainError, ErrorCode, UserError
from domain.need import Need
from domain.opportunity import (
    DEFAULT_PROBABILITY,
    MAX_MOVES,
    ContactRole,
    Move,
    Opportunity,
    OpportunityContact,
    OpportunityNeed,
    OpportunityStage,
    is_open,
    move_problems,
)
from domain.stakeholder import Stakeholder
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.accounts.ownership import open_account
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge

LONG_TEXT = 5000
MAX_LINKED = 50  # needs or contacts of one deal
EARLIEST = EARLIEST_DAY


def _day(value: date, field: str, today: date | None = None) -> date:
    """A business day: not before 1970, and (when `today` is given) not in the future."""
    if value < EARLIEST:
        raise DomainError.single(field, f"`{field}` cannot be before {EARLIEST.isoformat()}.", ErrorCode.OUT_OF_RANGE)
    if today is not None and value > today:
        raise DomainError.single(field, f"`{field}` cannot be in the future.", ErrorCode.OUT_OF_RANGE)
    return value


def _probability(value: int, field: str = "probability") -> int:
    if not 0 <= value <= 100:
        raise DomainError.single(field, f"`{field}` must be between 0 and 100 (per cent).", ErrorCode.OUT_OF_RANGE)
    return value


def _currency(value: str | None, account_currency: str) -> str:
    if value is None:
        return account_currency
    code = v.currency(value)
    if code != account_currency:
        raise DomainError.single(
            "currency",
            f"The account keeps its amounts in {account_currency}, and kam holds no exchange rate from {code}: "
            f"enter the amount in {account_currency}.",
            ErrorCode.INVALID,
        )
    return code


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = v.required_text(data["name"], "name", 200)
    if "amount" in data:
        out["amount"] = v.money(v.not_null(data, "amount"), "amount")
    if "expected_close_on" in data:
        out["expected_close_on"] = None if data["expected_close_on"] is None else _day(data["expected_close_on"], "expectedCloseOn")
    return out


async def _owner_id(session: AsyncSession, value: str | None) -> int | None:
    if value is None:
        return None
    member_id = input_id(value, "TeamMember", "ownerId")
    await v.get_row(session, TeamMember, member_id, "ownerId")
    return member_id


async def _of_account(session: AsyncSession, model: type[Any], ids: list[int], account_id: int, field: str) -> None:
    """Rows of `model` by id, each existing, visible and of this account (one SELECT for all)."""
    if not ids:
        return
    rows = {r.id: r for r in (await session.scalars(select(model).where(model.id.in_(ids)))).all()}
    access = access_of(session)
    name = model.__name__
    for row_id in ids:
        row = rows.get(row_id)
        if row is None or not await access.visible(row):
            raise DomainError.single(field, f"No {name} has this `{field}`.", ErrorCode.NOT_FOUND)
        if row.account_id != account_id:
            raise DomainError.single(field, f"The {name.lower()} belongs to another account.", ErrorCode.CROSS_ACCOUNT)


def _listed(values: list[Any], field: str) -> None:
    if len(values) > MAX_LINKED:
        raise DomainError.single(field, f"`{field}` holds more than {MAX_LINKED} items.", ErrorCode.OUT_OF_RANGE)


async def _need_ids(session: AsyncSession, values: list[str], account_id: int) -> list[int]:
    _listed(values, "needIds")
    ids = list(dict.fromkeys(input_id(value, "Need", "needIds") for value in values))
    await _of_account(session, Need, ids, account_id, "needIds")
    return ids


async def _contacts(session: AsyncSession, values: list[dict[str, Any]], account_id: int) -> list[tuple[int, ContactRole, bool]]:
    """(stakeholder id, role, primary) per contact: one per stakeholder, at most one primary."""
    _listed(values, "contacts")
    contacts = [(input_id(c["stakeholder_id"], "Stakeholder", "contacts"), c["role"], bool(c.get("is_primary"))) for c in values]
    ids = [c[0] for c in contacts]
    if len(set(ids)) != len(ids):
        raise DomainError.single("contacts", "A stakeholder plays one part in a deal: each appears once.", ErrorCode.DUPLICATE)
    if sum(primary for _, _, primary in contacts) > 1:
        raise DomainError.single("contacts", "A deal has at most one primary contact.", ErrorCode.INVALID)
    await _of_account(session, Stakeholder, ids, account_id, "contacts")
    return contacts


async def _load_contacts(session: AsyncSession, opportunity: Opportunity) -> list[OpportunityContact]:
    return list(
        (await session.scalars(select(OpportunityContact).where(OpportunityContact.opportunity_id == opportunity.id))).all()
    )


async def _set_contacts(session: AsyncSession, opportunity: Opportunity, contacts: list[tuple[int, ContactRole, bool]]) -> None:
    """Replace the deal's contacts: kept stakeholders keep their row (changed in place), the others go. The old
    primary is cleared first, so the stores' one-primary index never sees two."""
    existing = {c.stakeholder_id: c for c in await _load_contacts(session, opportunity)}
    wanted = {sid: (role, primary) for sid, role, primary in contacts}
    for sid, row in existing.items():
        if sid not in wanted:
            await session.delete(row)
        elif row.is_primary and not wanted[sid][1]:
            row.is_primary = False
    await session.flush()
    for sid, (role, primary) in wanted.items():
        row = existing.get(sid)
        if row is None:
            session.add(
                OpportunityContact(
                    account_id=opportunity.account_id, opportunity_id=opportunity.id, stakeholder_id=sid, role=role, is_primary=primary
                )
            )
        else:
            row.role, row.is_primary = role, primary


async def _load_needs(session: AsyncSession, opportunity: Opportunity) -> None:
    if "need_rows" not in inspect(opportunity).dict:
        rows = await session.scalars(select(OpportunityNeed).where(OpportunityNeed.opportunity_id == opportunity.id))
        set_committed_value(opportunity, "need_rows", list(rows))


async def _writable(session: AsyncSession, value: str, field: str = "id") -> Opportunity:
    opportunity = await v.get_row(session, Opportunity, input_id(value, "Opportunity", field), field)
    await open_account(session, opportunity.account_id, field)
    return opportunity


async def create_opportunity(session: AsyncSession, data: dict[str, Any], today: date) -> Opportunity:
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    values = _clean(data)
    stage = data.get("stage") or OpportunityStage.INITIAL_CONTACT
    if not is_open(stage):
        raise DomainError.single("stage", "A deal opens in an open stage; close it with `opportunityMoveStage`.", ErrorCode.INVALID)
    opened_on = _day(data.get("opened_on") or today, "openedOn", today)
    me = access_of(session).member_id
    owner_id = await _owner_id(session, data["owner_id"]) if data.get("owner_id") is not None else (me or None)
    needs = await _need_ids(session, data.get("need_ids") or [], account.id)
    contacts = await _contacts(session, data.get("contacts") or [], account.id)
    probability = data.get("probability")
    opportunity = Opportunity(
        account_id=account.id,
        currency=_currency(data.get("currency"), account.currency),
        owner_id=owner_id,
        opened_on=opened_on,
        probability_set=probability is not None,
        probability=DEFAULT_PROBABILITY[stage] if probability is None else _probability(probability),
        lost_reason=None,
        reached_stages=0,
        path="",
        moves=0,
        **values,
    )
    opportunity.need_rows = []
    opportunity.need_ids = needs
    opportunity.enter(stage, opened_on)
    session.add(opportunity)
    await session.flush()
    session.add(opportunity.opening(utcnow(), me or None))
    await _set_contacts(session, opportunity, contacts)
    rejudge(session, opportunity.account_id)
    return opportunity


async def update_opportunity(session: AsyncSession, data: dict[str, Any]) -> Opportunity:
    opportunity = await _writable(session, data.pop("id"))
    v.check_version(opportunity, data.pop("version", None))
    values = _clean(data)
    if "owner_id" in data:
        values["owner_id"] = await _owner_id(session, data["owner_id"])
    if "probability" in data:
        if data["probability"] is None:
            values["probability_set"] = False
            values["probability"] = DEFAULT_PROBABILITY[opportunity.stage]
        elif not is_open(opportunity.stage):
            raise DomainError.single("probability", "A closed deal's probability is 100 (WON) or 0 (LOST).", ErrorCode.INVALID)
        else:
            values["probability_set"] = True
            values["probability"] = _probability(data["probability"])
    if "lost_reason" in data:
        if opportunity.stage is not OpportunityStage.LOST:
            raise DomainError.single("lostReason", "Only a lost deal has a reason it was lost.", ErrorCode.INVALID)
        values["lost_reason"] = v.required_text(data["lost_reason"] or "", "lostReason", LONG_TEXT)
    needs = contacts = None
    if "need_ids" in data:
        needs = await _need_ids(session, v.not_null(data, "need_ids"), opportunity.account_id)
    if "contacts" in data:
        contacts = await _contacts(session, v.not_null(data, "contacts"), opportunity.account_id)
    # Read first: the query flushes pending changes, and a second flush would bump the version again.
    await _load_needs(session, opportunity)
    v.apply(opportunity, values)
    if needs is not None and set(needs) != set(opportunity.need_ids):
        opportunity.need_ids = needs
        opportunity.updated_at = utcnow()  # the needs live in their own table; the deal still changed
    if contacts is not None:
        await _set_contacts(session, opportunity, contacts)
    return opportunity


async def move_stage(session: AsyncSession, data: dict[str, Any], today: date) -> Opportunity:
    opportunity = await _writable(session, data["id"])
    v.check_version(opportunity, data.get("version"))
    reason = v.optional_text(data.get("reason"), "reason", LONG_TEXT)
    lost_reason = v.optional_text(data.get("lost_reason"), "lostReason", LONG_TEXT)
    to = data["stage"]
    on = data.get("on") or today
    move = Move(opportunity.stage, to, on, opportunity.stage_entered_on, reason, lost_reason)
    problems = move_problems(move, today)
    if on < EARLIEST:
        problems.append(("on", f"`on` cannot be before {EARLIEST.isoformat()}."))
    if opportunity.moves >= MAX_MOVES:
        problems.append(("stage", f"The deal has moved {MAX_MOVES} times; open a new one."))
    if problems:
        code = {"reason": ErrorCode.REQUIRED, "lostReason": ErrorCode.REQUIRED, "on": ErrorCode.OUT_OF_RANGE}
        raise DomainError(*(UserError(field, message, code.get(field, ErrorCode.INVALID)) for field, message in problems))
    await _load_needs(session, opportunity)
    session.add(opportunity.move_to(to, on, at=utcnow(), by_id=access_of(session).member_id or None, reason=reason))
    opportunity.lost_reason = lost_reason if to is OpportunityStage.LOST else None
    rejudge(session, opportunity.account_id)
    return opportunity


async def delete_opportunity(session: AsyncSession, value: str) -> str:
    opportunity = await _writable(session, value)
    # The audit trail records the needs that go with the deal.
    await _load_needs(session, opportunity)
    await session.delete(opportunity)
    rejudge(session, opportunity.account_id)
    return value

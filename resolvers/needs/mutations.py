"""Writing needs.

Changes are refused while the account is archived, and a need's stakeholder must
work at the same account.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.base import utcnow
from domain.need import Need, NeedPeakQuarter, NeedStatus, NeedVisibility, Priority
from domain.stakeholder import Stakeholder
from resolvers import validation as v
from resolvers.accounts.ownership import open_account, row_of_account
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge

M = TypeVar("M")

LONG_TEXT = 5000
ENUM_FIELDS = ("category", "visibility", "priority", "status")
DEFAULTS = {"visibility": NeedVisibility.EXPLICIT, "priority": Priority.MEDIUM, "status": NeedStatus.IDENTIFIED}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = v.required_text(data["title"], "title", 300)
    for key in ("description", "pain_points"):
        if key in data:
            out[key] = v.optional_text(data[key], v.camel(key), LONG_TEXT)
    for key in ENUM_FIELDS:
        if key in data:
            out[key] = v.not_null(data, key)
    if "peak_quarters" in data:
        out["peak_quarters"] = list(dict.fromkeys(v.not_null(data, "peak_quarters")))
    return out


async def _stakeholder_id(session: AsyncSession, value: str | None, account_id: int) -> int | None:
    person = await row_of_account(session, Stakeholder, value, account_id, "stakeholderId")
    return None if person is None else person.id


async def _writable_need(session: AsyncSession, value: str, field: str = "id") -> Need:
    need = await v.get_row(session, Need, input_id(value, "Need", field), field)
    await open_account(session, need.account_id, field)
    return need


async def _load_quarters(session: AsyncSession, need: Need) -> None:
    """Peak quarters never load with the need: read them before comparing, replacing or deleting them."""
    if "quarter_rows" in inspect(need).dict:
        return
    rows = await session.scalars(select(NeedPeakQuarter).where(NeedPeakQuarter.need_id == need.id))
    set_committed_value(need, "quarter_rows", list(rows))


async def create_need(session: AsyncSession, data: dict[str, Any]) -> Need:
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    values = {**DEFAULTS, **_clean(data)}
    values["stakeholder_id"] = await _stakeholder_id(session, data.get("stakeholder_id"), account.id)
    quarters = values.pop("peak_quarters", [])
    need = Need(account_id=account.id, **values)
    need.peak_quarters = quarters
    session.add(need)
    rejudge(session, account.id)
    return need


async def update_need(session: AsyncSession, data: dict[str, Any]) -> Need:
    need = await _writable_need(session, data.pop("id"))
    v.check_version(need, data.pop("version", None))
    values = _clean(data)
    if "stakeholder_id" in data:
        values["stakeholder_id"] = await _stakeholder_id(session, data["stakeholder_id"], need.account_id)
    quarters = values.pop("peak_quarters", None)
    if quarters is not None:
        # Read first: the query flushes pending changes, and a second flush would bump the version again.
        await _load_quarters(session, need)
    v.apply(need, values)
    if quarters is not None and set(quarters) != set(need.peak_quarters):
        need.peak_quarters = quarters
        # Peak quarters live in their own table; changing them still changes the need (and its version).
        need.updated_at = utcnow()
    rejudge(session, need.account_id)
    return need


async def delete_need(session: AsyncSession, value: str) -> str:
    """Actions that served the need stay in their plans, linked to no need."""
    need = await _writable_need(session, value)
    # The audit trail records the quarters that go with the need.
    await _load_quarters(session, need)
    await session.delete(need)
    rejudge(session, need.account_id)
    return value

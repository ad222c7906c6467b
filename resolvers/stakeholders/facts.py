"""Reading and writing where each fact on a map came from (domain/stakeholder_facts.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.base import utcnow
from domain.errors import DomainError, ErrorCode
from domain.stakeholder_facts import MAX_NOTE, Confidence, FactCounts, FactSource, MapFact, StakeholderFact, count_facts
from resolvers import validation as v
from resolvers.context import RequestContext
from resolvers.loaders import children
from resolvers.stakeholders.mutations import writable_stakeholder
from resolvers.stakeholders.relationship_map import AccountMap

EARLIEST = date(1900, 1, 1)  # no fact about a living person was verified before


async def facts_of(ctx: RequestContext, stakeholder_id: int) -> dict[MapFact, StakeholderFact]:
    """A stakeholder's recorded provenance by fact, read with every other stakeholder's of the request."""
    rows = await children(ctx, StakeholderFact.stakeholder_id, order_by=[StakeholderFact.id]).load(stakeholder_id)
    return {row.fact: row for row in rows}


async def map_fact_counts(ctx: RequestContext, account_map: AccountMap, today: date) -> FactCounts:
    """How much of what the map says about its people is verified, stale or unverified (one read per account)."""
    rows = await children(ctx, StakeholderFact.account_id, order_by=[StakeholderFact.id]).load(account_map.account.id)
    known = {(row.stakeholder_id, row.fact): (row.confidence, row.verified_on) for row in rows}
    return count_facts((s.id for s in account_map.stakeholders), known, today)


async def set_fact(
    session: AsyncSession,
    stakeholder: str,
    fact: MapFact,
    source: FactSource,
    confidence: Confidence,
    verified_on: date | None,
    note: str | None,
) -> StakeholderFact:
    """One row per (stakeholder, fact): setting it again replaces its provenance."""
    if verified_on is not None and not EARLIEST <= verified_on <= utcnow().date():
        raise DomainError.single("verifiedOn", "`verifiedOn` is in the future or before 1900.", ErrorCode.OUT_OF_RANGE)
    person = await writable_stakeholder(session, stakeholder, "stakeholderId")
    values = {"source": source, "confidence": confidence, "verified_on": verified_on, "note": v.optional_text(note, "note", MAX_NOTE)}
    row = await session.scalar(select(StakeholderFact).where(StakeholderFact.stakeholder_id == person.id, StakeholderFact.fact == fact))
    if row is None:
        row = StakeholderFact(account_id=person.account_id, stakeholder_id=person.id, fact=fact, **values)
        session.add(row)
    else:
        v.apply(row, values)
    await session.flush()
    return row


async def clear_fact(session: AsyncSession, stakeholder: str, fact: MapFact) -> None:
    """Forget a fact's provenance: it counts as unverified again."""
    person = await writable_stakeholder(session, stakeholder, "stakeholderId")
    row = await session.scalar(select(StakeholderFact).where(StakeholderFact.stakeholder_id == person.id, StakeholderFact.fact == fact))
    if row is not None:
        await session.delete(row)

"""A relationship map as it stood at the end of a past day, rewound from the map as it stands.

Storage: none of its own. Every change to a stakeholder, an influence line or a
coverage goes through a mutation, and the audit trail records it in the same
transaction with the values before it (resolvers/audit/recording.py). The map
of a past day is today's map with the changes made since undone, newest first:
a creation removed, a deletion restored from its `before`, an update given back
the values it replaced. It reads the account's map (three batched statements)
and the account's events since that day (one range of
ix_audit_event_account_id_occurred_at), so its cost grows with what changed
since, not with the account's whole history, and the write path pays nothing.
Rows written outside the API (a loaded portfolio) have no events: a row created
after the day is left out by its own `createdAt`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import inspect, select

from domain.account import Account
from domain.audit import AuditChange, AuditEvent
from domain.map_changes import MapState
from domain.stakeholder import BuyingRole, Coverage, InfluenceLink, Stakeholder
from resolvers.audit import shape
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.interactions.recency import midnight
from resolvers.stakeholders.relationship_map import AccountMap, load_map

MAP_MODELS: dict[str, type] = {"Stakeholder": Stakeholder, "InfluenceLink": InfluenceLink, "Coverage": Coverage}
ROLES = "buyingRoles"


def check_day(account: Account, day: date, today: date, argument: str) -> None:
    """A past map is of a day from the account's creation to today (BAD_USER_INPUT otherwise)."""
    if day > today:
        raise BadUserInput(f"`{argument}` is in the future; the map of today is the map without it.", argument=argument)
    created = account.created_at.date()
    if day < created:
        raise BadUserInput(f"`{argument}` is before the account existed (created {created.isoformat()}).", argument=argument)


def _values(row: Any) -> dict[str, Any]:
    return {f.key: getattr(row, f.key) for f in shape.fields(inspect(type(row)))}


async def map_as_of(ctx: RequestContext, account: Account, day: date) -> AccountMap:
    """The map of `account` at the end of `day` (UTC)."""
    current = await load_map(ctx, account)
    roles = dict(await current.roles(ctx))
    end = midnight(day + timedelta(days=1))
    state: dict[tuple[str, int], dict[str, Any]] = {}
    for rows in (current.stakeholders, current.links, current.coverage):
        for row in rows:
            state[(type(row).__name__, row.id)] = _values(row)
    stmt = (
        select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.change, AuditEvent.before)
        .where(AuditEvent.account_id == account.id, AuditEvent.occurred_at >= end, AuditEvent.entity_type.in_(MAP_MODELS))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    for entity_type, entity_id, change, before in (await ctx.run(lambda s: s.execute(stmt))).all():
        key = (entity_type, entity_id)
        if change is AuditChange.CREATE:
            state.pop(key, None)
            continue
        if change is AuditChange.UPDATE and key not in state:
            continue  # an update of a row created since, already removed
        earlier = dict(state.get(key, {})) if change is AuditChange.UPDATE else {}
        earlier.update(shape.attributes(inspect(MAP_MODELS[entity_type]), before or {}))
        state[key] = earlier
        if entity_type == "Stakeholder" and ROLES in (before or {}):
            roles[entity_id] = [BuyingRole[name] for name in before[ROLES]]
    return _rebuilt(account, day, state, roles, end)


def _rebuilt(account: Account, day: date, state: dict[tuple[str, int], dict[str, Any]], roles: dict[int, list[BuyingRole]], end: Any) -> AccountMap:
    """Detached rows of the past map, ordered as the live map orders them."""
    rows: dict[str, list[Any]] = {name: [] for name in MAP_MODELS}
    for (entity_type, _), values in state.items():
        created = values.get("created_at")
        if created is None or created < end:
            rows[entity_type].append(MAP_MODELS[entity_type](**values))
    people = {s.id for s in rows["Stakeholder"]}
    for person in rows["Stakeholder"]:
        if person.reports_to_id not in people:
            person.reports_to_id = None
    stakeholders = sorted(rows["Stakeholder"], key=lambda s: (s.name, s.id))
    links = sorted((k for k in rows["InfluenceLink"] if k.source_id in people and k.target_id in people), key=lambda k: k.id)
    coverage = sorted((c for c in rows["Coverage"] if c.stakeholder_id in people), key=lambda c: c.id)
    held = {s.id: roles.get(s.id, []) for s in stakeholders}
    return AccountMap(account, stakeholders, links, coverage, held=held, as_of=day)


async def state_of(ctx: RequestContext, account_map: AccountMap) -> MapState:
    """The map reduced to what domain.map_changes compares."""
    roles = await account_map.roles(ctx)
    people = account_map.stakeholders
    return MapState(
        attitudes={s.id: s.attitude for s in people},
        influences={s.id: s.influence for s in people},
        roles={s.id: tuple(roles.get(s.id, ())) for s in people},
        reports_to={s.id: s.reports_to_id for s in people if s.reports_to_id is not None},
        lines={(k.source_id, k.target_id): k.strength for k in account_map.links},
        coverage={(c.stakeholder_id, c.member_id): c.strength for c in account_map.coverage},
    )

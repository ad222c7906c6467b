"""Recording the audit trail in the same transaction as the change it describes.

`run_mutation` opens `recording(session, operation)`. While it is open, two
session listeners watch every flush. Before a flush they note the versions of
the objects about to be updated, and find the rows the database itself will
delete or unlink for the objects being deleted (ON DELETE CASCADE / SET NULL),
which the ORM never sees. After the flush they turn every object it inserted,
updated or deleted into a pending event, using the attributes' history for the
values before and after. Several flushes of one object within one mutation merge
into one event. `write_events` adds the events to the session just before the
commit, so a mutation that fails and rolls back leaves no trace.

Values are stored JSON-safe under the API's field names: enums by name, money
as a decimal string, dates and times in ISO 8601, references as global IDs.
Rows that only exist as a list on their parent (a stakeholder's buying roles, a
need's peak quarters) are recorded as that list field of the parent; account
team rows as the account's `team` field, a map from member ID to team role
(null: not on the team).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.util import identity_key

from domain.audit import AuditChange, AuditEvent
from domain.base import utcnow
from domain.team import AccountTeamMember
from resolvers.audit import shape
from resolvers.ids import to_global_id
from resolvers.validation import camel

OPERATION = "operation"  # session.info key: the name of the running mutation
ACTOR = "member_id"  # session.info key: the id of the team member who acts
_PENDING = "audit.pending"
_VERSIONS = "audit.versions"

TEAM_FIELD = "team"


@dataclass
class Pending:
    """An event not written yet: the net change of one object within the running mutation."""

    entity_type: str
    entity_id: int
    change: AuditChange
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    account_id: int | None = None
    # (model, id) of the row whose account the object belongs to, when it was not at hand during the flush.
    account_via: tuple[type, int] | None = None

    def then(self, later: Pending) -> Pending | None:
        """This change followed by `later` on the same object, as one change; None when nothing is left."""
        if self.change is AuditChange.DELETE:
            return self
        if self.change is AuditChange.CREATE:
            if later.change is AuditChange.DELETE:
                return None
            self.after = _combine(self.after, later.after, first_wins=False)
            return self
        before = _combine(self.before, later.before, first_wins=True)
        if later.change is AuditChange.DELETE:
            later.before = before
            return later
        after = _combine(self.after, later.after, first_wins=False)
        for key in [k for k in after if before.get(k) == after[k]]:
            del before[key], after[key]
        if not after:
            return None
        self.before, self.after = before, after
        return self


def _combine(first: dict[str, Any] | None, then: dict[str, Any] | None, *, first_wins: bool) -> dict[str, Any]:
    out = dict(first or {})
    for key, value in (then or {}).items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = {**value, **old} if first_wins else {**old, **value}
        elif key not in out or not first_wins:
            out[key] = value
    return out


def _add(pending: dict[tuple[str, int], Pending], item: Pending) -> None:
    key = (item.entity_type, item.entity_id)
    earlier = pending.get(key)
    if earlier is None:
        pending[key] = item
        return
    merged = earlier.then(item)
    if merged is None:
        del pending[key]
    else:
        pending[key] = merged


@contextmanager
def recording(session: AsyncSession, operation: str) -> Iterator[None]:
    """Record what the session writes while the block runs, as changes made by `operation`."""
    info = session.info
    info[OPERATION] = operation
    info[_PENDING] = {}
    try:
        yield
    finally:
        for key in (OPERATION, _PENDING, _VERSIONS):
            info.pop(key, None)


async def write_events(session: AsyncSession) -> None:
    """Add the pending events to the transaction: one time, one actor and one operation for all of them."""
    pending: dict[tuple[str, int], Pending] = session.info.get(_PENDING) or {}
    if not pending:
        return
    session.info[_PENDING] = {}
    actor_id = session.info.get(ACTOR)
    own = pending.get(("TeamMember", actor_id)) if actor_id is not None else None
    if own is not None and own.change is AuditChange.DELETE:
        # A member deleting themselves: the reference would point nowhere, as ON DELETE SET NULL would make it.
        actor_id = None
    occurred_at = utcnow()
    for item in pending.values():
        account_id = item.account_id
        if account_id is None and item.account_via is not None:
            parent = await session.get(*item.account_via)
            account_id = getattr(parent, "account_id", None)
        session.add(
            AuditEvent(
                occurred_at=occurred_at,
                actor_id=actor_id,
                operation=session.info[OPERATION],
                entity_type=item.entity_type,
                entity_id=item.entity_id,
                account_id=account_id,
                change=item.change,
                before=item.before,
                after=item.after,
            )
        )
    await session.flush()


def _team_change(values: Mapping[str, Any], old: Any, new: Any) -> Pending:
    member = to_global_id("TeamMember", values["member_id"])
    account_id = values["account_id"]
    return Pending(
        "Account",
        account_id,
        AuditChange.UPDATE,
        {TEAM_FIELD: {member: None if old is None else old.name}},
        {TEAM_FIELD: {member: None if new is None else new.name}},
        account_id=account_id,
    )


class _Flush:
    """The events of one flush, and where to find the account each one belongs to."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.events: list[Pending] = []
        self.accounts: dict[tuple[type, int], int] = {}

    def account_of(self, mapper: Mapper[Any], values: Mapping[str, Any]) -> tuple[int | None, tuple[type, int] | None]:
        link = shape.account_link(mapper)
        if link is None:
            return None, None
        key, parent = link
        ref = values.get(key)
        if parent is None or ref is None:
            return ref, None
        found = self.accounts.get((parent, ref))
        if found is None:
            loaded = self.session.identity_map.get(identity_key(parent, ref))
            found = None if loaded is None else inspect(loaded).dict.get("account_id")
        return (found, None) if found is not None else (None, (parent, ref))

    def event(
        self, mapper: Mapper[Any], values: Mapping[str, Any], change: AuditChange,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:
        entity_id = shape.entity_id(mapper, values)
        if entity_id is None:
            return
        account_id, via = self.account_of(mapper, values)
        self.events.append(Pending(mapper.class_.__name__, entity_id, change, before, after, account_id, via))

    # What the ORM wrote

    def created(self, state: InstanceState[Any]) -> None:
        mapper, values = state.mapper, state.dict
        if mapper.class_ is AccountTeamMember:
            self.events.append(_team_change(values, None, values.get("team_role")))
            return
        after = shape.snapshot(mapper, values, new=True)
        for owned in shape.LISTS_OF_PARENT.get(mapper.class_, ()):
            after[owned.field] = owned.row_items(values.get(owned.collection) or [])
        self.event(mapper, values, AuditChange.CREATE, None, after)

    def updated(self, state: InstanceState[Any], versions: Mapping[InstanceState[Any], Any]) -> None:
        mapper, values = state.mapper, state.dict
        if mapper.class_ is AccountTeamMember:
            history = state.attrs.team_role.history
            if history.has_changes() and history.deleted and history.added and history.deleted[0] != history.added[0]:
                self.events.append(_team_change(values, history.deleted[0], history.added[0]))
            return
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        written = False
        for f in shape.fields(mapper):
            history = state.attrs[f.key].history
            if not history.has_changes():
                continue
            written = True
            old = f.json(history.deleted[0] if history.deleted else None)
            new = f.json(history.added[0] if history.added else None)
            if f.key not in shape.UNRECORDED_ON_UPDATE and old != new:
                before[f.name], after[f.name] = old, new
        for owned in shape.LISTS_OF_PARENT.get(mapper.class_, ()):
            history = state.attrs[owned.collection].history
            old_items = owned.row_items([*history.unchanged, *history.deleted])
            new_items = owned.row_items([*history.unchanged, *history.added])
            if history.has_changes() and old_items != new_items:
                before[owned.field], after[owned.field] = old_items, new_items
        if written and mapper.version_id_col is not None:
            key = shape.version_key(mapper)
            if versions.get(state) != values.get(key):
                before[camel(key)], after[camel(key)] = versions.get(state), values.get(key)
        if after:
            self.event(mapper, values, AuditChange.UPDATE, before, after)

    def deleted(self, state: InstanceState[Any]) -> None:
        mapper, values = state.mapper, state.dict
        if mapper.class_ is AccountTeamMember:
            self.events.append(_team_change(values, values.get("team_role"), None))
            return
        before = shape.snapshot(mapper, values)
        for owned in shape.LISTS_OF_PARENT.get(mapper.class_, ()):
            if owned.collection in values:
                before[owned.field] = owned.row_items(values[owned.collection])
        self.event(mapper, values, AuditChange.DELETE, before, None)

    def loose_list_rows(self, added: Iterable[Any], removed: Iterable[Any]) -> None:
        """List rows written directly rather than through their parent's list: recorded on the parent all the same."""
        changes: dict[tuple[shape.OwnedList, int], tuple[list[Any], list[Any]]] = {}
        for rows, index in ((added, 0), (removed, 1)):
            for row in rows:
                owned = shape.OWNED_LISTS[type(row)]
                values = inspect(row).dict
                changes.setdefault((owned, values[owned.parent_key]), ([], []))[index].append(values.get(owned.value))
        for (owned, parent_id), (plus, minus) in changes.items():
            parent = self.session.identity_map.get(identity_key(owned.parent, parent_id))
            if parent is None or owned.collection not in inspect(parent).dict:
                # Only what changed is known: the items removed (before) and added (after).
                before, after = owned.items(minus), owned.items(plus)
            else:
                current = [inspect(r).dict.get(owned.value) for r in inspect(parent).dict[owned.collection]]
                before = owned.items(current)
                after = owned.items(v for v in [*current, *plus] if v not in minus)
            values = {"id": parent_id, **({} if parent is None else inspect(parent).dict)}
            self.event(inspect(owned.parent), values, AuditChange.UPDATE, {owned.field: before}, {owned.field: after})

    # What the database will do on its own

    def database_side_effects(self, deleting: Iterable[InstanceState[Any]]) -> None:
        """Rows that go (CASCADE) or lose a reference (SET NULL) with the deleted objects, read before the DELETE."""
        orm_deleted: set[tuple[Table, int]] = set()
        frontier: dict[Table, set[int]] = {}
        for state in deleting:
            entity_id = shape.entity_id(state.mapper, state.dict)
            if entity_id is not None:
                orm_deleted.add((state.mapper.local_table, entity_id))
                frontier.setdefault(state.mapper.local_table, set()).add(entity_id)
        removed: dict[tuple[Mapper[Any], tuple[Any, ...]], dict[str, Any]] = {}
        unlinked: list[tuple[Mapper[Any], dict[str, Any], Column[Any]]] = []
        while frontier:
            found: dict[Table, set[int]] = {}
            for table, ids in frontier.items():
                for mapper, column, action in shape.referrers(table):
                    stmt = select(mapper.local_table).where(column.in_(sorted(ids)))
                    for row in self.session.execute(stmt).mappings():
                        values = shape.row_values(mapper, {c.key: row[c] for c in mapper.local_table.columns})
                        key = (mapper, tuple(row[c] for c in mapper.local_table.primary_key.columns))
                        entity_id = shape.entity_id(mapper, values)
                        if entity_id is not None and (mapper.local_table, entity_id) in orm_deleted:
                            continue
                        if action == "SET NULL":
                            unlinked.append((mapper, values, column))
                        elif key not in removed:
                            removed[key] = values
                            if entity_id is not None:
                                found.setdefault(mapper.local_table, set()).add(entity_id)
            frontier = found
        for (mapper, _), values in removed.items():
            if "account_id" in values and shape.entity_id(mapper, values) is not None:
                self.accounts[(mapper.class_, shape.entity_id(mapper, values))] = values["account_id"]
        lists: dict[tuple[type, int], dict[str, list[Any]]] = {}
        for (mapper, _), values in removed.items():
            owned = shape.OWNED_LISTS.get(mapper.class_)
            if owned is not None:
                lists.setdefault((owned.parent, values[owned.parent_key]), {}).setdefault(owned.field, []).append(
                    values[owned.value]
                )
        for (mapper, _), values in removed.items():
            if mapper.class_ is AccountTeamMember:
                self.events.append(_team_change(values, values["team_role"], None))
            elif mapper.class_ not in shape.OWNED_LISTS:
                before = shape.snapshot(mapper, values)
                for owned in shape.LISTS_OF_PARENT.get(mapper.class_, ()):
                    before[owned.field] = owned.items(lists.get((mapper.class_, values["id"]), {}).get(owned.field, []))
                self.event(mapper, values, AuditChange.DELETE, before, None)
        for mapper, values, column in unlinked:
            key = (mapper, tuple(values[c.key] for c in mapper.local_table.primary_key.columns))
            if key in removed:
                continue
            f = next(f for f in shape.fields(mapper) if f.key == column.key)
            self.event(mapper, values, AuditChange.UPDATE, {f.name: f.json(values[f.key])}, {f.name: None})


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        return
    session.info[_VERSIONS] = {
        state: state.dict.get(shape.version_key(state.mapper))
        for state in (inspect(obj) for obj in session.dirty)
        if state.mapper.version_id_col is not None
    }
    flush = _Flush(session)
    flush.database_side_effects(inspect(obj) for obj in session.deleted)
    for item in flush.events:
        _add(pending, item)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: Any) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        return
    versions = session.info.pop(_VERSIONS, {})
    flush = _Flush(session)
    loose_added: list[Any] = []
    loose_removed: list[Any] = []
    for obj in session.new:
        if type(obj) in shape.OWNED_LISTS:
            loose_added.append(obj)
        elif shape.recorded(inspect(obj).mapper):
            flush.created(inspect(obj))
    for obj in session.dirty:
        if type(obj) not in shape.OWNED_LISTS and shape.recorded(inspect(obj).mapper):
            flush.updated(inspect(obj), versions)
    for obj in session.deleted:
        if type(obj) in shape.OWNED_LISTS:
            loose_removed.append(obj)
        elif shape.recorded(inspect(obj).mapper):
            flush.deleted(inspect(obj))
    covered = {(item.entity_type, item.entity_id) for item in flush.events if _holds_lists(item)}
    flush.loose_list_rows(
        [r for r in loose_added if not _parent_recorded(r, covered)],
        [r for r in loose_removed if not _parent_recorded(r, covered)],
    )
    for item in flush.events:
        _add(pending, item)


def _holds_lists(item: Pending) -> bool:
    """Whether an event of a parent already says what its lists became."""
    if item.change is not AuditChange.UPDATE:
        return True
    return any(owned.field in (item.after or {}) for owned in shape.OWNED_LISTS.values())


def _parent_recorded(row: Any, covered: set[tuple[str, int]]) -> bool:
    owned = shape.OWNED_LISTS[type(row)]
    return (owned.parent.__name__, inspect(row).dict.get(owned.parent_key)) in covered

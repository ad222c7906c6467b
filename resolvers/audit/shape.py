"""How the audit trail sees kam's models: their fields under API names, JSON-safe values, which
account a row belongs to, and which rows the database deletes or unlinks along with another.

Worked out from the SQLAlchemy metadata once per model, so a new model or column is recorded
without touching this module.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Column, Table, inspect
from sqlalchemy.orm import Mapper

from domain.account import Account
from domain.audit import AuditEvent
from domain.base import Base
from domain.interaction import InteractionMember, InteractionStakeholder, Interaction, is_derived
from domain.need import Need, NeedPeakQuarter
from domain.opportunity import Opportunity, OpportunityNeed
from domain.stakeholder import Stakeholder, StakeholderBuyingRole
from resolvers.ids import parse_global_id, to_global_id
from resolvers.validation import camel

# Bookkeeping that changes with every update and says nothing the event's own time does not.
UNRECORDED_ON_UPDATE = frozenset({"updated_at"})
# Credentials are managed outside the API (`kam token ...`) and are no business data; an account's judgment and
# its transitions are derived from its evidence (a history of their own): never recorded, also when they go with a
# deleted member or account.
UNRECORDED_TABLES = frozenset({"api_token", "account_judgment", "judgment_transition"})


@dataclass(frozen=True, slots=True)
class OwnedList:
    """Rows that exist only as a list field of their parent."""

    parent: type
    field: str  # the parent's API field, e.g. "buyingRoles"
    collection: str  # the parent's relationship holding the rows
    parent_key: str  # the row's column pointing at the parent
    value: str  # the row's column that is the list item
    references: str | None = None  # items are ids of this type (recorded as global IDs), not enum members

    def items(self, values: Iterable[Any]) -> list[Any]:
        """The list's items as the API lists them: enum members by name in the enum's order, or global IDs."""
        present = {v for v in values if v is not None}
        if self.references is not None:
            return [to_global_id(self.references, v) for v in sorted(present)]
        return [v.name for v in sorted(present, key=lambda v: list(type(v)).index(v))]

    def row_items(self, rows: Iterable[Any]) -> list[Any]:
        return self.items(inspect(row).dict.get(self.value) for row in rows)


OWNED_LISTS: dict[type, OwnedList] = {
    StakeholderBuyingRole: OwnedList(Stakeholder, "buyingRoles", "role_rows", "stakeholder_id", "role"),
    NeedPeakQuarter: OwnedList(Need, "peakQuarters", "quarter_rows", "need_id", "quarter"),
    InteractionStakeholder: OwnedList(
        Interaction, "stakeholderIds", "stakeholder_rows", "interaction_id", "stakeholder_id", "Stakeholder"
    ),
    InteractionMember: OwnedList(Interaction, "memberIds", "member_rows", "interaction_id", "member_id", "TeamMember"),
    OpportunityNeed: OwnedList(Opportunity, "needIds", "need_rows", "opportunity_id", "need_id", "Need"),
}
LISTS_OF_PARENT: dict[type, tuple[OwnedList, ...]] = {}
for _owned in OWNED_LISTS.values():
    LISTS_OF_PARENT[_owned.parent] = (*LISTS_OF_PARENT.get(_owned.parent, ()), _owned)


@dataclass(frozen=True, slots=True)
class Field:
    """One column as the trail records it."""

    key: str  # attribute and column name
    name: str  # API field name
    references: str | None  # the type whose global ID the value is (the row's own id, or a foreign key)
    scale: int | None  # decimals of a fixed-point column
    server_set: bool  # filled in by the database when left out of an INSERT

    def json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.references is not None:
            return to_global_id(self.references, value)
        if isinstance(value, enum.Enum):
            return value.name
        if isinstance(value, Decimal):
            return str(value.quantize(Decimal(1).scaleb(-self.scale)) if self.scale is not None else value)
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return value


def model_of(table: Table) -> type | None:
    """The model mapped to a table."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def type_name(table: Table) -> str | None:
    """The API type of a table's rows: kam names its node types after its models."""
    model = model_of(table)
    return None if model is None else model.__name__


@cache
def fields(mapper: Mapper[Any]) -> tuple[Field, ...]:
    """The model's own columns, not computed ones."""
    single_key = len(mapper.local_table.primary_key.columns) == 1
    found = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not isinstance(column, Column) or column.table is not mapper.local_table or is_derived(column):
            continue
        references = None
        if column.foreign_keys:
            references = type_name(next(iter(column.foreign_keys)).column.table)
        elif column.primary_key and single_key:
            references = mapper.class_.__name__
        server_set = column.server_default is not None or column.computed is not None
        found.append(Field(prop.key, camel(prop.key), references, getattr(column.type, "scale", None), server_set))
    return tuple(found)


def entity_id(mapper: Mapper[Any], values: Mapping[str, Any]) -> int | None:
    """The id of an object the trail names by itself; None for rows recorded as part of another object."""
    keys = mapper.local_table.primary_key.columns
    if len(keys) != 1 or not recorded(mapper):
        return None
    return values.get(next(iter(keys)).key)


@cache
def account_link(mapper: Mapper[Any]) -> tuple[str, type | None] | None:
    """How a row names its account: its own id, an `account_id`, or a required reference to a row that has one."""
    if mapper.class_ is Account:
        return "id", None
    columns = mapper.local_table.columns
    if "account_id" in columns:
        return "account_id", None
    for column in sorted(columns, key=lambda c: c.nullable):
        for fk in column.foreign_keys:
            if "account_id" in fk.column.table.columns:
                return column.key, model_of(fk.column.table)
    return None


def recorded(mapper: Mapper[Any]) -> bool:
    """Whether the trail records rows of this model (never its own, nor credentials)."""
    return mapper.class_ is not AuditEvent and mapper.local_table.name not in UNRECORDED_TABLES


def version_key(mapper: Mapper[Any]) -> str:
    return mapper.get_property_by_column(mapper.version_id_col).key


@cache
def referrers(table: Table) -> tuple[tuple[Mapper[Any], Column[Any], str], ...]:
    """Columns of other tables whose rows the database deletes (CASCADE) or unlinks (SET NULL) with a row of `table`."""
    found = []
    for mapper in Base.registry.mappers:
        if not recorded(mapper):
            continue
        for column in mapper.local_table.columns:
            for fk in column.foreign_keys:
                action = (fk.ondelete or "").upper()
                if fk.column.table is table and action in ("CASCADE", "SET NULL"):
                    found.append((mapper, column, action))
    return tuple(found)


def row_values(mapper: Mapper[Any], row: Mapping[Any, Any]) -> dict[str, Any]:
    return {f.key: row[f.key] for f in fields(mapper) if f.key in row}


def snapshot(mapper: Mapper[Any], values: Mapping[str, Any], *, new: bool = False) -> dict[str, Any]:
    """Every field of a row that is at hand; of a new row, a field it was never given is null, unless the
    database fills it in."""
    return {
        f.name: f.json(values.get(f.key)) for f in fields(mapper) if f.key in values or (new and not f.server_set)
    }


def attributes(mapper: Mapper[Any], recorded_values: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes a recorded snapshot (`before` or `after` of an event) gives a row of `mapper`: the
    inverse of `snapshot`, for the fields the row has (list fields of its own are left to the caller)."""
    found: dict[str, Any] = {}
    for f in fields(mapper):
        if f.name not in recorded_values:
            continue
        value = recorded_values[f.name]
        if value is not None:
            python_type = mapper.columns[f.key].type.python_type
            if f.references is not None:
                value = parse_global_id(value)[1]
            elif issubclass(python_type, enum.Enum):
                value = python_type[value]
            elif python_type is datetime:
                value = datetime.fromisoformat(value)
            elif python_type is date:
                value = date.fromisoformat(value)
            elif python_type is Decimal:
                value = Decimal(value)
        found[f.key] = value
    return found


"""The audit trail: one row per object a successful mutation created, changed or deleted."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, UTCDateTime, enum_column, utcnow


class AuditChange(enum.Enum):
    """What happened to the object."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class AuditEvent(Base):
    """Who changed which object when, with the values before and after.

    `account_id` has no foreign key on purpose: the events of an account outlive
    its hard delete, so what was removed stays on record. `before`/`after` hold
    JSON-safe values under the API's field names: every field for CREATE and
    DELETE, only the fields that changed for UPDATE.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_occurred_at_id", "occurred_at", "id"),
        Index("ix_audit_event_account_id_occurred_at", "account_id", "occurred_at", "id"),
        Index("ix_audit_event_actor_id_occurred_at", "actor_id", "occurred_at", "id"),
        Index("ix_audit_event_operation_occurred_at", "operation", "occurred_at", "id"),
        Index("ix_audit_event_entity", "entity_type", "entity_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    operation: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    change: Mapped[AuditChange] = mapped_column(enum_column(AuditChange))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

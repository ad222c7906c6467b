"""Stored versions of the scoring policy: each change an ADMIN makes is a new version, never an edit.

The highest version is the policy in force; every judgment names the version it came from, so an old
explanation stays readable after the policy moves on. Version 1 holds the defaults (migration 0009).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, UTCDateTime, utcnow
from domain.policy import ScoringPolicy, from_document

MAX_REASON = 2000


class ScoringPolicyVersion(Base):
    __tablename__ = "scoring_policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number, rising
    document: Mapped[dict[str, Any]] = mapped_column(JSON())  # domain.policy.to_document
    reason: Mapped[str] = mapped_column(Text)  # why the policy changed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"), index=True)

    @property
    def policy(self) -> ScoringPolicy:
        return from_document(self.document)

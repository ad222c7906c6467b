"""Our own people (team members) and who works on which account."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TimestampMixin, VersionedMixin, enum_column


class MemberRole(enum.Enum):
    """What a team member may do in kam as a whole."""

    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    VIEWER = "VIEWER"


class TeamRole(enum.Enum):
    """A member's role on one account's team."""

    OWNER = "OWNER"
    EXECUTIVE_SPONSOR = "EXECUTIVE_SPONSOR"
    SPECIALIST = "SPECIALIST"
    SUPPORT = "SUPPORT"


class TeamMember(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


@dataclass(frozen=True, slots=True)
class Caller:
    """The team member a request acts as: what authorisation reads of them, not a row of the session."""

    id: int
    role: MemberRole


class AccountTeamMember(Base):
    """Membership of a team member in an account team; one row per (account, member)."""

    __tablename__ = "account_team_member"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("team_member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    team_role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole))

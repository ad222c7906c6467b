"""Listing accounts: filters on indexed columns, keyset pagination, orderings with cursors."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from domain.account import Account, Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.growth import GrowthQuadrant
from domain.health import HealthBand
from domain.interaction import day_ordinal
from resolvers.access import access_of, load_visible
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Range, bounded, combined, null_checks
from resolvers.pagination import (
    Branches,
    Order,
    Page,
    PageRequest,
    branched,
    datetime_key,
    decimal_key,
    enum_key,
    int_key,
    paginate,
    text_key,
)


class AccountSort(enum.Enum):
    NAME = text_key("name", Account.name)
    CREATED_AT = datetime_key("createdAt", Account.created_at)
    CURRENT_ANNUAL_VALUE = decimal_key("currentAnnualValue", Account.current_annual_value)
    GRADE = enum_key("grade", Account.grade, Grade)
    LAST_INTERACTION = int_key("lastInteraction", Account.last_interaction_day)
    INTERACTIONS_LAST_90_DAYS = int_key("interactions90d", Account.interactions_90d)
    NEXT_CONTACT_DUE = int_key("nextContactDue", Account.next_contact_day)


class AccountValue(Lacking):
    """Values an account may lack, for `isNull` / `isNotNull`."""

    INDUSTRY = "INDUSTRY"
    REGION = "REGION"
    OWNER = "OWNER"
    QUADRANT = "QUADRANT"
    JUDGED_GRADE = "JUDGED_GRADE"
    HEALTH_SCORE = "HEALTH_SCORE"
    LAST_INTERACTION = "LAST_INTERACTION"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {
            cls.INDUSTRY: Account.industry, cls.REGION: Account.region, cls.OWNER: Account.owner_id,
            cls.QUADRANT: Account.quadrant, cls.JUDGED_GRADE: Account.judged_grade, cls.HEALTH_SCORE: Account.health_score,
        }

    def missing(self) -> ColumnElement[bool]:
        if self is AccountValue.LAST_INTERACTION:
            return Account.last_interaction_day == 0  # never contacted
        return super().missing()


@dataclass(frozen=True)
class AccountFilter:
    grades: tuple[Grade, ...] = ()
    value_tiers: tuple[ValueTier, ...] = ()
    quadrants: tuple[GrowthQuadrant, ...] = ()
    lifecycle_stages: tuple[LifecycleStage, ...] = ()
    relationship_stages: tuple[RelationshipStage, ...] = ()
    owner_ids: tuple[int, ...] = ()
    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    is_key_account: bool | None = None
    search: str | None = None
    last_interaction_before: date | None = None
    last_interaction_since: date | None = None
    judged_grades: tuple[Grade, ...] = ()
    contact_overdue_on: date | None = None
    judged_value_tiers: tuple[ValueTier, ...] = ()
    health_bands: tuple[HealthBand, ...] = ()
    key_account_recommended: bool | None = None
    include_archived: bool = False
    current_annual_value: Range | None = None
    health_score: Range | None = None
    interactions_90d: Range | None = None
    created_on: Range | None = None  # the UTC day the account was created
    missing: tuple[AccountValue, ...] = ()
    present: tuple[AccountValue, ...] = ()
    all_of: tuple[AccountFilter, ...] = ()
    any_of: tuple[AccountFilter, ...] = ()
    none_of: AccountFilter | None = None

    def apply(self, stmt: Select[tuple[Account]]) -> Select[tuple[Account]]:
        stmt = stmt.where(*self.conditions())
        if not self.include_archived:
            stmt = stmt.where(Account.archived_at.is_(None))
        return stmt

    def conditions(self) -> list[ColumnElement[bool]]:
        """Every condition but the one on archived accounts (which only the filter as a whole sets)."""
        found: list[ColumnElement[bool]] = []
        for column, values in (
            (Account.grade, self.grades),
            (Account.value_tier, self.value_tiers),
            (Account.quadrant, self.quadrants),
            (Account.lifecycle_stage, self.lifecycle_stages),
            (Account.relationship_stage, self.relationship_stages),
            (Account.owner_id, self.owner_ids),
            (Account.industry, self.industries),
            (Account.region, self.regions),
            (Account.judged_grade, self.judged_grades),
            (Account.judged_value_tier, self.judged_value_tiers),
            (Account.health_band, self.health_bands),
        ):
            if values:
                found.append(column.in_(values))
        if self.is_key_account is not None:
            found.append(Account.is_key_account == self.is_key_account)
        if self.key_account_recommended is not None:
            found.append(Account.key_account_recommended == self.key_account_recommended)
        if self.search and self.search.strip():
            found.append(Account.name.icontains(self.search.strip(), autoescape=True))
        if self.last_interaction_before is not None:
            found.append(Account.last_interaction_day < day_ordinal(self.last_interaction_before))
        if self.last_interaction_since is not None:
            found.append(Account.last_interaction_day >= day_ordinal(self.last_interaction_since))
        if self.contact_overdue_on is not None:  # judged (a due day kept) and due before that day
            # "Judged" is checked on the rows read, not as a bound of the index range: with both bounds a
            # prepared statement's generic plan takes the range for a couple of rows and sorts all of it,
            # where reading the range in order stops after a page.
            judged = (Account.next_contact_day > 0).is_(True)
            found += [judged, Account.next_contact_day < day_ordinal(self.contact_overdue_on)]
        found += bounded(
            (Account.current_annual_value, self.current_annual_value),
            (Account.health_score, self.health_score),
            (Account.interactions_90d, self.interactions_90d),
        )
        if self.created_on is not None:
            found += self.created_on.days(Account.created_at)
        found += null_checks(self.missing, self.present)
        found += combined(
            (f.conditions() for f in self.all_of),
            (f.conditions() for f in self.any_of),
            None if self.none_of is None else self.none_of.conditions(),
        )
        return found


def by_grade_and_quadrant(
    grades: tuple[Grade, ...], quadrants: tuple[GrowthQuadrant | None, ...]
) -> Branches:
    """The (grade, quadrant) pairs of accounts of `grades` (all when empty) and `quadrants` (all, and
    none, when empty): each pair is one range of ix_account_grade_quadrant_name_id, in name order."""
    every_quadrant: tuple[GrowthQuadrant | None, ...] = (*GrowthQuadrant, None)
    # Each pair once, or a page would merge some rows twice.
    return Branches(
        (
            tuple(Account.grade == grade for grade in dict.fromkeys(grades or tuple(Grade))),
            tuple(
                Account.quadrant.is_(None) if quadrant is None else Account.quadrant == quadrant
                for quadrant in dict.fromkeys(quadrants or every_quadrant)
            ),
        ),
        orders=(Account.name,),
    )


def accounts_query(ctx: RequestContext, flt: AccountFilter) -> Select[tuple[Account]]:
    """The accounts the filter selects among those the caller may read: every list, count and
    aggregate over accounts starts here, so none of them sees an account the caller may not.

    Filtered by grade or quadrant, a page by name is read pair by pair (see `by_grade_and_quadrant`)."""
    stmt = flt.apply(select(Account))
    condition = access_of(ctx).account_condition()
    if condition is not None:
        stmt = stmt.where(condition)
    if flt.grades or flt.quadrants:
        stmt = branched(stmt, by_grade_and_quadrant(flt.grades, flt.quadrants))
    return stmt


def of_accounts(ctx: RequestContext, account_column: Any, flt: AccountFilter | None) -> list[ColumnElement[bool]]:
    """The conditions keeping rows of an account (by `account_column`) to those of the accounts `flt` selects
    (all, archived too, when None) that the caller may read: a board across accounts sees what lists see."""
    if flt is None:
        return access_of(ctx).rows_condition(account_column)
    accounts = flt.apply(select(Account.id))
    condition = access_of(ctx).account_condition()
    return [account_column.in_(accounts if condition is None else accounts.where(condition))]


async def list_accounts(ctx: RequestContext, flt: AccountFilter, order: Order, page: PageRequest) -> Page[Account]:
    return await paginate(ctx, accounts_query(ctx, flt), Account.id, order, page)


async def account_by_id(ctx: RequestContext, account_id: int) -> Account | None:
    """One account, archived or not; None when it does not exist or the caller may not read it."""
    return await load_visible(ctx, Account, account_id)

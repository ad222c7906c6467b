"""Building blocks every area of the schema shares: errors, money, connections, helpers."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from domain.errors import ErrorCode as DomainErrorCode
from domain.errors import UserError as DomainUserError
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import MAX_NESTING, any_of, branches
from resolvers.mutation import Outcome, run_mutation
from resolvers.pagination import Order, Page

T = TypeVar("T")
LIST_SIZE = "kam.list_size"  # a list field's metadata: the most items it ever holds (the query cost counts that many)

ErrorCode = strawberry.enum(DomainErrorCode, description="Why an input was refused.")


@strawberry.enum(description="Direction of an ordering.")
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="A problem with a mutation's input; the mutation changed nothing.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field the problem is about, in camelCase (`null` for the input as a whole)."
    )
    message: str = strawberry.field(description="What is wrong, for a person to read.")
    code: ErrorCode = strawberry.field(description="What is wrong, for a program to switch on.")  # type: ignore[valid-type]

    @classmethod
    def from_domain(cls, error: DomainUserError) -> UserError:
        return cls(field=error.field, message=error.message, code=error.code)


@strawberry.type(description="An amount of money: a decimal string and its ISO 4217 currency code.")
class Money:
    amount: Decimal = strawberry.field(description="The amount, as a decimal string with two decimals.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")


@strawberry.type(description="One item of a list and the cursor that points at it.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque cursor: pass it as `after` or `before` to page from here.")


@strawberry.type(description="A page of a list, with cursors to page on and the list's total size.")
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        return [Edge(node=row, cursor=self.page.cursor(row)) for row in self.page.rows]

    @strawberry.field(description="The items of this page, when cursors per item are not needed.")
    def nodes(self) -> list[T]:
        return list(self.page.rows)

    @strawberry.field(description="Whether there are pages before and after this one, and their cursors.")
    def page_info(self) -> relay.PageInfo:
        rows = self.page.rows
        return relay.PageInfo(
            has_next_page=self.page.has_next_page,
            has_previous_page=self.page.has_previous_page,
            start_cursor=self.page.cursor(rows[0]) if rows else None,
            end_cursor=self.page.cursor(rows[-1]) if rows else None,
        )

    @strawberry.field(description="How many items the whole list holds under the given filter.")
    async def total_count(self) -> int:
        count = self.page.count()
        return await count if inspect.isawaitable(count) else count


async def member_of(info: Info, member_id: int | None) -> Any:
    """The team member an id names (a `TeamMember` row, answered as the TeamMember type), or None."""
    from domain.team import TeamMember
    from resolvers.loaders import by_id

    return None if member_id is None else await by_id(context(info), TeamMember).load(member_id)




def context(info: Info) -> RequestContext:
    return info.context


def provided(data: Any) -> dict[str, Any]:
    """The fields a client actually sent in an input object (UNSET ones left out), snake_case."""
    return {k: v for k, v in vars(data).items() if v is not strawberry.UNSET}


def money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount=amount, currency=currency)




def user_errors(outcome: Outcome[Any]) -> list[UserError]:
    return [UserError.from_domain(e) for e in outcome.errors]


@strawberry.type(description="Result of a delete: the ID that no longer exists, or why nothing changed.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The global ID of the deleted object.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")

    @classmethod
    def from_outcome(cls, outcome: Outcome[Any]) -> DeletePayload:
        return cls(deleted_id=outcome.result, user_errors=user_errors(outcome))


@strawberry.input(description="Bounds on a number; every bound given must hold.")
class DecimalRange:
    gt: Decimal | None = strawberry.field(default=None, description="Greater than.")
    gte: Decimal | None = strawberry.field(default=None, description="At least.")
    lt: Decimal | None = strawberry.field(default=None, description="Less than.")
    lte: Decimal | None = strawberry.field(default=None, description="At most.")


@strawberry.input(description="Bounds on a whole number; every bound given must hold.")
class IntRange:
    gt: int | None = strawberry.field(default=None, description="Greater than.")
    gte: int | None = strawberry.field(default=None, description="At least.")
    lt: int | None = strawberry.field(default=None, description="Less than.")
    lte: int | None = strawberry.field(default=None, description="At most.")


@strawberry.input(description="Bounds on a day; every bound given must hold.")
class DateRange:
    gt: date | None = strawberry.field(default=None, description="After.")
    gte: date | None = strawberry.field(default=None, description="On or after.")
    lt: date | None = strawberry.field(default=None, description="Before.")
    lte: date | None = strawberry.field(default=None, description="On or before.")


def logical(cls: type[T]) -> type[T]:
    """Gives a filter input `and`, `or` and `not` over filters of its own kind (apply below `strawberry.input`)."""
    name = cls.__name__
    cls.__annotations__ = {**cls.__annotations__, "and_": f"list[{name}] | None", "or_": f"list[{name}] | None", "not_": f"{name} | None"}
    cls.and_ = strawberry.field(default=None, name="and", description="Every one of these filters holds too.")  # type: ignore[attr-defined]
    cls.or_ = strawberry.field(default=None, name="or", description="At least one of these filters holds too.")  # type: ignore[attr-defined]
    cls.not_ = strawberry.field(default=None, name="not", description="This filter does not hold.")  # type: ignore[attr-defined]
    return cls


def logic_of(flt: Any, path: str, depth: int) -> dict[str, Any]:
    """The criteria of a filter input's `and`, `or` and `not`, each by its own `to_criteria(path, depth)`."""
    if flt.not_ is not None and depth >= MAX_NESTING:
        raise BadUserInput(f"`{path}.not` nests `and`/`or`/`not` deeper than {MAX_NESTING} levels.", argument=f"{path}.not")
    return {
        "all_of": tuple(f.to_criteria(f"{path}.and[{i}]", depth + 1) for i, f in enumerate(branches(flt.and_, f"{path}.and", depth))),
        "any_of": tuple(f.to_criteria(f"{path}.or[{i}]", depth + 1) for i, f in enumerate(branches(flt.or_, f"{path}.or", depth))),
        "none_of": None if flt.not_ is None else flt.not_.to_criteria(f"{path}.not", depth + 1),
    }


def null_checks_of(flt: Any, path: str) -> dict[str, Any]:
    """The criteria of a filter input's `isNull` and `isNotNull` (values of its kind's enum of what rows may lack)."""
    return {"missing": any_of(flt.is_null, f"{path}.isNull"), "present": any_of(flt.is_not_null, f"{path}.isNotNull")}


IS_NULL = "Lacking every one of these values."
IS_NOT_NULL = "Having every one of these values."


# Arguments every list takes, described once.
First = Annotated[
    int | None, strawberry.argument(description="Page forwards: at most this many items (up to the maximum page size).")
]
After = Annotated[str | None, strawberry.argument(description="Page forwards from this cursor: a previous `endCursor`.")]
Last = Annotated[int | None, strawberry.argument(description="Page backwards: at most this many items, ending at `before`.")]
Before = Annotated[str | None, strawberry.argument(description="Page backwards from this cursor: a previous `startCursor`.")]
FILTER = strawberry.argument(description="Only the items matching every condition given; all items if left out.")
ORDER = strawberry.argument(description="How to order the items; each list names its default.")
MAX_SORT_KEYS = 4  # keys one `sort` takes
SORT = strawberry.argument(
    description=(
        "Order by these keys in turn, each in its own direction: the first decides, the next breaks its ties, and so on "
        f"(at most {MAX_SORT_KEYS}, each field once; remaining ties by when the items were recorded); instead of `orderBy`."
    )
)


def order_of(order_by: Any, sort: list[Any] | None, default: Order) -> Order:
    """A list's order from `orderBy` (one key) or `sort` (keys in turn), else the list's `default`."""
    if order_by is not None and sort is not None:
        raise BadUserInput("Pass either `orderBy` or `sort`, not both.", argument="sort")
    if order_by is not None:
        return order_by.to_order()  # type: ignore[no-any-return]
    if not sort:
        return default
    if len(sort) > MAX_SORT_KEYS:
        raise BadUserInput(f"`sort` holds {len(sort)} keys; at most {MAX_SORT_KEYS}.", argument="sort")
    first, *rest = (key.to_order() for key in sort)
    names = [first.key.name, *(o.key.name for o in rest)]
    if len(set(names)) < len(names):
        raise BadUserInput("`sort` names a field more than once.", argument="sort")
    return Order(first.key, first.descending, tuple((o.key, o.descending) for o in rest))
ObjectId = Annotated[strawberry.ID, strawberry.argument(description="The object's global ID, as its `id` field gives it.")]


async def mutate(info: Info, work: Callable[[AsyncSession], Awaitable[T]]) -> Outcome[T]:
    """Run a mutation field's work in one transaction, audited under the field's name."""
    return await run_mutation(context(info), work, operation=info.field_name)

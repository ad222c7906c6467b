"""Checks every list filter applies to what a client sends, before it becomes SQL.

A filter's in-list becomes one bound parameter per value: a body of 256 KiB holds
tens of thousands of them, past what SQLite and asyncpg bind in one statement.
A search text becomes a LIKE pattern, which SQLite refuses past 50,000 bytes.
Both are client errors here, with the argument named.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Numeric, and_, false, literal, not_, or_, true

from resolvers.errors import BadUserInput
from resolvers.interactions.recency import midnight
from resolvers.ids import argument_id

T = TypeVar("T")

MAX_VALUES = 100  # distinct values in one in-list
MAX_SEARCH_LENGTH = 200  # characters of a search text


def any_of(values: Iterable[T] | None, argument: str) -> tuple[T, ...]:
    """The distinct values of an in-list, in the order given; at most `MAX_VALUES` of them."""
    distinct = tuple(dict.fromkeys(values or ()))
    if len(distinct) > MAX_VALUES:
        raise BadUserInput(
            f"`{argument}` holds {len(distinct)} distinct values; a filter takes at most {MAX_VALUES}.", argument=argument
        )
    return distinct


def ids_of(values: Iterable[str] | None, type_name: str, argument: str) -> tuple[int, ...]:
    """The row ids of an in-list of global IDs of one type (BAD_USER_INPUT for a bad one or too many)."""
    return tuple(argument_id(value, type_name, argument) for value in any_of(values, argument))


def search_term(value: str | None, argument: str) -> str | None:
    """The text to search for, trimmed; None when there is none."""
    term = (value or "").strip()
    if len(term) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"`{argument}` is {len(term)} characters long; search for at most {MAX_SEARCH_LENGTH}.", argument=argument
        )
    return term or None


MAX_NESTING = 4  # levels of `and`/`or`/`not` inside one filter
MAX_BRANCHES = 20  # filters one `and` or `or` holds


@dataclass(frozen=True)
class Range:
    """Bounds on a value, any of them: greater than, at least, less than, at most."""

    gt: Any = None
    gte: Any = None
    lt: Any = None
    lte: Any = None

    def conditions(self, column: Any) -> list[ColumnElement[bool]]:
        found = []
        for bound, compare in ((self.gt, operator.gt), (self.gte, operator.ge), (self.lt, operator.lt), (self.lte, operator.le)):
            if bound is not None:
                found.append(compare(column, _unconstrained(column, bound)))
        return found

    def days(self, column: Any) -> list[ColumnElement[bool]]:
        """Bounds on the UTC day of a timestamp `column`, as bounds on the timestamp (so its index serves)."""
        found: list[ColumnElement[bool]] = []
        if self.gt is not None:
            found.append(false() if self.gt >= date.max else column >= midnight(self.gt + timedelta(days=1)))
        if self.gte is not None:
            found.append(column >= midnight(self.gte))
        if self.lt is not None:
            found.append(column < midnight(self.lt))
        if self.lte is not None and self.lte < date.max:
            found.append(column < midnight(self.lte + timedelta(days=1)))
        return found


def bounded(*pairs: tuple[Any, Range | None]) -> list[ColumnElement[bool]]:
    """The conditions of the ranges given, each on its column (a range left out is no condition)."""
    return [c for column, bounds in pairs if bounds is not None for c in bounds.conditions(column)]


class Lacking(enum.Enum):
    """Values a row may lack, for a filter's `isNull` / `isNotNull`; each kind names its columns."""

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        """Each value's column (a value lacking when its column is NULL)."""
        return {}

    def missing(self) -> ColumnElement[bool]:
        return type(self).columns()[self].is_(None)  # type: ignore[no-any-return]


def null_checks(missing: Iterable[Lacking], present: Iterable[Lacking]) -> list[ColumnElement[bool]]:
    """`isNull` (each value is lacking) and `isNotNull` (each one is there)."""
    return [value.missing() for value in missing] + [not_(value.missing()) for value in present]


def _unconstrained(column: Any, bound: Any) -> Any:
    """A bound compared as a plain NUMERIC: typed as a NUMERIC(5, 2) column it would be cast to it, and a
    bound past the column's digits (a score "at most 1000") would overflow instead of matching every row."""
    if isinstance(column.type, Numeric):
        return literal(bound, Numeric(asdecimal=True))
    return bound


def range_of(value: Any) -> Range | None:
    """A range input (`gt`, `gte`, `lt`, `lte`) as criteria (the Decimal scalar already refuses NaN and infinities)."""
    return None if value is None else Range(value.gt, value.gte, value.lt, value.lte)


def branches(values: Iterable[T] | None, argument: str, depth: int) -> list[T]:
    """The filters of an `and` or `or` (BAD_USER_INPUT past `MAX_BRANCHES` of them or `MAX_NESTING` levels)."""
    found = list(values or ())
    if found and depth >= MAX_NESTING:
        raise BadUserInput(f"`{argument}` nests `and`/`or`/`not` deeper than {MAX_NESTING} levels.", argument=argument)
    if len(found) > MAX_BRANCHES:
        raise BadUserInput(f"`{argument}` holds {len(found)} filters; at most {MAX_BRANCHES}.", argument=argument)
    return found


def combined(all_of: Iterable[list[ColumnElement[bool]]], any_of: Iterable[list[ColumnElement[bool]]], none_of: list[ColumnElement[bool]] | None) -> list[ColumnElement[bool]]:
    """The conditions of `and` (each filter's conditions all hold), `or` (one filter's do) and `not` (not all of them)."""
    found = [c for conditions in all_of for c in conditions]
    alternatives = list(any_of)
    if alternatives:
        found.append(or_(*(and_(true(), *conditions) for conditions in alternatives)))
    if none_of is not None:
        found.append(not_(and_(true(), *none_of)))
    return found


@dataclass(frozen=True)
class Logic:
    """`and`, `or` and `not` of a filter of rows: filters of the same kind, combined with its own conditions."""

    all_of: tuple[Any, ...] = ()
    any_of: tuple[Any, ...] = ()
    none_of: Any = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter's own conditions (each kind of filter says)."""
        return []

    def where(self) -> list[ColumnElement[bool]]:
        """Its own conditions and those of its `and`, `or` and `not`."""
        return self.conditions() + combined(
            (f.where() for f in self.all_of),
            (f.where() for f in self.any_of),
            None if self.none_of is None else self.none_of.where(),
        )

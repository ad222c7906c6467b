"""Checks every list filter applies to what a client sends, before it becomes SQL.

A filter's in-list becomes one bound parameter per value: a body of 256 KiB holds
tens of thousands of them, past what SQLite and asyncpg bind in one statement.
A search text becomes a LIKE pattern, which SQLite refuses past 50,000 bytes.
Both are client errors here, with the argument named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from resolvers.errors import BadUserInput
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

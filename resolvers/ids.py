"""Global IDs: opaque base64 of "TypeName:id", checked for shape and type before any query."""

from __future__ import annotations

from functools import lru_cache

from strawberry.relay import GlobalID, GlobalIDValueError, to_base64

from domain.base import MAX_ID
from domain.errors import DomainError, ErrorCode, with_article
from resolvers.errors import BadUserInput


@lru_cache(maxsize=16384)
def to_global_id(type_name: str, row_id: int) -> str:
    """A row's Relay ID, made as strawberry's relay makes the `id` of a Node (both read paths use it); the IDs
    of rows answered often (owners, accounts on the first pages) are kept rather than encoded again."""
    return to_base64(type_name, row_id)


def parse_global_id(value: str) -> tuple[str, int]:
    """(type name, integer id) of a global ID; ValueError when it is not one of ours."""
    try:
        gid = GlobalID.from_id(value)
    except (GlobalIDValueError, TypeError) as exc:
        raise ValueError("not a global ID") from exc
    return gid.type_name, row_id(gid.node_id)


def row_id(text: str) -> int:
    """The id in a global ID, written as kam writes it: no sign, no leading zero, within the stores' range."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)) or text.startswith("0"):
        raise ValueError("not a global ID")
    value = int(text)
    if value > MAX_ID:
        raise ValueError("not a global ID")
    return value


def input_id(value: str, type_name: str, field: str) -> int:
    """The row id behind a mutation input's ID; a malformed or wrong-typed one is a userError."""
    try:
        found_type, row_id = parse_global_id(value)
    except ValueError:
        raise DomainError.single(field, f"`{field}` is not a valid ID.", ErrorCode.INVALID) from None
    if found_type != type_name:
        raise DomainError.single(field, f"`{field}` must be the ID of {with_article(type_name)}.", ErrorCode.INVALID)
    return row_id


def optional_input_id(value: str | None, type_name: str, field: str) -> int | None:
    return None if value is None else input_id(value, type_name, field)


def argument_id(value: str, type_name: str, argument: str) -> int:
    """The row id behind a query argument's ID; a malformed or wrong-typed one is BAD_USER_INPUT."""
    try:
        found_type, row_id = parse_global_id(value)
    except ValueError:
        raise BadUserInput(f"`{argument}` is not a valid ID.", argument=argument) from None
    if found_type != type_name:
        raise BadUserInput(f"`{argument}` must be the ID of {with_article(type_name)}.", argument=argument)
    return row_id

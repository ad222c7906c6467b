"""Global IDs: opaque base64 of "TypeName:id", checked for shape and type before any query."""

from __future__ import annotations

from strawberry.relay import GlobalID, GlobalIDValueError

from domain.errors import DomainError, ErrorCode
from resolvers.errors import BadUserInput


def to_global_id(type_name: str, row_id: int) -> str:
    return str(GlobalID(type_name, str(row_id)))


def parse_global_id(value: str) -> tuple[str, int]:
    """(type name, integer id) of a global ID; ValueError when it is not one of ours."""
    try:
        gid = GlobalID.from_id(value)
    except (GlobalIDValueError, TypeError) as exc:
        raise ValueError("not a global ID") from exc
    if not gid.node_id.isdigit() or len(gid.node_id) > 18:
        raise ValueError("not a global ID")
    return gid.type_name, int(gid.node_id)


def input_id(value: str, type_name: str, field: str) -> int:
    """The row id behind a mutation input's ID; a malformed or wrong-typed one is a userError."""
    try:
        found_type, row_id = parse_global_id(value)
    except ValueError:
        raise DomainError.single(field, f"`{field}` is not a valid ID.", ErrorCode.INVALID) from None
    if found_type != type_name:
        raise DomainError.single(field, f"`{field}` must be the ID of a {type_name}.", ErrorCode.INVALID)
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
        raise BadUserInput(f"`{argument}` must be the ID of a {type_name}.", argument=argument)
    return row_id

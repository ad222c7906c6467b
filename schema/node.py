"""The Relay `Node` registry: every entity type says which model it wraps, `node`/`nodes` resolve any."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from resolvers.access import load_visible
from resolvers.errors import BadUserInput
from resolvers.ids import parse_global_id
from schema.common import ObjectId

# GraphQL type name -> (strawberry type, SQLAlchemy model)
NODE_TYPES: dict[str, tuple[type, type]] = {}


def node_type(model: type, **type_kwargs: Any):
    """Declare a strawberry Node type whose resolvers receive `model` rows as `self`/`root`."""

    def wrap(cls: type) -> type:
        def is_type_of(_cls: type, obj: Any, _info: Any) -> bool:
            return isinstance(obj, (model, cls))

        cls.is_type_of = classmethod(is_type_of)  # type: ignore[attr-defined]
        typed = strawberry.type(cls, **type_kwargs)
        NODE_TYPES[typed.__name__] = (typed, model)
        return typed

    return wrap


def node_key(value: strawberry.ID, argument: str) -> tuple[type, int]:
    """The model and row id behind a global ID; BAD_USER_INPUT when it names no kam object."""
    try:
        type_name, row_id = parse_global_id(value)
    except ValueError:
        raise BadUserInput(f"`{argument}` is not a valid ID.", argument=argument) from None
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        raise BadUserInput(f"`{argument}` is not the ID of any kam object.", argument=argument)
    return entry[1], row_id


async def load_node(info: Info, value: strawberry.ID, argument: str) -> Any:
    model, row_id = node_key(value, argument)
    return await load_visible(info.context, model, row_id)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null when it does not exist or you may not see it.")
    async def node(self, info: Info, id: ObjectId) -> relay.Node | None:
        return await load_node(info, id, "id")

    @strawberry.field(description="Objects by global ID, in the order asked; null for those that do not exist or you may not see.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs, at most the maximum page size.")],
    ) -> list[relay.Node | None]:
        if len(ids) > info.context.config.max_page_size:
            raise BadUserInput(
                f"`ids` holds {len(ids)} IDs, above the maximum of {info.context.config.max_page_size}.",
                argument="ids",
            )
        # Every ID is checked before any is loaded, so a bad one leaves no load running past the request.
        keys = [node_key(value, "ids") for value in ids]
        return list(await asyncio.gather(*(load_visible(info.context, model, row_id) for model, row_id in keys)))

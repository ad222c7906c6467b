"""Checks on the values a request brings, before anything else reads them.

A JSON body may be nested a thousand levels deep and still be small; Python's
`json` then runs out of stack, and every later walk over the values risks the
same. Text may hold what no store keeps: the NUL character (PostgreSQL can
neither store nor compare it) and lone UTF-16 surrogates (JSON's `"\\ud800"`
decodes to a Python string that cannot be encoded as UTF-8, so the driver, the
log and the response would each fail on it). Both walks here are iterative,
and a list of tens of thousands of items is refused before GraphQL coerces each.
"""

from __future__ import annotations

from typing import Any

from domain.base import text_problem


def json_problem(value: Any, max_depth: int, max_items: int) -> str | None:
    """What makes a decoded body too large to walk further, or None: objects and lists nested more than
    `max_depth` deep (a scalar is 0 deep, `[]` 1), or a list of more than `max_items` (coercing each item of a
    list variable is work no limit on the document sees)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            if len(item) > max_items:
                return f"holds a list of {len(item)} items; the limit is {max_items}"
            children = item
        else:
            continue
        if depth + 1 > max_depth:
            return f"is nested more than {max_depth} levels deep, the limit"
        pending.extend((child, depth + 1) for child in children)
    return None


def unstorable_text(value: Any) -> str | None:
    """The first problem of any text in `value` (object keys included), or None."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                return problem
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None

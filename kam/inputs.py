"""Checks on the values a request brings, before anything else reads them.

A JSON body may be nested a thousand levels deep and still be small; Python's
`json` then runs out of stack, and every later walk over the values risks the
same. Text may hold what no store keeps: the NUL character (PostgreSQL can
neither store nor compare it) and lone UTF-16 surrogates (JSON's `"\\ud800"`
decodes to a Python string that cannot be encoded as UTF-8, so the driver, the
log and the response would each fail on it). Both walks here are iterative.
"""

from __future__ import annotations

from typing import Any

NUL = "the NUL character (U+0000)"
SURROGATE = "a lone UTF-16 surrogate (U+D800 to U+DFFF)"


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply `value` nests objects and lists (a scalar is 0, `[]` is 1); stops counting past `limit`."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        pending.extend((child, depth) for child in children)
    return deepest


def text_problem(text: str) -> str | None:
    """What makes `text` unstorable, or None."""
    if "\x00" in text:
        return NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE
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

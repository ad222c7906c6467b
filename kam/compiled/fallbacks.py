"""Queries answered by the executor because no plan covers them, counted per document.

An operator sees which hot queries run the slow way: the first request for
such a document logs one line at INFO on `kam.compiled` (its operation name or
the start of its text, and what the planner did not know); `figures()` gives
the counts, which the bench prints beside each query.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

log = logging.getLogger("kam.compiled")

KEPT = 512  # documents counted, least recently seen forgotten first
LABEL_LENGTH = 80


@dataclass
class FallBack:
    label: str  # the operation's name, or the start of the document's text
    reason: str
    requests: int = 0


def label_of(query: str, operation_name: str | None) -> str:
    if operation_name:
        return operation_name
    text = " ".join(query.split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


class FallBacks:
    """Counts per document (query text and operation name) of requests the executor answered uncompiled."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.documents: OrderedDict[tuple[str, str | None], FallBack] = OrderedDict()

    def count(self, query: str, operation_name: str | None, reason: str) -> None:
        key = (query, operation_name)
        found = self.documents.get(key)
        if found is None:
            found = self.documents[key] = FallBack(label_of(query, operation_name), reason)
            log.info("query %r is answered by the executor, not compiled: %s", found.label, reason)
            if len(self.documents) > self.kept:
                self.documents.popitem(last=False)
        else:
            self.documents.move_to_end(key)
        found.requests += 1

    def figures(self) -> list[FallBack]:
        """The documents counted, most requests first."""
        return sorted(self.documents.values(), key=lambda f: -f.requests)

    def requests(self) -> int:
        return sum(f.requests for f in self.documents.values())

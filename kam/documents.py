"""What a worker keeps of the documents it was sent: bounded by their total size, not only by their number.

A parsed document is about one object the garbage collector tracks and 120
bytes of memory per character of its text (a 2,000-token document: 10,000
objects, 1.2 MB; its tokens are a doubly linked list, so reference cycles),
and CPython's full collections walk every one of them. Kept by count alone, 512
distinct large documents (whitespace varied, so none is ever sent twice) made a
worker's heap some 600 MB and its collections pause for seconds. Kept by the
total length of their texts (`KAM_DOCUMENT_CACHE_BYTES`) what is kept stays a
few hundred thousand objects whatever clients send, and a document longer than
a sixteenth of that is not kept at all: the few hundred screen queries that
clients repeat (a few hundred bytes each; GraphiQL's introspection, 3 KB) stay,
and a stream of large documents cannot push them out.

One entry holds the parsed document and its validation errors per set of
validation rules (rules vary per request: `RequireOperationName` adds one when
no `operationName` is sent), so no other cache keeps a document alive after
this one dropped it (strawberry's `ValidationCache` would: it is keyed by the
document). The size is the text's length in characters, an upper bound of its
tokens and so of its objects: whitespace and comments count although the parse
drops them, which errs on keeping less.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse

# Characters of document text kept per worker (per cache): see README.md#limits and bench/README.md.
DEFAULT_BYTES = 262_144
# A document longer than this share of the budget is parsed and validated per request and not kept.
LARGEST_SHARE = 16

V = TypeVar("V")


class SizedLRU(Generic[V]):
    """Least recently used entries dropped while there are more than `max_entries` or their sizes add up to more
    than `max_size`; an entry larger than `largest` is never kept."""

    def __init__(self, max_entries: int, max_size: int, largest: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_size = max_size
        self.largest = max_size // LARGEST_SHARE if largest is None else min(largest, max_size)
        self.entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self.size = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self.entries

    def get(self, key: Hashable) -> V | None:
        found = self.entries.get(key)
        if found is None:
            return None
        self.entries.move_to_end(key)
        return found[0]

    def keeps(self, size: int) -> bool:
        """Whether an entry of this size would be kept."""
        return size <= self.largest

    def put(self, key: Hashable, value: V, size: int) -> bool:
        """Keep `value` (unless it is too large), dropping the least recently used entries past the bounds."""
        self.discard(key)
        if not self.keeps(size):
            return False
        self.entries[key] = (value, size)
        self.size += size
        while len(self.entries) > self.max_entries or self.size > self.max_size:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= dropped
        return True

    def discard(self, key: Hashable) -> None:
        found = self.entries.pop(key, None)
        if found is not None:
            self.size -= found[1]


Rules = tuple[Any, ...]


@dataclass(eq=False, slots=True)
class Document:
    """A parsed document and its validation errors per set of rules."""

    document: DocumentNode
    size: int
    errors: dict[Rules, list[GraphQLError]] = field(default_factory=dict)


class DocumentCache:
    """Parsed documents with their validation errors, keyed by the text and the parse options (one per schema)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.kept: SizedLRU[Document] = SizedLRU(max_entries, max_bytes)

    @property
    def size(self) -> int:
        """The total length of the texts kept."""
        return self.kept.size

    def __len__(self) -> int:
        return len(self.kept)

    def parsed(self, query: str, options: Mapping[str, Any]) -> Document:
        """The document of `query`, kept when it is small enough; a document that does not parse raises its
        `GraphQLError`, and is not kept."""
        key = (query, tuple(sorted(options.items())))
        found = self.kept.get(key)
        if found is None:
            found = Document(parse(query, **options), len(query))
            self.kept.put(key, found, found.size)
        return found


def validated(schema: GraphQLSchema, entry: Document | None, document: DocumentNode, rules: Rules) -> list[GraphQLError]:
    """The errors of validating `document` with `rules`, kept in its entry when it has one.

    The same as validating it afresh: a list of the same errors (its own list, so a request that adds to it adds to
    no other)."""
    # Looked up when called, so a test's patch of strawberry's `validate` sees every validation.
    from strawberry.schema import schema as strawberry_schema

    if entry is None or entry.document is not document:
        return strawberry_schema.validate_document(schema, document, rules)
    errors = entry.errors.get(rules)
    if errors is None:
        errors = entry.errors[rules] = strawberry_schema.validate_document(schema, document, rules)
    return list(errors)


_caches: WeakKeyDictionary[GraphQLSchema, dict[tuple[int, int], DocumentCache]] = WeakKeyDictionary()


def cache_of(schema: GraphQLSchema, max_entries: int, max_bytes: int) -> DocumentCache:
    """The document cache of `schema` with these bounds (validation depends on the schema)."""
    caches = _caches.get(schema)
    if caches is None:
        caches = _caches[schema] = {}
    found = caches.get((max_entries, max_bytes))
    if found is None:
        found = caches[max_entries, max_bytes] = DocumentCache(max_entries, max_bytes)
    return found

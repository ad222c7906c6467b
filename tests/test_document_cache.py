"""kam's document cache (kam/documents.py): repeated documents are parsed and validated once, and what it keeps is
bounded by the total length of the texts, so a stream of distinct large documents cannot grow a worker's heap."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSyntaxError, parse

import kam.documents
import kam.extensions
from kam.compiled.planner import Planner
from kam.documents import LARGEST_SHARE, DocumentCache, SizedLRU, validated
from kam.settings import Settings
from schema.api import build_schema
from tests.conftest import GraphQLClient

BUDGET = 16_384  # the tests' KAM_DOCUMENT_CACHE_BYTES: documents up to 1,024 characters are kept
# Without compiled reads, so that no request is answered as a direct read (kam/compiled/direct.py), without parsing.
SMALL_BUDGET = pytest.mark.parametrize(
    "settings", [{"document_cache_bytes": BUDGET, "compiled_reads": False}], indirect=True
)
COUNT = "query Count($n: Int) { accounts(first: $n) { totalCount } }"


def padded(i: int, length: int) -> str:
    """A distinct valid document of `length` characters: what a client varying whitespace or comments sends."""
    text = f"{{ accounts {{ totalCount }} }} # {i} "
    return text + "x" * (length - len(text))


class Counted:
    """Calls of the parser and of strawberry's validation, and the document caches the requests used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import strawberry.schema.schema as strawberry_schema

        self.parsed: list[str] = []
        self.validated: list[tuple[Any, ...]] = []
        self.caches: set[DocumentCache] = set()
        real_parse, real_validate, real_cache_of = kam.documents.parse, strawberry_schema.validate, kam.extensions.cache_of

        def parse_counted(text: str, **options: Any) -> Any:
            self.parsed.append(text)
            return real_parse(text, **options)

        def validate_counted(schema: Any, document: Any, rules: Any, *args: Any, **kwargs: Any) -> Any:
            self.validated.append(tuple(rules))
            return real_validate(schema, document, rules, *args, **kwargs)

        def cache_of(*args: Any) -> DocumentCache:
            found = real_cache_of(*args)
            self.caches.add(found)
            return found

        monkeypatch.setattr(kam.documents, "parse", parse_counted)
        monkeypatch.setattr(strawberry_schema, "validate", validate_counted)
        monkeypatch.setattr(kam.extensions, "cache_of", cache_of)

    @property
    def cache(self) -> DocumentCache:
        (found,) = self.caches
        return found


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


async def test_a_repeated_document_is_parsed_and_validated_once(client: GraphQLClient, counted: Counted) -> None:
    for n in (1, 2, 3):
        assert (await client.execute(COUNT, {"n": n}))["accounts"]["totalCount"] == 0
    assert counted.parsed.count(COUNT) == 1
    assert len(counted.validated) == 1
    assert len(counted.cache) == 1


async def test_validation_is_kept_per_set_of_rules(client: GraphQLClient, counted: Counted) -> None:
    """Without `operationName` a rule is added (RequireOperationName): the document's entry holds both results."""
    for _ in range(2):
        response = await client.post(COUNT, {"n": 1})
        assert "errors" not in response.json()
        response = await client.post(COUNT, {"n": 1}, operationName="Count")
        assert "errors" not in response.json()
    assert counted.parsed.count(COUNT) == 1
    assert len(counted.validated) == 2
    without_name, with_name = counted.validated
    assert len(without_name) == len(with_name) + 1


async def test_validation_errors_of_a_kept_document_are_reported_to_every_request(
    client: GraphQLClient, counted: Counted
) -> None:
    document = "{ accounts { nodes { noSuchField } } }"
    answers = [(await client.post(document)).json() for _ in range(3)]
    for answer in answers:
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "noSuchField" in error["message"]
        assert error["locations"] == [{"line": 1, "column": 22}]  # documents are parsed with their locations
        assert "data" not in answer or answer["data"] is None
    assert answers[0] == answers[1] == answers[2]
    assert len(counted.validated) == 1

    several = "query A { accounts { totalCount } } query B { accounts { totalCount } }"
    for _ in range(2):
        (error,) = (await client.post(several)).json()["errors"]
        assert "operationName" in error["message"]
        assert "errors" not in (await client.post(several, operationName="B")).json()


async def test_a_document_that_does_not_parse_is_left_to_strawberry(client: GraphQLClient, counted: Counted) -> None:
    for _ in range(2):
        (error,) = (await client.post("{ accounts { ")).json()["errors"]
        assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert len(counted.cache) == 0


@SMALL_BUDGET
async def test_distinct_large_documents_keep_the_cache_within_its_budget(
    client: GraphQLClient, counted: Counted
) -> None:
    largest = BUDGET // LARGEST_SHARE
    kept = COUNT
    assert (await client.execute(kept, {"n": 1}))["accounts"]["totalCount"] == 0
    for i in range(3 * LARGEST_SHARE):
        assert (await client.execute(padded(i, largest)))["accounts"]["totalCount"] == 0
        assert counted.cache.size <= BUDGET
    cache = counted.cache
    assert cache.size <= BUDGET
    assert len(cache) <= LARGEST_SHARE  # not the 49 documents sent: the bound is their total length
    assert len(counted.parsed) == 1 + 3 * LARGEST_SHARE

    # The oldest went first, the latest are kept: sent again, they are neither parsed nor validated.
    counted.parsed.clear()
    counted.validated.clear()
    assert (await client.execute(padded(3 * LARGEST_SHARE - 1, largest)))["accounts"]["totalCount"] == 0
    assert counted.parsed == [] and counted.validated == []
    assert kept not in {query for query, _options in cache.kept.entries}
    assert (await client.execute(kept, {"n": 2}))["accounts"]["totalCount"] == 0
    assert counted.parsed == [kept]


@SMALL_BUDGET
async def test_a_large_document_is_not_kept(client: GraphQLClient, counted: Counted) -> None:
    largest = BUDGET // LARGEST_SHARE
    assert (await client.execute(COUNT, {"n": 1}))["accounts"]["totalCount"] == 0
    size = counted.cache.size
    large = padded(0, largest + 1)
    for _ in range(3):
        assert (await client.execute(large))["accounts"]["totalCount"] == 0
    assert counted.parsed.count(large) == 3  # parsed and validated per request
    assert len(counted.validated) == 1 + 3
    assert counted.cache.size == size == len(COUNT)
    # And it pushed out nothing: the small document is still kept.
    counted.parsed.clear()
    assert (await client.execute(COUNT, {"n": 2}))["accounts"]["totalCount"] == 0
    assert counted.parsed == []


@SMALL_BUDGET
async def test_errors_of_a_large_document_are_those_of_a_kept_one(client: GraphQLClient) -> None:
    largest = BUDGET // LARGEST_SHARE
    small = "{ accounts { nodes { noSuchField } } }"
    large = small + " #" + "x" * largest
    (kept,) = (await client.post(small)).json()["errors"]
    (not_kept,) = (await client.post(large)).json()["errors"]
    assert kept == not_kept


def test_the_setting_defaults_to_the_documents_budget() -> None:
    assert Settings().document_cache_bytes == kam.documents.DEFAULT_BYTES
    assert Settings(document_cache_bytes=1000).document_cache_bytes == 1000


# The cache itself.


def test_least_recently_used_entries_go_first_while_over_the_budget() -> None:
    lru: SizedLRU[str] = SizedLRU(max_entries=100, max_size=100, largest=50)
    for key in "abcd":
        assert lru.put(key, key.upper(), 30)
    assert list(lru.entries) == ["b", "c", "d"] and lru.size == 90
    assert lru.get("b") == "B"  # now the most recently used
    assert lru.put("e", "E", 20)
    assert list(lru.entries) == ["d", "b", "e"] and lru.size == 80
    assert not lru.put("f", "F", 51)
    assert "f" not in lru and lru.size == 80
    assert lru.put("b", "B2", 10)  # a key put again counts once
    assert lru.size == 60 and lru.get("b") == "B2"
    assert lru.get("a") is None


def test_the_number_of_entries_is_bounded_too() -> None:
    lru: SizedLRU[int] = SizedLRU(max_entries=3, max_size=10**6)
    for i in range(10):
        lru.put(i, i, 1)
    assert list(lru.entries) == [7, 8, 9] and lru.size == 3
    assert lru.largest == 10**6 // LARGEST_SHARE


def test_a_stream_of_distinct_documents_stays_within_the_budget() -> None:
    cache = DocumentCache(max_entries=512, max_bytes=4096)
    for i in range(1000):
        length = 50 + (i * 37) % 400
        entry = cache.parsed(padded(i, length), {"max_tokens": 2000})
        assert entry.size == length
        assert cache.size <= 4096
    assert len(cache) < 512
    assert cache.parsed(padded(0, 4096 // LARGEST_SHARE + 1), {}).size == 257
    assert cache.size <= 4096


def test_the_parse_options_are_part_of_the_key() -> None:
    cache = DocumentCache(max_entries=10, max_bytes=10_000)
    first = cache.parsed(COUNT, {"max_tokens": 2000})
    assert cache.parsed(COUNT, {"max_tokens": 2000}) is first
    assert cache.parsed(COUNT, {"max_tokens": 100}) is not first
    assert len(cache) == 2


def test_a_document_that_does_not_parse_is_not_kept() -> None:
    cache = DocumentCache(max_entries=10, max_bytes=10_000)
    with pytest.raises(GraphQLSyntaxError):
        cache.parsed("{ accounts {", {})
    with pytest.raises(GraphQLSyntaxError):
        cache.parsed(padded(0, 100), {"max_tokens": 2})
    assert len(cache) == 0 and cache.size == 0


def test_validation_results_are_kept_per_rules_and_handed_out_as_new_lists() -> None:
    from graphql import specified_rules

    schema = build_schema()._schema
    cache = DocumentCache(max_entries=10, max_bytes=10_000)
    entry = cache.parsed("{ nope }", {})
    rules = tuple(specified_rules)
    errors = validated(schema, entry, entry.document, rules)
    assert [e.message.split(".")[0] for e in errors] == ["Cannot query field 'nope' on type 'Query'"]
    errors.append(errors[0])  # a request adding to its list adds to no other request's
    again = validated(schema, entry, entry.document, rules)
    assert len(again) == 1 and again[0] is errors[0]
    assert validated(schema, entry, entry.document, rules[:1]) == []
    assert set(entry.errors) == {rules, rules[:1]}
    # A document that is not the entry's is validated afresh, and nothing is kept of it.
    other = parse("{ nope }")
    assert [e.message for e in validated(schema, entry, other, rules)] == [errors[0].message]
    assert set(entry.errors) == {rules, rules[:1]}


def test_the_planner_keeps_plans_within_the_same_bound() -> None:
    planner = Planner(build_schema(), maxsize=512, max_bytes=4096)
    for i in range(200):
        query = padded(i, 200)
        planned = planner.plan(query, parse(query), None)
        assert planned is not None
        planner.served(query, None, planned)
        assert planner.plans.size <= 4096 and planner.answered.size <= 4096
    assert len(planner.plans) == len(planner.answered) == 4096 // 200
    large = padded(0, 4096 // LARGEST_SHARE + 1)
    planned = planner.plan(large, parse(large), None)
    assert planned is not None  # planned, used, and not kept
    planner.served(large, None, planned)
    assert (large, None) not in planner.plans and planner.answered_before(large, None) is None
    last = padded(199, 200)
    assert planner.answered_before(last, None) is not None

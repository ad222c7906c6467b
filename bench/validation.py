"""`python -m bench validation`: the CPU one document costs a worker before anything runs (parse and validation).

Each document is the worst of its kind that kam's limits let through
(repeated fields, repeated subtrees, fragments, arguments, inline fragments, at
the most tokens and fields allowed), or one they refuse. Each is sent with
fresh random whitespace every time, so neither the parse nor the validation
cache helps, through kam's own schema and extensions; a last extension stops
each request once validated and costed, so nothing executes and no database is
needed. The `graphql-core` column is the same parse and graphql-core's standard
rules alone, without kam's limits: what such a document cost before them.

The medians leave out what the garbage collector does; `--stream N` sends N
distinct copies of a document in a row, as an attacker varying its whitespace
does, and reports the CPU per request with the collector's share, and its
longest pause, and the process's heap once they ran (the objects the collector tracks, which a full collection
walks, and its resident memory): the document cache keeps what its budget lets it.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
    specified_rules,
    validate,
)
from graphql.language import Lexer, Source, TokenKind
from strawberry.extensions import SchemaExtension

from kam.extensions import schema_extensions
from kam.limits import DocumentShape
from kam.settings import Settings
from schema.api import build_schema

ACCOUNT = (
    "id name industry region website grade valueTier isKeyAccount relationshipStage lifecycleStage quadrant "
    "archivedAt createdAt updatedAt version"
).split()
STAKEHOLDER = (
    "id name title department email phone attitude influence decisionLevel buyingMotive createdAt updatedAt version"
).split()
MEASURED = "MEASURED"


@cache
def tokens(text: str) -> int:
    lexer = Lexer(Source(text))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


@cache
def fields(text: str) -> int:
    document = parse(text)
    shape = DocumentShape(document)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return sum(shape.measure(operation.selection_set).fields for operation in operations)


@dataclass(frozen=True)
class Limits:
    tokens: int
    fields: int


def fill(limits: Limits, prefix: str, units: Iterable[str], suffix: str) -> str:
    """`prefix units... suffix` with as many units as the token and field limits allow."""
    taken: list[str] = []
    used_tokens = tokens(prefix + " " + suffix)
    used_fields = base_fields = fields(prefix + " " + suffix)
    for unit in units:
        unit_tokens, unit_fields = tokens(unit), fields(f"{prefix} {unit} {suffix}") - base_fields
        if used_tokens + unit_tokens > limits.tokens or used_fields + unit_fields > limits.fields:
            break
        taken.append(unit)
        used_tokens, used_fields = used_tokens + unit_tokens, used_fields + unit_fields
    return " ".join([prefix, *taken, suffix])


def pairs(names: list[str]) -> Iterator[str]:
    return (f"{a} {b}" for a, b in itertools.combinations(names, 2))


def fragments(limits: Limits, body: Callable[[int], str]) -> str:
    """As many distinct fragments on Query as the limits allow, all spread in one operation."""
    count = 0
    while True:
        candidate = fragments_document(count + 1, body)
        if tokens(candidate) > limits.tokens or fields(candidate) > limits.fields:
            return fragments_document(count, body)
        count += 1


def fragments_document(count: int, body: Callable[[int], str]) -> str:
    spreads = " ".join(f"...F{i}" for i in range(count))
    definitions = " ".join(f"fragment F{i} on Query {{ {body(i)} }}" for i in range(count))
    return f"{{ __typename {spreads} }} {definitions}"


def allowed(limits: Limits) -> dict[str, str]:
    """The worst documents of each kind within the limits."""
    same = itertools.repeat
    account_pairs = list(pairs(ACCOUNT))
    pages = (f"accounts(first: {i}) {{ totalCount }}" for i in itertools.count(1))
    by_variables = itertools.cycle(["accounts(first: $n) { nodes { id } }", "accounts(first: $m) { nodes { name } }"])
    two_types = (
        f"... on Account {{ {a} }} ... on Stakeholder {{ {s} }}"
        for a, s in zip(itertools.cycle(ACCOUNT), itertools.cycle(STAKEHOLDER))
    )
    aliased = (f"a: accounts {{ nodes {{ {f} }} }}" for f in itertools.islice(itertools.cycle(ACCOUNT), 30))
    return {
        "same field": fill(limits, "{ accounts { nodes {", same("name"), "} } }"),
        "distinct fields": fill(limits, "{ accounts { nodes {", itertools.cycle(ACCOUNT), "} } }"),
        "same subtree": fill(limits, "{", same("accounts { nodes { id } }"), "}"),
        "distinct subtrees": fill(limits, "{", (f"accounts {{ nodes {{ {p} }} }}" for p in account_pairs), "}"),
        "same nested subtree": fill(limits, "{ accounts { nodes {", same("stakeholders { nodes { name } }"), "} } }"),
        "distinct nested subtrees": fill(
            limits, "{ accounts { nodes {", (f"stakeholders {{ nodes {{ {p} }} }}" for p in pairs(STAKEHOLDER)), "} } }"
        ),
        "deep subtree": fill(
            limits, "{", same("accounts { nodes { stakeholders { nodes { manager { manager { name } } } } } }"), "}"
        ),
        "same arguments": fill(limits, "{", same("accounts(first: 1) { totalCount }"), "}"),
        "distinct arguments": fill(limits, "{", pages, "}"),
        "variables": fill(limits, "query($n: Int, $m: Int) {", by_variables, "}"),
        "inline fragments": fill(limits, "{ accounts { nodes {", same("... on Account { name }"), "} } }"),
        "inline fragments on two types": fill(limits, '{ node(id: "x") {', two_types, "} }"),
        "fragment spreads": fill(
            limits, "{ accounts { nodes {", same("...F"), "} } } fragment F on Account { name owner { name } }"
        ),
        "distinct fragments": fragments(
            limits, lambda i: f"accounts {{ nodes {{ {account_pairs[i % len(account_pairs)]} }} }}"
        ),
        "aliases": fill(limits, "{", aliased, "}"),
        "full introspection": get_introspection_query(
            descriptions=True, specified_by_url=True, directive_is_repeatable=True, schema_description=True,
            input_value_deprecation=True, one_of=True,
        ),
    }


def refused(limits: Limits) -> dict[str, str]:
    """Documents past a limit, each refused at once."""
    unlimited = Limits(tokens=limits.tokens, fields=10**9)
    introspection = get_introspection_query(descriptions=True)
    operation, _, definitions = introspection.partition("fragment ")
    schema_selection = operation[operation.index("__schema") :].rsplit("}", 1)[0]
    return {
        "repeated fields (the review's)": fill(unlimited, "{ accounts { nodes {", itertools.repeat("name"), "} } }"),
        "repeated subtrees": fill(unlimited, "{", itertools.repeat("accounts { nodes { id } }"), "}"),
        "30 aliased introspections": "{ "
        + " ".join(f"i{i}: {schema_selection}" for i in range(30))
        + " } fragment "
        + definitions,
        "nested introspection": "{ __schema { types { fields { type { fields { type { fields { type { fields { name }"
        " } } } } } } } } }",
        "fragment alias bomb": "query { ...F0 } "
        + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
        + " fragment F40 on Query { a: accounts { totalCount } }",
    }


class StopBeforeExecution(SchemaExtension):
    """Ends every request once validated and costed (it comes last), so the bench measures no execution."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors:
            context.pre_execution_errors = [GraphQLError("measured", extensions={"code": MEASURED})]
        yield


def respaced(text: str, rng: random.Random) -> str:
    """The same document with other whitespace, so no cache knows it."""
    return "".join(rng.choice((" ", "  ", "\n", "\t", " ,")) if c == " " else c for c in text)


def cpu_ms(run: Callable[[], Any]) -> float:
    started = time.process_time()
    run()
    return (time.process_time() - started) * 1000


def kam_schema() -> Any:
    return build_schema(extensions=[*schema_extensions(Settings()), StopBeforeExecution])


def measure(documents: dict[str, str], repeat: int, seed: int) -> list[dict[str, Any]]:
    schema = kam_schema()
    graphql_schema = schema._schema
    rng = random.Random(seed)
    rows = []
    loop = asyncio.new_event_loop()
    try:
        for name, text in documents.items():
            kam_ms, core_ms, codes = [], [], set()
            for _ in range(repeat):
                spaced = respaced(text, rng)
                result: list[Any] = []
                kam_ms.append(cpu_ms(lambda: result.append(loop.run_until_complete(schema.execute(spaced)))))
                codes = {(e.extensions or {}).get("code") for e in result[0].errors or ()} - {MEASURED}
                spaced = respaced(text, rng)
                core_ms.append(cpu_ms(lambda: validate(graphql_schema, parse(spaced), specified_rules)))
            rows.append(
                {
                    "document": name,
                    "tokens": tokens(text),
                    "fields": fields(text),
                    "kam_ms": statistics.median(kam_ms),
                    "kam_max_ms": max(kam_ms),
                    "graphql_core_ms": statistics.median(core_ms),
                    "codes": sorted(c for c in codes if c),
                }
            )
    finally:
        loop.close()
    return rows


class Collections:
    """CPU time of the garbage collector's runs while it is entered."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.pauses.append((time.process_time() - self._started) * 1000)

    def __enter__(self) -> Collections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


def stream(name: str, text: str, count: int, seed: int) -> str:
    """`count` distinct copies of `text` in a row through one schema: CPU per request, the collector's included."""
    schema = kam_schema()
    rng = random.Random(seed)
    copies = [respaced(text, rng) for _ in range(count)]
    loop = asyncio.new_event_loop()
    gc.collect()
    try:
        with Collections() as collections:
            started = time.process_time()
            for copy in copies:
                loop.run_until_complete(schema.execute(copy))
            spent = (time.process_time() - started) * 1000
    finally:
        loop.close()
    gc.collect()
    heap, resident = len(gc.get_objects()), resident_mib()
    collected, longest = sum(collections.pauses), max(collections.pauses, default=0)
    return (
        f"| {name} | {count} | {spent / count:.1f} | {collected / count:.1f} | {longest:.0f} "
        f"| {heap / 1000:,.0f} | {resident:.0f} |"
    )


def resident_mib() -> float:
    """The process's resident memory (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def table(title: str, rows: list[dict[str, Any]]) -> str:
    lines = [
        f"### {title}",
        "",
        "| document | tokens | fields | kam ms (median) | kam ms (max) | graphql-core ms | answer |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        answer = ", ".join(row["codes"]) or "validated"
        lines.append(
            f"| {row['document']} | {row['tokens']} | {row['fields']} | {row['kam_ms']:.1f} | {row['kam_max_ms']:.1f} "
            f"| {row['graphql_core_ms']:.1f} | {answer} |"
        )
    return "\n".join(lines)


def run(repeat: int, seed: int, streamed: int) -> str:
    settings = Settings()
    limits = Limits(tokens=settings.max_tokens, fields=settings.max_fields)
    within, past = allowed(limits), refused(limits)
    rows = measure(within, repeat, seed)
    parts = [table("Within the limits", rows), table("Refused", measure(past, repeat, seed))]
    if streamed:
        worst = max(rows, key=lambda row: row["kam_ms"])["document"]
        review = next(iter(past))
        parts.append(
            "\n".join(
                [
                    "### Distinct copies in a row (GC included)",
                    "",
                    "| document | requests | CPU ms per request | of it GC | longest GC pause ms "
                    "| heap after: objects (thousands) | resident MiB |",
                    "|---|---:|---:|---:|---:|---:|---:|",
                    stream(worst, within[worst], streamed, seed),
                    stream(review, past[review], streamed, seed),
                ]
            )
        )
    return "\n\n".join(parts)

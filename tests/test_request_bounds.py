"""Every request is cheap to refuse and bounded to run: fields counted, introspection priced and limited, and
validation never compares repeated fields pair by pair."""

from __future__ import annotations

import itertools
import random
import uuid
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLSchema,
    NoFragmentCyclesRule,
    OverlappingFieldsCanBeMergedRule,
    build_schema,
    get_introspection_query,
    get_named_type,
    is_composite_type,
    parse,
    validate,
)
from graphql.validation.rules import overlapping_fields_can_be_merged

from kam.overlap import MergedOverlappingFieldsRule
from tests.conftest import GraphQLClient

MAX_FIELDS = 400


def fresh(document: str) -> str:
    """The document with a comment no other test sends, so no document cache of an earlier test answers it."""
    return f"{document}\n# {uuid.uuid4().hex}"


def codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json()["errors"]}


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    return error


def names(count: int) -> str:
    """`{ accounts { nodes { name name ... } } }` selecting `count` fields in all."""
    return "{ accounts { nodes { " + " ".join(["name"] * (count - 2)) + " } } }"


# The field limit


async def test_a_document_at_the_field_limit_runs_and_one_past_it_is_refused(client: GraphQLClient) -> None:
    assert (await client.execute(fresh(names(MAX_FIELDS))))["accounts"] == {"nodes": []}
    response = await client.post(fresh(names(MAX_FIELDS + 1)))
    error = only_error(response)
    assert error["extensions"] == {
        "code": "TOO_MANY_FIELDS", "limit": "maxFields", "maximum": MAX_FIELDS, "requested": MAX_FIELDS + 1,
    }
    assert "401 fields" in error["message"]
    assert "data" not in response.json()  # refused before execution


async def test_a_fragments_fields_count_at_every_spread_and_unspread_fragments_count_too(client: GraphQLClient) -> None:
    fragment = "fragment F on Account { " + " ".join(["name"] * 100) + " }"
    spread_four_times = "{ a: accounts { nodes { ...F } } b: accounts { nodes { ...F ...F ...F } } } " + fragment
    error = only_error(await client.post(fresh(spread_four_times)))
    assert error["extensions"]["requested"] == 4 + 4 * 100
    unspread = "{ accounts { totalCount } } fragment G on Account { " + " ".join(["name"] * MAX_FIELDS) + " }"
    error = only_error(await client.post(fresh(unspread)))
    assert error["extensions"]["requested"] == 2 + MAX_FIELDS


async def test_a_fragment_bomb_is_refused_by_its_fields_at_once(client: GraphQLClient) -> None:
    # Each fragment spreads the next twice: 2^30 fields once expanded; each fragment is measured once.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    bomb = "{ ...F0 } " + fragments + " fragment F30 on Query { __typename }"
    error = only_error(await client.post(fresh(bomb)))
    assert error["extensions"] == {
        "code": "TOO_MANY_FIELDS", "limit": "maxFields", "maximum": MAX_FIELDS, "requested": 2**30,
    }


@pytest.mark.parametrize("settings", [{"max_fields": 10}], indirect=True)
async def test_the_field_limit_is_a_setting(client: GraphQLClient) -> None:
    await client.execute(fresh(names(10)))
    assert only_error(await client.post(fresh(names(11))))["extensions"]["maximum"] == 10


async def test_a_document_past_a_limit_gets_no_other_validation(client: GraphQLClient) -> None:
    """The limits end validation: graphql-core's rules, which would find the unknown field, never ran."""
    document = "{ accounts { nodes { noSuchField " + " ".join(["name"] * MAX_FIELDS) + " } } }"
    assert codes(await client.post(fresh(document))) == {"TOO_MANY_FIELDS"}


# Validation work


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[None]:
    """Calls of `owner.name`, counted while it keeps working."""
    calls: list[None] = []
    real = getattr(owner, name)

    def count(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, count)
    return calls


async def test_a_document_past_the_field_limit_never_reaches_the_overlapping_fields_rule(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    visited = counting(monkeypatch, OverlappingFieldsCanBeMergedRule, "enter_selection_set")
    repeated = "{ " + " ".join(["accounts { nodes { id } }"] * 200) + " }"
    assert codes(await client.post(fresh(repeated))) == {"TOO_MANY_FIELDS"}
    assert visited == []
    await client.execute(fresh("{ accounts { nodes { id } } accounts { nodes { name } } }"))
    assert visited, "the count sees the rule when it runs"


async def test_repeated_fields_are_validated_without_comparing_each_two(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = counting(monkeypatch, overlapping_fields_can_be_merged, "find_conflict")
    repeated = "{ " + " ".join(["accounts { nodes { id stakeholders { nodes { name } } } }"] * 60) + " }"
    assert (await client.execute(fresh(repeated)))["accounts"] == {"nodes": []}
    assert len(compared) <= 10  # graphql-core's rule alone compares each two `accounts`: 1,770 pairs and more
    distinct = "{ " + " ".join(f"accounts(first: {n}) {{ totalCount }}" for n in range(1, 150)) + " }"
    compared.clear()
    errors = (await client.post(fresh(distinct))).json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "differing arguments" in errors[0]["message"]
    assert len(compared) <= 10


# Introspection


GRAPHIQL_INTROSPECTIONS = [
    get_introspection_query(),
    get_introspection_query(descriptions=False),
    get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, schema_description=True,
        input_value_deprecation=True, one_of=True,
    ),
]


@pytest.mark.parametrize("query", GRAPHIQL_INTROSPECTIONS, ids=["default", "no-descriptions", "graphiql"])
async def test_one_full_introspection_runs_and_is_priced(client: GraphQLClient, query: str) -> None:
    body = (await client.post(fresh(query))).json()
    assert "errors" not in body, body.get("errors")
    types = body["data"]["__schema"]["types"]
    assert {"Query", "Mutation", "Account"} <= {t["name"] for t in types}
    cost = body["extensions"]["cost"]
    assert len(types) < cost["requested"] < cost["maximum"]


async def test_an_introspection_costs_the_objects_it_returns(client: GraphQLClient) -> None:
    """The fields of every type cost as many as there are, not the most fields of a type times the types."""
    every = "(includeDeprecated: true)"
    query = f"{{ __schema {{ types {{ name fields{every} {{ name args{every} {{ name }} }} }} }} }}"
    body = (await client.post(fresh(query))).json()
    types = body["data"]["__schema"]["types"]
    fields = [f for t in types for f in t["fields"] or ()]
    arguments = [a for f in fields for a in f["args"]]
    assert body["extensions"]["cost"]["requested"] == 1 + len(types) + len(fields) + len(arguments)


async def test_thirty_aliased_full_introspections_are_refused(client: GraphQLClient) -> None:
    query = get_introspection_query(descriptions=True)
    operation, _, fragments = query.partition("fragment ")
    selection = operation[operation.index("__schema") : operation.rindex("}")]
    thirty = "{ " + " ".join(f"s{i}: {selection}" for i in range(30)) + " } fragment " + fragments
    response = await client.post(fresh(thirty))
    assert codes(response) == {"TOO_MANY_INTROSPECTIONS", "TOO_MANY_FIELDS", "QUERY_TOO_COSTLY"}
    refused = next(e for e in response.json()["errors"] if e["extensions"]["code"] == "TOO_MANY_INTROSPECTIONS")
    assert refused["extensions"] == {
        "code": "TOO_MANY_INTROSPECTIONS", "limit": "maxIntrospections", "maximum": 1, "requested": 30,
    }
    assert "data" not in response.json()  # refused before execution
    two = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }"
    assert only_error(await client.post(fresh(two)))["extensions"]["requested"] == 2


@pytest.mark.parametrize("settings", [{"max_introspections": 0}], indirect=True)
async def test_the_introspection_limit_is_a_setting(client: GraphQLClient) -> None:
    error = only_error(await client.post(fresh("{ __schema { queryType { name } } }")))
    assert error["extensions"]["maximum"] == 0
    assert (await client.execute(fresh('{ __type(name: "Account") { name } }')))["__type"] == {"name": "Account"}


NESTED_INTROSPECTIONS = {
    # within graphql-core's own limit on nested introspection lists (3), priced out
    "types-fields-type-fields": "{ __schema { types { fields { type { fields { type { enumValues { name }"
    " } } } } } } }",
    "aliased-type-bombs": "{ "
    + " ".join(
        f'q{i}: __type(name: "Query") {{ fields {{ type {{ fields {{ type {{ enumValues {{ name }} }} }} }} }} }}'
        for i in range(10)
    )
    + " }",
    "directive-arguments": "{ __schema { directives { args { type { fields { type { fields { args { type { "
    "enumValues { name } } } } } } } } } } }",
}


@pytest.mark.parametrize("query", NESTED_INTROSPECTIONS.values(), ids=NESTED_INTROSPECTIONS.keys())
async def test_nested_introspection_is_priced_out(client: GraphQLClient, query: str) -> None:
    response = await client.post(fresh(query))
    assert codes(response) == {"QUERY_TOO_COSTLY"}
    assert "data" not in response.json()  # refused before execution
    cost = response.json()["extensions"]["cost"]
    assert cost["requested"] > cost["maximum"]


async def test_deeper_nested_introspection_is_refused(client: GraphQLClient) -> None:
    bomb = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    assert codes(await client.post(fresh(bomb))) == {"GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COSTLY"}


# The merged overlap rule finds what graphql-core's rule finds

PETS = build_schema(
    """
    interface Pet { name: String nickname: String }
    type Dog implements Pet { name: String nickname: String barkVolume: Int friends(first: Int): [Dog] owner: Human }
    type Cat implements Pet {
      name: String nickname: String meowVolume: Int barkVolume: String friends(first: Int): [Cat] owner: Human
    }
    type Human { name: String pets(first: Int, filter: Filter): [Pet] dog: Dog cat: Cat }
    union Animal = Dog | Cat
    input Filter { a: Int b: String }
    type Query { dog: Dog cat: Cat pet: Pet animal: Animal human(id: ID): Human humans(first: Int): [Human] }
    """
)

CONFLICTS = {
    "different fields": "{ dog { x: name x: nickname } }",
    "different fields, repeated": "{ dog { x: name x: name x: nickname x: name } }",
    "differing arguments": "{ humans(first: 1) { name } humans(first: 2) { name } }",
    "differing object arguments": '{ human { pets(filter: {a: 1}) { name } pets(filter: {a: 1, b: "s"}) { name } } }',
    "argument against none": "{ humans(first: 1) { name } humans { name } }",
    "deep in merged fields": "{ dog { owner { x: name } } dog { owner { x: dog { name } } } }",
    "deep, after copies": "{ dog { owner { name } } dog { owner { name } } dog { owner { name: cat { name } } } }",
    "conflicting types on exclusive types": "{ pet { ... on Dog { barkVolume } ... on Cat { barkVolume } } }",
    "fragments": "{ dog { ...A ...B } } fragment A on Dog { x: name } fragment B on Dog { x: barkVolume }",
    "fragment against field": "{ dog { x: nickname ...A } } fragment A on Dog { x: name }",
    "nested fragments": "{ ...Q } fragment Q on Query { dog { ...A } } "
    "fragment A on Dog { owner { ...H } x: name ...Z } fragment H on Human { name } fragment Z on Dog { x: nickname }",
    "fragments on the same type merged": "{ dog { ...A } dog { ...B } } "
    "fragment A on Dog { friends(first: 1) { name } } fragment B on Dog { friends(first: 2) { name } }",
    "inline fragments without a type": "{ dog { ... { x: name } ... { x: barkVolume } } }",
    "unspread fragment": "{ dog { name } } fragment U on Dog { x: name x: nickname }",
    "different fields under merged fields": "{ human { dog { name } } human { dog: cat { name } } }",
    "list against single on exclusive types": "{ pet { ... on Dog { x: friends { name } } "
    "... on Cat { x: owner { name } } } }",
    "same name, fields merged in another": "{ humans(first: 1) { pets(first: 1) { name } } "
    "humans(first: 1) { pets { name } } }",
}
NO_CONFLICTS = {
    "copies": "{ dog { name } dog { name } dog { name nickname } }",
    "exclusive types may differ": "{ pet { ... on Dog { x: name } ... on Cat { x: nickname } } }",
    "argument order": '{ human { pets(first: 1, filter: {a: 1, b: "s"}) { name } '
    'pets(filter: {b: "s", a: 1}, first: 1) { name } } }',
    "fragments spread twice": "{ dog { ...A ...A } dog { ...A } } fragment A on Dog { name owner { name } }",
    "variables": "query($n: Int) { humans(first: $n) { name } humans(first: $n) { pets { name } } }",
}


def overlap_verdicts(schema: GraphQLSchema, document: str) -> tuple[bool, bool]:
    parsed = parse(document)
    return (
        bool(validate(schema, parsed, [OverlappingFieldsCanBeMergedRule])),
        bool(validate(schema, parsed, [MergedOverlappingFieldsRule])),
    )


@pytest.mark.parametrize("document", CONFLICTS.values(), ids=CONFLICTS.keys())
def test_the_merged_rule_finds_each_conflict(document: str) -> None:
    assert overlap_verdicts(PETS, document) == (True, True)


@pytest.mark.parametrize("document", NO_CONFLICTS.values(), ids=NO_CONFLICTS.keys())
def test_the_merged_rule_accepts_what_can_merge(document: str) -> None:
    assert overlap_verdicts(PETS, document) == (False, False)


def test_the_merged_rules_errors_point_into_the_document() -> None:
    document = parse("{ dog { name }\n  dog { x: name\n x: nickname } }")
    (error,) = validate(PETS, document, [MergedOverlappingFieldsRule])
    assert [(location.line, location.column) for location in error.locations] == [(2, 9), (3, 2)]


def test_a_fragment_cycle_is_refused_for_itself_and_its_fragments_not_compared() -> None:
    document = parse("{ dog { ...A ...B } } fragment A on Dog { ...A x: name } fragment B on Dog { x: nickname }")
    errors = validate(PETS, document, [NoFragmentCyclesRule, MergedOverlappingFieldsRule])
    assert [e.message for e in errors] == ["Cannot spread fragment 'A' within itself."]


def random_selections(rnd: random.Random, type_name: str, depth: int, fragments: list[tuple[str, str]]) -> str:
    """Fields with an alias now and then, arguments from a few values, inline fragments, spreads and copies."""
    within = {"Pet": ["Dog", "Cat", "Pet"], "Animal": ["Dog", "Cat"], "Dog": ["Dog", "Pet"], "Cat": ["Cat", "Pet"]}
    values = {"first": ["1", "1", "$n"], "filter": ["{a: 1}", '{a: 1, b: "s"}', '{b: "s", a: 1}'], "id": ['"1"']}
    selections: list[str] = []
    for _ in range(rnd.randint(1, 4)):
        roll, fields = rnd.random(), getattr(PETS.get_type(type_name), "fields", {})
        if roll < 0.6 and fields:
            name = rnd.choice(list(fields))
            field = fields[name]
            arguments = [f"{a}: {rnd.choice(values[a])}" for a in field.args if rnd.random() < 0.5]
            text = ("x: " if rnd.random() < 0.15 else "") + name + (f"({', '.join(arguments)})" if arguments else "")
            returned = get_named_type(field.type)
            if is_composite_type(returned):
                if depth == 0:
                    continue
                text += " " + random_selections(rnd, returned.name, depth - 1, fragments)
            selections.append(text)
        elif roll < 0.8:
            condition = rnd.choice([*within.get(type_name, [type_name]), None])
            inner = random_selections(rnd, condition or type_name, max(depth - 1, 0), fragments)
            selections.append(f"... on {condition} {inner}" if condition else f"... {inner}")
        else:
            spreadable = [name for name, on in fragments if on in within.get(type_name, [type_name])]
            if spreadable:
                selections.append(f"...{rnd.choice(spreadable)}")
        if selections and rnd.random() < 0.3:
            selections.append(rnd.choice(selections))
    return "{ " + " ".join(selections or ["__typename"]) + " }"


def random_document(rnd: random.Random) -> str:
    kinds = ["Dog", "Cat", "Pet", "Human", "Query", "Animal"]
    fragments = [(f"F{i}", rnd.choice(kinds)) for i in range(rnd.randint(0, 3))]
    # a fragment spreads only those after it: no cycles
    definitions = [
        f"fragment {name} on {on} " + random_selections(rnd, on, 2, fragments[i + 1 :])
        for i, (name, on) in enumerate(fragments)
    ]
    return " ".join(["query($n: Int) " + random_selections(rnd, "Query", 3, fragments), *definitions])


def test_the_merged_rule_agrees_with_graphql_cores_on_random_documents() -> None:
    rnd = random.Random(20240611)
    documents = (random_document(rnd) for _ in itertools.count())
    checked = [d for d in itertools.islice(documents, 3000) if len(d) < 1500][:1000]
    verdicts = [overlap_verdicts(PETS, document) for document in checked]
    disagreements = [d for d, (core, merged) in zip(checked, verdicts) if core != merged]
    assert disagreements == []
    assert 200 < sum(core for core, _ in verdicts) < 800, "the documents hold conflicts and documents without"

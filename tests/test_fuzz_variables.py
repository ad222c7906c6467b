"""Generated operations whose every argument arrives as a variable holding a hostile value: kam answers cleanly.

hypothesis-graphql writes argument values into the document, where the parser
and validation see them first, and never writes the values an attacker sends
as JSON: lone UTF-16 surrogates, NUL characters, strings of tens of thousands
of characters, global IDs with numbers at the integer edges, dates in years 1
and 9999, decimals Python reads but kam should not (`" 1"`, `"NaN"`, `1e400`),
lists of thousands of entries or nested hundreds of levels deep, input objects
with keys no type has, and forged pagination cursors. Here every argument of
every field of a generated query or mutation becomes a variable (the document
walked with graphql-core's TypeInfo, so each is declared with its argument's
type; arguments the generator left out are declared too and often left out of
the request), and the values are drawn from a strategy built from the type,
recursively through lists and input objects. Per request a share of the
choices (none to all; often just one variable's) is hostile and the rest
ordinary and valid (real IDs of the demo portfolio, of the type the argument
names), so requests also get past coercion to the resolvers and the database.
Bodies are written with `json.dumps(..., ensure_ascii=True)`, which writes a
lone surrogate as the `\\ud800` escape an attacker sends; numbers JSON can hold
but Python cannot write (`1e400`, five thousand digits) are spliced in raw.

- Queries: each is sent twice with ordinary variables, then twice with drawn
  ones; the second of a pair may be answered by the direct path
  (kam/compiled/direct.py) and must get the pipeline's answer, and every request gives
  its database connection back.
- Paged queries: the same, with one `after`/`before` of a list forged as kam's
  cursors are written (base64 of JSON `[sort key, value, row id]`, or of two
  keys and values for a `sort` of two), for the list's own ordering (set in
  `orderBy` or `sort`) and with values out of the range of
  the sort column, or nested past any recursion limit.
- Mutations: a refused one (tests/test_fuzz.py's `refused`) changed no data.

Every answer, as tests/test_fuzz.py's `send` checks: no 5xx; a 4xx only as
documented (400 with BAD_REQUEST or a request error without data, 413
REQUEST_TOO_LARGE for a body past the limit); every error has an
`extensions.code`, none INTERNAL_SERVER_ERROR or TIMEOUT.

The module reports in the test log how many requests it sent (and how many the
prepared path answered, how many mutations were applied) and the status and
error codes of the answers. A failure prints the operation and its variables,
long strings abbreviated as `'a'*N` and cursors decoded; rerun it with the seed
Hypothesis reports (`pytest tests/test_fuzz_variables.py --hypothesis-seed=N`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    NameNode,
    NullValueNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Undefined,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    print_ast,
    visit,
)
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema
from sqlalchemy.ext.asyncio import AsyncEngine

import kam.compiled.direct
from schema.node import NODE_TYPES
from tests.conftest import GraphQLClient, add_member, http_client, write_to_test_log
from tests.test_fuzz import (  # noqa: F401 - demo_client is a fixture used here
    FUZZ,
    GRAPHQL_SCHEMA,
    HANG,
    MUTATION_FIELDS,
    QUERY_FIELDS,
    REAL_IDS,
    SCALARS,
    SDL,
    demo_client,
    fingerprint,
    refused,
    with_user_errors,
)

JSON_BODY = {"Content-Type": "application/json"}
# As tests/test_fuzz.py, without Hypothesis' "explain" phase: it replays a failing case dozens of times more.
FUZZ_VARIABLES = settings(FUZZ, phases=[phase for phase in Phase if phase is not Phase.explain])
MAX_ID = 2**31 - 1

# ---------------------------------------------------------------------------------------------------------------
# Hoisting: every argument value of the generated document becomes a variable of the argument's type.


@dataclass(frozen=True)
class Slot:
    """A variable the hoisting made: its name, input type, and where the value goes (to guess a fitting ID)."""

    variable: str
    type: GraphQLInputType
    argument: str
    field: str


class Hoist(Visitor):
    """Every argument a selected field takes becomes a variable: those the generator wrote (their values
    dropped) and those it left out (a variable the request may leave out too, so the argument keeps its
    default)."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.slots: list[Slot] = []

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        field = self.type_info.get_field_def()
        given = {argument.name.value for argument in node.arguments or ()}
        missing = [name for name in (field.args if field else {}) if name not in given]
        if not missing:
            return None
        widened = copy(node)
        widened.arguments = (
            *(node.arguments or ()),
            *(ArgumentNode(name=NameNode(value=name), value=NullValueNode()) for name in missing),
        )
        return widened

    def enter_argument(self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: Any) -> Any:
        argument = self.type_info.get_argument()
        if argument is None:
            return None
        owner = next((a for a in reversed(ancestors) if isinstance(a, FieldNode)), None)
        slot = Slot(f"v{len(self.slots)}", argument.type, node.name.value, owner.name.value if owner else "")
        self.slots.append(slot)
        return ArgumentNode(name=node.name, value=VariableNode(name=NameNode(value=slot.variable)))


def hoisted(document: DocumentNode) -> tuple[DocumentNode, list[Slot]]:
    """The document with each argument value replaced by a variable, declared on its operation."""
    type_info = TypeInfo(GRAPHQL_SCHEMA)
    hoist = Hoist(type_info)
    document = visit(document, TypeInfoVisitor(type_info, hoist))
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            definition = OperationDefinitionNode(
                operation=definition.operation,
                name=definition.name,
                variable_definitions=tuple(
                    VariableDefinitionNode(
                        variable=VariableNode(name=NameNode(value=slot.variable)), type=parse_type(str(slot.type))
                    )
                    for slot in hoist.slots
                ),
                directives=definition.directives,
                selection_set=definition.selection_set,
            )
        definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions)), hoist.slots


# ---------------------------------------------------------------------------------------------------------------
# Values. `Raw` is JSON text spliced into the body as it is; `OMIT` leaves a variable or input field out.


@dataclass(frozen=True)
class Raw:
    text: str


OMIT = object()


def encode(value: Any) -> bytes:
    """JSON as an attacker writes it: lone surrogates as `\\ud800` escapes, NaN as `NaN`, Raw numbers as given."""
    raws: list[str] = []

    def marked(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item.text)
            return f"@@raw{len(raws) - 1}@@"
        if isinstance(item, dict):
            return {k: marked(v) for k, v in item.items()}
        if isinstance(item, list):
            return [marked(v) for v in item]
        return item

    text = json.dumps(marked(value), ensure_ascii=True)
    if raws:
        text = re.sub(r'"@@raw(\d+)@@"', lambda m: raws[int(m.group(1))], text)
    return text.encode()


def b64(text: str | bytes, *, urlsafe: bool = False, pad: bool = True) -> str:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    return encoded if pad else encoded.rstrip("=")


SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b", "x\ud800y"]
SPECIAL = [
    "%", "_", "\\", "%%", "%_\\", "\\%", "'", '"', "''", "' OR '1'='1", "\"; --", "`", "😀", "👨‍👩‍👧", "\u202e",
    "\u200f", "\u200b", "\ufeff", "\u2028", "İ", "ß", "Ω", "١٢٣", "ｆｕｌｌ", "", " ", "\t", "\n", "\r\n",
    "\x00", "a\x00b", "\x00" * 3, "\x01\x1f\x7f", "$", "{}", "[]", "null", "*", "?", "^$.|",
]
LONG_FILL = ["a", "a", "a", "%", "_", "\\", "é", "😀", "\u202e", "\x00", " "]
STRING_ALPHABET = st.one_of(
    st.sampled_from(["%", "_", "\\", "'", '"', "😀", "\u202e", "\u200f", "\x00", "a", " "]),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.characters(),
)

# hostile --------------------------------------------------------------------------------------------------------

LONG_STRINGS = st.one_of(
    st.builds(lambda fill, n: fill * n, st.sampled_from(LONG_FILL), st.integers(10_000, 60_000)),
    st.builds(lambda n, tail: "a" * n + tail, st.integers(10_000, 60_000), st.sampled_from(["\ud800", "\x00", "😀"])),
)
HOSTILE_STRINGS = st.one_of(
    st.sampled_from(SURROGATES + SPECIAL),
    st.text(STRING_ALPHABET, max_size=24),
    LONG_STRINGS,
)

EDGE_NUMBERS = [
    "0", "-1", "1", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", str(2**63 - 1),
    str(2**63), str(2**64), "9" * 40, "00", "01", "007", "0001", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "١",
    "", "\x00", "1\x00", "\ud800", "NaN",
]
TYPE_NAMES = sorted(NODE_TYPES)
FORGED_IDS = st.builds(
    lambda type_name, number, urlsafe, pad: b64(f"{type_name}:{number}", urlsafe=urlsafe, pad=pad),
    st.sampled_from([*TYPE_NAMES, "Nope", "", "account", "Query", "Node", "Account ", "\ud800"]),
    st.sampled_from(EDGE_NUMBERS),
    st.booleans(),
    st.booleans(),
)
JUNK_IDS = st.one_of(
    st.sampled_from(
        [
            "", "=", "====", "not base64!", "QWNjb3VudDox" * 2, "QWNjb3VudDo", "QWNjb3VudA==", "\ud800",
            "\x00", "QWNjb3VudDox\x00", " QWNjb3VudDox", "QWNjb3VudDox\n", "Account:1", "1", "-1",
            b64(b"\xff\xfe:1"), b64(b"Account:\xff"), b64(b"\x00:1"), b64("Account:1:2"), b64(":1"), b64("Account:"),
            b64("Account:1\x00"), b64(b64("Account:1")), "%", "_",
        ]
    ),
    st.text(STRING_ALPHABET, max_size=16),
    st.builds(lambda n: "QWNjb3VudDox" * n, st.integers(1_000, 5_000)),
)
HOSTILE_IDS = st.one_of(
    FORGED_IDS,
    FORGED_IDS,
    JUNK_IDS,
    st.sampled_from([0, -1, 1, MAX_ID, MAX_ID + 1, -(2**31), 2**63, 2**64, 1.5, 1e400, float("nan"), True, Raw("1e400")]),
)
HOSTILE_INTS = st.sampled_from(
    [
        0, -1, 1, MAX_ID, MAX_ID + 1, -(2**31), -(2**31) - 1, 2**32, 2**63 - 1, 2**63, -(2**63), 2**64, 10**30,
        1.0, 1.5, -0.0, 1e20, float("nan"), float("inf"), float("-inf"), "1", "", "0x10", True, False,
        Raw("1e400"), Raw("-1e400"), Raw("1E2"), Raw("1" * 5000), Raw("-0"), Raw("1.0e0"),
    ]
)
HOSTILE_FLOATS = st.sampled_from(
    [0, -1, 1e308, -1e308, 5e-324, float("nan"), float("inf"), 2**63, 10**400, "1.5", True, Raw("1e400"), Raw("1" * 5000)]
)
HOSTILE_BOOLEANS = st.sampled_from(["true", "false", 0, 1, "", "\ud800", 1.0])
DATES_AT_EDGES = [
    "0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "0000-01-01", "10000-01-01", "2023-02-29", "2024-02-29",
    "2024-13-01", "2024-00-10", "20240101", "2024-W01-1", "2024-001", "+002024-01-01", "2024-1-1", " 2024-01-01",
    "2024-01-01 ", "2024-01-01T00:00:00", "2024-01-01T00:00:00+14:00", "2024-01-01Z", "2024-01-01\x00",
    "2024-01-01\ud800", "２０２４-01-01", "", "today", 20240101, 0, True,
]
HOSTILE_DATES = st.one_of(
    st.sampled_from(DATES_AT_EDGES),
    st.dates().map(lambda d: d.isoformat()),
    st.text(STRING_ALPHABET, max_size=12),
    st.builds(lambda n: "2" * n, st.integers(10_000, 60_000)),
)
DATETIMES_AT_EDGES = [
    "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00", "0001-01-01T13:59:59+14:00", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59.999999Z",
    "9999-12-31T10:00:00-14:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999", "2024-06-01T12:00:00",
    "2024-06-01", "0001-01-01", "9999-12-31", "2024-06-01T24:00:00Z", "2024-06-01T12:00:00+24:00",
    "2024-06-01T12:00:00+23:59:59.999999", "2024-06-01T12:00:00-23:59", "2024-06-01T12:00:00+14:00:01",
    "2024-06-01T12:00:00.123456789Z", "2024-06-01T12:00Z", "20240601T120000Z", "2024-06-01t12:00:00z",
    "2024-06-01 12:00:00+00:00", "2024-06-01T12:00:00+00:00\x00", "2024-06-01T12:00:00\ud800", "", "now", 0,
    1717243200, 1e400, None, True,
]
HOSTILE_DATETIMES = st.one_of(
    st.sampled_from(DATETIMES_AT_EDGES),
    st.builds(
        lambda moment, minutes: moment.isoformat() + ("" if minutes is None else _offset(minutes)),
        st.datetimes(),
        st.none() | st.integers(-14 * 60, 14 * 60) | st.sampled_from([-14 * 60, 14 * 60]),
    ),
    st.text(STRING_ALPHABET, max_size=12),
    st.builds(lambda n: "2024-06-01T12:00:00" + "0" * n, st.integers(10_000, 60_000)),
)
HOSTILE_DECIMALS = st.one_of(
    st.sampled_from(
        [
            " 1", "1 ", "1_000", "1,000", "NaN", "-NaN", "sNaN", "nan", "Infinity", "-Infinity", "inf", "1e400",
            "1E-400", "1e3", "0x10", "+1", "-0", "0", "0.", ".5", "-.5", "١٢٣", "１", "", "-", ".", "\x00",
            "1\x00", "\ud800", "9" * 40, "-" + "9" * 40, "9" * 40 + "." + "9" * 40, "0." + "0" * 39 + "1", "9" * 41,
            "1" * 5000, "9" * 16, "9" * 16 + ".99", "99999999999999999.99", "0.001", "0.005", "-0.01", "1.0000000001",
            "1e400", 1e400, -1e400, float("nan"), 1.5, 1e-07, 1e16, 10**30, -(10**30), 0, True, None,
            Raw("1e400"), Raw("-1e400"), Raw("1" * 5000), Raw("0.1e-400"), Raw("1.5E3"),
            Raw("123456789012345678901234567890.12"),
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**45), max_value=10**45).map(str),
    st.text(STRING_ALPHABET, max_size=10),
)
HOSTILE_ENUMS = st.one_of(
    st.sampled_from(["", " ", "\ud800", "\x00", "a", "null", "true", 0, 1, True, 1.5, "__typename"]),
    st.text(STRING_ALPHABET, max_size=10),
)

# Pagination cursors: base64 of the JSON array [sort key, value, row id] (resolvers/pagination.py). The sort
# keys each connection field orders by (resolvers/*/reads.py), and what kind of value each key holds.
CURSOR_KEYS_OF = {
    "accounts": ["name", "createdAt", "currentAnnualValue", "grade", "lastInteraction", "interactions90d"],
    "teamMembers": ["name"],
    "auditEvents": ["occurredAt"],
    "history": ["occurredAt"],
    "stakeholders": ["name", "createdAt"],
    "needs": ["priority", "createdAt", "title"],
    "growthHistory": ["assessedOn"],
    "plans": ["startsOn"],
    "actions": ["dueOn"],
    "interactions": ["occurredAt"],
    "opportunities": ["createdAt", "amount", "name"],
}
KEY_KINDS = {
    "name": "text", "title": "text", "createdAt": "datetime", "occurredAt": "datetime", "currentAnnualValue": "decimal",
    "grade": "enum", "priority": "int", "startsOn": "date", "dueOn": "date", "assessedOn": "date",
    "lastInteraction": "int", "interactions90d": "int", "amount": "decimal",
}
ANY_CURSOR_KEYS = [*KEY_KINDS, "id", "", "NAME", "\ud800", "\x00"]
# Values as kam writes them into cursors, per kind, and values out of every range a column keeps.
VALID_CURSOR_VALUES = {
    "text": "M", "datetime": "2024-01-01T00:00:00+00:00", "decimal": "1000.00", "enum": "B", "int": 2, "date": "2024-06-01",
}
ODD_CURSOR_VALUES = st.sampled_from(
    [
        0, -1, MAX_ID, MAX_ID + 1, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, 1.5, 1e308, float("nan"), float("inf"),
        True, None, [], {}, [1], ["M"], {"name": "M"}, Raw("1e400"), Raw("1" * 5000), Raw("-0"),
    ]
)
# Values at the edge of what each kind of column keeps (text no store keeps, numbers past NUMERIC(18, 2)
# and INTEGER, the first and last days and instants), then anything hostile of that kind.
CURSOR_EDGES = {
    "text": st.sampled_from(["\ud800", "\x00", "a\x00b", "\udfff", "a" * 60_000, "%", "\\", "😀"]),
    "datetime": st.sampled_from(
        ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+14:00",
         "9999-12-31T23:59:59-14:00", "2024-01-01T00:00:00"]
    ),
    "decimal": st.sampled_from(
        ["9" * 17, "-" + "9" * 17, "9" * 40, "-" + "9" * 40, "9" * 40 + "." + "9" * 40, "9" * 16,
         "0." + "0" * 39 + "1", "-0"]
    ),
    "enum": st.sampled_from(["a", "", "\ud800", "\x00", "__class__"]),
    "int": st.sampled_from([MAX_ID, MAX_ID + 1, -(2**31), -(2**31) - 1, 2**63, 1.0, True]),
    "date": st.sampled_from(["0001-01-01", "9999-12-31", "0000-01-01", "2023-02-29", "2024-01-01T00:00:00"]),
}
CURSOR_VALUES_OF_KIND = {
    "text": HOSTILE_STRINGS,
    "datetime": HOSTILE_DATETIMES,
    "decimal": HOSTILE_DECIMALS,
    "enum": st.sampled_from(["A", "B", "C", "D", "a", "HIGH"]) | HOSTILE_ENUMS,
    "int": HOSTILE_INTS | st.integers(-5, 5),
    "date": HOSTILE_DATES,
}
CURSOR_ROW_IDS = st.one_of(
    st.integers(1, 3),
    st.sampled_from(
        [0, -1, MAX_ID, MAX_ID + 1, -(2**31), -(2**31) - 1, 2**63, 2**64, 1.5, 1.0, float("nan"), "1", None, True,
         Raw("1e400"), Raw("1" * 5000)]
    ),
)


def cursor_text(parts: Any, urlsafe: bool, pad: bool) -> str:
    """A cursor as kam writes one (urlsafe, no padding) or in the other base64 spellings."""
    return b64(parts if isinstance(parts, (str, bytes)) else encode(parts), urlsafe=urlsafe, pad=pad)


def cursor_value(kind: str) -> st.SearchStrategy[Any]:
    """A value of a cursor's key of `kind`: often out of the range of its column."""
    return st.one_of(
        CURSOR_EDGES[kind], CURSOR_EDGES[kind], CURSOR_VALUES_OF_KIND[kind], ODD_CURSOR_VALUES, st.just(VALID_CURSOR_VALUES[kind])
    )


@st.composite
def forged_cursors(draw: Any, field: str, key: str | None = None, then: str | None = None) -> Any:
    """A cursor for the connection `field` made by hand: mostly for the sort key `key` (else one of the
    field's), and for its second key `then` when the list is given a `sort` of two, often with values out of
    the range of their columns."""
    keys = [key] if key else CURSOR_KEYS_OF.get(field) or list(KEY_KINDS)
    key = draw(st.sampled_from(keys) if draw(st.integers(0, 7)) else st.sampled_from(ANY_CURSOR_KEYS))
    value = draw(cursor_value(KEY_KINDS.get(key, "text")))
    further = [] if then is None else [then, draw(cursor_value(KEY_KINDS[then]))]
    row_id = draw(CURSOR_ROW_IDS)
    shape = draw(st.sampled_from(["triple"] * 10 + ["pair", "quad", "object", "deep", "bytes", "text"]))
    parts: Any
    if shape == "triple":
        parts = [key, value, *further, row_id]
    elif shape == "pair":
        parts = [key, value]
    elif shape == "quad":
        parts = [key, value, row_id, row_id]
    elif shape == "object":
        parts = {"name": key, "value": value, "id": row_id}
    elif shape == "deep":  # JSON nested thousands of levels deep: a small cursor, past any recursion limit
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        levels = draw(st.sampled_from([100, 1_000, 5_000, 20_000]))
        parts = opener * levels + "1" + closer * levels
    elif shape == "bytes":  # not UTF-8, or not JSON
        parts = draw(st.sampled_from([b"\xff\xfe\xfd", b'["name","\xff",1]', b"\x00", b""]))
    else:
        parts = draw(st.sampled_from(["name", "null", "1", '"a"', "[", "", "NaN", ' ["name","M",1] ']))
    return cursor_text(parts, draw(st.booleans()), draw(st.booleans()))


def hostile_cursors(field: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        forged_cursors(field),
        forged_cursors(field),
        forged_cursors(field),
        st.sampled_from(["", "=", "!!!", "\ud800", "\x00", "a\x00", "W10", "W10=", "[]"]),
        st.builds(lambda n: "W" * n, st.integers(10_000, 60_000)),
        HOSTILE_INTS,
    )


def valid_cursors(field: str) -> st.SearchStrategy[str]:
    """Cursors as kam writes them (encode_cursor), so `after`/`before` are sometimes valid."""
    return st.sampled_from(CURSOR_KEYS_OF.get(field) or list(KEY_KINDS)).flatmap(
        lambda key: st.builds(
            lambda row: base64.urlsafe_b64encode(
                json.dumps([key, VALID_CURSOR_VALUES[KEY_KINDS[key]], row], separators=(",", ":")).encode()
            ).decode().rstrip("="),
            st.integers(1, 5),
        )
    )


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# ordinary -------------------------------------------------------------------------------------------------------

ORDINARY_STRINGS = st.one_of(
    st.sampled_from(["Acme", "Manufacturing", "EMEA", "EUR", "USD", "ops@acme.test", "https://acme.test", "a", "A"]),
    st.text(max_size=20),
    st.builds(lambda n: f"fuzz{n}@kam.test", st.integers(0, 10**6)),
)
ORDINARY_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)).map(lambda d: d.isoformat())
ORDINARY_DATETIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)).map(
    lambda d: d.isoformat() + "Z"
)
ORDINARY_DECIMALS = st.one_of(
    st.decimals(places=2, min_value=-10, max_value=10**9, allow_nan=False, allow_infinity=False).map(str),
    st.integers(0, 10**6),
)

# IDs of the demo portfolio (every type has at least three rows), by the type an argument or input field names.
REAL_BY_TYPE = {name: [i for i in REAL_IDS if base64.b64decode(i).decode().startswith(f"{name}:")] for name in TYPE_NAMES}
ID_HINTS = {
    "account": "Account", "member": "TeamMember", "owner": "TeamMember", "manager": "TeamMember",
    "actor": "TeamMember", "assessedBy": "TeamMember", "plan": "ActionPlan", "need": "Need",
    "stakeholder": "Stakeholder", "source": "Stakeholder", "target": "Stakeholder", "reportsTo": "Stakeholder",
}


def id_hint(name: str, owner: str) -> str | None:
    """The node type an ID argument or input field most likely wants: `ownerId` a TeamMember, `id` of
    `ActionPlanUpdateInput` an ActionPlan, `id` of `account(id:)` an Account."""
    stem = re.sub(r"Ids?$", "", name)
    if stem in ID_HINTS:
        return ID_HINTS[stem]
    if name == "id":
        prefixes = [t for t in TYPE_NAMES if owner[:1].upper() + owner[1:] == t or owner.startswith(t)]
        return max(prefixes, key=len) if prefixes else None
    return None


def ordinary_ids(hint: str | None) -> st.SearchStrategy[str]:
    """Mostly a real ID of the type the argument names; sometimes a real ID of another type."""
    fitting = REAL_BY_TYPE.get(hint or "", [])
    if not fitting:
        return st.sampled_from(REAL_IDS)
    return st.one_of(*[st.sampled_from(fitting)] * 5, st.sampled_from(REAL_IDS))


# the strategy ---------------------------------------------------------------------------------------------------

LEVELS = st.sampled_from([0, 5, 15, 35, 70, 100])  # percent of the choices that are hostile, drawn per request


def value_for(draw: Any, type_: GraphQLInputType, name: str, owner: str, level: int, top: bool = False) -> Any:
    """A value for `type_` (OMIT: leave it out); `name`/`owner` say where it goes, `level` how hostile it is."""

    def hostile(scale: float = 1.0) -> bool:
        return level > 0 and draw(st.integers(0, 99)) < level * scale

    if isinstance(type_, GraphQLNonNull):
        if hostile(0.15):
            return draw(st.sampled_from([None, OMIT]))
        return value_for(draw, type_.of_type, name, owner, level)
    if not top and hostile(0.1):
        return None
    if isinstance(type_, GraphQLList):
        item = type_.of_type
        if hostile(0.3):
            shape = draw(st.sampled_from(["long", "deep", "bare", "nested", "nulls", "empty"]))
            if shape == "long":  # thousands of entries: a few drawn values, repeated
                few = [v for v in (value_for(draw, item, name, owner, level) for _ in range(3)) if v is not OMIT]
                size = draw(st.sampled_from([1_000, 2_500, 5_000, 20_000, 40_000]))
                return [few[i % len(few)] for i in range(size)] if few else [None] * size
            if shape == "deep":  # nested far deeper than the type
                value = value_for(draw, item, name, owner, 0)
                for _ in range(draw(st.integers(50, 500))):
                    value = [value]
                return value
            if shape == "bare":  # a single value where a list is expected (GraphQL's input coercion takes it)
                return value_for(draw, item, name, owner, level)
            if shape == "nested":
                return [[v for v in [value_for(draw, item, name, owner, level)] if v is not OMIT]]
            if shape == "nulls":
                return [v for v in [None, value_for(draw, item, name, owner, level)] if v is not OMIT]
            return []
        values = [value_for(draw, item, name, owner, level) for _ in range(draw(st.integers(0, 4)))]
        return [v for v in values if v is not OMIT]
    if isinstance(type_, GraphQLInputObjectType):
        if hostile(0.1):
            return draw(st.sampled_from(["", "{}", 0, [], [{}], True, "\ud800"]))
        value: dict[str, Any] = {}
        for field_name, field in type_.fields.items():
            required = isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
            if not required and not draw(st.booleans()):
                continue
            item = value_for(draw, field.type, field_name, type_.name, level)
            if item is not OMIT:
                value[field_name] = item
        if hostile(0.2):  # keys no input type has
            unknown = st.sampled_from(["unknown", "", "__typename", "\ud800", "\x00", "id ", "ID"])
            for key in draw(st.lists(unknown, min_size=1, max_size=3)):
                value[key] = draw(st.sampled_from([1, "x", None, {}, [], "\ud800"]))
        return value
    if isinstance(type_, GraphQLEnumType):
        return draw(HOSTILE_ENUMS) if hostile() else draw(st.sampled_from(sorted(type_.values)))
    assert isinstance(type_, GraphQLScalarType), type_
    scalar = type_.name
    if scalar == "String" and name in ("after", "before"):
        # Forged as often as not once the request is hostile at all: a cursor is decoded after every other
        # argument passed, so the other values are the ones that must stay ordinary for it to be reached.
        return draw(hostile_cursors(owner)) if level and draw(st.booleans()) else draw(st.none() | valid_cursors(owner))
    if scalar == "Int" and name in ("first", "last"):
        ordinary_page = st.integers(0, 12) if name == "first" else st.sampled_from([None, None, None, 3])
        return draw(HOSTILE_INTS) if hostile() else draw(ordinary_page)
    if scalar == "ID":
        return draw(HOSTILE_IDS) if hostile() else draw(ordinary_ids(id_hint(name, owner)))
    ordinary, attack = {
        "String": (ORDINARY_STRINGS, HOSTILE_STRINGS),
        "Int": (st.integers(0, 5), HOSTILE_INTS),
        "Float": (st.floats(-1e6, 1e6), HOSTILE_FLOATS),
        "Boolean": (st.booleans(), HOSTILE_BOOLEANS),
        "Date": (ORDINARY_DATES, HOSTILE_DATES),
        "DateTime": (ORDINARY_DATETIMES, HOSTILE_DATETIMES),
        "Decimal": (ORDINARY_DECIMALS, HOSTILE_DECIMALS),
    }.get(scalar, (st.none(), HOSTILE_STRINGS))
    return draw(attack) if hostile() else draw(ordinary)


class Case(tuple):  # type: ignore[type-arg]
    """A generated operation and its variables, printed (when Hypothesis reports a failing case) with long
    strings and lists abbreviated: a 60,000-character value would bury the reproduction."""

    def __repr__(self) -> str:
        return "(" + ", ".join(repr(part if isinstance(part, str) else shown(part)) for part in self) + ")"

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(repr(self))


@st.composite
def variables_for(draw: Any, slots: list[Slot], level: int) -> dict[str, Any]:
    """Values for the slots at `level`; half the time only one slot is hostile and the others are ordinary,
    so its value gets past the coercion of the rest and reaches the resolvers and the database."""
    variables: dict[str, Any] = {}
    target = draw(st.integers(0, len(slots) - 1)) if level and slots and draw(st.booleans()) else None
    for i, slot in enumerate(slots):
        if i != target and not isinstance(slot.type, GraphQLNonNull) and draw(st.integers(0, 2)) == 0:
            continue  # a nullable variable left out: its argument takes its default
        slot_level = level if target is None or i == target else 0
        value = value_for(draw, slot.type, slot.argument, slot.field, slot_level, top=True)
        if value is OMIT:
            continue
        variables[slot.variable] = value
    if level and draw(st.integers(0, 99)) < level // 5:  # variables no operation declares
        variables[draw(st.sampled_from(["\ud800", "", "unused", "\x00"]))] = draw(st.sampled_from([1, "\ud800", [[[]]]]))
    return variables


def identity(document: DocumentNode) -> DocumentNode:
    return document


PLANNED = ["accounts", "account", "relationshipMap", "growthMatrix"]  # root fields with plans (kam/compiled/coverage.py)
# Root fields with connections below them (accounts twice: the one list ordered by four keys).
PAGED = ["accounts", "accounts", "account", "teamMembers", "auditEvents", "growthMatrix"]


@st.composite
def queries(draw: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A generated query with its arguments hoisted, ordinary variables for it, and variables drawn at a level."""
    # Often one root field, and often one the compiled planner covers, so the direct path gets its turn.
    fields = draw(st.sampled_from([QUERY_FIELDS, *([name] for name in QUERY_FIELDS), *([name] for name in PLANNED)]))
    document, slots = hoisted(draw(from_schema(SDL, fields=fields, custom_scalars=SCALARS, print_ast=identity)))
    ordinary = draw(variables_for(slots, 0))
    return Case((print_ast(document), ordinary, draw(variables_for(slots, draw(LEVELS)))))


def is_cursor(slot: Slot) -> bool:
    return slot.argument in ("after", "before") and str(slot.type) == "String"


# The orderings of the connection fields that take `orderBy` (AccountOrder, NeedOrder, StakeholderOrder).
ORDER_FIELDS = {
    "name": "NAME", "createdAt": "CREATED_AT", "currentAnnualValue": "CURRENT_ANNUAL_VALUE", "grade": "GRADE",
    "priority": "PRIORITY", "title": "TITLE", "occurredAt": "OCCURRED_AT", "lastInteraction": "LAST_INTERACTION",
    "interactions90d": "INTERACTIONS_LAST_90_DAYS", "amount": "AMOUNT",
}


@st.composite
def paged_queries(draw: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A generated query of a root field with connections below it, with its arguments hoisted, ordinary
    variables for it, and the same variables with one `after` or `before` forged: for the list's ordering
    (set in `orderBy` when the list takes one), so the cursor is decoded and bound into its statement."""
    field = draw(st.sampled_from(PAGED))
    document, slots = hoisted(draw(from_schema(SDL, fields=[field], custom_scalars=SCALARS, print_ast=identity)))
    ordinary = draw(variables_for(slots, 0))
    cursors = [slot for slot in slots if is_cursor(slot)]
    forged = dict(ordinary)
    if cursors:
        slot = draw(st.sampled_from(cursors))
        keys = CURSOR_KEYS_OF.get(slot.field) or list(KEY_KINDS)
        order = next((s for s in slots if s.field == slot.field and s.argument == "orderBy"), None)
        sort = next((s for s in slots if s.field == slot.field and s.argument == "sort"), None)
        key = draw(st.sampled_from(keys)) if order is not None or sort is not None else keys[0]
        then = None
        if sort is not None and len(keys) > 1 and draw(st.booleans()):  # two keys in turn, `orderBy` left out
            then = draw(st.sampled_from([k for k in keys if k != key]))
            ordinary[sort.variable] = [
                {"field": ORDER_FIELDS[k], "direction": draw(st.sampled_from(["ASC", "DESC"]))} for k in (key, then)
            ]
            if order is not None:
                ordinary.pop(order.variable, None)
        elif order is not None:
            direction = draw(st.sampled_from(["ASC", "DESC"]))
            ordinary[order.variable] = {"field": ORDER_FIELDS[key], "direction": direction}
            if sort is not None:
                ordinary.pop(sort.variable, None)
        # The other direction's arguments of that list left out, so they refuse nothing before the cursor.
        opposite = ("before", "last") if slot.argument == "after" else ("after", "first")
        for other in slots:
            if other.field == slot.field and other.argument in opposite:
                ordinary.pop(other.variable, None)
        forged = dict(ordinary)
        forged[slot.variable] = draw(forged_cursors(slot.field, key, then))
    return Case((print_ast(document), ordinary, forged))


@st.composite
def mutations(draw: Any) -> tuple[str, str, dict[str, Any]]:
    field = draw(st.sampled_from(MUTATION_FIELDS))
    generated = draw(from_schema(SDL, fields=[field], custom_scalars=SCALARS, print_ast=identity))
    document, slots = hoisted(generated)
    return Case((field, with_user_errors(document), draw(variables_for(slots, draw(LEVELS)))))


# ---------------------------------------------------------------------------------------------------------------
# Sending and checking.

sent: dict[str, int] = {}
answered: Counter[str] = Counter()  # HTTP status and error codes of the answers, to show what the values reached


@pytest.fixture(scope="module", autouse=True)
def report_requests_sent(request: pytest.FixtureRequest) -> Any:
    """After the module: how many generated requests were sent, in the test log."""
    yield
    if sent:
        write_to_test_log(
            request,
            [f"\ngenerated requests sent (variables): {sent}", f"answers by status and error code: {dict(answered.most_common())}"],
        )


@pytest.fixture
async def fuzz_client(demo_client: GraphQLClient, app: Any, engine: AsyncEngine) -> AsyncIterator[GraphQLClient]:
    """An ADMIN over the demo portfolio whose own ID is none the fuzzing uses: demo_client's ADMIN is
    TeamMember 1, which a generated `teamMemberDelete` or `teamMemberUpdate(active: false)` may take away."""
    admin = await add_member(engine, "ADMIN")
    async with http_client(app, admin["token"]) as http:
        yield GraphQLClient(http, admin)


@pytest.fixture
def count_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts the requests the direct path answered itself, to show the fuzzing reaches it."""
    answer = kam.compiled.direct.DirectReads.answer

    async def counted(self: Any, *args: Any, **kwargs: Any) -> bytes | None:
        body = await answer(self, *args, **kwargs)
        if body is not None:
            sent["answered by the direct path"] = sent.get("answered by the direct path", 0) + 1
        return body

    monkeypatch.setattr(kam.compiled.direct.DirectReads, "answer", counted)


def shown(value: Any) -> Any:
    """Variables for a failure message: long strings and lists abbreviated, cursors decoded, so the
    reproduction stays readable."""
    if isinstance(value, str):
        cursor = decoded_cursor(value)
        if cursor is not None:
            return f"base64 of {shown(cursor)!r}"
        if len(value) > 80:
            return f"{value[:1]!r}*{len(value)} (first 40: {value[:40]!r}, last 10: {value[-10:]!r})"
        return value
    if isinstance(value, list):
        if len(value) > 20:
            return f"[{shown(value[0])!s}, ...] * {len(value)} entries"
        depth = 0
        inner: Any = value
        while isinstance(inner, list) and len(inner) == 1:
            depth, inner = depth + 1, inner[0]
        if depth > 10:
            return f"{shown(inner)!r} in {depth} nested lists"
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    return value


def decoded_cursor(text: str) -> str | None:
    """The JSON text inside a base64 string, if it holds one (a cursor, as kam writes them or forged)."""
    if len(text) < 4 or not re.fullmatch(r"[A-Za-z0-9+/_-]+=*", text):
        return None
    try:
        inner = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)).decode()
    except ValueError:
        return None
    return inner if inner[:1] in ("[", "{") else None


def abbreviated(text: str) -> str:
    return text if len(text) <= 2000 else text[:1500] + f"... ({len(text)} characters)"


async def send(client: GraphQLClient, kind: str, operation: str, variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST the operation with its variables as raw JSON; check the answer as tests/test_fuzz.py's `send` does."""
    sent[kind] = sent.get(kind, 0) + 1
    body = encode({"query": operation, "variables": variables})
    where = (operation, shown(variables))
    async with asyncio.timeout(HANG):
        response = await client.http.post("/graphql", content=body, headers=JSON_BODY)
    assert response.status_code < 500, (*where, response.status_code, abbreviated(response.text))
    answer = response.json()
    errors = answer.get("errors", [])
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    answered.update({f"{response.status_code} {code}" for code in codes} or {f"{response.status_code} no error"})
    for error, code in zip(errors, codes, strict=True):
        assert code, (*where, error)
        assert code not in ("INTERNAL_SERVER_ERROR", "TIMEOUT"), (*where, error)
    if response.status_code == 413:
        assert len(body) > 262_144 and codes == ["REQUEST_TOO_LARGE"], (*where, len(body), answer)
    elif response.status_code == 400:
        # A body kam will not read, or (when the client asks for graphql-response+json) a request error.
        assert errors and (codes == ["BAD_REQUEST"] or answer.get("data") is None), (*where, answer)
    else:
        assert response.status_code == 200, (*where, response.status_code, answer)
        assert errors or "data" in answer, (*where, answer)
    return response.status_code, answer


def same_answer(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """The pipeline's answer and the direct path's: the same data, the same errors (cost aside)."""

    def comparable(answer: dict[str, Any]) -> Any:
        errors = [
            (e.get("message"), e.get("path"), (e.get("extensions") or {}).get("code")) for e in answer.get("errors", [])
        ]
        return answer.get("data"), errors

    return comparable(first) == comparable(second)


async def answer_twice_each(
    client: GraphQLClient, engine: AsyncEngine, operation: str, requests: list[tuple[str, Any]]
) -> None:
    """Send the operation twice with each of the variables, in order; each pair must get the same answer."""
    for kind, variables in requests:
        first = await send(client, kind, operation, variables)
        again = await send(client, kind, operation, variables)  # the second may take the direct path
        # Every request gave its connection back, whatever it was refused for (a leak starves the pool).
        assert engine.pool.checkedout() == 0, (operation, shown(variables), engine.pool.status())
        assert first[0] == again[0] and same_answer(first[1], again[1]), (
            operation,
            shown(variables),
            abbreviated(json.dumps(first[1])),
            abbreviated(json.dumps(again[1])),
        )


@settings(FUZZ_VARIABLES, max_examples=150)
@given(generated=queries())
async def test_hoisted_queries_with_hostile_variables_get_clean_answers(
    fuzz_client: GraphQLClient,
    engine: AsyncEngine,
    count_direct: None,
    generated: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    operation, ordinary, drawn = generated
    requests = [("queries, ordinary variables", ordinary), ("queries, drawn variables", drawn)]
    await answer_twice_each(fuzz_client, engine, operation, requests)


@settings(FUZZ_VARIABLES, max_examples=150)
@given(generated=paged_queries())
async def test_hoisted_queries_with_forged_cursors_get_clean_answers(
    fuzz_client: GraphQLClient,
    engine: AsyncEngine,
    count_direct: None,
    generated: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    operation, ordinary, forged = generated
    requests = [("paged queries, ordinary variables", ordinary), ("paged queries, forged cursors", forged)]
    await answer_twice_each(fuzz_client, engine, operation, requests)


@settings(FUZZ_VARIABLES, max_examples=150)
@given(generated=mutations())
async def test_hoisted_mutations_with_hostile_variables_change_nothing_when_refused(
    fuzz_client: GraphQLClient, engine: AsyncEngine, generated: tuple[str, str, dict[str, Any]]
) -> None:
    field, operation, variables = generated
    before = await fingerprint(engine)
    _, answer = await send(fuzz_client, "mutations", operation, variables)
    if refused(answer, field):
        assert await fingerprint(engine) == before, (operation, shown(variables), answer)
    else:
        sent["mutations applied"] = sent.get("mutations applied", 0) + 1

"""Documents generated from the GraphQL schema itself, for tests/test_parity.py.

Nothing here names a type or a field of kam: the walk starts from the Query
type of whatever schema it is given and recognises connections, value objects
(objects of scalars only, like Money or PageInfo) and arguments by their shape,
so a type or field added tomorrow is selected by the documents of tomorrow.

The pieces:

- `Selected`: one field of a selection set, with its arguments and what is selected below it; `render` writes it.
- `Step`/`Site`: a place in the schema reached from Query, as the fields on the way; a document
  selects something there by wrapping it in the steps (`document`).
- `full(type, depth)`: every field of a type (connections as totalCount, pageInfo, edges and nodes,
  value objects whole, other objects `depth` levels deep and then as `{ __typename }`).
- `sites`: for every object type reachable from Query, every field that leads to it (an edge of the
  schema's graph), reached from Query by the shortest way (`paths`).
- `Var`/`Need`: a variable a document declares and what its value must be (an ID of some type, a
  filter's field, a cursor...), resolved by the test from the data it loaded.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
    is_required_input_field,
)

PAGE_ARGUMENTS = ("first", "after", "last", "before")


# ---------------------------------------------------------------------------------------------- the schema's shape


def named(t: GraphQLType) -> GraphQLNamedType:
    return get_named_type(t)  # type: ignore[return-value]


def is_composite(t: GraphQLNamedType) -> bool:
    return isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def is_connection(t: GraphQLNamedType) -> bool:
    """A Relay connection: `edges { cursor node }`, `nodes` and `pageInfo`."""
    fields = getattr(t, "fields", {})
    return isinstance(t, GraphQLObjectType) and {"edges", "nodes", "pageInfo"} <= set(fields)


def node_type(connection: GraphQLObjectType) -> GraphQLNamedType:
    return named(connection.fields["nodes"].type)


def is_value_object(t: GraphQLNamedType) -> bool:
    """An object of scalars and enums only, without arguments: Money, PageInfo... selected whole wherever met."""
    return (
        isinstance(t, GraphQLObjectType)
        and not is_connection(t)
        and all(is_leaf_type(named(f.type)) and not f.args for f in t.fields.values())
    )


def required(argument: GraphQLArgument) -> bool:
    return is_required_argument(argument)


def composite_fields(t: GraphQLNamedType) -> dict[str, GraphQLField]:
    return dict(getattr(t, "fields", {}))


# ---------------------------------------------------------------------------------------------- selections


@dataclass(frozen=True)
class Need:
    """What a variable's value must be; the test finds such a value in the data it loaded.

    kind: "id" (an ID of `type_name`, a list of them when `many`), "input" (a value of an argument's type,
    built from the data by the test), "page" (first/last, after/before).
    """

    kind: str
    type_name: str = ""
    many: bool = False


@dataclass(frozen=True)
class Var:
    """A variable of a document: `$name`, of GraphQL type `type` (as written in the document)."""

    name: str
    type: str
    need: Need


Value = str | Var  # a literal as written in the document, or a variable


@dataclass(frozen=True)
class Selected:
    """A field in a selection set: its name, its arguments, and what is selected below it (None: a leaf)."""

    name: str
    arguments: tuple[tuple[str, Value], ...] = ()
    below: tuple[Selected, ...] | None = None
    fragment_on: str | None = None  # an inline fragment `... on T { below }` rather than a field

    def render(self) -> str:
        if self.fragment_on is not None:
            return f"... on {self.fragment_on} {{ {render(self.below or ())} }}"
        text = self.name
        if self.arguments:
            text += "(" + ", ".join(f"{k}: {'$' + v.name if isinstance(v, Var) else v}" for k, v in self.arguments) + ")"
        if self.below is not None:
            text += " { " + render(self.below) + " }"
        return text

    def variables(self) -> Iterator[Var]:
        for _, value in self.arguments:
            if isinstance(value, Var):
                yield value
        for inner in self.below or ():
            yield from inner.variables()

    def count(self) -> int:
        """Fields selected, this one included (as kam's limit counts them)."""
        return (self.fragment_on is None) + sum(inner.count() for inner in self.below or ())

    def depth(self) -> int:
        return (self.fragment_on is None) + max((inner.depth() for inner in self.below or ()), default=0)


def render(selection: Iterable[Selected]) -> str:
    return " ".join(s.render() for s in selection)


TYPENAME = Selected("__typename")


@dataclass(frozen=True)
class Step:
    """One field on the way from Query to a site: the parent type, the field, the arguments given on the way."""

    parent: str
    name: str
    arguments: tuple[tuple[str, Value], ...] = ()

    def __str__(self) -> str:
        return self.name


Site = tuple[Step, ...]


def site_type(schema: GraphQLSchema, site: Site) -> GraphQLNamedType:
    if not site:
        assert schema.query_type is not None
        return schema.query_type
    last = site[-1]
    return named(composite_fields(schema.get_type(last.parent))[last.name].type)  # type: ignore[arg-type]


def site_name(site: Site) -> str:
    return ".".join(["Query", *(s.name for s in site)])


@dataclass(frozen=True)
class Document:
    """A query: `selection` at `site`. `text` is what is sent; `variables` the variables it declares."""

    site: Site
    selection: tuple[Selected, ...]
    name: str

    @property
    def tree(self) -> tuple[Selected, ...]:
        inner: tuple[Selected, ...] = self.selection
        for step in reversed(self.site):
            inner = (Selected(step.name, step.arguments, inner),)
        return inner

    @property
    def variables(self) -> tuple[Var, ...]:
        found: dict[str, Var] = {}
        for s in self.tree:
            for var in s.variables():
                found.setdefault(var.name, var)
        return tuple(found.values())

    @property
    def text(self) -> str:
        declared = ", ".join(f"${v.name}: {v.type}" for v in self.variables)
        head = f"query {self.name}" + (f"({declared})" if declared else "")
        return f"{head} {{ {render(self.tree)} }}"

    def count(self) -> int:
        return sum(s.count() for s in self.tree)

    def depth(self) -> int:
        return max((s.depth() for s in self.tree), default=0)


# ---------------------------------------------------------------------------------------------- arguments


@dataclass
class Shaper:
    """Builds selections and ways through one schema; the page sizes keep documents' cost and answers small."""

    schema: GraphQLSchema
    prefix_first: int = 3  # page size of the connections on the way to a site
    nested_first: int = 2  # page size of connections selected below it
    _paths: dict[str, list[Site]] = field(default_factory=dict)

    def argument_type(self, argument: GraphQLArgument) -> str:
        return str(argument.type)

    def id_target(self, parent: str, name: str, argument: str) -> Need:
        """What an ID argument names: `accountId` an Account, `id`/`ids` what the field returns (an interface:
        any of its types, `type_name` empty)."""
        field_type = named(composite_fields(self.schema.get_type(parent))[name].type)  # type: ignore[arg-type]
        arg = composite_fields(self.schema.get_type(parent))[name].args[argument]  # type: ignore[arg-type]
        many = isinstance(arg.type, GraphQLNonNull) and isinstance(arg.type.of_type, GraphQLList) or isinstance(arg.type, GraphQLList)
        stem = argument[:-3] if argument.endswith("Ids") else argument[:-2] if argument.endswith("Id") else ""
        if stem:
            candidate = stem[0].upper() + stem[1:]
            if isinstance(self.schema.get_type(candidate), GraphQLObjectType):
                return Need("id", candidate, many)
        if isinstance(field_type, GraphQLObjectType):
            return Need("id", field_type.name, many)
        return Need("id", "", many)

    def required_arguments(self, parent: str, name: str, f: GraphQLField) -> tuple[tuple[str, Value], ...] | None:
        """Variables for the field's required arguments; None when some cannot be given (not an ID)."""
        given: list[tuple[str, Value]] = []
        for arg_name, arg in f.args.items():
            if not required(arg):
                continue
            if named(arg.type).name != "ID":
                return None
            given.append((arg_name, Var(f"{name}_{arg_name}", str(arg.type), self.id_target(parent, name, arg_name))))
        return tuple(given)

    def step_arguments(self, parent: str, name: str, f: GraphQLField, first: int) -> tuple[tuple[str, Value], ...] | None:
        given = self.required_arguments(parent, name, f)
        if given is None:
            return None
        if "first" in f.args and named(f.args["first"].type).name == "Int":
            given = (*given, ("first", str(first)))
        return given

    # ------------------------------------------------------------------------------------------ selections

    def leaves(self, t: GraphQLNamedType) -> tuple[Selected, ...]:
        return (TYPENAME, *(Selected(n) for n, f in composite_fields(t).items() if is_leaf_type(named(f.type)) and not f.args))

    def full(self, t: GraphQLNamedType, depth: int, objects: bool = True) -> tuple[Selected, ...]:
        """Every field of `t`: leaves, value objects whole, connections as totalCount, pageInfo, edges { cursor node }
        and nodes (whose objects take the depth), other objects `depth` levels deep, then as `{ __typename }`;
        `__typename` everywhere. Fields with required arguments other than IDs are left out. Without `objects`
        (lean), objects past the depth (but value objects) are too, and a connection's edges hold only the
        `__typename` and `id` of their nodes."""
        if is_connection(t):
            assert isinstance(t, GraphQLObjectType)
            node = node_type(t)
            page_info = named(t.fields["pageInfo"].type)
            edge = named(t.fields["edges"].type)
            inner = self.full(node, depth, objects)
            selected = [TYPENAME]
            for n, f in t.fields.items():
                if n == "pageInfo":
                    selected.append(Selected(n, (), self.leaves(page_info)))
                elif n == "edges":
                    edge_fields = [TYPENAME]
                    for en, ef in composite_fields(edge).items():
                        if is_leaf_type(named(ef.type)):
                            edge_fields.append(Selected(en))
                        elif objects:
                            edge_fields.append(Selected(en, (), inner))
                        else:  # lean: the objects once, under `nodes`; under `edges` only who they are
                            edge_fields.append(Selected(en, (), tuple(s for s in inner if s.name in ("__typename", "id"))))
                    selected.append(Selected(n, (), tuple(edge_fields)))
                elif n == "nodes":
                    selected.append(Selected(n, (), inner))
                elif is_leaf_type(named(f.type)) and not f.args:
                    selected.append(Selected(n))
            return tuple(selected)
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            # The leaves of each possible type, but those named alike with another type elsewhere (they would not merge).
            possible = self.schema.get_possible_types(t)
            types: dict[str, set[str]] = {}
            for p in possible:
                for n, f in p.fields.items():
                    types.setdefault(n, set()).add(str(f.type))
            below = list(self.leaves(t)) if isinstance(t, GraphQLInterfaceType) else [TYPENAME]
            for p in possible:
                fields = tuple(s for s in self.leaves(p) if s.name == "__typename" or len(types[s.name]) == 1)
                below.append(Selected("", (), fields, fragment_on=p.name))
            return tuple(below)
        selected = [TYPENAME]
        for n, f in composite_fields(t).items():
            u = named(f.type)
            arguments = self.step_arguments(t.name, n, f, self.nested_first)
            if arguments is None:
                continue
            if is_leaf_type(u):
                selected.append(Selected(n, arguments))
            elif is_value_object(u):
                selected.append(Selected(n, arguments, self.leaves(u)))
            elif is_connection(u):
                if depth >= 1:
                    selected.append(Selected(n, arguments, self.full(u, depth - 1, objects)))
                elif objects:
                    selected.append(Selected(n, arguments, self.counted(u)))
            elif depth >= 1:
                selected.append(Selected(n, arguments, self.full(u, depth - 1, objects)))
            elif objects:
                selected.append(Selected(n, arguments, (TYPENAME,)))
        return tuple(selected)

    def counted(self, t: GraphQLNamedType) -> tuple[Selected, ...]:
        """A connection without its objects: totalCount and pageInfo."""
        assert isinstance(t, GraphQLObjectType)
        return (TYPENAME, Selected("totalCount"), Selected("pageInfo", (), self.leaves(named(t.fields["pageInfo"].type))))

    def deepest(
        self, site: Site, t: GraphQLNamedType, depth: int, fits: Callable[[Document], bool], objects: bool = True
    ) -> tuple[Selected, ...]:
        """`full(t, d)` at `site` for the largest `d` up to `depth` that `fits` (0 at least)."""
        for d in range(depth, 0, -1):
            selection = self.full(t, d, objects)
            if fits(Document(site, selection, "Probe")):
                return selection
        return self.full(t, 0, objects)

    def minimal(self, t: GraphQLNamedType) -> tuple[Selected, ...]:
        """Each field of `t` with as little below it as GraphQL allows: objects as `{ __typename }`, value objects
        whole, connections as totalCount and pageInfo; the fragments of an interface's types."""
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            return tuple(s for s in self.full(t, 0) if s.name != "__typename")
        found = []
        for n, f in composite_fields(t).items():
            u = named(f.type)
            arguments = self.step_arguments(t.name, n, f, self.nested_first)
            if arguments is None:
                continue
            if is_leaf_type(u):
                found.append(Selected(n, arguments))
            elif is_value_object(u):
                found.append(Selected(n, arguments, self.leaves(u)))
            elif is_connection(u):
                found.append(Selected(n, arguments, self.counted(u)))
            else:
                found.append(Selected(n, arguments, (TYPENAME,)))
        return tuple(found)

    def prune(self, site: Site, selection: tuple[Selected, ...], planned: Callable[[str], bool]) -> tuple[Selected, ...]:
        """What of `selection` at `site` a plan covers: the leaves (together, else one by one) and each object
        field whole, else pruned below in turn."""
        if planned(Document(site, selection, "Probe").text):
            return selection
        here = site_type(self.schema, site)
        leaves = tuple(s for s in selection if s.below is None)
        if leaves and not planned(Document(site, leaves, "Probe").text):
            leaves = tuple(s for s in leaves if planned(Document(site, (s,), "Probe").text))
        kept: list[Selected] = []
        for s in selection:
            if s.below is None:
                if s in leaves:
                    kept.append(s)
            elif planned(Document(site, (s,), "Probe").text):
                kept.append(s)
            elif s.fragment_on is None:
                below = self.prune((*site, Step(here.name, s.name, s.arguments)), s.below, planned)
                if below and planned(Document(site, (pruned := Selected(s.name, s.arguments, below),), "Probe").text):
                    kept.append(pruned)
        return tuple(kept)

    # ------------------------------------------------------------------------------------------ ways

    def edges_of(self, t: GraphQLNamedType) -> Iterator[tuple[str, GraphQLField, GraphQLNamedType]]:
        for n, f in composite_fields(t).items():
            u = named(f.type)
            if is_composite(u):
                yield n, f, u

    def paths(self, planned: Callable[[str], bool]) -> dict[str, Site]:
        """For every composite type reachable from Query, the way to it: from each root field the shortest one,
        preferring ways whose every step a plan covers (`planned` of `{ way { __typename } }`), then ways
        needing no ID, then the shortest of all roots, the first root on a tie."""
        query = self.schema.query_type
        assert query is not None
        best: dict[str, tuple[int, int, int, int, Site]] = {}
        for order, (root, f, u) in enumerate(self.edges_of(query)):
            arguments = self.step_arguments(query.name, root, f, self.prefix_first)
            if arguments is None:
                continue
            start: Site = (Step(query.name, root, arguments),)
            # Breadth first, twice: over planned ways only, then over all (types the first did not reach).
            for only_planned in (True, False):
                seen: dict[str, Site] = {}
                if not only_planned or planned(Document(start, (TYPENAME,), "Probe").text):
                    seen[u.name] = start
                queue = deque(seen.values())
                while queue:
                    site = queue.popleft()
                    here = site_type(self.schema, site)
                    for n, g, v in self.edges_of(here):
                        if v.name in seen:
                            continue
                        arguments = self.step_arguments(here.name, n, g, self.prefix_first)
                        if arguments is None:
                            continue
                        way = (*site, Step(here.name, n, arguments))
                        if only_planned and not planned(Document(way, (TYPENAME,), "Probe").text):
                            continue
                        seen[v.name] = way
                        queue.append(way)
                for name, way in seen.items():
                    # Ways needing no ID (lists rather than one object) come before shorter ones needing IDs.
                    needs_ids = sum(1 for step in way for _, v in step.arguments if isinstance(v, Var))
                    rank = (0 if only_planned else 1, needs_ids, len(way), order, way)
                    if name not in best or rank[:4] < best[name][:4]:
                        best[name] = rank
        return {name: rank[4] for name, rank in best.items()}

    def sites(self, planned: Callable[[str], bool]) -> list[Site]:
        """Every field that leads to a composite type, each at the end of the way to its parent (Query's own
        fields included), in a stable order."""
        ways = self.paths(planned)
        query = self.schema.query_type
        assert query is not None
        found: list[Site] = []
        for parent_name, way in [(query.name, ()), *ways.items()]:
            parent = self.schema.get_type(parent_name)
            assert parent is not None
            if is_connection(parent) or isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
                continue  # connections are selected whole at the field that returns them
            for n, f, _u in self.edges_of(parent):
                arguments = self.step_arguments(parent_name, n, f, self.prefix_first)
                if arguments is None:
                    continue
                found.append((*way, Step(parent_name, n, arguments)))
        return found


# ---------------------------------------------------------------------------------------------- argument variants


def input_values(t: GraphQLType) -> GraphQLNamedType:
    return named(t)


def is_list(t: GraphQLType) -> bool:
    if isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s"):
        return name[:-1]
    return name


@dataclass(frozen=True)
class InputChoice:
    """One value for one field of an input object, named so a failure says which; `data` asks the test for a
    value from the loaded data: ("ids", type) IDs of a type, ("strings", field) values a field of the listed
    objects takes, ("search", "match"/"miss") text found in / missing from their names, ("moment", scalar)
    a time in the middle of those the objects hold."""

    field: str
    label: str
    literal: Any = None
    data: tuple[str, str] | None = None
    many: bool = False


def is_order(t: GraphQLInputObjectType) -> bool:
    """An input with a required field (the field to order by), as against a filter (every field optional)."""
    return any(is_required_input_field(f) for f in t.fields.values())


def input_choices(schema: GraphQLSchema, t: GraphQLInputObjectType, listed: GraphQLNamedType) -> Iterator[list[InputChoice]]:
    """Values of input object `t` that each change the SQL: filters (every field optional) one field at a time,
    orders (some field required) every combination of their enums. `listed` is the type of the objects listed."""
    fields = t.fields
    if is_order(t):
        axes = []
        for n, f in fields.items():
            u = named(f.type)
            if isinstance(u, GraphQLEnumType):
                axes.append([InputChoice(n, v, v) for v in u.values])
        for combination in itertools.product(*axes):
            yield list(combination)
        return
    yield []  # {}
    for n, f in fields.items():
        for choice in field_choices(schema, n, f.type, listed):
            yield [choice]


def field_choices(schema: GraphQLSchema, n: str, t: GraphQLType, listed: GraphQLNamedType) -> Iterator[InputChoice]:
    u = named(t)
    many = is_list(t)
    if isinstance(u, GraphQLEnumType):
        for v in u.values:
            yield InputChoice(n, v, [v] if many else v)
        if many:
            yield InputChoice(n, "none", [])
    elif u.name == "Boolean":
        yield InputChoice(n, "true", True)
        yield InputChoice(n, "false", False)
    elif u.name == "ID":
        stem = n[:-3] if n.endswith("Ids") else n[:-2] if n.endswith("Id") else n
        target = ""
        listed_fields = composite_fields(listed)
        if stem in listed_fields and isinstance(named(listed_fields[stem].type), GraphQLObjectType):
            target = named(listed_fields[stem].type).name
        elif isinstance(schema.get_type(stem[:1].upper() + stem[1:]), GraphQLObjectType):
            target = stem[:1].upper() + stem[1:]
        elif stem + "Id" in listed_fields:
            target = "@" + stem + "Id"  # the values of a scalar field of the listed objects
        yield InputChoice(n, "first", data=("ids", target), many=many)
        yield InputChoice(n, "last", data=("ids-last", target), many=many)
    elif u.name == "String":
        if many:
            yield InputChoice(n, "present", data=("strings", singular(n)), many=True)
            yield InputChoice(n, "absent", ["no such value"])
        else:
            yield InputChoice(n, "match", data=("search", "match"))
            yield InputChoice(n, "miss", data=("search", "miss"))
    elif u.name in ("DateTime", "Date"):
        yield InputChoice(n, "middle", data=("moment", u.name))
    elif u.name in ("Int", "Float", "Decimal"):
        yield InputChoice(n, "zero", 0)
        yield InputChoice(n, "one", 1)

"""Field merging checked on a merged document, so repeated fields cost no more than one of them.

graphql-core's `OverlappingFieldsCanBeMergedRule` compares every two fields
that share a response name, and each such pair's sub-selections again (and
every two fragments spread side by side): a document of a few hundred repeated
`accounts { nodes { id } }` kept a worker busy for a second. The GraphQL spec
(FieldsInSetCanMerge) merges fields of one selection set that have the same
alias, name and arguments and checks the union of their sub-selections: such
fields cannot conflict with each other, and a third field conflicts with them
exactly when it conflicts with one of them. So the rule runs on a copy of the
document where they are one field whose selections are the union of theirs,
merged again level by level; fragment spreads are written out as inline
fragments on the fragment's type (as the rule compares them), and inline
fragments on the same type are one. Of the fields of one selection set that
share a response name but differ in name or arguments (each two of them
conflict) the copy keeps the first two: one conflict reported is enough to
refuse the document. What the rule finds in the copy, it finds in the document
as written (a conflict may be reported one level further in, and fewer times),
and its errors point into it. The copy is no larger than the document's fields
counted at every spread, which `KAM_MAX_FIELDS` bounds before this runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OverlappingFieldsCanBeMergedRule,
    SelectionNode,
    SelectionSetNode,
    ValidationRule,
    validate,
)
from graphql.validation.rules.overlapping_fields_can_be_merged import get_value_structure
from strawberry.extensions import SchemaExtension


class Merger:
    """Merges the selections of one document; fragments are written out where they are spread, unless they have
    variables of their own (graphql-core's experimental fragment arguments, which kam does not parse)."""

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.spreads = {name: spread_names(f.selection_set) for name, f in self.fragments.items()}
        self.cyclic = has_cycle(self.spreads)
        self.expand = not self.cyclic and not any(
            getattr(f, "variable_definitions", None) for f in self.fragments.values()
        )

    def merged(self) -> DocumentNode:
        """The document with its operations merged, and the fragments no operation spreads, which the rule
        checks on their own (all fragments, when they are not written out)."""
        operations = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        spread = reachable({n for o in operations for n in spread_names(o.selection_set)}, self.spreads)
        definitions = [
            replace(d, selection_set=self.selection_set(d.selection_set, d.selection_set.selections))
            for d in self.document.definitions
            if isinstance(d, OperationDefinitionNode)
            or (isinstance(d, FragmentDefinitionNode) and not (self.expand and d.name.value in spread))
        ]
        return replace(self.document, definitions=tuple(definitions))

    def selection_set(self, original: SelectionSetNode, selections: Any) -> SelectionSetNode:
        return replace(original, selections=tuple(self.selections(selections)))

    def selections(self, selections: Any) -> list[SelectionNode]:
        """One field per alias, name and arguments, two at most per response name; one inline fragment per type
        condition (the selections of those without one taken into these); one spread per fragment and arguments;
        in the order first seen."""
        fields: dict[tuple[Any, ...], list[FieldNode]] = {}
        differing: dict[str, int] = {}  # response name: fields kept that differ in name or arguments
        fragments: dict[str, list[InlineFragmentNode]] = {}
        spreads: dict[tuple[Any, ...], FragmentSpreadNode] = {}
        firsts: list[tuple[str, Any]] = []
        pending = list(reversed(selections))
        while pending:
            selection = pending.pop()
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if not (self.expand and fragment and not getattr(selection, "arguments", None)):
                    key = (selection.name.value, arguments_key(selection))
                    if key not in spreads:
                        spreads[key] = selection
                        firsts.append(("spread", key))
                    continue
                selection = InlineFragmentNode(
                    type_condition=fragment.type_condition, selection_set=fragment.selection_set, loc=selection.loc
                )
            if isinstance(selection, FieldNode):
                key = field_key(selection)
                if key not in fields:
                    if differing.get(key[0], 0) == 2:
                        continue
                    differing[key[0]] = differing.get(key[0], 0) + 1
                    fields[key] = []
                    firsts.append(("field", key))
                fields[key].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None:
                    pending.extend(reversed(selection.selection_set.selections))
                    continue
                condition = selection.type_condition.name.value
                if condition not in fragments:
                    fragments[condition] = []
                    firsts.append(("fragment", condition))
                fragments[condition].append(selection)
        merged: list[SelectionNode] = []
        for kind, key in firsts:
            if kind == "field":
                merged.append(self.node(fields[key]))
            elif kind == "fragment":
                merged.append(self.node(fragments[key]))
            else:
                merged.append(spreads[key])
        return merged

    def node(self, nodes: list[Any]) -> Any:
        """The first of `nodes` with the selections of all of them, merged."""
        with_selections = [node.selection_set for node in nodes if node.selection_set is not None]
        if not with_selections:
            return nodes[0]
        selections = [selection for selection_set in with_selections for selection in selection_set.selections]
        return replace(nodes[0], selection_set=self.selection_set(with_selections[0], selections))


def field_key(node: FieldNode) -> tuple[Any, ...]:
    """Fields of one selection set with the same key do not conflict, those with different keys and the same
    response name do: the rule compares names and arguments (as `arguments_key` does), and reads no directive but
    @stream, with which every two fields of a response name conflict, so each such field is a key of its own."""
    response_name = (node.alias or node.name).value
    if any(directive.name.value == "stream" for directive in node.directives or ()):
        return response_name, id(node)
    return response_name, node.name.value, arguments_key(node)


def arguments_key(node: FieldNode | FragmentSpreadNode) -> tuple[tuple[str, str], ...]:
    """The arguments as the rule compares them: by name, each value's structure (objects' fields sorted)."""
    arguments = getattr(node, "arguments", None) or ()
    return tuple(sorted((a.name.value, json.dumps(get_value_structure(a.value, []))) for a in arguments))


def spread_names(selection_set: SelectionSetNode | None) -> set[str]:
    """The fragments spread anywhere in a selection set (not through other fragments)."""
    names: set[str] = set()
    pending = [selection_set] if selection_set else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.add(selection.name.value)
            elif selection.selection_set is not None:
                pending.append(selection.selection_set)
    return names


def reachable(names: set[str], spreads: dict[str, set[str]]) -> set[str]:
    found, pending = set(names), list(names)
    while pending:
        for name in spreads.get(pending.pop(), ()):
            if name not in found:
                found.add(name)
                pending.append(name)
    return found


def has_cycle(spreads: dict[str, set[str]]) -> bool:
    """Whether a fragment spreads itself, through others or not."""
    done: set[str] = set()
    for root in spreads:
        if root in done:
            continue
        path, on_path = [(root, iter(spreads[root]))], {root}
        while path:
            name, following = path[-1]
            for spread in following:
                if spread in on_path:
                    return True
                if spread in spreads and spread not in done:
                    path.append((spread, iter(spreads[spread])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)
    return False


class MergedOverlappingFieldsRule(ValidationRule):
    """`OverlappingFieldsCanBeMergedRule` run on the merged document, once the document's other rules visited it
    (after a limit that ends validation, it does not run).

    A document whose fragments spread themselves is refused for that (`NoFragmentCyclesRule`) and not checked
    here: its fragments cannot be written out, and compared two by two they would cost what merging saves.
    """

    def leave_document(self, node: DocumentNode, *_args: Any) -> None:
        merger = Merger(node)
        if merger.cyclic:
            return
        for error in validate(self.context.schema, merger.merged(), [OverlappingFieldsCanBeMergedRule]):
            self.report_error(error)


class CheckMergedFields(SchemaExtension):
    """Validates with `MergedOverlappingFieldsRule` in place of graphql-core's `OverlappingFieldsCanBeMergedRule`."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            MergedOverlappingFieldsRule if rule is OverlappingFieldsCanBeMergedRule else rule
            for rule in context.validation_rules
        )
        yield

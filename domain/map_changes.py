"""What changed on a relationship map between two days: people who joined or left, attitudes, influence and
buying roles that moved, our coverage gained, lost or changed, lines drawn or removed.

Plain values in, plain values out: the two maps come from the map as it stands and the map as it stood
(resolvers/stakeholders/map_history.py). A line whose strength changed is both removed (the old strength)
and added (the new one); everything is listed in id order, so equal maps give equal answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.relationship_map import EdgeKind
from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, Influence, LinkStrength

T = TypeVar("T")


@dataclass(frozen=True)
class MapState:
    """A map reduced to what a change is made of."""

    attitudes: Mapping[int, Attitude]  # every person on the map, by stakeholder id
    influences: Mapping[int, Influence]
    roles: Mapping[int, tuple[BuyingRole, ...]]
    reports_to: Mapping[int, int]  # person -> manager, for those who have one on the map
    lines: Mapping[tuple[int, int], LinkStrength]  # (source, target) -> strength of an influence line
    coverage: Mapping[tuple[int, int], CoverageStrength]  # (stakeholder, member) -> strength


@dataclass(frozen=True)
class Change(Generic[T]):
    """One value of one thing that differs: `before` and `after` (None: not there)."""

    key: Any
    before: T | None
    after: T | None


@dataclass(frozen=True)
class Line:
    kind: EdgeKind
    source_id: int
    target_id: int
    strength: LinkStrength | None = None


@dataclass(frozen=True)
class MapChanges:
    joined: tuple[int, ...]
    left: tuple[int, ...]
    attitudes: tuple[Change[Attitude], ...]
    influences: tuple[Change[Influence], ...]
    roles: tuple[Change[tuple[BuyingRole, ...]], ...]
    coverage: tuple[Change[CoverageStrength], ...]  # key (stakeholder, member); before None: gained; after None: lost
    lines_added: tuple[Line, ...]
    lines_removed: tuple[Line, ...]


def _changed(before: Mapping[Any, T], after: Mapping[Any, T], keys: Any) -> tuple[Change[T], ...]:
    return tuple(Change(k, before.get(k), after.get(k)) for k in sorted(keys) if before.get(k) != after.get(k))


def _lines(state: MapState) -> set[Line]:
    reporting = {Line(EdgeKind.REPORTS_TO, person, manager) for person, manager in state.reports_to.items()}
    return reporting | {Line(EdgeKind.INFLUENCES, s, t, strength) for (s, t), strength in state.lines.items()}


def _line_order(line: Line) -> tuple[int, int, int, int]:
    kinds = list(EdgeKind)
    strength = -1 if line.strength is None else list(LinkStrength).index(line.strength)
    return kinds.index(line.kind), line.source_id, line.target_id, strength


def changes(before: MapState, after: MapState) -> MapChanges:
    """How `after` differs from `before`; people present on both maps are compared field by field."""
    then, now = set(before.attitudes), set(after.attitudes)
    both = then & now
    old_lines, new_lines = _lines(before), _lines(after)
    return MapChanges(
        joined=tuple(sorted(now - then)),
        left=tuple(sorted(then - now)),
        attitudes=_changed(before.attitudes, after.attitudes, both),
        influences=_changed(before.influences, after.influences, both),
        roles=_changed(before.roles, after.roles, both),
        coverage=_changed(before.coverage, after.coverage, set(before.coverage) | set(after.coverage)),
        lines_added=tuple(sorted(new_lines - old_lines, key=_line_order)),
        lines_removed=tuple(sorted(old_lines - new_lines, key=_line_order)),
    )

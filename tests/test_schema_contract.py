"""The schema is a product: its committed SDL is current and everything in it is described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schema.api import build_schema, sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
# Scalars the GraphQL spec defines; their descriptions come with graphql-core.
SPEC_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


@pytest.fixture(scope="module")
def introspected_types() -> list[dict[str, Any]]:
    types = build_schema().introspect()["__schema"]["types"]
    return [t for t in types if not t["name"].startswith("__") and t["name"] not in SPEC_SCALARS]


def test_committed_sdl_is_current() -> None:
    hint = "schema/schema.graphql is out of date: run `kam export-schema` and commit the result."
    assert SCHEMA_FILE.exists(), hint
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), hint


def test_every_type_is_described(introspected_types: list[dict[str, Any]]) -> None:
    missing = [f"{t['kind']} {t['name']}" for t in introspected_types if not (t["description"] or "").strip()]
    assert missing == [], f"types without a description: {missing}"


def test_every_field_and_input_field_is_described(introspected_types: list[dict[str, Any]]) -> None:
    missing = [
        f"{t['name']}.{f['name']}"
        for t in introspected_types
        for f in (t.get("fields") or []) + (t.get("inputFields") or [])
        if not (f["description"] or "").strip()
    ]
    assert missing == [], f"fields without a description: {missing}"


def test_every_argument_is_described(introspected_types: list[dict[str, Any]]) -> None:
    """A mutation's single `input` is described by its input type; every other argument says what it does."""
    missing = [
        f"{t['name']}.{f['name']}({a['name']})"
        for t in introspected_types
        for f in t.get("fields") or []
        for a in f["args"]
        if a["name"] != "input" and not (a["description"] or "").strip()
    ]
    assert missing == [], f"arguments without a description: {missing}"


def test_the_checks_cover_enums_inputs_and_relay_types(introspected_types: list[dict[str, Any]]) -> None:
    kinds = {t["kind"] for t in introspected_types}
    names = {t["name"] for t in introspected_types}
    assert {"OBJECT", "INPUT_OBJECT", "ENUM", "INTERFACE", "SCALAR"} <= kinds
    assert {"Node", "PageInfo", "Query", "Mutation"} <= names

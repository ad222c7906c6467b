"""The compiled read path: a query's plan, made once per document, run as one statement per level.

A plan mirrors the selection of a query: per object type the fields asked
for, each knowing the columns it needs and how it turns a row into its value.
Running it selects only those columns, as tuples, one statement per field and
level (however many rows), and builds the answer in one pass, without the
per-field work of the general executor and without ORM objects. The SQL is the
resolvers': the same list conditions, keyset pages and access checks.

kam/compiled.py decides which documents have a plan; anything outside what
plans cover runs through the general executor unchanged.
"""

from resolvers.compiled.objects import (
    ChildRows,
    Computed,
    Constant,
    FieldPlan,
    GlobalId,
    MoneyField,
    ObjectPlan,
    Run,
    Scalar,
    ToOne,
    ValueList,
)

__all__ = [
    "ChildRows",
    "Computed",
    "Constant",
    "FieldPlan",
    "GlobalId",
    "MoneyField",
    "ObjectPlan",
    "Run",
    "Scalar",
    "ToOne",
    "ValueList",
]

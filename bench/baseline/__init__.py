"""The baseline the GraphQL server is measured against: the same answers, written by hand.

A plain Starlette app with one endpoint per benchmark query. Each endpoint
takes the very request body the GraphQL server gets (`variables`, and for the
write mix `operationName`), runs the statements kam's resolvers run, batched
the same way (one statement per level of nesting, keyset pages, a window per
parent for nested pages), with the same driver (asyncpg on PostgreSQL,
aiosqlite on SQLite) from a connection pool, and answers exactly the `data`
GraphQL answers. It is the honest best version of that service: rows are read
as tuples, only the columns the answer needs are selected, lists of IDs go
to PostgreSQL as one array parameter, reads run without a transaction, and
the JSON is built in one pass and encoded with orjson.

It authenticates the bearer token with the same lookup kam makes (and records
its use at most once a minute, as kam does). It serves an ADMIN, for whom kam's
authorisation adds no SQL; other roles are refused.

This package imports nothing of kam: a worker of the baseline server holds only
what a hand-written service would. tests/test_bench_baseline.py proves its
answers and writes equal kam's.
"""

from bench.baseline.app import create_app

__all__ = ["create_app"]

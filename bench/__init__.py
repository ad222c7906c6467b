"""The benchmark suite: kam's GraphQL server against a hand-written baseline, under load from wrk.

Run it with `python -m bench run` (see bench/README.md). This package imports
nothing heavy at import time: uvicorn imports `bench.baseline` in every worker
of the baseline server, which must stay as lean as a hand-written service.
"""

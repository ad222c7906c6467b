"""`python -m bench`: run the benchmark, watch a worker's memory under long load, profile a query, or measure
what parsing and validating the worst documents the limits allow costs."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import inprocess, load, report, stores, workload
from bench.servers import MemorySampler, Server

DEFAULT_WORKERS = sorted({1, os.cpu_count() or 1})
TOO_FEW = 50  # requests a measured run should answer at least for its figures to mean something


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _ints(text: str) -> list[int]:
    return [int(part) for part in _list(text)]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench " + shlex.join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "cpu": _cpu(), "python": platform.python_version()},
        "load": {
            "generator": "wrk",
            "connections": args.concurrency,
            "threads": args.threads,
            "duration": args.duration,
            "warmup": args.warmup,
            "repeat": getattr(args, "repeat", 1),
        },
        "data": {},
    }


def _accounts(args: argparse.Namespace) -> int | None:
    """The portfolio size to ask `kam demo` for; None: the demo's own portfolio."""
    if args.accounts is None:
        return None
    if not stores.demo_supports_accounts():
        sys.exit("This kam's `kam demo` has no --accounts option yet; leave --accounts out to use the demo portfolio.")
    return int(args.accounts)


def _pg_settings(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            sys.exit(f"--pg-setting takes KEY=VALUE, not {pair!r}")
        out[key.strip()] = value.strip()
    return out


def _server_settings(args: argparse.Namespace) -> dict[str, str]:
    """kam stops a request after KAM_REQUEST_TIMEOUT (10 s): under the bench it waits as long as wrk does,
    so a slow answer counts as slow rather than as a cheap TIMEOUT error. A value in the environment wins."""
    return {} if "KAM_REQUEST_TIMEOUT" in os.environ else {"KAM_REQUEST_TIMEOUT": f"{args.timeout:g}"}


def _load(args: argparse.Namespace, duration: float, connections: int | None = None) -> load.Load:
    return load.Load(
        connections=connections or args.concurrency, duration=duration, threads=args.threads, timeout=args.timeout
    )


def _plan(args: argparse.Namespace, queries: list[str]) -> list[tuple[str, str, int]]:
    """(row name, query, connections) of each measured row: every query at `--concurrency`, then those of
    `--single` again at one connection, as rows named QUERY@1 (a report read by one client at a time)."""
    single = [q for q in _list(getattr(args, "single", "") or "") if q in queries]
    rows = [(q, q, args.concurrency) for q in queries]
    if args.concurrency != 1:
        rows += [(f"{q}@1", q, 1) for q in single]
    return rows


# run


def command_run(args: argparse.Namespace) -> None:
    queries = _list(args.queries)
    unknown = [q for q in queries if q not in workload.QUERIES]
    if unknown:
        sys.exit(f"Unknown queries {unknown}; choose from {', '.join(workload.QUERIES)}")
    if args.repeat < 1:
        sys.exit("--repeat takes a number of runs, 1 or more.")
    # Reads first: the write mix changes the data the reads would see.
    queries.sort(key=lambda q: workload.QUERIES[q].writes)
    load.ensure_wrk()
    accounts = _accounts(args)
    result: dict[str, Any] = {"meta": {**_meta(args), "bodies": args.bodies}, "runs": [], "problems": []}
    scratch = Path(tempfile.mkdtemp(prefix="kam-bench-run-"))
    for store in _list(args.stores):
        with stores.prepared(store, accounts, _pg_settings(args.pg_setting), args.seed) as prep:
            result["meta"]["data"][store] = {"generator": prep.generator, "counts": prep.counts}
            rng = random.Random(args.seed)
            portfolio = asyncio.run(workload.read_portfolio(prep.store.pristine, rng))
            bodies = {q: workload.bodies(q, portfolio, rng, args.bodies) for q in queries}
            checks = _checks(prep, queries, bodies, args.check, result["problems"])
            for workers in _ints(args.workers):
                _run_config(args, prep, store, workers, queries, bodies, checks, scratch, result)
    # The servers' logs are kept only when something went wrong (an exception leaves them for reading).
    shutil.rmtree(scratch, ignore_errors=True)
    text = report.markdown(result)
    print("\n" + text)
    paths = report.save(result, "bench", text, Path(args.out))
    print(f"Wrote {paths[0]} and {paths[1]}")


def _checks(
    prep: stores.Prepared, queries: list[str], bodies: dict[str, list[dict[str, Any]]], count: int, problems: list[str]
) -> dict[str, inprocess.Check]:
    """Statements per request, and the baseline's answers compared with GraphQL's, on a scratch copy."""
    url = prep.store.copy(prep.store.pristine)
    try:
        asyncio.run(stores.refresh_token_use(url))
        checks = {}
        known = len(problems)
        for q in queries:
            writes = workload.QUERIES[q].writes
            sample = bodies[q][: count * 3 if writes else count]
            checks[q] = asyncio.run(inprocess.check(url, prep.token, q, sample, writes=writes))
            found = checks[q]
            print(
                f"  {q}: SQL statements per request: GraphQL {report.statements(found.graphql)}, "
                f"baseline {report.statements(found.baseline)}; answered uncompiled: {found.uncompiled} "
                f"of {len(found.graphql)}",
                flush=True,
            )
            if found.mismatches:
                problems.append(
                    f"{prep.store.name} {q}: the baseline's answer differs from GraphQL's for {found.mismatches[:3]}"
                )
            if found.errors:
                problems.append(f"{prep.store.name} {q}: requests answered with errors: {found.errors[:2]}")
        for problem in problems[known:]:
            print(f"  PROBLEM: {problem}", flush=True)
        return checks
    finally:
        prep.store.drop(url)


def _median_run(runs: list[tuple[load.Outcome, int]]) -> tuple[load.Outcome, int]:
    """The run with the median requests/s (of an even number, the slower middle one): its latencies
    come from the same run as its rate."""
    ordered = sorted(runs, key=lambda run: run[0].rate)
    return ordered[(len(ordered) - 1) // 2]


def _run_config(
    args: argparse.Namespace,
    prep: stores.Prepared,
    store: str,
    workers: int,
    queries: list[str],
    bodies: dict[str, list[dict[str, Any]]],
    checks: dict[str, inprocess.Check],
    scratch: Path,
    result: dict[str, Any],
) -> None:
    """Both servers on a fresh copy of the portfolio; for each query, `--repeat` runs of each, taking turns."""
    url = prep.store.copy(prep.store.pristine)
    try:
        with ExitStack() as stack:
            servers = [
                stack.enter_context(
                    Server(
                        kind, workers, url, scratch / f"{store}-{workers}-{kind}.log", _server_settings(args)
                    ).start()
                )
                for kind in ("graphql", "baseline")
            ]
            for server in servers:
                server.wait_ready()
            for row, q, connections in _plan(args, queries):
                path = load.write_bodies(scratch / f"{store}-{q}.jsonl", bodies[q])
                measured: dict[str, list[tuple[load.Outcome, int]]] = {server.kind: [] for server in servers}
                # The servers take turns, so a slow spell of the machine falls on both.
                for turn in range(args.repeat):
                    for server in servers:
                        target = server.endpoint(q)
                        if turn == 0 and args.warmup > 0:
                            load.run(target, path, prep.token, _load(args, args.warmup, connections))
                            server.wait_idle()
                        with MemorySampler(server, args.sample_interval) as memory:
                            outcome = load.run(target, path, prep.token, _load(args, args.duration, connections))
                        server.wait_idle()
                        measured[server.kind].append((outcome, memory.peak_kib))
                        print(
                            f"  {store} {workers}w {row:18} {server.kind:8} {outcome.rate:9.1f} req/s  "
                            f"p50 {outcome.latency_ms['p50']:7.1f}  p99 {outcome.latency_ms['p99']:7.1f} ms  "
                            f"failed {outcome.unanswered}",
                            flush=True,
                        )
                for server in servers:
                    check = checks.get(q)
                    counts = (check.graphql if server.kind == "graphql" else check.baseline) if check else []
                    runs = measured[server.kind]
                    outcome, _ = _median_run(runs)
                    run = {
                        "store": store,
                        "workers": workers,
                        "query": row,
                        "connections": connections,
                        "server": server.kind,
                        **outcome.as_json(),
                        "failed": sum(o.unanswered for o, _ in runs),
                        "requests_per_second_each": [round(o.rate, 2) for o, _ in runs],
                        "statements": counts,
                        "uncompiled": (f"{check.uncompiled}/{len(check.graphql)}" if check and server.kind == "graphql" else ""),
                        "peak_rss_kib": max(peak for _, peak in runs),
                        "worker_hwm_kib": server.peak_kib(),
                        "answers_match": not (check and check.mismatches),
                    }
                    result["runs"].append(run)
                    if outcome.requests < TOO_FEW:
                        result["problems"].append(
                            f"{store}, {workers} worker(s), {row}, {server.kind}: only {outcome.requests} requests "
                            f"answered in {outcome.seconds:.0f} s, too few for a stable figure; raise --duration "
                            "(and --timeout when requests take longer than it)."
                        )
    finally:
        prep.store.drop(url)


# memory


def command_memory(args: argparse.Namespace) -> None:
    if args.query not in workload.QUERIES:
        sys.exit(f"Unknown query {args.query!r}; choose from {', '.join(workload.QUERIES)}")
    load.ensure_wrk()
    accounts = _accounts(args)
    meta = {
        **_meta(args),
        "store": args.store,
        "query": args.query,
        "server": args.server,
        "workers": args.workers,
        "interval": args.interval,
    }
    scratch = Path(tempfile.mkdtemp(prefix="kam-bench-memory-"))
    with stores.prepared(args.store, accounts, _pg_settings(args.pg_setting), args.seed) as prep:
        meta["data"] = {"generator": prep.generator, "counts": prep.counts}
        rng = random.Random(args.seed)
        portfolio = asyncio.run(workload.read_portfolio(prep.store.pristine, rng))
        path = load.write_bodies(scratch / "bodies.jsonl", workload.bodies(args.query, portfolio, rng, args.bodies))
        url = prep.store.copy(prep.store.pristine)
        try:
            with Server(
                args.server, args.workers, url, scratch / "server.log", _server_settings(args)
            ).start() as server:
                server.wait_ready()
                target = server.endpoint(args.query)
                if args.warmup > 0:
                    load.run(target, path, prep.token, _load(args, args.warmup))
                    server.wait_idle()
                outcome: list[load.Outcome] = []
                driver = threading.Thread(
                    target=lambda: outcome.append(load.run(target, path, prep.token, _load(args, args.duration)))
                )
                with MemorySampler(server, args.interval) as memory:
                    driver.start()
                    while driver.is_alive():
                        time.sleep(1)
                    driver.join()
        finally:
            prep.store.drop(url)
    shutil.rmtree(scratch, ignore_errors=True)
    if not outcome:
        sys.exit("The load run failed; see the output above.")
    workers: dict[str, dict[str, int]] = {}
    fifth = args.duration / 5
    for pid, entry in memory.per_worker().items():
        later = [s[pid] for t, s in memory.samples if t >= fifth and s.get(pid)]
        workers[str(pid)] = {**entry, "after_fifth_kib": later[0] if later else entry["start_kib"]}
    result = {
        "meta": meta,
        "load": outcome[0].as_json(),
        "workers": workers,
        "samples": [(round(t, 1), {str(p): k for p, k in s.items()}) for t, s in memory.samples],
    }
    text = report.memory_markdown(result)
    print("\n" + text)
    paths = report.save(result, "memory", text, Path(args.out))
    print(f"Wrote {paths[0]} and {paths[1]}")


# profile


def command_profile(args: argparse.Namespace) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("Profiling needs pyinstrument: pip install -e '.[bench]'")
    if args.query not in workload.QUERIES:
        sys.exit(f"Unknown query {args.query!r}; choose from {', '.join(workload.QUERIES)}")
    accounts = _accounts(args)
    with stores.prepared(args.store, accounts, _pg_settings(args.pg_setting), args.seed) as prep:
        rng = random.Random(args.seed)
        portfolio = asyncio.run(workload.read_portfolio(prep.store.pristine, rng))
        bodies = workload.bodies(args.query, portfolio, rng, args.requests + 5)
        url = prep.store.copy(prep.store.pristine)
        try:
            profiler = asyncio.run(_profile(url, prep.token, args, bodies, Profiler))
        finally:
            prep.store.drop(url)
    print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    side = "baseline" if args.baseline else "graphql"
    html = out / f"profile-{args.query}-{args.store}-{side}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.html"
    html.write_text(profiler.output_html(), encoding="utf-8")
    print(f"Wrote {html}")


async def _profile(
    url: str, token: str, args: argparse.Namespace, bodies: list[dict[str, Any]], profiler_class: Any
) -> Any:
    await stores.refresh_token_use(url)
    async with inprocess.clients(url, token) as (product, base):
        side = base.endpoint(args.query) if args.baseline else product
        for body in bodies[:5]:
            await side.post(body)
        profiler = profiler_class(async_mode="enabled", interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for body in bodies[5:]:
                await side.post(body)
        elapsed = time.perf_counter() - started
        print(
            f"{args.requests} requests in {elapsed:.2f} s: {args.requests / elapsed:.1f} requests/s in-process, one at a time"
        )
    return profiler


# validation


def command_validation(args: argparse.Namespace) -> None:
    from bench import validation  # imports kam's schema, which the other commands leave to the servers

    print(validation.run(args.repeat, args.seed, args.stream))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--accounts",
            type=int,
            default=None,
            help="Portfolio size (`kam demo --accounts N`); default: the demo's six accounts.",
        )
        p.add_argument("--seed", type=int, default=1, help="Seed of the request bodies.")
        p.add_argument("--bodies", type=int, default=1000, help="Request bodies prepared per query.")
        p.add_argument(
            "--pg-setting",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A PostgreSQL server setting (repeatable).",
        )
        p.add_argument("--out", default=str(report.RESULTS), help="Where to write results (default bench/results).")

    def loaded(p: argparse.ArgumentParser, duration: float) -> None:
        p.add_argument("--duration", type=float, default=duration, help="Seconds of load per run.")
        p.add_argument("--warmup", type=float, default=3.0, help="Seconds of load before each measured run.")
        p.add_argument("--concurrency", type=int, default=16, help="Connections wrk keeps busy.")
        p.add_argument("--threads", type=int, default=1, help="wrk threads.")
        p.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds after which wrk counts a request as timed out."
        )

    run = sub.add_parser("run", help="Benchmark every query on GraphQL and on the baseline.")
    common(run)
    loaded(run, 10.0)
    run.add_argument("--stores", default=",".join(stores.STORES), help="Comma-separated: sqlite, postgresql.")
    run.add_argument("--workers", default=",".join(map(str, DEFAULT_WORKERS)), help="Comma-separated worker counts.")
    run.add_argument("--queries", default=",".join(workload.QUERIES), help="Comma-separated queries.")
    run.add_argument(
        "--single",
        default=",".join(workload.SINGLE),
        help="Comma-separated queries (of --queries) measured again at one connection, as rows QUERY@1 "
        f"(default: {','.join(workload.SINGLE)}; empty for none).",
    )
    run.add_argument(
        "--check", type=int, default=10, help="Requests per query run in-process to count SQL and compare answers."
    )
    run.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Measured runs per query and server, the two servers taking turns; a table row is the run with "
        "the median requests/s.",
    )
    run.add_argument("--sample-interval", type=float, default=0.5, help="Seconds between memory samples.")
    run.set_defaults(handler=command_run)

    memory = sub.add_parser("memory", help="Sample a worker's memory over a long load run.")
    common(memory)
    loaded(memory, 300.0)
    memory.add_argument("--store", default="postgresql", choices=stores.STORES)
    memory.add_argument("--query", default="account_page", help="The query to load the server with.")
    memory.add_argument("--server", default="graphql", choices=("graphql", "baseline"))
    memory.add_argument("--workers", type=int, default=1)
    memory.add_argument("--interval", type=float, default=5.0, help="Seconds between memory samples.")
    memory.set_defaults(handler=command_memory)

    profile = sub.add_parser("profile", help="Profile one query in-process with pyinstrument.")
    common(profile)
    profile.add_argument("--store", default="sqlite", choices=stores.STORES)
    profile.add_argument("--query", default="account_page")
    profile.add_argument("--requests", type=int, default=50, help="Requests profiled (after 5 unprofiled ones).")
    profile.add_argument("--baseline", action="store_true", help="Profile the baseline instead of kam.")
    profile.add_argument(
        "--show-all", action="store_true", help="Show library frames too (strawberry, graphql-core, ...)."
    )
    profile.set_defaults(handler=command_profile)

    checks = sub.add_parser(
        "validation", help="CPU time of parsing and validating the worst documents the limits allow, and refused ones."
    )
    checks.add_argument("--repeat", type=int, default=21, help="Times each document is sent (the median is shown).")
    checks.add_argument("--seed", type=int, default=1, help="Seed of the whitespace that keeps the caches cold.")
    checks.add_argument(
        "--stream",
        type=int,
        default=0,
        metavar="N",
        help="Also send N distinct copies of the slowest allowed and of a refused document in a row, and report "
        "the CPU per request with the garbage collector's share (0: not).",
    )
    checks.set_defaults(handler=command_validation)
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    # Stopped from outside, still stop the servers and the PostgreSQL this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.handler(args)

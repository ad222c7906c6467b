"""The results as markdown tables (printed, and written next to the JSON in bench/results/)."""

from __future__ import annotations

import json
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.workload import QUERIES

RESULTS = Path(__file__).resolve().parent / "results"


def statements(counts: list[int]) -> str:
    """SQL statements per request: one number, or the range and mean when requests differ."""
    if not counts:
        return "-"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high} ({statistics.mean(counts):.1f})"


def mib(kib: int, decimals: int = 0) -> str:
    return f"{kib / 1024:.{decimals}f}" if kib else "-"


def ratio(run: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    """GraphQL requests/s over the baseline's, in the same store, worker count and query."""
    if run["server"] != "graphql":
        return ""
    other = next(
        (
            r
            for r in runs
            if r["server"] == "baseline"
            and (r["store"], r["workers"], r["query"]) == (run["store"], run["workers"], run["query"])
        ),
        None,
    )
    if other is None or not other["requests_per_second"]:
        return "-"
    if not run.get("answers_match", True):
        return "n/a: answers differ"
    return f"{run['requests_per_second'] / other['requests_per_second']:.2f}"


def markdown(result: dict[str, Any]) -> str:
    meta, runs = result["meta"], result["runs"]
    out = [f"# kam benchmark, {meta['started']}", ""]
    out.append(f"Command: `{meta['command']}`")
    out.append("")
    out.append(
        f"Machine: {meta['machine']['cpus']} CPUs ({meta['machine']['cpu']}), Python {meta['machine']['python']}. "
        f"Load: wrk from a second process on 127.0.0.1, {meta['load']['connections']} connections, "
        f"{meta['load']['threads']} thread(s), {meta['load']['duration']:g} s per run after a "
        f"{meta['load']['warmup']:g} s warm-up; {meta['bodies']} request bodies per query, one drawn at random per request."
    )
    repeat = meta["load"].get("repeat", 1)
    if repeat > 1:
        out.append("")
        out.append(
            f"Each query ran {repeat} times on each server, the two servers taking turns; a row shows the run with "
            "the median requests/s (its latencies with it), the failed requests of all runs, the highest memory "
            "of all runs, and the requests/s of each run."
        )
    out.append("")
    for store, data in meta["data"].items():
        counts = ", ".join(f"{v:,} {k}" for k, v in data["counts"].items())
        out.append(f"- {store}: `{data['generator']}`: {counts}")
    out.append("")
    out.append(
        "Columns: requests/s; latency percentiles in ms; SQL statements one request sends (counted in-process, "
        "data statements only); uncompiled: of the in-process requests of a read, those the executor answered "
        "because no plan covers the query (kam/compiled/fallbacks.py); peak resident memory of the busiest worker during the run (MiB); failed "
        "requests (non-200, GraphQL `errors`, timeouts, socket errors); GraphQL/baseline requests/s."
    )
    summary_keys = list(dict.fromkeys((r["store"], r["workers"]) for r in runs))
    out += ["", "## GraphQL/baseline requests/s", ""]
    out.append("| query | " + " | ".join(f"{s}, {w} worker{'s' * (w > 1)}" for s, w in summary_keys) + " |")
    out.append("|---|" + "---:|" * len(summary_keys))
    for query in dict.fromkeys(r["query"] for r in runs):
        cells = []
        for store, workers in summary_keys:
            run = next(
                (
                    r
                    for r in runs
                    if (r["query"], r["store"], r["workers"], r["server"]) == (query, store, workers, "graphql")
                ),
                None,
            )
            cells.append(ratio(run, runs) if run else "")
        out.append(f"| {query} | " + " | ".join(cells) + " |")
    for query in dict.fromkeys(r["query"] for r in runs):
        base, _, single = query.partition("@")
        title = QUERIES[base].title if base in QUERIES else query
        if single:
            title += f", at {single} connection{'s' * (single != '1')}"
        out += ["", f"## {query}: {title}", ""]
        out.append(
            "| store | workers | server | req/s | p50 ms | p95 ms | p99 ms | SQL/req | uncompiled | peak MiB | failed "
            "| GraphQL/baseline | req/s of each run |"
        )
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for run in (r for r in runs if r["query"] == query):
            lat = run["latency_ms"]
            out.append(
                f"| {run['store']} | {run['workers']} | {run['server']} | {run['requests_per_second']:,.1f} | "
                f"{lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} | {statements(run['statements'])} | "
                f"{run.get('uncompiled', '')} | {mib(run['peak_rss_kib'])} | {run['failed']} | {ratio(run, runs)} | "
                + ", ".join(f"{rate:,.0f}" for rate in run.get("requests_per_second_each", ()))
                + " |"
            )
    problems = [p for p in result.get("problems", [])]
    if problems:
        out += ["", "## Problems", ""] + [f"- {p}" for p in problems]
    return "\n".join(out) + "\n"


def memory_markdown(result: dict[str, Any]) -> str:
    meta = result["meta"]
    out = [f"# kam worker memory under load, {meta['started']}", "", f"Command: `{meta['command']}`", ""]
    out.append(
        f"{meta['server']} server, {meta['workers']} worker(s), {meta['store']} ({meta['data']['generator']}), "
        f"query `{meta['query']}`, {meta['load']['connections']} connections for {meta['load']['duration']:g} s; "
        f"resident memory sampled every {meta['interval']:g} s. {result['load']['requests']:,} requests, "
        f"{result['load']['requests_per_second']:,.1f}/s, {result['load']['failed']} failed."
    )
    out += [
        "",
        "| worker | start MiB | after 20% MiB | end MiB | peak MiB | growth over the last 80% |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for pid, w in result["workers"].items():
        out.append(
            f"| {pid} | {mib(w['start_kib'], 1)} | {mib(w['after_fifth_kib'], 1)} | {mib(w['end_kib'], 1)} | "
            f"{mib(w['peak_kib'], 1)} | {(w['end_kib'] - w['after_fifth_kib']) / 1024:+.1f} MiB |"
        )
    out += [
        "",
        "| seconds | " + " | ".join(str(p) for p in result["workers"]) + " |",
        "|---:|" + "---:|" * len(result["workers"]),
    ]
    for seconds, sample in result["samples"]:
        out.append(f"| {seconds:.0f} | " + " | ".join(mib(sample.get(pid, 0), 1) for pid in result["workers"]) + " |")
    return "\n".join(out) + "\n"


def save(result: dict[str, Any], prefix: str, text: str, directory: Path = RESULTS) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    data_path = directory / f"{prefix}-{stamp}.json"
    text_path = directory / f"{prefix}-{stamp}.md"
    data_path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    return data_path, text_path

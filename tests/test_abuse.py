"""Abuse under a bound: while eight clients send the most expensive requests the limits allow, a simple query and
the health checks still answer, correctly and within a second, on the workers the README recommends for production.

A real `kam serve --workers N --no-access-log` serves, on each store, the demo portfolio (`kam demo`) and a
synthetic portfolio of 100 accounts beside it (`kam demo --accounts 100`), so that the largest page is a full one.
For each kind of abuse, eight clients (threads of a process of their own, so that their work does not delay
the probe's clock) send for `SECONDS` seconds, one request after another, each on a new connection (so any
worker may take it) and each a new document (random whitespace, commas and comments between its tokens, so that
no document cache helps), at the largest size the limits allow:

- `introspection`: the full introspection GraphiQL sends (graphql-core's `get_introspection_query()`), repeated
  under as many aliases as the limits allow, `__type` introspections of the largest types filling what is left
  (each worker keeps introspection answers per root field, kam/introspection.py: the new texts still cost their
  parse, validation, limits and a 200 KB answer each);
- `fields`: one document of as many repeated fields as the limits allow, a validation workout;
- `nested`: the most expensive nested read of accounts: pages of the largest size, everything below an account;
- `nodes`: `nodes(ids:)` with the largest list of stakeholder IDs, under as many aliases as the limits allow.

"As large as the limits allow" is found, not assumed: before a kind runs, its document is sent at the sizes of
the review that found the problem (30 aliases, big pages) and shrunk by what each refusal reports (`maximum`
against `requested`) until it is answered without an error. Meanwhile a probe sends, every 100 ms,
`{ accounts(first: 1) { totalCount } }` with the demo ADMIN's token, `GET /livez` and `GET /readyz`, each on a new
connection (as an orchestrator's probe does), and records how long each took.

The test asserts that every probe request was answered correctly within `PROBE_LIMIT` (one second), and that
every abusive request got an answer or a coded refusal, never a 5xx nor a dropped connection. The probe's
median, p99 and maximum per kind are printed at the end of the module (and with `-s` as each kind ends).

`KAM_ABUSE_WORKERS=1` runs it with one worker instead, `KAM_ABUSE_SECONDS` changes how long each kind runs.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest
from graphql import get_introspection_query

from bench.servers import children
from tests.conftest import write_to_test_log

if TYPE_CHECKING:
    from tests.stores import Store

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8  # abusive clients, as in the review
SECONDS = float(os.environ.get("KAM_ABUSE_SECONDS", "8"))  # each kind of abuse runs this long
PROBE_EVERY = 0.1  # seconds between probe requests
PROBE_LIMIT = 1.0  # seconds a probe request may take
PROBE_TIMEOUT = 5.0  # past the limit, a probe still waits this long, to measure by how much it was late
REQUEST_TIMEOUT = 10.0  # the server's KAM_REQUEST_TIMEOUT (its default; the environment's is not passed on)
ABUSE_TIMEOUT = REQUEST_TIMEOUT + 5  # an abusive request without an answer by then: the time limit did not hold
SYNTHETIC_ACCOUNTS = 100  # one full page of the largest size beside the demo's six
PROBE_QUERY = "{ accounts(first: 1) { totalCount } }"
LIMIT_CODES = {
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_FIELDS",
    "TOO_MANY_INTROSPECTIONS",
    "TOO_MANY_TOKENS",
    "QUERY_TOO_COSTLY",
    "REQUEST_TOO_LARGE",
}


def recommended_workers() -> int:
    """The README's production advice: one worker per core. Capped at half the abusive clients, so the clients
    always outnumber the workers: more workers than that would only make the test easier to pass."""
    return max(1, min(len(os.sched_getaffinity(0)), CLIENTS // 2))


WORKERS = int(os.environ.get("KAM_ABUSE_WORKERS", "0")) or recommended_workers()


# The abusive documents ---------------------------------------------------------------------------------------


def jumble(document: str, rnd: random.Random) -> str:
    """The document with random ignored characters where it has a space: no two are the same text, so neither
    the parse nor the validation cache nor a direct read ever finds one again."""

    def separator(_: re.Match[str]) -> str:
        return rnd.choice((" ", "  ", "\n", "\t", " , ", f"\n# {rnd.getrandbits(32):08x}\n"))

    return re.sub(" ", separator, document)


INTROSPECTION = get_introspection_query(descriptions=True)
_FRAGMENTS_AT = INTROSPECTION.index("fragment FullType")
# `{ queryType { name } ... directives { ... } }`: what the introspection selects of `__schema`.
SCHEMA_SELECTION = INTROSPECTION[
    INTROSPECTION.index("{", INTROSPECTION.index("__schema")) : INTROSPECTION.rindex("}", 0, _FRAGMENTS_AT)
].strip()
INTROSPECTION_FRAGMENTS = INTROSPECTION[_FRAGMENTS_AT:]
LARGEST_TYPES = ("Mutation", "Query", "Account", "Stakeholder", "Need", "ActionPlan", "Action", "TeamMember")


@dataclass
class World:
    """What the documents refer to: found in the served database before the abuse starts."""

    stakeholder_ids: list[str] = field(default_factory=list)
    max_page_size: int = 100


def introspection(p: dict[str, int], rnd: random.Random, _: World) -> str:
    whole = [f"s{i}: __schema {SCHEMA_SELECTION}" for i in range(p["schemas"])]
    types = [f't{i}: __type(name: "{LARGEST_TYPES[i % len(LARGEST_TYPES)]}") {{ ...FullType }}' for i in range(p["types"])]
    return jumble("query IntrospectionQuery { " + " ".join(whole + types) + " }", rnd) + "\n" + INTROSPECTION_FRAGMENTS


def repeated_fields(p: dict[str, int], rnd: random.Random, _: World) -> str:
    """The same nested selection again and again (5 fields each): a workout for parsing and for the validation
    that fields of one name can be merged, which compares them."""
    return jumble("{ " + " ".join(["accounts { nodes { stakeholders { nodes { name } } } }"] * p["repeats"]) + " }", rnd)


NESTED_ACCOUNT = """fragment A on Account {
  id name industry region website grade valueTier isKeyAccount relationshipStage lifecycleStage quadrant archivedAt
  createdAt updatedAt version currentAnnualValue { amount currency } estimatedWallet { amount currency }
  owner { id name email role } team { teamRole member { id name } }
  stakeholders(first: %(inner)d) { totalCount nodes {
    id name title department email phone buyingRoles attitude influence decisionLevel buyingMotive
    manager { id name } coverage { strength member { id name } } needs { id title description category priority status }
  } }
  needs(first: %(inner)d) { nodes { id title description painPoints category visibility priority status peakQuarters } }
  growthHistory(first: %(inner)d) { nodes { assessedOn quadrant note currentValue { amount } potential { amount } } }
  plans(first: %(inner)d) { nodes {
    id title description status objectives { id description metric target }
    actions(first: %(inner)d) { nodes { id title dueOn status owner { name } } }
  } }
}"""


def nested_accounts(p: dict[str, int], rnd: random.Random, world: World) -> str:
    pages = [
        f"a{i}: accounts(first: {world.max_page_size}, orderBy: {{field: NAME, direction: {rnd.choice(('ASC', 'DESC'))}}})"
        " { totalCount nodes { ...A } }"
        for i in range(p["aliases"])
    ]
    return jumble("{ " + " ".join(pages) + " }", rnd) + "\n" + NESTED_ACCOUNT % {"inner": p["inner"]}


def nodes_by_id(p: dict[str, int], rnd: random.Random, world: World) -> str:
    def ids() -> str:
        return ", ".join(f'"{rnd.choice(world.stakeholder_ids)}"' for _ in range(p["ids"]))

    lists = [
        f"n{i}: nodes(ids: [{ids()}]) {{ id ... on Stakeholder {{ name title account {{ name }} manager {{ name }}"
        " needs { title description } coverage { strength member { name } } } }"
        for i in range(p["aliases"])
    ]
    return jumble("{ " + " ".join(lists) + " }", rnd)


@dataclass(frozen=True)
class Abuse:
    """A kind of abusive document, built from integer sizes that start at what the review sent and shrink by what
    each refusal reports: `shrink[code]` are the sizes to shrink for it (the first one still above its least),
    each with the power of `maximum/requested` to shrink by (a size that counts squared in the cost shrinks by the
    root); a refusal that reports no `requested` shrinks it by a quarter."""

    build: Callable[[dict[str, int], random.Random, World], str]
    start: dict[str, int]
    shrink: dict[str, tuple[tuple[str, float], ...]]
    least: dict[str, int] = field(default_factory=dict)  # the smallest of each size, 1 unless given


KINDS: dict[str, Abuse] = {
    "introspection": Abuse(
        introspection,
        {"schemas": 30, "types": 30},
        {
            "TOO_MANY_INTROSPECTIONS": (("schemas", 1.0),),
            "TOO_MANY_ALIASES": (("types", 1.0), ("schemas", 1.0)),
            "TOO_MANY_FIELDS": (("types", 1.0), ("schemas", 1.0)),
            "TOO_MANY_TOKENS": (("types", 1.0), ("schemas", 1.0)),
            "QUERY_TOO_COSTLY": (("types", 1.0), ("schemas", 1.0)),
            "REQUEST_TOO_LARGE": (("types", 1.0), ("schemas", 1.0)),
        },
        least={"types": 0},
    ),
    "fields": Abuse(
        repeated_fields,
        {"repeats": 500},
        {code: (("repeats", 1.0),) for code in LIMIT_CODES},
    ),
    "nested": Abuse(
        nested_accounts,
        {"aliases": 30, "inner": 100},
        {
            "TOO_MANY_ALIASES": (("aliases", 1.0),),
            "TOO_MANY_FIELDS": (("aliases", 1.0),),
            "TOO_MANY_TOKENS": (("aliases", 1.0),),
            "QUERY_TOO_COSTLY": (("inner", 0.5), ("aliases", 1.0)),
            "REQUEST_TOO_LARGE": (("aliases", 1.0),),
        },
    ),
    "nodes": Abuse(
        nodes_by_id,
        {"aliases": 30, "ids": 100},
        {
            "TOO_MANY_ALIASES": (("aliases", 1.0),),
            "TOO_MANY_FIELDS": (("aliases", 1.0),),
            "TOO_MANY_TOKENS": (("aliases", 1.0), ("ids", 1.0)),
            "QUERY_TOO_COSTLY": (("aliases", 1.0), ("ids", 1.0)),
            "REQUEST_TOO_LARGE": (("aliases", 1.0), ("ids", 1.0)),
            "BAD_USER_INPUT": (("ids", 1.0),),
        },
    ),
}


def refusals(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e.get("extensions") or {} for e in body.get("errors") or ()]


def smaller(abuse: Abuse, sizes: dict[str, int], refused: dict[str, Any]) -> dict[str, int] | None:
    """The sizes shrunk for one refusal; None when nothing is left to shrink."""
    for name, power in abuse.shrink.get(refused.get("code", ""), ()):
        value, least = sizes[name], abuse.least.get(name, 1)
        if value <= least:
            continue
        maximum, requested = refused.get("maximum"), refused.get("requested")
        ratio = maximum / requested if isinstance(maximum, (int, float)) and requested else 0.75
        if refused.get("code") == "TOO_MANY_INTROSPECTIONS" and isinstance(maximum, int):
            return {**sizes, name: max(least, maximum), "types": sizes.get("types", 0) + value - maximum}
        return {**sizes, name: max(least, min(value - 1, int(value * ratio**power)))}
    return None


@dataclass
class Calibrated:
    sizes: dict[str, int]
    alone: float  # seconds the server took to answer one such document with nothing else to do
    size: int  # bytes of that answer


def calibrate(http: httpx.Client, abuse: Abuse, world: World, rnd: random.Random) -> Calibrated:
    """The largest sizes of `abuse` the server answers without an error, found by shrinking what it refuses."""
    sizes = dict(abuse.start)
    for _ in range(40):
        started = time.perf_counter()
        response = http.post("/graphql", json={"query": abuse.build(sizes, rnd, world)})
        took = time.perf_counter() - started
        assert response.status_code < 500, response.text[:2000]
        body = response.json()
        if response.status_code == 200 and not body.get("errors"):
            return Calibrated(sizes, took, len(response.content))
        shrunk = None
        for refused in refusals(body) or [{"code": "REQUEST_TOO_LARGE"}]:
            shrunk = smaller(abuse, sizes, refused)
            if shrunk is not None:
                break
        assert shrunk is not None, f"refused at the smallest sizes {sizes}: {body}"
        sizes = shrunk
    raise AssertionError(f"no sizes of the document were answered; last tried {sizes}")


# The abusive clients: a process of their own -----------------------------------------------------------------


def abuse_process(base: str, token: str, kind: str, sizes: dict[str, int], world: World, seconds: float) -> dict[str, Any]:
    """CLIENTS threads sending `kind` documents for `seconds`; what they got, summed up. Runs in its own process."""
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    received = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    before = resource.getrusage(resource.RUSAGE_SELF)

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request: any worker may take it
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=ABUSE_TIMEOUT, limits=limits) as http:
            while time.monotonic() < deadline:
                document = KINDS[kind].build(sizes, rnd, world)
                started = time.perf_counter()
                try:
                    response = http.post("/graphql", json={"query": document})
                except httpx.ReadTimeout:
                    outcome, size = f"no answer within {ABUSE_TIMEOUT:g} s", 0
                except httpx.TransportError as exc:
                    outcome, size = f"transport error {type(exc).__name__}", 0
                else:
                    outcome, size = classify(response), len(response.content)
                took = time.perf_counter() - started
                with lock:
                    outcomes[outcome] += 1
                    latencies.append(took)
                    received[0] += size

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime - before.ru_utime - before.ru_stime
    return {"outcomes": dict(outcomes), "latencies": latencies, "bytes": received[0], "cpu": cpu}


def classify(response: httpx.Response) -> str:
    """`answered`, `refused CODE,...`, or what is wrong with the response."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}, not JSON"
    codes = sorted({str(e.get("code")) for e in refusals(body)})
    if not codes:
        return "answered" if response.status_code == 200 and body.get("data") is not None else f"HTTP {response.status_code}, no data"
    return "refused " + ",".join(codes)


def is_acceptable(outcome: str) -> bool:
    """An answer, or a refusal whose every error carries a code."""
    return outcome == "answered" or (outcome.startswith("refused ") and "None" not in outcome.split(" ", 1)[1].split(","))


# The probe ---------------------------------------------------------------------------------------------------


@dataclass
class Probe:
    """One kind of probe request, sent every PROBE_EVERY seconds on a new connection until told to stop."""

    name: str
    send: Callable[[httpx.Client], httpx.Response]
    correct: Callable[[httpx.Response], bool]
    latencies: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def run(self, base: str, stop: threading.Event) -> None:
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=base, timeout=PROBE_TIMEOUT, limits=limits) as http:
            next_at = time.monotonic()
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = self.send(http)
                except httpx.TransportError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                else:
                    try:
                        ok = self.correct(response)
                    except (ValueError, KeyError, TypeError):  # not the JSON it should be
                        ok = False
                    problem = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
                self.latencies.append(time.perf_counter() - started)
                if problem:
                    self.wrong.append(problem)
                next_at += PROBE_EVERY
                stop.wait(max(0.0, next_at - time.monotonic()))

    def figures(self) -> dict[str, float]:
        return figures(self.latencies)


def figures(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {"n": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"n": len(ordered), "p50": statistics.median(ordered), "p99": p99, "max": ordered[-1]}


def probes(token: str, total_count: int) -> list[Probe]:
    def query(http: httpx.Client) -> httpx.Response:
        return http.post("/graphql", json={"query": PROBE_QUERY}, headers={"Authorization": f"Bearer {token}"})

    def counted(response: httpx.Response) -> bool:
        return response.status_code == 200 and response.json()["data"] == {"accounts": {"totalCount": total_count}}

    return [
        Probe("query", query, counted),
        Probe("/livez", lambda http: http.get("/livez"), lambda r: r.status_code == 200 and r.json().get("status") == "ok"),
        Probe(
            "/readyz",
            lambda http: http.get("/readyz"),
            lambda r: r.status_code == 200 and r.json() == {"status": "ok", "database": "reachable"},
        ),
    ]


# The server --------------------------------------------------------------------------------------------------


@dataclass
class Served:
    base: str
    token: str
    world: World
    store: str
    workers: int
    total_count: int
    log: Path
    pid: int


def kam(*args: str, env: dict[str, str]) -> str:
    ran = subprocess.run(
        [sys.executable, "-m", "kam.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


def worker_count(pid: int) -> int:
    """Processes of a `kam serve --workers N` tree that serve requests (its own, with one worker)."""
    spawned = 0
    for child in children(pid):
        try:
            spawned += b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
    return spawned or 1


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) the server process and its workers have used."""
    ticks = 0
    for process in (pid, *children(pid)):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine spent busy since it booted (not idle, not waiting for I/O)."""
    times = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(times[:8]) - times[3] - times[4]) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 30.0) -> None:
    """Until the server uses no CPU: what a kind of abuse left running does not count against the next one."""
    deadline = time.monotonic() + timeout
    quiet, before = 0, cpu_seconds(pid)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pid)
        quiet, before = (quiet + 1 if now - before <= 0.02 else 0), now


@pytest.fixture(scope="module")
def served(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`kam serve --workers WORKERS --no-access-log` on the demo portfolio and 100 synthetic accounts."""
    from kam.pgserver import free_port
    from kam.settings import Settings

    url = store.empty()
    env = {**os.environ, "KAM_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("KAM_") or k == "KAM_DATABASE_URL"}  # the defaults
    demo = kam("demo", env=env)
    (token,) = [line.strip() for line in demo.splitlines() if line.strip().startswith("kam_")]
    kam("demo", "--accounts", str(SYNTHETIC_ACCOUNTS), "--seed", "7", env=env)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("abuse") / "serve.log"
    command = [sys.executable, "-m", "kam.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(WORKERS), "--no-access-log"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"kam serve exited:\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/livez", timeout=1).status_code == 200 and worker_count(server.pid) == WORKERS:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"kam serve did not come up:\n{log.read_text()}"
            time.sleep(0.2)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            found = http.post(
                "/graphql",
                json={"query": "{ accounts(first: 100) { totalCount nodes { stakeholders(first: 100) { nodes { id } } } } }"},
            ).json()
            assert "errors" not in found, found
            accounts = found["data"]["accounts"]
            world = World(
                stakeholder_ids=[s["id"] for a in accounts["nodes"] for s in a["stakeholders"]["nodes"]],
                max_page_size=Settings.model_fields["max_page_size"].default,
            )
            for _ in range(4 * WORKERS):  # every worker answers once before anything is measured
                assert http.post("/graphql", json={"query": PROBE_QUERY}).status_code == 200
        yield Served(base, token, world, store.name, WORKERS, accounts["totalCount"], log, server.pid)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        store.drop(url)


@pytest.fixture(scope="module")
def abusers() -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """The process the abusive clients run in, started (and its imports done) before anything is measured."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(figures, [0.0]).result(timeout=60)  # imports this module there
        yield pool


# The test and its report -------------------------------------------------------------------------------------

measured: list[dict[str, Any]] = []


def describe(row: dict[str, Any]) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:.0f}"

    probe = "; ".join(
        f"{name} p50 {ms(f['p50'])} p99 {ms(f['p99'])} max {ms(f['max'])} ms (n={f['n']})" for name, f in row["probes"].items()
    )
    abuse = row["abuse"]
    took = figures(abuse["latencies"])
    return (
        f"{row['store']}, {row['workers']} worker(s), {row['kind']} {row['sizes']}"
        f" (alone: {ms(row['alone'].alone)} ms, {row['alone'].size / 1e6:.2f} MB): {probe}"
        f"\n    abusive: {took['n']} requests, {abuse['bytes'] / 1e6:.1f} MB received,"
        f" each p50 {ms(took['p50'])} max {ms(took['max'])} ms; {abuse['outcomes']};"
        f"\n    CPU over the {SECONDS:g} s: server {row['server_cpu']:.1f} s, abusive clients {abuse['cpu']:.1f} s,"
        f" the whole machine {row['machine_cpu']:.1f} s of {SECONDS * len(os.sched_getaffinity(0)):g} s"
    )


@pytest.fixture(scope="module", autouse=True)
def report_probe_latencies(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: the probe's latencies under each kind of abuse, in the test log."""
    yield
    if measured:
        heading = f"\nprobe latencies under abuse ({CLIENTS} clients, {SECONDS:g} s each):"
        write_to_test_log(request, [heading, *("  " + describe(row) for row in measured)])
    measured.clear()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_simple_query_and_the_health_checks_answer_within_a_second_under_abuse(
    kind: str, served: Served, abusers: concurrent.futures.ProcessPoolExecutor
) -> None:
    wait_idle(served.pid)
    with httpx.Client(base_url=served.base, headers={"Authorization": f"Bearer {served.token}"}, timeout=ABUSE_TIMEOUT) as http:
        calibrated = calibrate(http, KINDS[kind], served.world, random.Random(kind))
    sizes = calibrated.sizes

    def measure() -> tuple[dict[str, Any], list[str], bool]:
        """One run of the kind: its row, what broke, and whether only latency broke."""
        cpu_before, machine_before = cpu_seconds(served.pid), machine_busy_seconds()
        abuse = abusers.submit(abuse_process, served.base, served.token, kind, sizes, served.world, SECONDS)
        stop = threading.Event()
        watching = probes(served.token, served.total_count)
        threads = [threading.Thread(target=probe.run, args=(served.base, stop)) for probe in watching]
        for thread in threads:
            thread.start()
        try:
            time.sleep(SECONDS)
            server_cpu = cpu_seconds(served.pid) - cpu_before
            machine_cpu = machine_busy_seconds() - machine_before
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=PROBE_TIMEOUT + 5)
        got = abuse.result(timeout=SECONDS + ABUSE_TIMEOUT + 30)

        row = {
            "store": served.store,
            "workers": served.workers,
            "kind": kind,
            "sizes": sizes,
            "alone": calibrated,
            "probes": {probe.name: probe.figures() for probe in watching},
            "abuse": got,
            "server_cpu": server_cpu,
            "machine_cpu": machine_cpu,
        }
        measured.append(row)
        print("\n" + describe(row))

        problems = []
        for probe in watching:
            if not probe.latencies:
                problems.append(f"{probe.name}: sent nothing")
            elif probe.wrong:
                problems.append(f"{probe.name}: {len(probe.wrong)} of {len(probe.latencies)} not answered right: {probe.wrong[:3]}")
            if probe.latencies and max(probe.latencies) >= PROBE_LIMIT:
                problems.append(f"{probe.name}: took up to {max(probe.latencies):.2f} s, the limit is {PROBE_LIMIT:g} s")
        bad = {outcome: n for outcome, n in got["outcomes"].items() if not is_acceptable(outcome)}
        if bad:
            log = served.log.read_text(errors="replace").splitlines()[-15:]
            problems.append(f"abusive requests that got neither an answer nor a coded refusal: {bad}; the server's log ends:")
            problems += [f"    {line}" for line in log]
        if sum(got["outcomes"].values()) < CLIENTS:
            problems.append(f"the abusive clients sent only {sum(got['outcomes'].values())} requests")
        return row, problems, all("took up to" in problem for problem in problems)

    row, problems, only_slow = measure()
    if problems and only_slow:
        # The machine is shared (two cores for the server, the clients and the probe): a latency past the bound
        # is measured once more, and the second run must keep it; wrong answers and 5xx are never retried.
        row, problems, _ = measure()
    assert not problems, f"under {kind} abuse on {served.workers} worker(s):\n" + "\n".join([*problems, describe(row)])

"""Submitting answers under load: throughput, latency at a fixed offered load, nothing lost.

Starts `spindelvaev serve` on a free loopback port with a fresh database (a temporary SQLite file,
or with --postgres a uniquely named PostgreSQL database created and dropped on that server), opens
a round with all six themes, and prepares simulated phones: each GETs the scoring page for its
key cookie and form token and fills in every statement. Then, in the same run:

1. saturation with 50 connections of /healthz (the baseline) and of submissions (each a full
   answer set; phones are reused, so most are resubmissions that replace earlier answers), taking
   turns so that other work on the machine weighs on both alike; Debian's `wrk` with a Lua script
   drives both, or this script's own asyncio client where wrk is not installed;
2. latency at a fixed offered load of 50 submissions/s, open loop: each request (a new phone's
   first submission) is sent at its scheduled time whatever the server is doing, and its latency
   is counted from that time, so a stalled server cannot hide its queue;
3. errors (submissions not answered 303, connection errors) and lost submissions: phones whose
   POST got 303 but have no response in the database.

    python bench/load.py                                  # full run (about a minute)
    python bench/load.py --postgres postgresql://postgres@127.0.0.1:5432/test --workers 4
    python bench/load.py --quick    # seconds, small numbers; exit 1 on an error or a lost answer

Targets (PRODUCT.md section 7, issue 8): submissions/baseline >= 0.3 and p99 < 100 ms at 50/s.
Nothing is asserted about time; the figures are printed against the targets.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, func, select

# tests.support, when run as `python bench/load.py`
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db.engine import make_engine
from app.db.models import Response, Score
from app.db.responses import hash_respondent_key
from app.themes import default_catalogue_path, load_catalogue
from tests.support import free_port, fresh_database, open_round, serving

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.3
TARGET_P99_MS = 100.0
CONNECTIONS = 50
OFFERED_RATE = 50
SATURATION_SECONDS = 10  # per kind, in turns of 5 s
SATURATION_TURNS = 2
WARM_UP_SECONDS = 2
OPEN_LOOP_SECONDS = 20
COMMENTS_PER_PHONE = 3
PREPARE_CONCURRENCY = 8
IDLE_SECONDS = 2.0
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_STATEMENT = re.compile(r'<textarea name="c-([^"]+)"')

# wrk runs one Lua state per thread; the main state's done() gathers the threads' tallies and
# prints them as one JSON line. Status codes and the keys of phones answered 303 (read back from
# the Set-Cookie of the redirect) are counted per thread.
WRK_DONE = r"""
threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local counts, statuses, keys = {}, {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + count
    end
    for key, _ in pairs(thread:get("acked") or {}) do
      keys[#keys + 1] = '"' .. key .. '"'
    end
  end
  for status, count in pairs(counts) do
    statuses[#statuses + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %f, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "statuses": {%s}, "acked": [%s]}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.timeout,
    table.concat(statuses, ", "), table.concat(keys, ", ")))
end
"""
WRK_SUBMIT = r"""
-- args: path, phones file (one "cookie<TAB>body" a line)
local requests, counter = {}, 0
statuses, acked = {}, {}
function init(args)
  for line in io.lines(args[2]) do
    local tab = line:find("\t", 1, true)
    requests[#requests + 1] = wrk.format("POST", args[1], {
      ["Cookie"] = line:sub(1, tab - 1),
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, line:sub(tab + 1))
  end
  -- threads start at different phones so that they rarely send the same phone at once
  counter = math.floor(id * #requests / 2)
end
function request()
  counter = counter % #requests + 1
  return requests[counter]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 303 then
    local cookie = headers["set-cookie"] or headers["Set-Cookie"] or ""
    local key = cookie:match("^[^=]+=([^;]+)")
    if key then acked[key] = true end
  end
end
"""
WRK_BASELINE = r"""
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""


@dataclass
class Phone:
    """A simulated phone: its key cookie and the full answer set it will submit."""

    cookie: str
    key: str
    body: bytes


@dataclass
class Reply:
    """What came back for one request."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Phase:
    """The figures of one measured phase."""

    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Requests per second answered."""
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: "Phase") -> None:
        """Count another run of the same kind in with this one."""
        self.requests += other.requests
        self.seconds += other.seconds
        self.statuses += other.statuses
        self.connection_errors += other.connection_errors
        self.latencies_ms += other.latencies_ms
        self.acked |= other.acked
        self.problems += other.problems


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough of the protocol for this service."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> "Connection":
        """Connect to the service on loopback."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> Reply:
        """Send one request and read its whole response."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int((await self.reader.readline()).strip(), 16):
                body += await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return Reply(int(status_line.split(" ", 2)[1]), headers, body)

    def close(self) -> None:
        """Drop the connection."""
        self.writer.close()


def http_request(method: str, path: str, port: int, cookie: str = "", body: bytes = b"") -> bytes:
    """The bytes of an HTTP/1.1 request, form-encoded when it has a body."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body or method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --- the database and the server -----------------------------------------------------------


@contextmanager
def running_server(url: str, folder: Path, workers: int) -> Iterator[int]:
    """`spindelvaev serve` on a free loopback port until the block ends; yields the port."""
    port = free_port()
    env = {
        **os.environ,
        "SPINDELVAEV_DATABASE_URL": url,
        "SPINDELVAEV_DATA_DIR": str(folder / "var"),
        "SPINDELVAEV_SECRET_KEY": secrets.token_urlsafe(48),
        # No access log: the figures are the service's, not its terminal's.
        "SPINDELVAEV_LOG_LEVEL": "WARNING",
        "SPINDELVAEV_DEMO": "0",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with serving(command, port=port, env=env, log=folder / "server.log", cwd=PROJECT_ROOT):
        yield port


# --- the phones ----------------------------------------------------------------------------


def answer_set(page: str, token: str, professions: list[str], rng: random.Random) -> bytes:
    """Every statement on the page answered, as a browser sends the form (empty comments too)."""
    statement_ids = _STATEMENT.findall(page)
    commented = set(rng.sample(statement_ids, min(COMMENTS_PER_PHONE, len(statement_ids))))
    fields = [("csrf_token", token), ("profession", rng.choice(professions))]
    for statement_id in statement_ids:
        value = "vedikke" if rng.random() < 0.1 else str(rng.randint(1, 10))
        comment = "Vi taler sammen, men ikke altid i tide." if statement_id in commented else ""
        fields += [(f"s-{statement_id}", value), (f"c-{statement_id}", comment)]
    return urlencode(fields).encode()


async def prepare_phones(port: int, code: str, round_id: int, count: int) -> list[Phone]:
    """`count` phones, each with the key cookie and token its own GET of the page gave it."""
    rng = random.Random(8)
    professions = [
        profession.id for profession in load_catalogue(default_catalogue_path()).professions
    ]
    cookie_name = f"sv_r{round_id}"
    # Every theme on one page: the final Send of a phone carries all themes' answers either way.
    get = http_request("GET", f"/r/{code}?tema=alle", port)
    phones: list[Phone] = []

    async def worker(share: int) -> None:
        connection = await Connection.open(port)
        try:
            for _ in range(share):
                reply = await connection.send(get)
                cookie = reply.headers.get("set-cookie", "").split(";")[0]
                token = _TOKEN.search(reply.body.decode())
                if reply.status != 200 or not cookie.startswith(f"{cookie_name}=") or not token:
                    raise RuntimeError(f"the scoring page gave no key or token ({reply.status})")
                body = answer_set(reply.body.decode(), token.group(1), professions, rng)
                phones.append(Phone(cookie, cookie.partition("=")[2], body))
        finally:
            connection.close()

    shares = [
        count // PREPARE_CONCURRENCY + (i < count % PREPARE_CONCURRENCY)
        for i in range(PREPARE_CONCURRENCY)
    ]
    await asyncio.gather(*(worker(share) for share in shares))
    return phones


# --- load generators -----------------------------------------------------------------------


def run_wrk(port: int, path: str, seconds: float, script: str, args: list[str]) -> Phase:
    """Saturate the path with wrk (2 threads, 50 connections) and read back its JSON line."""
    if seconds <= 0:
        return Phase()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + WRK_DONE)
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["-s", lua.name, f"http://127.0.0.1:{port}{path}", "--", path, *args]
    try:
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(lua.name)
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    figures = json.loads(line.removeprefix("WRK "))
    return Phase(
        requests=figures["requests"],
        seconds=figures["seconds"],
        statuses=Counter({int(status): count for status, count in figures["statuses"].items()}),
        connection_errors=sum(figures[kind] for kind in ("connect", "read", "write", "timeout")),
        acked=set(figures["acked"]),
    )


async def saturate(port: int, requests: list[bytes], seconds: float) -> Phase:
    """Without wrk: 50 connections, each sending its next request once the last is answered."""
    if seconds <= 0:
        return Phase()
    phase = Phase()
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    counter = itertools.count()

    async def client() -> None:
        connection = await Connection.open(port)
        while loop.time() < stop:
            request = requests[next(counter) % len(requests)]
            try:
                reply = await connection.send(request)
            except (OSError, asyncio.IncompleteReadError) as error:
                phase.connection_errors += 1
                phase.problems.append(repr(error))
                connection.close()
                connection = await Connection.open(port)
                continue
            phase.requests += 1
            phase.statuses[reply.status] += 1
            if reply.status == 303:
                phase.acked.add(reply.headers.get("set-cookie", "").split(";")[0].partition("=")[2])
        connection.close()

    started = loop.time()
    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    phase.seconds = loop.time() - started
    return phase


async def open_loop(port: int, phones: list[Phone], rate: float, path: str) -> Phase:
    """A phone's submission every 1/rate s, on schedule; latency counts from the scheduled time."""
    phase = Phase()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    # (connection, when it was last answered); the server closes a keep-alive connection after
    # 5 s idle, so older ones are dropped rather than risk a POST on a connection being closed.
    idle: list[tuple[Connection, float]] = [(await Connection.open(port), start)]

    async def connection_for_now() -> Connection:
        while idle:
            connection, answered = idle.pop()
            if loop.time() - answered < IDLE_SECONDS:
                return connection
            connection.close()
        return await Connection.open(port)

    async def submit(index: int, phone: Phone) -> None:
        scheduled = start + index / rate
        await asyncio.sleep(scheduled - loop.time())
        request = http_request("POST", path, port, phone.cookie, phone.body)
        connection = None
        try:
            connection = await connection_for_now()
            reply = await connection.send(request)
        except (OSError, asyncio.IncompleteReadError) as error:
            phase.connection_errors += 1
            phase.problems.append(repr(error))
            if connection is not None:
                connection.close()
            return
        phase.latencies_ms.append((loop.time() - scheduled) * 1000)
        phase.requests += 1
        phase.statuses[reply.status] += 1
        if reply.status == 303:
            phase.acked.add(phone.key)
        idle.append((connection, loop.time()))

    await asyncio.gather(*(submit(index, phone) for index, phone in enumerate(phones)))
    phase.seconds = loop.time() - start
    for connection, _ in idle:
        connection.close()
    return phase


# --- checking and reporting ----------------------------------------------------------------


def stored(url: str, round_id: int, statements: int) -> tuple[set[str], int]:
    """The key hashes of the round's responses, and how many of them lack some of the answers."""
    engine = make_engine(url)
    with Session(engine) as session:
        hashes = set(
            session.exec(select(Response.respondent_key_hash).where(Response.round_id == round_id))
        )
        per_response = (
            select(Score.response_id, func.count().label("n"))
            .join(Response, col(Response.id) == col(Score.response_id))
            .where(Response.round_id == round_id)
            .group_by(col(Score.response_id))
            .subquery()
        )
        partial = session.exec(
            select(func.count()).select_from(per_response).where(per_response.c.n != statements)
        ).one()
        without_scores = (
            len(hashes) - session.exec(select(func.count()).select_from(per_response)).one()
        )
    engine.dispose()
    return hashes, partial + without_scores


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def saturation(
    port: int, path: str, phones: list[Phone], folder: Path, use_wrk: bool, *, quick: bool
) -> tuple[Phase, Phase, Phase]:
    """Warm-up, /healthz and submissions at 50 connections: (warm-up, baseline, submissions).

    In full mode the two kinds take turns (5 s each, twice), so that other work on the machine
    weighs on both alike.
    """
    turns, seconds = (1, 2) if quick else (SATURATION_TURNS, SATURATION_SECONDS)
    if use_wrk:
        phones_file = folder / "phones.txt"
        phones_file.write_text("".join(f"{p.cookie}\t{p.body.decode()}\n" for p in phones))

        def health(seconds: float) -> Phase:
            return run_wrk(port, "/healthz", seconds, WRK_BASELINE, [])

        def submit(seconds: float) -> Phase:
            return run_wrk(port, path, seconds, WRK_SUBMIT, [str(phones_file)])
    else:
        health_requests = [http_request("GET", "/healthz", port)]
        posts = [http_request("POST", path, port, p.cookie, p.body) for p in phones]

        def health(seconds: float) -> Phase:
            return asyncio.run(saturate(port, health_requests, seconds))

        def submit(seconds: float) -> Phase:
            return asyncio.run(saturate(port, posts, seconds))

    warm_up = submit(0 if quick else WARM_UP_SECONDS)
    baseline, submits = Phase(), Phase()
    for _ in range(turns):
        baseline.add(health(seconds / turns))
        submits.add(submit(seconds / turns))
    return warm_up, baseline, submits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seconds, small numbers, no targets")
    parser.add_argument("--postgres", metavar="URL", help="use a new database on this server")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--phones", type=int, help="phones reused in the saturation run")
    parser.add_argument("--async-client", action="store_true", help="do not use wrk")
    args = parser.parse_args()
    open_seconds = 2 if args.quick else OPEN_LOOP_SECONDS
    reused = args.phones or (40 if args.quick else 500)
    fresh = int(OFFERED_RATE * open_seconds)
    use_wrk = shutil.which("wrk") is not None and not args.async_client
    generator = "wrk (Debian) with a Lua script" if use_wrk else "this script's asyncio client"
    if not use_wrk:
        generator += " (--async-client)" if args.async_client else " (wrk is not installed)"
    with tempfile.TemporaryDirectory(prefix="spindelvaev-load-") as name:
        folder = Path(name)
        with fresh_database(folder, args.postgres, purpose="load") as url:
            code, round_id, statements = open_round(url)
            with running_server(url, folder, args.workers) as port:
                started = time.perf_counter()
                phones = asyncio.run(prepare_phones(port, code, round_id, reused + fresh))
                print(
                    f"{len(phones)} phones fetched the scoring page ({statements} statements) in "
                    f"{time.perf_counter() - started:.1f} s; load from {generator}"
                )
                reused_phones, fresh_phones = phones[:reused], phones[reused:]
                path = f"/r/{code}"
                warm_up, baseline, submits = saturation(
                    port, path, reused_phones, folder, use_wrk, quick=args.quick
                )
                steady = asyncio.run(open_loop(port, fresh_phones, OFFERED_RATE, path))
            hashes, partial = stored(url, round_id, statements)
            server_errors = [
                line
                for line in (folder / "server.log").read_text(errors="replace").splitlines()
                if "ERROR" in line or "Error" in line
            ]
    figures = summarise(args, generator, baseline, [warm_up, submits, steady], hashes, partial)
    figures["server_log_errors"] = len(server_errors)
    return report(args, figures, [*baseline.problems, *submits.problems, *steady.problems],
                  server_errors)  # fmt: skip


def summarise(
    args: argparse.Namespace,
    generator: str,
    baseline: Phase,
    phases: list[Phase],
    hashes: set[str],
    partial: int,
) -> dict[str, Any]:
    """Every figure of the run; `phases` are the submitting ones: warm-up, saturation, open loop."""
    _, submits, steady = phases
    acked = set().union(*(phase.acked for phase in phases))
    statuses = sum((phase.statuses for phase in phases), Counter[int]())
    connection_errors = sum(phase.connection_errors for phase in phases)
    ratio = submits.rate / baseline.rate if baseline.rate else 0.0
    latencies = steady.latencies_ms
    return {
        "database": "postgresql" if args.postgres else "sqlite",
        "workers": args.workers,
        "generator": generator,
        "connections": CONNECTIONS,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "healthz_per_s": round(baseline.rate, 1),
        "submissions_per_s": round(submits.rate, 1),
        "ratio": round(ratio, 3),
        "offered_per_s": OFFERED_RATE,
        "achieved_per_s": round(steady.rate, 1),
        **{f"p{round(q * 100)}_ms": round(percentile(latencies, q), 1) for q in (0.50, 0.95, 0.99)},
        "max_ms": round(max(latencies, default=0.0), 1),
        "submissions": sum(statuses.values()) + connection_errors,
        "submission_statuses": {str(status): n for status, n in sorted(statuses.items())},
        "errors": connection_errors + sum(n for status, n in statuses.items() if status != 303),
        "connection_errors": connection_errors,
        "healthz_errors": baseline.connection_errors
        + sum(n for status, n in baseline.statuses.items() if status != 200),
        "acknowledged_phones": len(acked),
        "responses_in_database": len(hashes),
        "lost": len({hash_respondent_key(key) for key in acked} - hashes),
        "partial_responses": partial,
    }


def report(
    args: argparse.Namespace, figures: dict[str, Any], problems: list[str], server_errors: list[str]
) -> int:
    """Print the table and the JSON line; 1 when a submission was lost, partial or refused."""
    ratio, p99 = figures["ratio"], figures["p99_ms"]
    errors, lost, partial = figures["errors"], figures["lost"], figures["partial_responses"]
    rows = [
        ("/healthz, 50 connections (baseline)", f"{figures['healthz_per_s']:,.0f} req/s", ""),
        ("submissions, 50 connections", f"{figures['submissions_per_s']:,.0f} req/s", ""),
        ("submissions / baseline", f"{ratio:.2f}", f">= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        (f"open loop at {OFFERED_RATE}/s: achieved", f"{figures['achieved_per_s']:.1f} /s", ""),
        ("  latency p50", f"{figures['p50_ms']:.1f} ms", ""),
        ("  latency p95", f"{figures['p95_ms']:.1f} ms", ""),
        ("  latency p99", f"{p99:.1f} ms", f"< {TARGET_P99_MS:.0f} ms", p99 < TARGET_P99_MS),
        ("errors (not 303, connection)", f"{errors}", "0", errors == 0),
        ("phones acknowledged with 303", f"{figures['acknowledged_phones']:,}", ""),
        ("responses in the database", f"{figures['responses_in_database']:,}", ""),
        ("lost submissions", f"{lost}", "0", lost == 0),
        ("responses missing answers", f"{partial}", "0", partial == 0),
    ]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    database = f"{figures['database']}, {figures['workers']} worker(s)"
    print(f"machine: {os.cpu_count()} CPUs, load average {load}; {database}")
    print(f"  {'':<38} {'measured':>14}  target")
    for name, value, target, *met in rows:
        verdict = ""
        if met:
            timed = "ms" in target or "." in target
            verdict = "(not judged)" if args.quick and timed else ("met" if met[0] else "MISSED")
        print(f"  {name:<38} {value:>14}  {target:<9} {verdict}".rstrip())
    for line in [*problems[:5], *server_errors[:10]]:
        print(f"  ! {line}")
    print(json.dumps(figures))
    failed = errors or lost or partial or figures["healthz_errors"]
    if failed:
        print("FAIL: a submission was refused, lost or stored in part (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

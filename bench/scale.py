"""Growth: the municipality's pages at S, M and L on SQLite and PostgreSQL, timed over HTTP.

    .venv/bin/python bench/scale.py                 # S, M and L on SQLite and PostgreSQL
    .venv/bin/python bench/scale.py --sizes S,M     # fewer sizes
    .venv/bin/python bench/scale.py --quick         # S on SQLite only, for CI (well under a minute)
    .venv/bin/python bench/scale.py --sizes L --keep /srv/scale   # build L and keep it
    .venv/bin/python bench/scale.py --sizes L --keep /srv/scale --reuse   # time it again

Each size is loaded in one transaction after `db upgrade` (teams of 12, all six themes, two
rounds a year; every round closed and shown): by COPY on PostgreSQL, by executemany on SQLite.
The closed rounds' stored aggregates are then filled in as the first view after their closing
would. By default each size gets a new SQLite file or a new PostgreSQL database, dropped
afterwards; `--keep DIR` keeps them instead (SQLite as DIR/scale_l.db …, PostgreSQL as the
databases spindelvaev_scale_l …) and `--reuse` times the kept ones without rebuilding, after
`db upgrade` so that a later migration is applied. The service then runs as `spindelvaev serve`
on loopback, and each endpoint's figure is the median of 5 requests after a warm-up. Nothing is
asserted about time; the table shows the S→L growth per endpoint against the targets (every page
under 150 ms; S→L at most 3× for the overview and the roll-up, 2× for the round and team pages).
"""

import argparse
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

# tests.support, when run as `python bench/scale.py`
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.passwords import hash_password
from app.db.aggregates import store_missing_aggregates
from app.db.engine import make_engine
from app.db.models import Response, Round, RoundStatement, Score, Team, Unit, User
from app.migrate import upgrade_to_head
from app.themes import default_catalogue_path, load_catalogue
from bench.load import running_server
from tests.support import fresh_database

PROJECT_ROOT = Path(__file__).resolve().parents[1]

POSTGRES = os.environ.get(
    "SPINDELVAEV_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEAM_SIZE = 12
RUNS = 5
PAGE_TARGET_MS = 150.0
PASSWORD = "skalering-bench-adgangskode-1"


@dataclass(frozen=True)
class Size:
    """A municipality's shape: how many teams, and how many rounds each has held."""

    name: str
    teams: int
    rounds: int
    units: int


SIZES = {
    "S": Size("S", teams=10, rounds=4, units=2),
    "M": Size("M", teams=100, rounds=6, units=10),
    "L": Size("L", teams=1_000, rounds=10, units=25),
}
# The growth each endpoint may show from S to L (None: only the 150 ms target).
GROWTH_TARGETS = {"rollup": 3.0, "rollup_unit": 3.0, "oversigt": 3.0, "team": 2.0, "results": 2.0}


@dataclass(frozen=True)
class Built:
    """What the timed requests need to know of a built database."""

    scores: int
    team_id: int
    round_id: int
    unit_id: int


BATCH_TEAMS = 50  # teams generated, then written, at a time


def _writer(connection: Connection) -> Callable[[Any, list[dict[str, Any]]], None]:
    """How rows reach a table: COPY on PostgreSQL, executemany on SQLite (one transaction)."""
    if connection.dialect.name != "postgresql":

        def insert_many(table: Any, rows: list[dict[str, Any]]) -> None:
            if rows:
                connection.execute(table.insert(), rows)

        return insert_many
    raw: Any = connection.connection.driver_connection

    def copy(table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        columns = ", ".join(f'"{name}"' for name in names)
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as stream,
        ):
            for row in rows:
                stream.write_row(
                    [json.dumps(row[n]) if n in json_columns else row[n] for n in names]
                )

    return copy


def build(url: str, size: Size, rng: random.Random) -> float:
    """Bulk-load units, teams, closed rounds with frozen statements, responses and scores, in one
    transaction; then store the closed rounds' aggregates as the app does. Returns the seconds."""
    started = time.perf_counter()
    catalogue = load_catalogue(default_catalogue_path())
    professions = [profession.id for profession in catalogue.professions] + [None]
    frozen = []
    for theme in catalogue.themes:
        for area in theme.areas:
            for statement in area.statements:
                frozen.append((theme, area, statement))
    engine = make_engine(url)
    now = datetime.now(UTC)
    tables: Any = {
        model: model.__table__  # type: ignore[attr-defined,union-attr]
        for model in (User, Unit, Team, Round, RoundStatement, Response, Score)
    }
    with engine.begin() as connection:
        write = _writer(connection)
        write(
            tables[User],
            [
                {
                    "email": "bench@example.invalid",
                    "name": "Bench",
                    "role": "admin",
                    "password_hash": hash_password(PASSWORD),
                    "is_active": True,
                    "created_at": now,
                }
            ],
        )
        units = [
            {"id": i + 1, "name": f"Enhed {i + 1}", "created_at": now} for i in range(size.units)
        ]
        write(tables[Unit], units)
        teams = [
            {
                "id": i + 1,
                "name": f"Team {i + 1:04d}",
                "unit_id": i % size.units + 1,
                "expected_size": TEAM_SIZE,
                "created_at": now,
            }
            for i in range(size.teams)
        ]
        write(tables[Team], teams)
        round_id, response_ids = 0, set()
        for first in range(0, len(teams), BATCH_TEAMS):
            round_rows, statement_rows, response_rows, score_rows = [], [], [], []
            for team in teams[first : first + BATCH_TEAMS]:
                for index in range(size.rounds):
                    round_id += 1
                    # Two rounds a year, the newest a month ago.
                    opened = now - timedelta(days=30 + 182 * (size.rounds - 1 - index))
                    round_rows.append(
                        {
                            "id": round_id,
                            "team_id": team["id"],
                            "label": f"Runde {index + 1}",
                            "colour": "#0072B2",
                            "status": "closed",
                            "themes": [theme.id for theme in catalogue.themes],
                            "join_code": f"{round_id:06d}",
                            "link_token": secrets.token_urlsafe(24),
                            "catalogue_version": catalogue.version,
                            "opened_at": opened,
                            "closed_at": opened + timedelta(days=7),
                            "results_released": True,
                            "team_size": TEAM_SIZE,
                            "results_shown_at": opened + timedelta(days=8),
                            "discussed_at": None,
                            "created_at": opened,
                            "closes_at": None,
                        }
                    )
                    for position, (theme, area, statement) in enumerate(frozen):
                        statement_rows.append(
                            {
                                "round_id": round_id,
                                "statement_id": statement.id,
                                "position": position,
                                "theme_id": theme.id,
                                "area_id": area.id,
                                "theme_title": theme.title,
                                "area_title": area.title,
                                "text": statement.text,
                                "short": statement.short,
                            }
                        )
                    answered = rng.randint(TEAM_SIZE * 2 // 3, TEAM_SIZE)
                    day = opened.date() + timedelta(days=1)
                    for _ in range(answered):
                        response_id = rng.randrange(1, 2**63 - 1)
                        while response_id in response_ids:
                            response_id = rng.randrange(1, 2**63 - 1)
                        response_ids.add(response_id)
                        response_rows.append(
                            {
                                "id": response_id,
                                "round_id": round_id,
                                "respondent_key_hash": secrets.token_hex(32),
                                "public_id": secrets.token_hex(6),
                                "profession": rng.choice(professions),
                                "created_on": day,
                                "updated_on": day,
                            }
                        )
                        for _theme, _area, statement in frozen:
                            value = None if rng.random() < 0.05 else rng.randint(1, 10)
                            score_rows.append(
                                {
                                    "response_id": response_id,
                                    "statement_id": statement.id,
                                    "value": value,
                                    "comment": None,
                                }
                            )
            write(tables[Round], round_rows)
            write(tables[RoundStatement], statement_rows)
            write(tables[Response], response_rows)
            write(tables[Score], score_rows)
        if engine.dialect.name == "postgresql":
            # Explicit ids: move the sequences past them, as the app's own inserts would.
            for table in ("unit", "team", "round"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    _analyse(engine)  # without statistics PostgreSQL scans every score for each round's tally
    with Session(engine) as session:
        _store_aggregates(session)
        session.commit()
    _analyse(engine)
    engine.dispose()
    return time.perf_counter() - started


def _analyse(engine: Engine) -> None:
    """Fresh planner statistics, as after a night's autovacuum (PG) or `ANALYZE` (SQLite)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def inspect(url: str) -> Built:
    """What the timed requests need, read from a built database (new or kept)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        scores = connection.execute(text("SELECT count(*) FROM score")).scalar_one()
        team_id = connection.execute(text("SELECT max(id) FROM team")).scalar_one()
        round_id = connection.execute(
            text("SELECT max(id) FROM round WHERE team_id = :team"), {"team": team_id}
        ).scalar_one()
        unit_id = connection.execute(text("SELECT min(id) FROM unit")).scalar_one()
    engine.dispose()
    return Built(int(scores), int(team_id), int(round_id), int(unit_id))


def _store_aggregates(session: Session) -> None:
    """Fill in the closed rounds' stored aggregates, as the first view after closing would."""
    store_missing_aggregates(session=session, now=datetime.now(UTC))


class Client:
    """A logged-in browser of the service on loopback: keeps the session cookie."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        """The status and body of a GET."""
        with self.opener.open(self.base + path, timeout=600) as reply:
            return reply.status, reply.read()

    def post(self, path: str, form: dict[str, str]) -> int:
        """The status of a form POST (redirects followed)."""
        body = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, data=body, timeout=600) as reply:
            return int(reply.status)


@contextmanager
def served(url: str, folder: Path) -> Iterator[Client]:
    """`spindelvaev serve` on loopback with a logged-in admin client."""
    with running_server(url, folder, workers=1) as port:
        client = Client(port)
        page = client.get("/login")[1].decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "the login page has no CSRF field"
        form = {"email": "bench@example.invalid", "password": PASSWORD}
        status = client.post("/login", form | {"csrf_token": token.group(1)})
        assert status == 200, f"login answered {status}"
        yield client


def endpoints(built: Built) -> dict[str, tuple[str, str]]:
    """Name -> (label in the table, path)."""
    return {
        "rollup": ("/admin/rollup (whole municipality)", "/admin/rollup"),
        "rollup_unit": ("/admin/rollup (one unit)", f"/admin/rollup?enhed={built.unit_id}"),
        "oversigt": ("/admin/oversigt", "/admin/oversigt"),
        "eksport": ("/eksport (the page that counts rows)", "/eksport"),
        "team": ("/teams/{id}", f"/teams/{built.team_id}"),
        "admin": ("/admin", "/admin"),
        "results": ("/runder/{id}/resultater", f"/runder/{built.round_id}/resultater"),
    }


def timed(client: Client, path: str, runs: int) -> tuple[float, int]:
    """The median milliseconds of `runs` requests after one warm-up, and the page's bytes."""
    status, body = client.get(path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status, _ = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200
    return statistics.median(times), len(body)


def export_rate(client: Client) -> float:
    """Rows per second of the whole CSV export, streamed over HTTP."""
    start = time.perf_counter()
    rows = 0
    with client.opener.open(client.base + "/eksport/svar.csv", timeout=600) as reply:
        while chunk := reply.read(1 << 16):
            rows += chunk.count(b"\n")
    return (rows - 1) / (time.perf_counter() - start)


def kept_url(database: str, size: Size, keep: Path) -> str:
    """Where --keep puts a size: a SQLite file in the folder, or a named PostgreSQL database."""
    if database == "SQLite":
        return f"sqlite:///{keep.resolve() / f'scale_{size.name.lower()}.db'}"
    name = f"spindelvaev_scale_{size.name.lower()}"
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def _recreate(database: str, url: str) -> None:
    """An empty, migrated database at the URL (an earlier one there is dropped)."""
    if database == "SQLite":
        Path(make_url(url).database or "").unlink(missing_ok=True)
    else:
        server = make_url(POSTGRES).set(drivername="postgresql+psycopg")
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        name = make_url(url).database
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    upgrade_to_head(url)


@contextmanager
def database_for(
    database: str, size: Size, keep: Path | None, reuse: bool
) -> Iterator[tuple[str, bool]]:
    """(URL, whether to build it): a throwaway database, or the one --keep names."""
    if keep is None:
        with tempfile.TemporaryDirectory() as name:
            postgres = POSTGRES if database == "PG" else None
            with fresh_database(Path(name), postgres, purpose="scale") as url:
                yield url, True
        return
    url = kept_url(database, size, keep)
    if reuse:
        # A later migration than the one it was built under is applied first, as `db upgrade`.
        upgrade_to_head(url)
        yield url, False
        return
    keep.mkdir(parents=True, exist_ok=True)
    _recreate(database, url)
    yield url, True


def measure(
    database: str, size: Size, runs: int, keep: Path | None = None, reuse: bool = False
) -> dict[str, tuple[float, int]]:
    """Build (or reuse) one size on one database and time every endpoint."""
    with database_for(database, size, keep, reuse) as (url, fresh):
        seconds = build(url, size, random.Random(20)) if fresh else None
        built = inspect(url)
        how = f"built in {seconds:.0f} s" if seconds is not None else "kept from an earlier run"
        print(
            f"  {database} {size.name}: {size.teams} teams, {built.scores:,} scores, {how}",
            flush=True,
        )
        with tempfile.TemporaryDirectory() as folder, served(url, Path(folder)) as client:
            figures = {
                key: timed(client, path, runs) for key, (_, path) in endpoints(built).items()
            }
            figures["csv"] = (export_rate(client), 0)
    return figures


def report(results: dict[tuple[str, str], dict[str, tuple[float, int]]], sizes: list[str]) -> None:
    """The table: per endpoint and size, SQLite / PostgreSQL, then the S→L growth."""
    databases = sorted({database for database, _ in results}, key=["SQLite", "PG"].index)
    labels = {key: label for key, (label, _) in endpoints(Built(0, 0, 0, 0)).items()}
    labels["csv"] = "CSV export over HTTP (rows/s)"
    first, last = sizes[0], sizes[-1]
    header = ["endpoint", *(f"{size} ({' / '.join(databases)})" for size in sizes)]
    if len(sizes) > 1:
        header.append(f"growth {first}→{last}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for key, label in labels.items():
        cells = [label]
        for size in sizes:
            figures = [results[(database, size)][key] for database in databases]
            if key == "csv":
                cells.append(" / ".join(f"{value / 1000:.0f}k" for value, _ in figures))
            else:
                text_ = " / ".join(f"{value:,.0f}" for value, _ in figures) + " ms"
                kilobytes = max(weight for _, weight in figures) / 1024
                cells.append(f"{text_} ({kilobytes:,.0f} KB)")
        if len(sizes) > 1:
            growth = [
                results[(database, last)][key][0] / results[(database, first)][key][0]
                for database in databases
            ]
            if key == "csv":
                cells.append(" / ".join(f"{g:.1f}×" for g in growth))
            else:
                target = GROWTH_TARGETS.get(key)
                slowest = max(results[(db, last)][key][0] for db in databases)
                verdict = "" if slowest < PAGE_TARGET_MS else f", over {PAGE_TARGET_MS:.0f} ms"
                if target is not None and max(growth) > target:
                    verdict += f", over {target:.0f}×"
                cells.append(" / ".join(f"{g:.1f}×" for g in growth) + verdict)
        print("| " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="S on SQLite only: the pages answer")
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated, of S, M, L")
    parser.add_argument("--databases", default="SQLite,PG", help="comma-separated: SQLite, PG")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the built databases: SQLite files scale_s.db … in DIR, PostgreSQL databases "
        "spindelvaev_scale_s … (rebuilt if they exist)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: time the databases kept there without rebuilding (db upgrade first)",
    )
    args = parser.parse_args()
    if args.reuse and args.keep is None:
        parser.error("--reuse needs --keep DIR: the folder the databases were kept in")
    sizes = ["S"] if args.quick else [s.strip().upper() for s in args.sizes.split(",")]
    databases = ["SQLite"] if args.quick else [d.strip() for d in args.databases.split(",")]
    runs = 2 if args.quick else RUNS
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} before the run", flush=True)
    results = {}
    for size in sizes:
        for database in databases:
            results[(database, size)] = measure(database, SIZES[size], runs, args.keep, args.reuse)
    report(results, sizes)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: load average {load} after the run (other work inflates the times)")
    if args.quick:
        print("(quick mode: S only, 2 requests each; the figures say nothing about the targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

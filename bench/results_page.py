"""Server time of a results page: a round with 500 respondents x 60 statements on SQLite.

    .venv/bin/python bench/results_page.py            # full size, prints the median of 21 runs
    .venv/bin/python bench/results_page.py --quick    # small numbers: the page renders and adds up

Two earlier rounds of the same size are overlaid on the radars, as on a real team's page. The
timing covers the whole request in-process (routing, SQL, statistics, figures, template), not the
network. Nothing is asserted about time; the figures are printed against the target.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import Settings
from app.db.engine import make_engine
from app.db.models import Response, Round, RoundStatement, Score, Team, Unit, User
from app.db.rounds import create_round
from app.main import create_app
from app.migrate import upgrade_to_head
from app.themes import load_catalogue
from app.web.auth import get_optional_user

TARGET_MS = 100.0
PROFESSIONS = ("laerer", "paedagog", "ppr", "socialraadgiver", "leder", None)


def add_statements(session: Session, round_: Round, wanted: int) -> list[str]:
    """Top the round's statements up to `wanted` with extra ones in its last theme."""
    statements = session.exec(
        select(RoundStatement)
        .where(RoundStatement.round_id == round_.id)
        .order_by(col(RoundStatement.position))
    ).all()
    last = statements[-1]
    for index in range(wanted - len(statements)):
        session.add(
            RoundStatement(
                round_id=last.round_id,
                statement_id=f"bench.ekstra.{index + 1}",
                position=last.position + index + 1,
                theme_id=last.theme_id,
                area_id=last.area_id,
                theme_title=last.theme_title,
                area_title=last.area_title,
                text=f"Ekstra udsagn {index + 1} til målingen af resultatsiden.",
                short=f"Ekstra {index + 1}",
            )
        )
    session.flush()
    return [s.statement_id for s in statements] + [
        f"bench.ekstra.{index + 1}" for index in range(wanted - len(statements))
    ]


def fill(
    session: Session, rng: random.Random, round_id: int, statement_ids: list[str], people: int
) -> dict[str, list[int | None]]:
    """Bulk-insert the answers; return each statement's answers (None: "Ved ikke")."""
    given: dict[str, list[int | None]] = {sid: [] for sid in statement_ids}
    responses = [
        {
            "round_id": round_id,
            "respondent_key_hash": secrets.token_hex(32),
            "public_id": secrets.token_hex(6),
            "profession": rng.choice(PROFESSIONS),
            "created_on": datetime.now(UTC).date(),
            "updated_on": datetime.now(UTC).date(),
        }
        for _ in range(people)
    ]
    session.execute(insert(Response), responses)
    ids = session.exec(select(Response.id).where(Response.round_id == round_id)).all()
    scores = []
    for response_id in ids:
        for sid in statement_ids:
            if rng.random() < 0.02:
                continue  # left unanswered
            value = None if rng.random() < 0.04 else min(10, max(1, round(rng.gauss(6, 1.8))))
            comment = "En kommentar om udsagnet." if rng.random() < 0.02 else None
            given[sid].append(value)
            row = {"response_id": response_id, "statement_id": sid, "value": value}
            scores.append(row | {"comment": comment})
    session.execute(insert(Score), scores)
    return given


def build(url: str, people: int, wanted: int, rounds: int) -> tuple[int, dict, User]:
    """A team with `rounds` closed rounds; returns the newest round's id, its answers, an admin."""
    catalogue = load_catalogue(Path(__file__).resolve().parents[1] / "data" / "statements.yaml")
    rng = random.Random(500)
    engine = make_engine(url)
    with Session(engine) as session:
        unit = Unit(name="Bench")
        session.add(unit)
        session.flush()
        team = Team(name="Bench-teamet", unit_id=unit.id or 0, expected_size=people)
        admin = User(email="bench@example.invalid", name="Bench", role="admin")
        session.add_all([team, admin])
        session.flush()
        given: dict = {}
        round_id = 0
        for index in range(rounds):
            round_ = create_round(
                session=session,
                catalogue=catalogue,
                team_id=team.id or 0,
                label=f"Runde {index + 1}",
                theme_ids=[theme.id for theme in catalogue.themes],
                status="closed",
            )
            round_.opened_at = datetime(2026, 2 + 3 * index, 10, tzinfo=UTC)
            statement_ids = add_statements(session, round_, wanted)
            round_id = round_.id or 0
            given = fill(session, rng, round_id, statement_ids, people)
        session.commit()
        session.refresh(admin)
        session.expunge(admin)
    engine.dispose()
    return round_id, given, admin


def timed(client: TestClient, url: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request, after two warm-up requests.

    The app and SQLite run in this process, so its CPU time per request is the server's work
    alone; wall-clock time also counts waiting for the CPU when other work shares the machine.
    """
    for _ in range(2):
        assert client.get(url).status_code == 200
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return wall, cpu


def check(client: TestClient, round_id: int, given: dict, people: int) -> list[str]:
    """Compare the API's numbers with the answers that were inserted."""
    problems = []
    data = client.get(f"/api/runder/{round_id}/resultater").json()
    if data["n_responses"] != people:
        problems.append(f"n_responses {data['n_responses']} != {people}")
    for item in data["statements"]:
        answers = given[item["statement_id"]]
        values = [value for value in answers if value is not None]
        expected_mean = sum(values) / len(values) if values else None
        distribution = [item["distribution"][str(v)] for v in range(1, 11)]
        if item["n"] != len(values) or item["n_dont_know"] != answers.count(None):
            problems.append(f"{item['statement_id']}: counts differ")
        if sum(distribution) != item["n"] or item["n"] + item["n_dont_know"] > people:
            problems.append(f"{item['statement_id']}: distribution does not add up")
        if distribution != [values.count(v) for v in range(1, 11)]:
            problems.append(f"{item['statement_id']}: distribution differs")
        if expected_mean is not None and abs(item["mean"] - expected_mean) > 1e-9:
            problems.append(f"{item['statement_id']}: mean {item['mean']} != {expected_mean}")
    if len(data["statements"]) != len(given):
        problems.append(f"{len(data['statements'])} statements, expected {len(given)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small numbers; checks, no timing")
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    people = 8 if args.quick else args.respondents
    runs = 3 if args.quick else args.runs
    rounds = 2 if args.quick else 3
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(url)
        started = time.perf_counter()
        round_id, given, admin = build(url, people, args.statements, rounds)
        print(
            f"built {rounds} rounds x {people} respondents x {len(given)} statements "
            f"in {time.perf_counter() - started:.1f} s"
        )
        settings = Settings(database_url=url, data_dir=Path(folder), secret_key=SecretStr("b" * 40))
        engine = make_engine(url)
        app = create_app(settings=settings, engine=engine)
        app.dependency_overrides[get_optional_user] = lambda: admin
        with TestClient(app) as client:
            problems = check(client, round_id, given, people)
            page = client.get(f"/runder/{round_id}/resultater")
            if page.status_code != 200 or page.text.count('type="application/json"') < 1:
                problems.append(f"results page answered {page.status_code} without radars")
            page_ms = timed(client, f"/runder/{round_id}/resultater", runs)
            api_ms = timed(client, f"/api/runder/{round_id}/resultater", runs)
        engine.dispose()
    for name, (wall, cpu) in (("results page", page_ms), ("results API ", api_ms)):
        print(
            f"{name}: median {statistics.median(wall):.1f} ms wall-clock "
            f"(min {min(wall):.1f}, max {max(wall):.1f}, {len(wall)} runs); "
            f"median {statistics.median(cpu):.1f} ms CPU"
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work inflates the times)")
    median = statistics.median(page_ms[0])
    verdict = "within" if median < TARGET_MS else "OVER"
    print(f"target: results page < {TARGET_MS:.0f} ms on SQLite -> {verdict} target (wall-clock)")
    if args.quick:
        print("(quick mode: small numbers; the timing says nothing about the target)")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("numbers add up" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Export of 1,000,000 score rows to CSV on SQLite: rows per second and peak memory.

Targets (PRODUCT.md section 7, issue 7): over 200,000 rows/s and under 150 MB. The export runs in a
child process so that its peak memory is its own, not the database build's: the child reports the
process peak (ru_maxrss) and how much it grew during the export, and a second, traced run reports
the Python heap's peak during the export (tracemalloc slows Python, so that run is not timed).

    python bench/export.py            # 1,000,000 rows, prints figures and whether targets are met
    python bench/export.py --quick    # ~20,000 rows, only checks that every row was exported
"""

import argparse
import csv
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.db.engine import make_engine
from app.db.export import COLUMN_HEADERS, ExportFilter, export_rows, plan_export, write_export
from app.db.models import Response, Score, Team, Unit
from app.db.rounds import create_round
from app.migrate import upgrade_to_head
from app.themes import default_catalogue_path, load_catalogue

TARGET_ROWS_PER_SECOND = 200_000
TARGET_PEAK_MB = 150
K = 3
BATCH = 50_000
PROFESSIONS = ("laerer", "laerer", "paedagog", "paedagog", "ppr", "socialraadgiver", None)


def build(url: str, target_rows: int, rounds_per_team: int, teams: int) -> int:
    """Fill a fresh database with closed rounds; return how many score rows the export must have."""
    upgrade_to_head(url)
    catalogue = load_catalogue(default_catalogue_path())
    statements = [statement.id for statement in catalogue.all_statements()]
    themes = [theme.id for theme in catalogue.themes]
    engine = make_engine(url)
    rng = random.Random(7)
    opened = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with Session(engine) as session:
        units = [Unit(name=f"Enhed {number}") for number in range(1, 6)]
        session.add_all(units)
        session.flush()
        round_ids: list[int] = []
        for number in range(teams):
            team = Team(name=f"Team {number + 1:03d}", unit_id=units[number % len(units)].id)
            session.add(team)
            session.flush()
            assert team.id is not None
            for index in range(rounds_per_team + (1 if number == 0 else 0)):
                round_ = create_round(
                    session=session,
                    catalogue=catalogue,
                    team_id=team.id,
                    label=f"Runde {index + 1}",
                    theme_ids=themes,
                    status="closed",
                )
                round_.opened_at = opened + timedelta(days=90 * index)
                round_.closed_at = round_.opened_at + timedelta(days=14)
                assert round_.id is not None
                round_ids.append(round_.id)
        session.commit()
        below_k = round_ids.pop(0)  # one round with too few answers: left out of the export
        per_round = -(-target_rows // (len(round_ids) * len(statements)))
        now = datetime.now(UTC)
        responses: list[dict[str, object]] = []
        response_id = 0
        for round_id, count in [(below_k, K - 1)] + [(r, per_round) for r in round_ids]:
            for _ in range(count):
                response_id += 1
                responses.append(
                    {
                        "id": response_id,
                        "round_id": round_id,
                        "respondent_key_hash": secrets.token_hex(32),
                        "public_id": secrets.token_hex(6),
                        "profession": rng.choice(PROFESSIONS),
                        "created_on": now.date(),
                        "updated_on": now.date(),
                    }
                )
        for start in range(0, len(responses), BATCH):
            session.execute(insert(Response), responses[start : start + BATCH])
        batch: list[dict[str, object]] = []
        for response in range(1, response_id + 1):
            for statement in statements:
                value = rng.randint(0, 10) or None  # about one in eleven is "Ved ikke"
                batch.append({"response_id": response, "statement_id": statement, "value": value})
            if len(batch) >= BATCH:
                session.execute(insert(Score), batch)
                batch = []
        if batch:
            session.execute(insert(Score), batch)
        session.commit()
    engine.dispose()
    return len(round_ids) * per_round * len(statements)


def measure(url: str, out: Path, traced: bool) -> dict[str, float]:
    """Export everything to a CSV file in this process; time it and watch its memory."""
    catalogue = load_catalogue(default_catalogue_path())
    labels = {profession.id: profession.label for profession in catalogue.professions}
    engine = make_engine(url)
    with Session(engine) as session:
        plan = plan_export(
            session=session,
            filters=ExportFilter(),
            k=K,
            min_share=0.0,
            profession_labels=labels,
        )
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    rows = export_rows(engine=engine, plan=plan)
    written = write_export(rows=rows, plan=plan, path=out, kind="csv")
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    after_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine.dispose()
    return {
        "rows": written,
        "planned": plan.rows,
        "left_out": plan.left_out,
        "seconds": seconds,
        "peak_mb": after_kb / 1024,
        "growth_mb": (after_kb - before_kb) / 1024,
        "traced_peak_mb": traced_peak / 1024 / 1024,
        "bytes": out.stat().st_size,
    }


def _run(arguments: list[str]) -> Any:
    """Run this script in a child process and return what it printed (JSON).

    Linux carries a process's peak memory (ru_maxrss) over into the program it starts, so the
    database is built in a child too: this parent stays small and the export's child measures
    nothing but itself.
    """
    command = [sys.executable, __file__, *arguments]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def _child(url: str, out: Path, traced: bool) -> dict[str, float]:
    figures: dict[str, float] = _run(
        ["--measure", url, str(out), *(["--traced"] if traced else [])]
    )
    return figures


def _read_back(out: Path) -> int:
    with open(out, encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, delimiter=";")
        assert tuple(next(reader)) == COLUMN_HEADERS, "the header differs from COLUMN_HEADERS"
        return sum(1 for _ in reader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~20,000 rows, no targets")
    parser.add_argument("--rows", type=int, help="how many score rows to build")
    parser.add_argument(
        "--build", nargs=4, metavar=("URL", "ROWS", "R", "T"), help=argparse.SUPPRESS
    )
    parser.add_argument("--measure", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        url, rows, rounds_per_team, teams = args.build
        print(json.dumps(build(url, int(rows), int(rounds_per_team), int(teams))))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]), args.traced)))
        return 0
    target = args.rows or (20_000 if args.quick else 1_000_000)
    teams, rounds_per_team = (4, 2) if args.quick else (40, 5)
    with tempfile.TemporaryDirectory(prefix="spindelvaev-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        out = Path(folder) / "svar.csv"
        started = time.perf_counter()
        expected = _run(["--build", url, str(target), str(rounds_per_team), str(teams)])
        print(f"built {expected:,} score rows in {time.perf_counter() - started:.1f} s")
        timed = _child(url, out, traced=False)
        exported = _read_back(out)
        print(
            f"exported {timed['rows']:,.0f} rows ({timed['bytes'] / 1e6:.0f} MB CSV) "
            f"in {timed['seconds']:.2f} s; {timed['left_out']:.0f} round left out (below k)"
        )
        # The small-group rule holds back the rows of cells the results page hides (random
        # professions and values make a few); every row it lets out must arrive.
        planned = int(timed["planned"])
        held_back = expected - planned
        if exported != planned or timed["rows"] != planned or timed["left_out"] != 1:
            print(f"FAIL: expected {planned:,} rows and 1 round left out; read back {exported:,}")
            return 1
        if not 0 <= held_back < expected // 10:
            print(f"FAIL: the small-group rule held back {held_back:,} of {expected:,} rows")
            return 1
        print(
            f"OK: every one of the {planned:,} rows let out was exported and read back "
            f"({held_back:,} held back by the small-group rule)"
        )
        if args.quick:
            return 0
        traced = _child(url, out, traced=True)
        rate = timed["rows"] / timed["seconds"]
        checks = (
            ("rows per second", f"{rate:,.0f}", f"> {TARGET_ROWS_PER_SECOND:,}",
             rate > TARGET_ROWS_PER_SECOND),
            ("process peak (ru_maxrss)", f"{timed['peak_mb']:.0f} MB", f"< {TARGET_PEAK_MB} MB",
             timed["peak_mb"] < TARGET_PEAK_MB),
            ("growth during the export", f"{timed['growth_mb']:.1f} MB", "", True),
            ("Python heap peak, export only (tracemalloc)", f"{traced['traced_peak_mb']:.1f} MB",
             "", True),
        )  # fmt: skip
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work lowers the rate)")
        for name, figure, target_text, met in checks:
            verdict = "" if not target_text else ("met" if met else "MISSED")
            print(f"  {name:<45} {figure:>12}  {target_text:<12} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

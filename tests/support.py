"""What the tests and the bench scripts share: fresh databases, an open round, a served process.

bench/ imports this module; nothing here imports bench/.
"""

import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db.engine import make_engine
from app.db.models import Team, Unit
from app.db.rounds import create_round
from app.migrate import upgrade_to_head
from app.themes import default_catalogue_path, load_catalogue

STARTUP_SECONDS = 60


@contextmanager
def fresh_database(folder: Path, postgres: str | None, *, purpose: str) -> Iterator[str]:
    """A new, migrated database: a SQLite file in the folder, or a new database on the server.

    The purpose names the file or database ("test" for tests/conftest.py, "load" for the bench).
    """
    if postgres is None:
        url = f"sqlite:///{folder / f'{purpose}.db'}"
        upgrade_to_head(url)
        yield url
        return
    server = make_url(postgres).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"spindelvaev_{purpose}_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
        upgrade_to_head(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


LOAD_TEAM_SIZE = 100_000


def open_round(url: str) -> tuple[str, int, int]:
    """A team with an open round on all six themes: (join code, round id, statement count)."""
    catalogue = load_catalogue(default_catalogue_path())
    engine = make_engine(url)
    with Session(engine) as session:
        unit = Unit(name="Lasttest")
        session.add(unit)
        session.flush()
        assert unit.id is not None
        # As many members as simulated phones: a round takes at most the team's size.
        team = Team(name="Lasttest", unit_id=unit.id, expected_size=LOAD_TEAM_SIZE)
        session.add(team)
        session.flush()
        assert team.id is not None
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id,
            label="Personaledag",
            theme_ids=[theme.id for theme in catalogue.themes],
            status="open",
        )
        session.commit()
        assert round_.id is not None
        code, round_id = round_.join_code, round_.id
    engine.dispose()
    return code, round_id, len(list(catalogue.all_statements()))


def free_port() -> int:
    """A loopback port that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    command: list[str],
    *,
    port: int,
    env: Mapping[str, str],
    log: Path,
    cwd: Path | None = None,
    ready_path: str = "/healthz",
) -> Iterator[subprocess.Popen[bytes]]:
    """The server command running until the block ends; yields it once ready_path answers 200.

    Its output goes to the log file, which the error quotes when the server does not start.
    """
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port, ready_path):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the service did not start on port {port}:\n{tail}")
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False

"""Retention: comments and rounds deleted a set time after closing, the clock set forward."""

import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.core.retention import months_before
from app.core.scoring import Answer
from app.db.aggregates import stored_comments
from app.db.models import AuditEntry, DeletedRound, Response, Round, Score, User, utcnow
from app.db.responses import save_response
from app.db.retention import prune
from app.db.rounds import close_round, create_round
from app.migrate import upgrade_to_head
from app.themes import Catalogue
from tests.conftest import TEST_SECRET
from tests.html import text_of
from tests.support import free_port, serving
from tests.world import World, act_as, build_world

YEAR = timedelta(days=366)


@dataclass
class Rounds:
    closed: Round  # closed today
    ran_out: Round  # open, its closing time passes tomorrow
    still_open: Round  # open, no closing time
    draft: Round


def _answered(session: Session, catalogue: Catalogue, world: World, label: str) -> Round:
    theme = catalogue.themes[0]
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id or 0,
        label=label,
        theme_ids=[theme.id],
        status="open",
    )
    session.commit()
    first, second = (s.id for s in theme.statements[:2])
    for person in range(3):
        save_response(
            session=session,
            round_id=round_.id or 0,
            respondent_key=f"{label}-{person}",
            profession=None,
            answers={first: Answer(value=7, comment=f"Kommentar {person}"), second: Answer(4)},
        )
    return round_


@pytest.fixture
def rounds(session: Session, catalogue: Catalogue) -> Rounds:
    world = build_world(session, catalogue)
    closed = _answered(session, catalogue, world, "Lukket")
    close_round(session=session, round_=closed)
    ran_out = _answered(session, catalogue, world, "Udløbet")
    ran_out.closes_at = utcnow() + timedelta(days=1)
    still_open = _answered(session, catalogue, world, "Åben")
    draft = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id or 0,
        label="Kladde",
        theme_ids=[catalogue.themes[0].id],
    )
    session.add(ran_out)
    session.commit()
    return Rounds(closed, ran_out, still_open, draft)


def _comments(session: Session, round_: Round) -> list[str | None]:
    return list(
        session.exec(
            select(Score.comment)
            .join(Response, col(Response.id) == Score.response_id)
            .where(Response.round_id == round_.id, col(Score.comment).is_not(None))
        ).all()
    )


def _shown_comments(session: Session, round_: Round) -> list[str]:
    """The comments the results page shows: the copies stored beside the round's counts."""
    stored = stored_comments(session=session, round_id=round_.id or 0)
    return [text for texts in stored.values() for text in texts]


def _values(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Score)).one()


def _prune(session: Session, now: datetime, *, round_years: int = 0) -> None:
    prune(session=session, now=now, audit_days=730, comment_months=24, round_years=round_years)
    session.commit()


def test_comments_stay_until_24_months_after_the_round_closed(
    session: Session, rounds: Rounds
) -> None:
    _prune(session, utcnow() + timedelta(days=23 * 31))
    assert len(_comments(session, rounds.closed)) == 3
    assert len(_comments(session, rounds.ran_out)) == 3
    # the copies the results read, stored when the round closed
    assert _shown_comments(session, rounds.closed) == [f"Kommentar {n}" for n in range(3)]


def test_comments_of_closed_rounds_go_after_24_months_and_nothing_else_does(
    session: Session, rounds: Rounds
) -> None:
    scores = _values(session)
    _prune(session, utcnow() + timedelta(days=25 * 31), round_years=0)
    assert _comments(session, rounds.closed) == []
    assert _shown_comments(session, rounds.closed) == []  # the results' copies go too
    assert _comments(session, rounds.ran_out) == []  # closed when its closing time passed
    assert len(_comments(session, rounds.still_open)) == 3  # still taking answers: kept
    assert _values(session) == scores  # the scores themselves stay, only the texts go
    assert session.exec(select(func.count()).select_from(Round)).one() == 5  # incl. world's
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.kind == "retention.comments_deleted")
    ).all()
    assert sorted((e.round_id, e.detail) for e in entries) == sorted(
        (r.id, "3 kommentarer slettet 24 måneder efter, runden lukkede.")
        for r in (rounds.closed, rounds.ran_out)
    )


def test_rounds_are_kept_forever_by_default(session: Session, rounds: Rounds) -> None:
    _prune(session, utcnow() + 30 * YEAR)
    assert session.exec(select(func.count()).select_from(Round)).one() == 5
    assert session.exec(select(func.count()).select_from(DeletedRound)).one() == 0


def test_rounds_closed_longer_ago_than_the_setting_go_with_their_answers_and_leave_a_note(
    session: Session, rounds: Rounds, client: TestClient
) -> None:
    _prune(session, utcnow() + YEAR, round_years=2)
    assert session.exec(select(func.count()).select_from(DeletedRound)).one() == 0

    _prune(session, utcnow() + 3 * YEAR, round_years=2)
    left = session.exec(select(Round.label).order_by(col(Round.label))).all()
    assert left == ["Kladde", "Runde A", "Åben"]
    answers = session.exec(select(Response.respondent_key_hash)).all()
    assert len(answers) == 3 + 1  # the open round's three and the world's round's one
    gone = session.exec(select(DeletedRound).order_by(col(DeletedRound.label))).all()
    assert [(g.label, g.after_years) for g in gone] == [("Lukket", 2), ("Udløbet", 2)]
    kinds = session.exec(
        select(AuditEntry.detail).where(AuditEntry.kind == "retention.round_deleted")
    ).all()
    assert sorted(kinds) == [
        "»Lukket« og dens 3 svar slettet 2 år efter lukning.",
        "»Udløbet« og dens 3 svar slettet 2 år efter lukning.",
    ]

    admin = session.exec(select(User).where(User.role == "admin")).one()
    act_as(client, TEST_SECRET.get_secret_value(), admin)
    page = text_of(client.get(f"/teams/{rounds.still_open.team_id}/historik").text)
    assert "Slettede runder Lukket – " in page and "Udløbet – " in page
    assert page.count("slettet efter 2 år") == 2


def test_prune_command_applies_the_configured_periods(
    cli_env: Path, engine: Engine, rounds: Rounds, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        old = session.get_one(Round, rounds.closed.id)
        old.closed_at = months_before(utcnow(), 37)
        session.add(old)
        session.commit()
    monkeypatch.setenv("SPINDELVAEV_ROUND_RETENTION_YEARS", "3")
    result = CliRunner().invoke(cli, ["prune"])
    assert result.exit_code == 0, result.output
    assert "Slettede 0 kommentarer i runder lukket for mere end 24 måneder siden." in result.output
    assert "Slettede 1 runder med alle deres svar, lukket for mere end 3 år siden." in result.output
    with Session(engine) as session:
        assert session.get(Round, rounds.closed.id) is None
        assert session.get(Round, rounds.ran_out.id) is not None


def test_serve_applies_the_retention_rules_when_it_starts(tmp_path: Path) -> None:
    data = tmp_path / "var"
    database = data / "spindelvaev.db"
    url = f"sqlite:///{database}"
    data.mkdir()
    upgrade_to_head(url)
    closed = months_before(datetime.now(), 13).isoformat(sep=" ")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO unit (id, name, created_at) VALUES (1, 'Enhed', CURRENT_TIMESTAMP)"
        )
        connection.execute(
            "INSERT INTO team (id, name, unit_id, expected_size, created_at)"
            " VALUES (1, 'Team', 1, 5, CURRENT_TIMESTAMP)"
        )
        connection.execute(
            "INSERT INTO round (team_id, label, colour, status, themes, join_code, link_token,"
            " catalogue_version, closed_at, opened_at, results_released, team_size, created_at)"
            " VALUES (1, 'Gammel', '#000000', 'closed', '[]', 'ABCDEF', 'x', '1', ?, ?, 0, 5, ?)",
            (closed, closed, closed),
        )
    connection.close()
    port = free_port()
    env = {
        **os.environ,
        "SPINDELVAEV_DATA_DIR": str(data),
        "SPINDELVAEV_DATABASE_URL": "",
        "SPINDELVAEV_ROUND_RETENTION_YEARS": "1",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with serving(command, port=port, env=env, log=log):
        deadline = time.monotonic() + 60
        while "Slettede 1 runder" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert "Slettede 1 runder med alle deres svar" in log.read_text()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM round").fetchone() == (0,)
        assert connection.execute("SELECT label, after_years FROM deleted_round").fetchall() == [
            ("Gammel", 1)
        ]
    connection.close()

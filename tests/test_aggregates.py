"""A closed round's stored aggregates: equal to the score rows, and what the views read instead.

- For random rounds, the counts read back equal a recomputation from the score rows: rounds
  closed in the app, and rounds closed before migration 0007, which the migration fills in.
- Reopening forgets them; closing again stores the new answers.
- The roll-up, the overview, the export page and the admin home never query the score table.
"""

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.scoring import Answer
from app.core.stats import SCALE
from app.db.aggregates import (
    store_aggregates,
    store_missing_aggregates,
    stored_aggregates,
    stored_comments,
)
from app.db.engine import make_engine
from app.db.models import Response, Round, RoundAggregate, Score, Team, Unit
from app.db.responses import save_response
from app.db.rounds import close_round, create_round, reopen_round
from app.migrate import alembic_config
from app.themes import Catalogue
from tests.test_anonymity_property import _empty
from tests.test_overview import admin_client, build_example

PROFESSIONS = ("laerer", "paedagog", "ppr", None)
SKIP = "skip"
_person = st.tuples(
    st.sampled_from(PROFESSIONS),
    st.lists(st.sampled_from([SKIP, None, *SCALE]), min_size=5, max_size=5),
)
_round = st.lists(_person, min_size=0, max_size=14)

Counts = dict[tuple[str | None, str], tuple[int, int, tuple[int, ...]]]


def _open_round(session: Session, catalogue: Catalogue, size: int) -> tuple[Round, list[str]]:
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    team = Team(name="Team", unit_id=unit.id or 0, expected_size=max(size, 1))
    session.add(team)
    session.flush()
    theme = catalogue.themes[0]
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team.id or 0,
        label="Runde",
        theme_ids=[theme.id],
        status="open",
    )
    session.commit()
    return round_, [s.id for s in theme.statements[:5]]


def _answer(session: Session, round_id: int, people: list, statement_ids: list[str]) -> None:
    for index, (profession, values) in enumerate(people):
        answers = {
            sid: Answer(value, None)
            for sid, value in zip(statement_ids, values, strict=True)
            if value != SKIP
        }
        if answers:
            save_response(
                session=session,
                round_id=round_id,
                respondent_key=f"key-{round_id}-{index}-{len(people)}",
                profession=profession,
                answers=answers,
            )


def _recomputed(session: Session, round_id: int) -> Counts:
    """The counts per (profession, statement), counted in Python from the score rows."""
    rows = session.exec(
        select(Response.profession, Score.statement_id, Score.value)
        .join(Response, Response.id == Score.response_id)  # type: ignore[arg-type]
        .where(Response.round_id == round_id)
    ).all()
    values: dict[tuple[str | None, str], list[int | None]] = {}
    for profession, statement_id, value in rows:
        values.setdefault((profession, statement_id), []).append(value)
    return {
        key: (
            sum(v is not None for v in given),
            given.count(None),
            tuple(given.count(v) for v in SCALE),
        )
        for key, given in values.items()
    }


def _comments(session: Session, round_id: int) -> dict[str, list[str]]:
    """The round's comments recounted from the score rows, stripped, as the results show them."""
    found: dict[str, list[str]] = {}
    rows = session.exec(
        select(Score.statement_id, Score.comment)
        .join(Response, col(Response.id) == Score.response_id)
        .where(Response.round_id == round_id)
    ).all()
    for statement_id, comment in rows:
        if comment and comment.strip():
            found.setdefault(statement_id, []).append(comment.strip())
    return {statement_id: sorted(texts) for statement_id, texts in found.items()}


def _stored(session: Session, round_id: int) -> Counts:
    stored = stored_aggregates(session=session, round_ids=[round_id])[round_id]
    return {key: (sum(item.counts), item.n_dont_know, item.counts) for key, item in stored.items()}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=_round)
def test_aggregates_stored_at_close_equal_a_recount_of_the_score_rows(
    engine: Engine, catalogue: Catalogue, people: list
) -> None:
    _empty(engine)
    with Session(engine) as session:
        round_, statement_ids = _open_round(session, catalogue, len(people))
        round_id = round_.id or 0
        _answer(session, round_id, people, statement_ids)
        close_round(session=session, round_=session.get_one(Round, round_id))
        session.commit()
        assert _stored(session, round_id) == _recomputed(session, round_id)
        marker = session.get_one(RoundAggregate, round_id)
        responses = session.exec(select(Response).where(Response.round_id == round_id)).all()
        assert marker.responses == len(responses)


def test_reopening_forgets_the_aggregates_and_closing_again_counts_the_new_answers(
    session: Session, catalogue: Catalogue
) -> None:
    round_, statement_ids = _open_round(session, catalogue, 10)
    round_id = round_.id or 0
    _answer(session, round_id, [("laerer", [5, 5, 5, 5, 5])] * 3, statement_ids)
    close_round(session=session, round_=round_)
    session.commit()
    reopen_round(session=session, round_=round_)
    session.commit()
    assert session.get(RoundAggregate, round_id) is None
    assert _stored(session, round_id) == {}
    _answer(session, round_id, [("ppr", [9, 9, None, 9, SKIP])] * 5, statement_ids)
    close_round(session=session, round_=round_)
    session.commit()
    assert _stored(session, round_id) == _recomputed(session, round_id)
    assert _stored(session, round_id)[("ppr", statement_ids[0])][0] == 5


@contextmanager
def _database_at_0005(folder: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{folder / 'before.db'}"
    command.upgrade(alembic_config(url), "0005")
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()


_before = st.lists(st.tuples(st.sampled_from(["closed", "open", "past"]), _round), max_size=4)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=_before)
def test_the_migration_fills_in_every_round_closed_before_it(
    catalogue: Catalogue, rounds: list
) -> None:
    with tempfile.TemporaryDirectory() as name, _database_at_0005(Path(name)) as (url, engine):
        now = datetime.now(UTC)
        statement_ids = [s.id for s in catalogue.themes[0].statements[:5]]
        with engine.begin() as connection:
            connection.execute(insert(Unit), [{"id": 1, "name": "Enhed", "created_at": now}])
            team = {"id": 1, "name": "T", "unit_id": 1, "expected_size": 8, "created_at": now}
            connection.execute(insert(Team), [team])
            response_id = 0
            for number, (status, people) in enumerate(rounds, start=1):
                closes = now - timedelta(days=1) if status == "past" else None
                connection.execute(
                    insert(Round),
                    [
                        {
                            "id": number,
                            "team_id": 1,
                            "label": f"R{number}",
                            "colour": "#0072B2",
                            "status": "closed" if status == "closed" else "open",
                            "themes": ["x"],
                            "join_code": f"C{number:05d}",
                            "link_token": f"t{number}",
                            "catalogue_version": "1",
                            "closes_at": closes,
                            "created_at": now,
                            "team_size": 8,
                        }
                    ],
                )
                for profession, values in people:
                    response_id += 1
                    connection.execute(
                        insert(Response),
                        [
                            {
                                "id": response_id,
                                "round_id": number,
                                "respondent_key_hash": f"h{response_id}",
                                "public_id": f"p{response_id}",
                                "profession": profession,
                            }
                        ],
                    )
                    scores = [
                        {
                            "response_id": response_id,
                            "statement_id": sid,
                            "value": value,
                            # a 7 comes with a comment, padded as a phone might send it
                            "comment": f" K{response_id} " if value == 7 else None,
                        }
                        for sid, value in zip(statement_ids, values, strict=True)
                        if value != SKIP
                    ]
                    if scores:
                        connection.execute(insert(Score), scores)
        command.upgrade(alembic_config(url), "head")
        with Session(engine) as session:
            for number, (status, _people) in enumerate(rounds, start=1):
                marker = session.get(RoundAggregate, number)
                if status == "open":
                    assert marker is None and _stored(session, number) == {}
                    assert stored_comments(session=session, round_id=number) == {}
                else:
                    assert marker is not None
                    assert _stored(session, number) == _recomputed(session, number)
                    assert stored_comments(session=session, round_id=number) == _comments(
                        session, number
                    )


TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


@contextmanager
def tables_queried(engine: Engine) -> Iterator[Counter[str]]:
    """Every table named in a FROM or JOIN of the statements run meanwhile, with its count."""
    seen: Counter[str] = Counter()

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.update(name.lower() for name in TABLE.findall(statement))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_admin_views_read_stored_aggregates_and_never_the_score_table(
    app: FastAPI, client: TestClient, engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    example = build_example(session, catalogue)
    # Its rounds were made closed without `close_round`: the first read stores them, as for a
    # round whose closing time passed. That one INSERT … SELECT is the aggregation at close.
    store_missing_aggregates(session=session, now=datetime.now(UTC))
    session.commit()
    admin_client(app, client, session)
    unit_id = example.a.unit_id
    pages = [
        "/admin/rollup",
        f"/admin/rollup?enhed={unit_id}",
        "/admin/oversigt",
        "/eksport",
        "/admin",
    ]
    for page in pages:
        with tables_queried(engine) as seen:
            reply = client.get(page)
        assert reply.status_code == 200, page
        assert "score" not in seen, f"{page} queried the score table: {seen}"
        if page != "/admin":
            assert seen["statement_aggregate"] + seen["round_aggregate"] > 0, page


def test_a_closed_rounds_results_page_takes_its_figures_from_the_stored_aggregates(
    app: FastAPI, client: TestClient, engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    example = build_example(session, catalogue)
    round_id = session.exec(select(Round.id).where(Round.team_id == example.a.id)).one()
    admin_client(app, client, session)
    statements: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        reply = client.get(f"/runder/{round_id}/resultater")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert reply.status_code == 200
    assert "5,5" in reply.text  # team A's theme mean (tests/test_overview.py)
    assert any("statement_aggregate" in statement for statement in statements)
    on_scores = [s for s in statements if "score" in (t.lower() for t in TABLE.findall(s))]
    # The score rows are read for the comments only, and aggregated once (INSERT … SELECT).
    assert all("comment" in s or s.lstrip().upper().startswith("INSERT") for s in on_scores), (
        on_scores
    )


def test_storing_a_round_twice_keeps_the_first_counts_and_raises_nothing(
    session: Session, catalogue: Catalogue
) -> None:
    example = build_example(session, catalogue)
    round_id = session.exec(select(Round.id).where(Round.team_id == example.a.id)).one()
    store_aggregates(session=session, round_id=round_id)
    first = _stored(session, round_id)
    store_aggregates(session=session, round_id=round_id)  # a second reader of the same round
    session.commit()
    assert first and _stored(session, round_id) == first == _recomputed(session, round_id)


def test_a_closed_rounds_comments_are_read_from_their_stored_copies_and_reopening_renews_them(
    app: FastAPI, client: TestClient, engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    round_, statement_ids = _open_round(session, catalogue, size=5)
    first = statement_ids[0]
    for person, comment in enumerate(["Godt samarbejde", "  Mere tid  ", "", None]):
        save_response(
            session=session,
            round_id=round_.id or 0,
            respondent_key=f"comment-{person}",
            profession=None,
            answers={first: Answer(6, comment)},
        )
    close_round(session=session, round_=round_)
    session.commit()
    # stripped, the empty one left out, and no tie to a response or a profession
    assert stored_comments(session=session, round_id=round_.id or 0) == {
        first: ["Godt samarbejde", "Mere tid"]
    }

    # Reopened before anyone saw the results, a fifth phone comments; closed again, the stored
    # copies are those of the round as it is now.
    reopen_round(session=session, round_=round_)
    assert stored_comments(session=session, round_id=round_.id or 0) == {}
    save_response(
        session=session,
        round_id=round_.id or 0,
        respondent_key="comment-late",
        profession=None,
        answers={first: Answer(7, "Sent men godt")},
    )
    close_round(session=session, round_=round_)
    session.commit()
    admin_client(app, client, session)
    with tables_queried(engine) as seen:
        page = client.get(f"/runder/{round_.id}/resultater")
    assert page.status_code == 200
    for comment in ("Godt samarbejde", "Mere tid", "Sent men godt"):
        assert comment in page.text
    assert "score" not in seen, seen  # stored at close: the page reads no score row at all
    assert seen["statement_comment"] > 0

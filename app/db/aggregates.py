"""A closed round's figures, stored once: counts per statement and profession code.

A closed round never changes, so its scores are aggregated once, in the transaction that closes
it (`close_round`), or, for a round whose closing time passed, by the first view that reads it
(`store_missing_aggregates`). Reopening a round deletes them (`discard_aggregates`). Every view
except the raw export reads these rows instead of the score rows (the comments too, copied into
`statement_comment`); the small-group rule of
`app.core.anonymity` applies when they are read, exactly as it did to the live sums.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, case, delete, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from app.core.stats import SCALE, Aggregate, aggregate_from_counts
from app.db.models import (
    ExportCount,
    ExportHidden,
    Response,
    Round,
    RoundAggregate,
    Score,
    StatementAggregate,
    StatementComment,
    utcnow,
)
from app.db.sql import is_closed

CLAIM_BATCH = 500  # rounds tallied per statement when many are stored at once
COUNT_COLUMNS = tuple(f"count_{value}" for value in SCALE)
# Per round, per (profession, statement): the stored counts as the statistics read them.
ByProfession = dict[tuple[str | None, str], Aggregate]


def _claim(session: Session, rounds: ColumnElement[bool]) -> list[int]:
    """Insert the marker of every round matching `rounds` that has none yet, with its response
    count, in one INSERT … SELECT; return the rounds this transaction claimed (not another)."""
    responses = (
        select(func.count())
        .select_from(Response)
        .where(col(Response.round_id) == col(Round.id))
        .scalar_subquery()
    )
    missing = select(col(Round.id), responses, literal(utcnow())).where(
        rounds, ~exists().where(col(RoundAggregate.round_id) == col(Round.id))
    )
    dialect = session.get_bind().dialect.name
    insert_: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claim = (
        insert_(RoundAggregate)
        .from_select(["round_id", "responses", "computed_at"], missing)
        .on_conflict_do_nothing()
        # RETURNING, not the rowcount: psycopg gives -1 for an INSERT … ON CONFLICT DO NOTHING.
        .returning(col(RoundAggregate.round_id))
    )
    return sorted(session.execute(claim).scalars())


def _store(session: Session, claimed: list[int]) -> None:
    """Tally the claimed rounds and copy their comments, a batch of rounds per statement."""
    for first in range(0, len(claimed), CLAIM_BATCH):
        batch = claimed[first : first + CLAIM_BATCH]
        session.execute(_tallies(col(Response.round_id).in_(batch)))
        _copy_comments(session, batch)
    session.flush()


def _tallies(round_ids: ColumnElement[bool]) -> Insert:
    """SQL: INSERT … SELECT of the counts per round, profession and statement."""
    value = col(Score.value)
    query = (
        select(
            col(Response.round_id),
            col(Score.statement_id),
            col(Response.profession),
            func.count(value),
            func.sum(case((value.is_(None), 1), else_=0)),
            *(func.sum(case((value == v, 1), else_=0)) for v in SCALE),
        )
        .select_from(Score)
        .join(Response, col(Response.id) == col(Score.response_id))
        .where(round_ids)
        .group_by(col(Response.round_id), col(Response.profession), col(Score.statement_id))
    )
    names = ["round_id", "statement_id", "profession", "n", "dont_know", *COUNT_COLUMNS]
    return StatementAggregate.__table__.insert().from_select(names, query)  # type: ignore[attr-defined]


def store_aggregates(*, session: Session, round_id: int) -> None:
    """Aggregate a closed round's scores once; a round already stored is left as it is."""
    _store(session, _claim(session, col(Round.id) == round_id))


def _copy_comments(session: Session, round_ids: Sequence[int]) -> None:
    """Copy the rounds' comments, stripped, without their response or profession."""
    found = session.execute(
        select(col(Response.round_id), col(Score.statement_id), col(Score.comment))
        .join(Response, col(Response.id) == col(Score.response_id))
        .where(col(Response.round_id).in_(round_ids), col(Score.comment).is_not(None))
    ).all()
    session.add_all(
        StatementComment(round_id=round_id, statement_id=statement_id, text=comment.strip())
        for round_id, statement_id, comment in found
        if comment and comment.strip()
    )


def stored_comments(*, session: Session, round_id: int) -> dict[str, list[str]]:
    """A stored round's comments per statement, in alphabetical order so that they cannot be
    linked to one phone."""
    query = (
        select(col(StatementComment.statement_id), col(StatementComment.text))
        .where(col(StatementComment.round_id) == round_id)
        .order_by(col(StatementComment.statement_id), col(StatementComment.text))
    )
    result: dict[str, list[str]] = {}
    for statement_id, text in session.execute(query):
        result.setdefault(statement_id, []).append(text)
    return result


def store_missing_aggregates(*, session: Session, now: datetime) -> int:
    """Store every closed round that has no aggregates yet (closing times that passed).

    In a few statements whatever their number (after an upgrade that may be every round of the
    municipality): one INSERT … SELECT claims them all, then one per batch of rounds tallies.
    """
    claimed = _claim(session, is_closed(now))
    _store(session, claimed)
    return len(claimed)


def discard_aggregates(*, session: Session, round_id: int) -> None:
    """Forget a reopened round's figures (and the export's decisions): more answers may come."""
    for table in (ExportCount, ExportHidden):
        session.execute(delete(table).where(col(table.round_id) == round_id))
    session.execute(delete(StatementAggregate).where(col(StatementAggregate.round_id) == round_id))
    session.execute(delete(StatementComment).where(col(StatementComment.round_id) == round_id))
    session.execute(delete(RoundAggregate).where(col(RoundAggregate.round_id) == round_id))
    session.flush()


def stored_aggregates(*, session: Session, round_ids: Sequence[int]) -> dict[int, ByProfession]:
    """Per round, the stored counts per (profession, statement); {} for a round not stored."""
    result: dict[int, ByProfession] = {round_id: {} for round_id in round_ids}
    if not round_ids:
        return result
    table = StatementAggregate.__table__  # type: ignore[attr-defined]
    query = select(
        table.c.round_id,
        table.c.profession,
        table.c.statement_id,
        table.c.dont_know,
        *(table.c[name] for name in COUNT_COLUMNS),
    ).where(table.c.round_id.in_(round_ids))
    for round_id, profession, statement_id, dont_know, *counts in session.execute(query):
        aggregate = aggregate_from_counts(statement_id, counts, dont_know)
        result[round_id][(profession, statement_id)] = aggregate
    return result


def stored_total() -> ColumnElement[int]:
    """SQL: the sum of a stored row's values (1 × count_1 + … + 10 × count_10)."""
    table = StatementAggregate.__table__  # type: ignore[attr-defined]
    total: ColumnElement[int] = literal(0)
    for value, name in zip(SCALE, COUNT_COLUMNS, strict=True):
        total = total + table.c[name] * value
    return total


def stored_means(
    *, session: Session, round_ids: Sequence[int], k: int
) -> dict[int, dict[str, float]]:
    """Per stored round, the mean of each statement with at least k values (the others hidden)."""
    result: dict[int, dict[str, float]] = {round_id: {} for round_id in round_ids}
    if not round_ids:
        return result
    n = func.sum(col(StatementAggregate.n))
    query = (
        select(
            col(StatementAggregate.round_id),
            col(StatementAggregate.statement_id),
            func.sum(stored_total()) * 1.0 / n,
        )
        .where(col(StatementAggregate.round_id).in_(round_ids))
        .group_by(col(StatementAggregate.round_id), col(StatementAggregate.statement_id))
        .having(n >= k)
    )
    for round_id, statement_id, mean in session.execute(query):
        result[round_id][statement_id] = float(mean)
    return result

"""The retention rule applied: comments and whole rounds deleted a set time after the round closed.

`spindelvaev prune` and the daily task of `serve` both run `prune`; each deletion is audited.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.core.retention import comments_cutoff, rounds_cutoff
from app.core.rounds import held_at
from app.db import audit, sql
from app.db.models import DeletedRound, Response, Round, Score, StatementComment
from app.db.rounds import count_responses
from app.db.sessions import prune_login_sessions

ENDED_LOGINS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Pruned:
    """How much one pass deleted."""

    audit_entries: int
    logins: int
    comments: int
    rounds: int


def _closed_before(cutoff: datetime, now: datetime):  # type: ignore[no-untyped-def]
    return sql.is_closed(now) & (sql.closed_at() < cutoff)


def prune_comments(*, session: Session, now: datetime, months: int) -> int:
    """Blank the comments of rounds closed more than `months` ago; one audit entry per round."""
    cutoff = comments_cutoff(now, months)
    per_round = session.exec(
        select(Round.id, Round.team_id, func.count(col(Score.comment)))
        .join(Response, col(Response.round_id) == Round.id)
        .join(Score, col(Score.response_id) == Response.id)
        .where(_closed_before(cutoff, now), col(Score.comment).is_not(None))
        .group_by(col(Round.id), col(Round.team_id))
    ).all()
    for round_id, team_id, count in per_round:
        in_round = select(Response.id).where(col(Response.round_id) == round_id)
        session.execute(
            update(Score)
            .where(col(Score.response_id).in_(in_round), col(Score.comment).is_not(None))
            .values(comment=None)
        )
        # … and their copies beside the stored counts, which the results read
        session.execute(delete(StatementComment).where(col(StatementComment.round_id) == round_id))
        audit.record(
            session=session,
            actor=None,
            kind="retention.comments_deleted",
            team_id=team_id,
            round_id=round_id,
            detail=f"{count} kommentarer slettet {months} måneder efter, runden lukkede.",
        )
    session.flush()
    return sum(count for _, _, count in per_round)


def prune_rounds(*, session: Session, now: datetime, years: int) -> int:
    """Delete rounds closed more than `years` ago with all their answers, leaving a tombstone."""
    cutoff = rounds_cutoff(now, years)
    if cutoff is None:
        return 0
    closed = sql.closed_at().label("closed")
    old = session.exec(select(Round, closed).where(_closed_before(cutoff, now))).all()
    for round_, closed_moment in old:
        answers = count_responses(session=session, round_id=round_.id or 0)
        session.add(
            DeletedRound(
                team_id=round_.team_id,
                label=round_.label,
                held_at=held_at(round_),
                closed_at=closed_moment,
                after_years=years,
            )
        )
        session.execute(delete(Round).where(col(Round.id) == round_.id))
        audit.record(
            session=session,
            actor=None,
            kind="retention.round_deleted",
            team_id=round_.team_id,
            round_id=round_.id,
            detail=f"»{round_.label}« og dens {answers} svar slettet {years} år efter lukning.",
        )
    session.flush()
    return len(old)


def prune(
    *,
    session: Session,
    now: datetime,
    audit_days: int,
    comment_months: int,
    round_years: int,
) -> Pruned:
    """One pass of every retention rule: audit entries, ended logins, comments, old rounds."""
    entries = audit.prune(session=session, keep=timedelta(days=audit_days))
    logins = prune_login_sessions(session=session, older_than=ENDED_LOGINS_KEPT)
    rounds = prune_rounds(session=session, now=now, years=round_years)
    comments = prune_comments(session=session, now=now, months=comment_months)
    return Pruned(audit_entries=entries, logins=logins, comments=comments, rounds=rounds)


def deleted_rounds(*, session: Session, team_id: int) -> list[DeletedRound]:
    """The team's rounds deleted by the retention rule, earliest held first."""
    return list(
        session.exec(
            select(DeletedRound)
            .where(DeletedRound.team_id == team_id)
            .order_by(col(DeletedRound.held_at))
        ).all()
    )


def apply(*, engine: Engine, settings: Settings, now: datetime) -> Pruned:
    """One committed pass of `prune` with the configured periods (the CLI and `serve` call it)."""
    with Session(engine) as session:
        pruned = prune(
            session=session,
            now=now,
            audit_days=settings.audit_retention_days,
            comment_months=settings.comment_retention_months,
            round_years=settings.round_retention_years,
        )
        session.commit()
    return pruned

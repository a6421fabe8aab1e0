"""Creating rounds: their colour, join code, secret link and frozen statement texts."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Subquery, delete, exists, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.core.formatting import LOCAL_TIME
from app.core.forms import read_form
from app.core.rounds import RoundStatus, effective_status, new_join_code, next_colour
from app.db.aggregates import discard_aggregates, store_aggregates
from app.db.audit import record
from app.db.drafts import delete_closed_drafts
from app.db.models import Response, Round, RoundBase, RoundStatement, Team, User, utcnow
from app.db.sql import held_at
from app.errors import Conflict, InvalidInput
from app.themes import Catalogue

FINAL_MESSAGE = (
    "Runden kan ikke genåbnes, fordi dens resultater er blevet vist. Ellers kunne et sent svar "
    "aflæses ved at sammenligne resultaterne før og efter. Opret en ny runde i stedet."
)


def _unused_join_code(session: Session) -> str:
    while True:
        code = new_join_code()
        if session.exec(select(Round.id).where(Round.join_code == code)).first() is None:
            return code


def create_round(
    *,
    session: Session,
    catalogue: Catalogue,
    team_id: int,
    label: str,
    theme_ids: list[str],
    status: str = RoundStatus.DRAFT,
    actor: User | None = None,
) -> Round:
    """Add a round for the team with the next colour and a snapshot of the chosen themes' texts."""
    known = {theme.id for theme in catalogue.themes}
    chosen = [theme.id for theme in catalogue.themes if theme.id in theme_ids]
    if not theme_ids or not set(theme_ids) <= known:
        raise InvalidInput("Vælg mindst ét af katalogets temaer.")
    label = read_form(RoundBase, {"label": label}).label
    used = session.exec(select(Round.colour).where(Round.team_id == team_id)).all()
    round_ = Round(
        team_id=team_id,
        team_size=session.get_one(Team, team_id).expected_size,
        label=label,
        colour=next_colour(used),
        status=status,
        themes=chosen,
        join_code=_unused_join_code(session),
        link_token=secrets.token_urlsafe(32),
        catalogue_version=catalogue.version,
    )
    session.add(round_)
    session.flush()
    assert round_.id is not None
    position = 0
    for theme_id in chosen:
        theme = catalogue.theme(theme_id)
        for area in theme.areas:
            for statement in area.statements:
                session.add(
                    RoundStatement(
                        round_id=round_.id,
                        statement_id=statement.id,
                        position=position,
                        theme_id=theme.id,
                        area_id=area.id,
                        theme_title=theme.title,
                        area_title=area.title,
                        text=statement.text,
                        short=statement.short,
                    )
                )
                position += 1
    _record(session, actor, "round.created", round_)
    if status == RoundStatus.OPEN:
        _record(session, actor, "round.opened", round_)
    return round_


def _record(session: Session, actor: User | None, kind: str, round_: Round) -> None:
    # The label and the team identify the round in the log even after it is deleted.
    record(
        session=session,
        actor=actor,
        kind=kind,
        team_id=round_.team_id,
        round_id=round_.id,
        detail=f"{round_.label} (runde {round_.id})",
    )


def round_statements(*, session: Session, round_id: int) -> list[RoundStatement]:
    """The statements of a round as they were worded then, in catalogue order."""
    query = (
        select(RoundStatement)
        .where(RoundStatement.round_id == round_id)
        .order_by(col(RoundStatement.position))
    )
    return list(session.exec(query).all())


def _answers_per_round(rounds: ColumnElement[bool]) -> Subquery:
    """SQL: these rounds' numbers of responses, the one count every list of rounds joins.

    Counted for the rounds asked about only, never over every response in the database.
    """
    return (
        select(col(Response.round_id).label("round_id"), func.count().label("answers"))
        .where(rounds)
        .group_by(col(Response.round_id))
        .subquery("answers_per_round")
    )


def rounds_with_counts(
    *,
    session: Session,
    team_id: int | None = None,
    team_ids: Sequence[int] = (),
    opened_only: bool = False,
) -> list[tuple[Round, int]]:
    """A team's rounds (or several teams') in the order they were held (`held_order`), each with
    its number of responses.

    With `opened_only`, drafts are left out: they were never held, so no view compares with them.
    """
    wanted = [team_id] if team_id is not None else list(team_ids)
    teams_rounds = select(col(Round.id)).where(col(Round.team_id).in_(wanted))
    answers = _answers_per_round(col(Response.round_id).in_(teams_rounds))
    query = (
        select(Round, func.coalesce(answers.c.answers, 0))
        .outerjoin(answers, answers.c.round_id == col(Round.id))
        .where(col(Round.team_id).in_(wanted))
        .order_by(held_at(), col(Round.id))
    )
    if opened_only:
        query = query.where(Round.status != RoundStatus.DRAFT.value)
    return [(round_, int(count)) for round_, count in session.exec(query).all()]


def response_counts(*, session: Session, round_ids: Sequence[int]) -> dict[int, int]:
    """How many responses each of these rounds has (0 for none)."""
    counts = dict.fromkeys(round_ids, 0)
    if round_ids:
        answers = _answers_per_round(col(Response.round_id).in_(round_ids))
        query = select(answers.c.round_id, answers.c.answers)
        counts.update({round_id: int(count) for round_id, count in session.exec(query).all()})
    return counts


def count_responses(*, session: Session, round_id: int) -> int:
    """How many phones have answered the round."""
    return response_counts(session=session, round_ids=[round_id])[round_id]


def parse_closing_time(text: str, *, now: datetime | None = None) -> datetime | None:
    """A `datetime-local` value read as Danish local time; None when empty."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip()).replace(tzinfo=LOCAL_TIME)
    except ValueError as exc:
        raise InvalidInput("Lukketidspunktet kunne ikke læses. Brug dato og klokkeslæt.") from exc
    if moment <= (now or utcnow()):
        raise InvalidInput("Lukketidspunktet skal ligge i fremtiden.")
    return moment


def open_round(*, session: Session, round_: Round, actor: User | None = None) -> None:
    """Let respondents in: a draft opens; a closed round must be reopened instead."""
    status = effective_status(round_)
    if status == RoundStatus.CLOSED:
        raise Conflict("Runden er lukket. Brug »Genåbn runden«, hvis der skal svares mere.")
    if status == RoundStatus.DRAFT:
        round_.status, round_.opened_at = RoundStatus.OPEN, utcnow()
        # The team's size as it is now: the most answers the round takes.
        round_.team_size = session.get_one(Team, round_.team_id).expected_size
        session.add(round_)
        session.flush()
        _record(session, actor, "round.opened", round_)


def close_round(*, session: Session, round_: Round, actor: User | None = None) -> None:
    """Stop answers; a round whose closing time passed is marked closed at that time."""
    if round_.status == RoundStatus.DRAFT:
        raise Conflict("Runden er ikke åbnet endnu, så den kan ikke lukkes.")
    if round_.status == RoundStatus.OPEN:
        passed = effective_status(round_) == RoundStatus.CLOSED
        round_.status = RoundStatus.CLOSED
        round_.closed_at = round_.closes_at if passed else utcnow()
        session.add(round_)
        session.flush()
        _record(session, actor, "round.closed", round_)
    if round_.id is not None:
        # In the closing transaction: the figures every view reads from now on.
        store_aggregates(session=session, round_id=round_.id)
    # Unsent drafts are never answers; they go when the round closes.
    delete_closed_drafts(session=session)


def reopen_round(*, session: Session, round_: Round, actor: User | None = None) -> None:
    """Let answers in again, until the results have been shown anywhere (then it is final)."""
    if round_.results_shown_at is not None or round_.discussed_at is not None:
        raise Conflict(FINAL_MESSAGE)
    if effective_status(round_) == RoundStatus.OPEN:
        return
    now = utcnow()
    if round_.closes_at is not None and round_.closes_at <= now:
        round_.closes_at = None
    round_.status, round_.closed_at = RoundStatus.OPEN, None
    round_.opened_at = round_.opened_at or now
    session.add(round_)
    session.flush()
    assert round_.id is not None
    discard_aggregates(session=session, round_id=round_.id)
    _record(session, actor, "round.reopened", round_)


def delete_round(*, session: Session, round_: Round, actor: User | None = None) -> None:
    """Remove a round that nobody has answered; refuse otherwise."""
    assert round_.id is not None
    answers = count_responses(session=session, round_id=round_.id)
    # The condition is repeated in the statement, so an answer arriving meanwhile is never lost.
    nobody = ~exists().where(col(Response.round_id) == round_.id)
    deleted = session.execute(delete(Round).where(col(Round.id) == round_.id, nobody))
    if answers or deleted.rowcount != 1:  # type: ignore[attr-defined]
        # Nothing was deleted; no rollback, which would expire the page header's user.
        raise Conflict(
            "Runden kan ikke slettes, fordi der er kommet svar. Luk den i stedet; "
            "svarene bliver en del af teamets historik."
        )
    session.flush()
    _record(session, actor, "round.deleted", round_)

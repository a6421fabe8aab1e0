"""Storing a phone's answers to a round: all or nothing, one response per phone."""

import hashlib
import secrets
from collections.abc import Mapping

from sqlalchemy import Table, bindparam, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.scoring import Answer
from app.db.models import Draft, Response, Round, Score, new_response_id, utctoday
from app.errors import Conflict

# The write path of a submission goes through SQLAlchemy Core: the ORM's unit of work costs more
# than the statements themselves (bench/load.py).
RESPONSE: Table = Response.__table__  # type: ignore[attr-defined]
SCORE: Table = Score.__table__  # type: ignore[attr-defined]
ROUND: Table = Round.__table__  # type: ignore[attr-defined]
DRAFT: Table = Draft.__table__  # type: ignore[attr-defined]


def new_respondent_key() -> str:
    """A random key for a phone's cookie; only its hash reaches the database."""
    return secrets.token_urlsafe(32)


def hash_respondent_key(key: str) -> str:
    """The stored form of a respondent key."""
    return hashlib.sha256(key.encode()).hexdigest()


def find_response(*, session: Session, round_id: int, respondent_key: str) -> Response | None:
    """The response this phone gave to the round, if any."""
    key_hash = hash_respondent_key(respondent_key)
    query = select(Response).where(
        Response.round_id == round_id, Response.respondent_key_hash == key_hash
    )
    return session.exec(query).first()


# Built once: a statement object keeps its compiled form in SQLAlchemy's cache, so only the values
# change from one submission to the next.
_FIND = core_select(RESPONSE.c.id).where(
    RESPONSE.c.round_id == bindparam("b_round_id"),
    RESPONSE.c.respondent_key_hash == bindparam("b_key_hash"),
)
_CREATE = insert(RESPONSE)
_UPDATE = update(RESPONSE).where(RESPONSE.c.id == bindparam("b_response_id"))
_CLEAR_SCORES = delete(SCORE).where(SCORE.c.response_id == bindparam("b_response_id"))
_ADD_SCORES = insert(SCORE)
# Sent answers end the phone's draft (app/db/drafts.py) in the same transaction.
_CLEAR_DRAFT = delete(DRAFT).where(
    DRAFT.c.round_id == bindparam("b_round_id"),
    DRAFT.c.respondent_key_hash == bindparam("b_key_hash"),
)
_TEAM_SIZE = core_select(ROUND.c.team_size).where(ROUND.c.id == bindparam("b_round_id"))
_COUNT = core_select(func.count()).where(RESPONSE.c.round_id == bindparam("b_round_id"))
ROUND_FULL = "Runden har fået så mange svar, som teamet har medlemmer. Dine svar er ikke gemt."


class RoundFull(Conflict):
    """The round already has as many answers as the team has members."""


def _write(
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
    max_responses: int,
) -> int:
    connection = session.connection()
    key_hash = hash_respondent_key(respondent_key)
    today = utctoday()
    found = {"b_round_id": round_id, "b_key_hash": key_hash}
    response_id: int | None = connection.execute(_FIND, found).scalar()
    if response_id is None:
        response_id = new_response_id()
        connection.execute(
            _CREATE,
            {
                "id": response_id,
                "round_id": round_id,
                "respondent_key_hash": key_hash,
                "public_id": secrets.token_hex(6),
                "profession": profession,
                "created_on": today,
                "updated_on": today,
            },
        )
        # Counted after the insert, inside the same transaction: writers to a round queue up
        # (SQLite's write lock, PostgreSQL's lock on the round row), so the count is exact.
        if connection.execute(_COUNT, {"b_round_id": round_id}).scalar_one() > max_responses:
            raise RoundFull(ROUND_FULL)
    else:
        changed = {"b_response_id": response_id, "profession": profession, "updated_on": today}
        connection.execute(_UPDATE, changed)
        connection.execute(_CLEAR_SCORES, {"b_response_id": response_id})
    if answers:
        rows = [
            {
                "response_id": response_id,
                "statement_id": statement_id,
                "value": answer.value,
                "comment": answer.comment,
            }
            for statement_id, answer in answers.items()
        ]
        connection.execute(_ADD_SCORES, rows)
    connection.execute(_CLEAR_DRAFT, found)
    return response_id


def save_response(
    *,
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
    max_responses: int | None = None,
) -> int:
    """Replace this phone's answers to the round in one transaction (create them the first time).

    A new response beyond `max_responses` (by default the round's team size) raises RoundFull
    and stores nothing. Returns the response's id.
    """
    if max_responses is None:
        max_responses = (
            session.connection().execute(_TEAM_SIZE, {"b_round_id": round_id}).scalar_one()
        )
    try:
        response_id = _write(session, round_id, respondent_key, profession, answers, max_responses)
        session.commit()
    except IntegrityError:
        # The same phone's first two submissions raced; the loser retries as an update.
        session.rollback()
        response_id = _write(session, round_id, respondent_key, profession, answers, max_responses)
        session.commit()
    return response_id

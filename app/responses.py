"""Storing a phone's answers to a round: all or nothing, one response per phone."""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import Response, Score, utcnow


@dataclass(frozen=True)
class Answer:
    """One statement's answer: a value 1-10, or None for "Ved ikke", and an optional comment."""

    value: int | None
    comment: str | None = None


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


def _write(
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
) -> Response:
    response = find_response(session=session, round_id=round_id, respondent_key=respondent_key)
    if response is None:
        response = Response(
            round_id=round_id,
            respondent_key_hash=hash_respondent_key(respondent_key),
            public_id=secrets.token_hex(6),
            profession=profession,
        )
        session.add(response)
        session.flush()
    else:
        response.profession = profession
        response.updated_at = utcnow()
        session.add(response)
        session.execute(delete(Score).where(Score.response_id == response.id))  # type: ignore[arg-type]
    if answers:
        rows = [
            {
                "response_id": response.id,
                "statement_id": statement_id,
                "value": answer.value,
                "comment": answer.comment,
            }
            for statement_id, answer in answers.items()
        ]
        session.execute(insert(Score), rows)
    return response


def save_response(
    *,
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
) -> Response:
    """Replace this phone's answers to the round in one transaction (create them the first time)."""
    try:
        response = _write(session, round_id, respondent_key, profession, answers)
        session.commit()
    except IntegrityError:
        # The same phone's first two submissions raced; the loser retries as an update.
        session.rollback()
        response = _write(session, round_id, respondent_key, profession, answers)
        session.commit()
    return response

"""Storing a phone's answers to a round: all or nothing, one response per phone."""

import hashlib
import secrets
from collections.abc import Mapping

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.scoring import Answer
from app.db.models import Response, Score, utcnow

# The write path of a submission goes through SQLAlchemy Core: the ORM's unit of work costs more
# than the statements themselves (bench/load.py).
RESPONSE: Table = Response.__table__  # type: ignore[attr-defined]
SCORE: Table = Score.__table__  # type: ignore[attr-defined]


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


def _write(
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
) -> int:
    connection = session.connection()
    key_hash = hash_respondent_key(respondent_key)
    now = utcnow()
    found = {"b_round_id": round_id, "b_key_hash": key_hash}
    response_id: int | None = connection.execute(_FIND, found).scalar()
    if response_id is None:
        created = connection.execute(
            _CREATE,
            {
                "round_id": round_id,
                "respondent_key_hash": key_hash,
                "public_id": secrets.token_hex(6),
                "profession": profession,
                "created_at": now,
                "updated_at": now,
            },
        )
        new_key = created.inserted_primary_key
        assert new_key is not None
        response_id = int(new_key[0])
    else:
        changed = {"b_response_id": response_id, "profession": profession, "updated_at": now}
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
    return response_id


def save_response(
    *,
    session: Session,
    round_id: int,
    respondent_key: str,
    profession: str | None,
    answers: Mapping[str, Answer],
) -> int:
    """Replace this phone's answers to the round in one transaction (create them the first time).

    Returns the response's id.
    """
    try:
        response_id = _write(session, round_id, respondent_key, profession, answers)
        session.commit()
    except IntegrityError:
        # The same phone's first two submissions raced; the loser retries as an update.
        session.rollback()
        response_id = _write(session, round_id, respondent_key, profession, answers)
        session.commit()
    return response_id

"""A phone's unsent answers ("kladde"): kept on the server under its key until sent or closed.

A draft is never an answer: no count, result, export or API reads this table. It is replaced by
each step of the scoring form, deleted when the answers are sent (`db/responses.save_response`)
and deleted with every other draft of a round once the round is closed.
"""

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.core.scoring import Submission
from app.db.models import Draft, Round, utcnow, utctoday
from app.db.responses import hash_respondent_key
from app.db.sql import is_closed


def find_draft(*, session: Session, round_id: int, respondent_key: str) -> Submission | None:
    """This phone's draft of the round, as a form to show again; None if it has none."""
    key_hash = hash_respondent_key(respondent_key)
    query = select(col(Draft.entered)).where(
        col(Draft.round_id) == round_id, col(Draft.respondent_key_hash) == key_hash
    )
    entered = session.exec(query).first()
    if entered is None:
        return None
    return Submission(
        values=_strings(entered.get("values")),
        comments=_strings(entered.get("comments")),
        entered_profession=str(entered.get("profession") or ""),
    )


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(name): str(text) for name, text in value.items()}


def save_draft(
    *, session: Session, round_id: int, respondent_key: str, entered: Submission
) -> None:
    """Replace this phone's draft of the round with the form as entered."""
    key_hash = hash_respondent_key(respondent_key)
    data: dict[str, object] = {
        "values": entered.values,
        "comments": entered.comments,
        "profession": entered.entered_profession,
    }
    draft = session.exec(
        select(Draft).where(
            col(Draft.round_id) == round_id, col(Draft.respondent_key_hash) == key_hash
        )
    ).first()
    if draft is None:
        draft = Draft(round_id=round_id, respondent_key_hash=key_hash, entered=data)
    else:
        draft.entered, draft.updated_on = data, utctoday()
    session.add(draft)
    session.flush()


def delete_closed_drafts(*, session: Session) -> int:
    """Delete the drafts of every closed round (closing time counted); how many went."""
    closed = select(Round.id).where(is_closed(utcnow()))
    deleted = session.execute(delete(Draft).where(col(Draft.round_id).in_(closed)))
    return int(deleted.rowcount)  # type: ignore[attr-defined]

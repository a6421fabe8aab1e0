"""The SQL twins of the core's round rules (`app.core.rounds`), under the same names.

A query that filters or sorts by one of these rules uses the twin here, so that the database
and the pages agree on which rounds are closed, when they were held and which came earlier.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from app.core.rounds import RoundStatus
from app.db.models import Round


def is_closed(now: datetime) -> ColumnElement[bool]:
    """SQL: the round is closed, or open past its closing time (no more answers can come)."""
    return or_(
        col(Round.status) == RoundStatus.CLOSED.value,
        and_(
            col(Round.status) == RoundStatus.OPEN.value,
            col(Round.closes_at).is_not(None),
            col(Round.closes_at) <= now,
        ),
    )


def released(responses: Any, *, k: int, min_share: float) -> ColumnElement[bool]:
    """SQL: a closed round with this many responses may show results (`release_threshold`)."""
    per_cent = round(min_share * 100)
    return and_(responses >= k, responses * 100 >= col(Round.team_size) * per_cent)


def held_at() -> ColumnElement[datetime]:
    """SQL: when a round was held: when it was opened, or created if it was never opened."""
    return func.coalesce(col(Round.opened_at), col(Round.created_at))


def closed_at() -> ColumnElement[datetime]:
    """SQL: when a closed round closed: when it was closed, or its closing time if that passed."""
    return func.coalesce(col(Round.closed_at), col(Round.closes_at))

"""Limits on guessing join codes, per address, kept in the database so they hold across processes.

Respondents are anonymous: the address is kept only as a keyed hash, only for codes that matched
no round, and only for a day. A wrong code is remembered even though its request ends in an error
page, so this module commits its own rows (as app/db/login.py does for failed logins).
"""

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.db.models import JoinAttempt, utcnow

JOIN_WINDOW = timedelta(minutes=10)
MAX_JOIN_MISSES = 30
KEEP_JOIN_ATTEMPTS_FOR = timedelta(days=1)
TOO_MANY_JOIN_MISSES = (
    "For mange forkerte koder fra din forbindelse. Vent 10 minutter, og prøv igen. "
    "Tjek koden med den, der har sendt den."
)


def address_hash(secret: str, address: str) -> str:
    """A keyed hash of the address: the same address gives the same value, yet cannot be read."""
    return hmac.new(secret.encode(), f"join:{address}".encode(), hashlib.sha256).hexdigest()


def join_paused(*, session: Session, address_hash: str) -> bool:
    """Whether this address has tried too many wrong codes lately."""
    misses = session.exec(
        select(func.count())
        .select_from(JoinAttempt)
        .where(
            JoinAttempt.address_hash == address_hash,
            col(JoinAttempt.attempted_at) > utcnow() - JOIN_WINDOW,
        )
    ).one()
    return int(misses) >= MAX_JOIN_MISSES


def record_join_miss(*, session: Session, address_hash: str) -> None:
    """Remember a code that matched no round (committed at once), and forget day-old ones."""
    session.execute(
        delete(JoinAttempt).where(col(JoinAttempt.attempted_at) < utcnow() - KEEP_JOIN_ATTEMPTS_FOR)
    )
    session.add(JoinAttempt(address_hash=address_hash))
    session.commit()

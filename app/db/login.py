"""Logging in: password check with limits per account and per address, kept in the database.

Per address, 20 failures in 15 minutes pause logins from there. Per account, failures only slow
logins down (a growing delay before the check), so nobody can lock a colleague out by guessing.
This module commits its own attempts (and their audit entries): a failure must be remembered even
though the request that made it is answered with an error.
"""

import time
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.core.passwords import hash_password, verify_password
from app.db.accounts import normalise_email
from app.db.audit import record
from app.db.models import LoginAttempt, User, utcnow
from app.errors import InvalidInput, SpindelvaevError

LOCK_WINDOW = timedelta(minutes=15)
FAILURES_BEFORE_DELAY = 5
MAX_DELAY_SECONDS = 8.0
MAX_FAILURES_PER_ADDRESS = 20
KEEP_ATTEMPTS_FOR = timedelta(days=1)
WRONG_LOGIN = "E-mail eller adgangskode er forkert."
# Replaced in tests, which check the delay without waiting for it.
pause = time.sleep


class TooManyAttempts(SpindelvaevError):
    """Login refused for a while after repeated failures."""

    status_code = 429
    title = "For mange forsøg"


@lru_cache
def _dummy_hash() -> str:
    # Unknown e-mails are checked against this, so they take as long as known ones.
    return hash_password("no-such-account-dummy-password")


def _failures(session: Session, *conditions: object) -> int:
    query = select(func.count()).select_from(LoginAttempt).where(*conditions)  # type: ignore[arg-type]
    return int(session.exec(query).one())


def account_delay(*, session: Session, email: str) -> float:
    """Seconds to wait before checking this account's password: doubles per recent failure."""
    since = utcnow() - LOCK_WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, col(LoginAttempt.succeeded)
        )
    ).one()
    failures = _failures(
        session,
        LoginAttempt.email == email,
        col(LoginAttempt.succeeded).is_(False),
        col(LoginAttempt.attempted_at) > (max(since, last_success) if last_success else since),
    )
    if failures < FAILURES_BEFORE_DELAY:
        return 0.0
    return min(MAX_DELAY_SECONDS, 0.5 * 2 ** (failures - FAILURES_BEFORE_DELAY))


def address_is_paused(*, session: Session, address: str) -> bool:
    """Whether logins from this address are paused after too many failures."""
    failures = _failures(
        session,
        LoginAttempt.address == address,
        col(LoginAttempt.succeeded).is_(False),
        col(LoginAttempt.attempted_at) > utcnow() - LOCK_WINDOW,
    )
    return failures >= MAX_FAILURES_PER_ADDRESS


def authenticate(*, session: Session, email: str, password: str, address: str) -> User:
    """The active user with these credentials; the same message whatever was wrong."""
    email = normalise_email(email)[:254]
    address = address[:64]
    session.execute(
        delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < utcnow() - KEEP_ATTEMPTS_FOR)
    )
    if address_is_paused(session=session, address=address):
        session.commit()
        raise TooManyAttempts(
            "For mange mislykkede forsøg fra din adresse. Vent 15 minutter, og prøv igen."
        )
    delay = account_delay(session=session, email=email)
    if delay:
        session.commit()  # hand the connection back while waiting
        pause(delay)
    user = session.exec(select(User).where(User.email == email)).first()
    password_ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    succeeded = bool(user and user.is_active and user.password_hash and password_ok)
    session.add(LoginAttempt(email=email, address=address, succeeded=succeeded))
    if not succeeded or user is None:
        # The typed e-mail is kept only when it is an account's: it may be a mistyped password.
        record(session=session, actor=None, kind="login.failed", subject=user, address=address)
        session.commit()
        raise InvalidInput(WRONG_LOGIN)
    user.last_login_at = utcnow()
    session.add(user)
    record(session=session, actor=user, kind="login.succeeded", subject=user, address=address)
    session.commit()
    session.refresh(user)
    return user

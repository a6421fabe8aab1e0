"""Logging in: password check with limits per account and per address, kept in the database."""

from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.core.passwords import hash_password, verify_password
from app.db.accounts import normalise_email
from app.db.models import LoginAttempt, User, utcnow
from app.errors import InvalidInput, SpindelvaevError

LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
KEEP_ATTEMPTS_FOR = timedelta(days=1)
WRONG_LOGIN = "E-mail eller adgangskode er forkert."


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


def is_locked(*, session: Session, email: str, address: str) -> bool:
    """Whether logins for this account or from this address are paused."""
    since = utcnow() - LOCK_WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, col(LoginAttempt.succeeded)
        )
    ).one()
    account_since = max(since, last_success) if last_success else since
    account_failures = _failures(
        session,
        LoginAttempt.email == email,
        col(LoginAttempt.succeeded).is_(False),
        col(LoginAttempt.attempted_at) > account_since,
    )
    address_failures = _failures(
        session,
        LoginAttempt.address == address,
        col(LoginAttempt.succeeded).is_(False),
        col(LoginAttempt.attempted_at) > since,
    )
    return (
        account_failures >= MAX_FAILURES_PER_ACCOUNT or address_failures >= MAX_FAILURES_PER_ADDRESS
    )


def authenticate(*, session: Session, email: str, password: str, address: str) -> User:
    """The active user with these credentials; the same message whatever was wrong."""
    email = normalise_email(email)[:254]
    address = address[:64]
    session.execute(
        delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < utcnow() - KEEP_ATTEMPTS_FOR)
    )
    if is_locked(session=session, email=email, address=address):
        session.commit()
        raise TooManyAttempts(
            "For mange mislykkede forsøg på at logge ind. Vent 15 minutter, og prøv igen."
        )
    user = session.exec(select(User).where(User.email == email)).first()
    password_ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    succeeded = bool(user and user.is_active and user.password_hash and password_ok)
    session.add(LoginAttempt(email=email, address=address, succeeded=succeeded))
    if not succeeded or user is None:
        session.commit()
        raise InvalidInput(WRONG_LOGIN)
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    session.refresh(user)
    return user

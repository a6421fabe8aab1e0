"""Server-side logins: the signed cookie carries a random token; this table says if it counts.

Only the token's hash is stored, so reading the table does not let anyone log in as someone.
"""

import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from app.core.passwords import hash_token
from app.db.models import LoginSession, User, utcnow

# Record activity at most this often, so that a page view does not write every time.
SEEN_RESOLUTION = timedelta(minutes=1)


def start_login_session(*, session: Session, user: User, user_agent: str = "") -> str:
    """A new session for the user; the token is returned for the cookie and never stored."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(user_id=user.id, token_hash=hash_token(token), user_agent=user_agent[:200])
    )
    session.flush()
    return token


def current_login(
    *, session: Session, token: str, idle: timedelta, absolute: timedelta
) -> tuple[LoginSession, User] | None:
    """The live session of this token and its active user, or None (ended, idle or too old)."""
    found = session.exec(
        select(LoginSession, User)
        .join(User, col(User.id) == col(LoginSession.user_id))
        .where(
            col(LoginSession.token_hash) == hash_token(token),
            col(LoginSession.ended_at).is_(None),
        )
    ).first()
    if found is None:
        return None
    login, user = found
    now = utcnow()
    if not user.is_active or now - login.last_seen_at > idle or now - login.created_at > absolute:
        return None
    if now - login.last_seen_at > SEEN_RESOLUTION:
        login.last_seen_at = now
        session.add(login)
        session.flush()
    return login, user


def end_login_session(*, session: Session, token: str) -> LoginSession | None:
    """End the session of this token (logout); None if there was no live one."""
    login = session.exec(
        select(LoginSession).where(
            col(LoginSession.token_hash) == hash_token(token),
            col(LoginSession.ended_at).is_(None),
        )
    ).first()
    if login is None:
        return None
    login.ended_at = utcnow()
    session.add(login)
    session.flush()
    return login


def end_all_login_sessions(*, session: Session, user_id: int) -> int:
    """End every live session of the user; returns how many were live."""
    result = session.execute(
        update(LoginSession)
        .where(col(LoginSession.user_id) == user_id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def live_login_sessions(
    *, session: Session, user_id: int, idle: timedelta, absolute: timedelta
) -> list[LoginSession]:
    """The user's sessions that still count, most recently used first."""
    now = utcnow()
    query = (
        select(LoginSession)
        .where(
            col(LoginSession.user_id) == user_id,
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.last_seen_at) > now - idle,
            col(LoginSession.created_at) > now - absolute,
        )
        .order_by(col(LoginSession.last_seen_at).desc())
    )
    return list(session.exec(query).all())


def prune_login_sessions(*, session: Session, older_than: timedelta) -> int:
    """Delete sessions that ended (or were last used) longer ago than the given time."""
    cutoff = utcnow() - older_than
    result = session.execute(
        delete(LoginSession).where(
            or_(col(LoginSession.ended_at) < cutoff, col(LoginSession.last_seen_at) < cutoff)
        )
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

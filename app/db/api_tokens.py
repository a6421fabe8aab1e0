"""API keys: an admin creates one per program that reads the JSON API, and can revoke it."""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from app.core.forms import read_form
from app.db.audit import record
from app.db.models import ApiToken, ApiTokenBase, User, utcnow
from app.errors import InvalidInput

TOKEN_PREFIX = "spv_"
# Record use at most this often: a warehouse paging through the API should not write every time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new key for an admin; the key itself is returned this once and never stored."""
    name = read_form(ApiTokenBase, {"name": name}).name
    if user.role != "admin":
        raise InvalidInput("Kun administratorer kan have API-nøgler.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    api_token = ApiToken(user_id=user.id, name=name, token_hash=_hash(token))
    session.add(api_token)
    session.flush()
    session.refresh(api_token)
    record(session=session, actor=user, kind="api_key.created", detail=_describe(api_token))
    return api_token, token


def _describe(api_token: ApiToken) -> str:
    # The key's name and id, never the key or its hash.
    return f"{api_token.name} (nøgle {api_token.id})"


def revoke_token(*, session: Session, token_id: int, actor: User | None = None) -> None:
    """Stop a key from working; revoking an unknown or already revoked key changes nothing."""
    api_token = session.get(ApiToken, token_id)
    if api_token is not None and api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        session.add(api_token)
        session.flush()
        owner = session.get(User, api_token.user_id)
        detail = _describe(api_token)
        record(session=session, actor=actor, kind="api_key.revoked", subject=owner, detail=detail)


def list_tokens(*, session: Session) -> list[tuple[ApiToken, User]]:
    """Every key with its admin, newest first."""
    query = (
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    return [(api_token, user) for api_token, user in session.exec(query).all()]


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active admin whose unrevoked key this is, or None."""
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == _hash(token), col(ApiToken.revoked_at).is_(None))
    ).first()
    if found is None:
        return None
    api_token, user = found
    if not user.is_active or user.role != "admin":
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        api_token.last_used_at = now
        session.add(api_token)
        session.flush()
        record(session=session, actor=user, kind="api_key.used", detail=_describe(api_token))
        session.refresh(user)
    return user

"""Who is asking: the logged-in user (signed session cookie) or the bearer of an API key."""

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.db.api_tokens import user_for_token
from app.db.models import User
from app.errors import Forbidden, LoginRequired
from app.web.deps import SessionDep

SESSION_USER_KEY = "uid"
SESSION_SEEN_KEY = "seen"
SEEN_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class Visitor:
    """Who the page header greets: a copy, so an error page never reads a rolled-back session."""

    id: int
    name: str
    role: str


def _greet(request: Request, user: User) -> None:
    assert user.id is not None
    request.state.user = Visitor(id=user.id, name=user.name, role=user.role)


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in, active user, or None."""
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    now = int(time.time())
    seen = request.session.get(SESSION_SEEN_KEY)
    idle_limit = request.app.state.settings.session_idle_minutes * 60
    if not isinstance(seen, int) or now - seen > idle_limit:
        request.session.clear()
        return None
    if now - seen > SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN_KEY] = now  # re-signs the cookie: the idle clock restarts
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    _greet(request, user)
    return user


def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    """The logged-in user; anyone else is sent to log in."""
    if user is None:
        raise LoginRequired("Du skal logge ind for at se denne side.")
    return user


def get_admin(user: Annotated[User, Depends(get_current_user)]) -> User:
    """The logged-in user, who must be a municipality admin."""
    if user.role != "admin":
        raise Forbidden("Kun kommunens administratorer har adgang til denne side.")
    return user


# What round_for_user answers besides 200, for the OpenAPI description of JSON routes using it.
ROUND_ACCESS_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Ikke logget ind."},
    403: {"description": "Ikke tovholder for rundens team."},
    404: {"description": "Runden findes ikke."},
}

OptionalUserDep = Annotated[User | None, Depends(get_optional_user)]
CurrentUserDep = Annotated[User, Depends(get_current_user)]
AdminDep = Annotated[User, Depends(get_admin)]


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="API-nøgle",
    description="En API-nøgle, som en administrator har oprettet under Kommunen → API-nøgler.",
)


def get_api_user(
    request: Request,
    session: SessionDep,
    user: OptionalUserDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The caller: the bearer of a valid API key, or else the logged-in user."""
    if "authorization" in request.headers:
        found = None
        if credentials is not None:
            found = user_for_token(session=session, token=credentials.credentials)
        if found is None:
            raise HTTPException(
                status_code=401,
                detail="API-nøglen er ugyldig eller tilbagekaldt.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        _greet(request, found)
        return found
    if user is None:
        raise LoginRequired("Log ind, eller send en API-nøgle: Authorization: Bearer <nøgle>.")
    return user


ApiUserDep = Annotated[User, Depends(get_api_user)]

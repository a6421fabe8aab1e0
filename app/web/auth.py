"""Who is asking: the logged-in user (a server-side session) or the bearer of an API key."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.db.api_tokens import user_for_token
from app.db.models import User
from app.db.sessions import current_login, end_login_session, start_login_session
from app.errors import Forbidden, LoginRequired
from app.web.csrf import csrf_token
from app.web.deps import SessionDep

# The signed cookie holds only this random token; the login_session table says whether it counts.
SESSION_TOKEN_KEY = "sid"


@dataclass(frozen=True)
class Visitor:
    """Who the page header greets: a copy, so an error page never reads a rolled-back session."""

    id: int
    name: str
    role: str


def _greet(request: Request, user: User) -> None:
    assert user.id is not None
    request.state.user = Visitor(id=user.id, name=user.name, role=user.role)


def lifetimes(request: Request) -> tuple[timedelta, timedelta]:
    """How long a login lives unused, and at most."""
    settings = request.app.state.settings
    return timedelta(minutes=settings.session_idle_minutes), timedelta(
        hours=settings.session_max_hours
    )


def safe_next(target: str | None) -> str:
    """Only local paths: never send a user on to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/teams"


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in, active user of a live session, or None."""
    token = request.session.get(SESSION_TOKEN_KEY)
    if not isinstance(token, str):
        return None
    idle, absolute = lifetimes(request)
    found = current_login(session=session, token=token, idle=idle, absolute=absolute)
    if found is None:
        request.session.pop(SESSION_TOKEN_KEY, None)
        return None
    login, user = found
    request.state.login_session_id = login.id
    _greet(request, user)
    return user


def log_in(request: Request, session: SessionDep, user: User) -> None:
    """Start a new session for the user (the cookie is rotated, so a planted one is worthless)."""
    request.session.clear()
    agent = request.headers.get("user-agent", "")
    request.session[SESSION_TOKEN_KEY] = start_login_session(
        session=session, user=user, user_agent=agent
    )
    csrf_token(request)


def log_out(request: Request, session: SessionDep) -> int | None:
    """End this browser's session; the user id it belonged to, if it was live."""
    token = request.session.get(SESSION_TOKEN_KEY)
    request.session.clear()
    if not isinstance(token, str):
        return None
    ended = end_login_session(session=session, token=token)
    return ended.user_id if ended is not None else None


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
    403: {"description": "Ikke mødeleder for rundens team."},
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

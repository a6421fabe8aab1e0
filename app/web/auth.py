"""Who is logged in, and what they may see: admins everything, facilitators their own teams."""

import time
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session, select

from app.db.engine import SessionDep
from app.db.models import Round, Team, TeamFacilitator, User
from app.errors import Forbidden, NotFound, SpindelvaevError

SESSION_USER_KEY = "uid"
SESSION_SEEN_KEY = "seen"
SEEN_RESOLUTION_SECONDS = 60


class LoginRequired(SpindelvaevError):
    """No one is logged in: pages redirect to the login page, the API answers 401."""

    status_code = 401
    title = "Log ind"


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
    request.state.user = user  # for the page header
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


def can_manage_team(*, session: Session, user: User, team_id: int) -> bool:
    """Admins manage every team; facilitators those they are assigned to."""
    if user.role == "admin":
        return True
    link = session.get(TeamFacilitator, (team_id, user.id))
    return link is not None


def team_for_user(*, session: Session, user: User, team_id: int) -> Team:
    """The team, if it exists and the user may manage it (404 / 403 otherwise)."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("Teamet findes ikke.")
    if not can_manage_team(session=session, user=user, team_id=team_id):
        raise Forbidden("Du har ikke adgang til dette team.")
    return team


def round_for_user(*, session: Session, user: User, round_id: int) -> tuple[Round, Team]:
    """The round and its team, if the user may manage the team (404 / 403 otherwise)."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("Runden findes ikke.")
    return round_, team_for_user(session=session, user=user, team_id=round_.team_id)


def teams_for_user(*, session: Session, user: User) -> list[Team]:
    """The teams the user may see, by name."""
    query = select(Team).order_by(Team.name)
    if user.role != "admin":
        query = query.join(TeamFacilitator, TeamFacilitator.team_id == Team.id).where(  # type: ignore[arg-type]
            TeamFacilitator.user_id == user.id
        )
    return list(session.exec(query).all())

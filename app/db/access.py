"""What a staff user may see: admins every team, facilitators the teams they are assigned to."""

from typing import Any

from sqlmodel import Session, col, func, select

from app.db.models import Round, Team, TeamFacilitator, User
from app.errors import Forbidden, NotFound


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


def _visible_teams(user: User) -> Any:
    """SQL: the teams the user may see, by name."""
    query = select(Team).order_by(col(Team.name), col(Team.id))
    if user.role != "admin":
        query = query.join(TeamFacilitator, col(TeamFacilitator.team_id) == col(Team.id)).where(
            TeamFacilitator.user_id == user.id
        )
    return query


def teams_for_user(*, session: Session, user: User) -> list[Team]:
    """The teams the user may see, by name."""
    return list(session.exec(_visible_teams(user)).all())


def team_list_page(
    *, session: Session, user: User, page: int, per_page: int
) -> tuple[list[Team], int, int]:
    """One page of the teams the user may see: (teams, how many in all, the page shown)."""
    query = _visible_teams(user)
    total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
    page = min(max(page, 1), max(1, -(-total // per_page)))
    teams = session.exec(query.offset((page - 1) * per_page).limit(per_page)).all()
    return list(teams), total, page

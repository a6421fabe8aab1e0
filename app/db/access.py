"""What a staff user may see: admins every team, facilitators the teams they are assigned to."""

from sqlmodel import Session, select

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


def teams_for_user(*, session: Session, user: User) -> list[Team]:
    """The teams the user may see, by name."""
    query = select(Team).order_by(Team.name)
    if user.role != "admin":
        query = query.join(TeamFacilitator, TeamFacilitator.team_id == Team.id).where(  # type: ignore[arg-type]
            TeamFacilitator.user_id == user.id
        )
    return list(session.exec(query).all())

"""Authorisation as dependencies: the team or round of the path, once the user may manage it.

A handler that names `TeamDep`, `RoundDep` or `ClosedRoundDep` only runs for a staff user who may
manage that team (admins every team, facilitators their own: `app.db.access`); otherwise the
request ends with 401, 403 or 404 before the handler starts. The dependency reads the path's
`team_id` or `round_id` itself.
"""

from typing import Annotated, NamedTuple

from fastapi import Depends

from app.core.rounds import RoundStatus, effective_status
from app.db.access import round_for_user, team_for_user
from app.db.models import Round, Team
from app.errors import Conflict
from app.web.auth import ApiUserDep, CurrentUserDep
from app.web.deps import SessionDep

OPEN_ROUND = "Runden er stadig åben. Luk den, før I holder opfølgningsmødet."


class TeamRound(NamedTuple):
    """A round with the team it belongs to."""

    round: Round
    team: Team


def get_team(team_id: int, session: SessionDep, user: CurrentUserDep) -> Team:
    """The path's team, if the signed-in user may manage it."""
    return team_for_user(session=session, user=user, team_id=team_id)


def get_api_team(team_id: int, session: SessionDep, user: ApiUserDep) -> Team:
    """The path's team, if the API caller (session or API key) may see it."""
    return team_for_user(session=session, user=user, team_id=team_id)


def get_round(round_id: int, session: SessionDep, user: CurrentUserDep) -> TeamRound:
    """The path's round and its team, if the signed-in user may manage the team."""
    return TeamRound(*round_for_user(session=session, user=user, round_id=round_id))


TeamDep = Annotated[Team, Depends(get_team)]
ApiTeamDep = Annotated[Team, Depends(get_api_team)]
RoundDep = Annotated[TeamRound, Depends(get_round)]


def get_closed_round(managed: RoundDep) -> TeamRound:
    """The path's round, once it is closed (its closing time passed counts): 409 while open."""
    if effective_status(managed.round) is not RoundStatus.CLOSED:
        raise Conflict(OPEN_ROUND)
    return managed


ClosedRoundDep = Annotated[TeamRound, Depends(get_closed_round)]

__all__ = ["ApiTeamDep", "ClosedRoundDep", "RoundDep", "TeamDep", "TeamRound"]

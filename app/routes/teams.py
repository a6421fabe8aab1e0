"""Team pages: the facilitator's list of teams and each team's page."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from app.core.formatting import LOCAL_TIME
from app.core.rounds import next_measurement
from app.db.access import team_list_page
from app.db.meeting import ACTION_STATUS_LABELS, by_round, open_actions_of_team
from app.db.models import Team, Unit
from app.db.people import find_facilitators
from app.db.rounds import rounds_with_counts
from app.db.teams import facilitators_of, team_summaries, update_team
from app.errors import Forbidden, InvalidInput, Rejected
from app.web.access import TeamDep
from app.web.auth import CurrentUserDep
from app.web.csrf import require_csrf
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
TEAMS_PER_PAGE = 50


@router.get("/teams", response_class=HTMLResponse)
def team_list(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The teams this user leads (admins: every team), a page at a time."""
    teams, total, page = team_list_page(
        session=session, user=user, page=side, per_page=TEAMS_PER_PAGE
    )
    units = {unit.id: unit.name for unit in session.exec(select(Unit)).all()}
    summaries = team_summaries(session=session, team_ids=[team.id or 0 for team in teams])
    pages = max(1, -(-total // TEAMS_PER_PAGE))
    return render(
        request,
        "teams.html",
        teams=teams,
        units=units,
        summaries=summaries,
        total=total,
        page=page,
        pages=pages,
    )


def _team_page(
    request: Request, session: SessionDep, team: Team, error: str | None = None, search: str = ""
) -> Response:
    team_id = team.id or 0
    facilitators = facilitators_of(session=session, team_id=team_id)
    found = find_facilitators(session=session, search=search)
    rounds = rounds_with_counts(session=session, team_id=team_id)
    today = datetime.now(LOCAL_TIME).date()
    context = {
        "team": team,
        "unit": session.get(Unit, team.unit_id),
        "facilitators": facilitators,
        # The team's own facilitators, then the search's other matches: one checkbox each.
        "choices": facilitators + [person for person in found if person not in facilitators],
        "search": search,
        "found": found,
        "rounds": rounds,
        "next_measurement": next_measurement(rounds[-1][0] if rounds else None, today=today),
        "open_actions": by_round(open_actions_of_team(session=session, team_id=team_id)),
        "statuses": ACTION_STATUS_LABELS,
        "error": error,
    }
    return render(request, "team.html", 422 if error else 200, **context)


@router.get("/teams/{team_id}", response_class=HTMLResponse)
def team_page(request: Request, session: SessionDep, team: TeamDep, soeg: str = "") -> Response:
    """The team's rounds, facilitators and settings; `soeg` finds facilitators to add."""
    return _team_page(request, session, team, search=soeg[:200])


@router.post("/teams/{team_id}", dependencies=[Depends(require_csrf)])
def edit_team(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    team: TeamDep,
    name: Annotated[str, Form()],
    expected_size: Annotated[str | None, Form()] = None,
) -> Response:
    """Rename the team; an admin may also change its number of members."""
    if expected_size is None or user.role != "admin":
        # The size caps a round's answers, so the leader whose team is scoring cannot raise it.
        if expected_size not in (None, str(team.expected_size)):
            raise Forbidden("Kun kommunens administratorer kan ændre teamets antal medlemmer.")
        expected_size = str(team.expected_size)
    try:
        update_team(session=session, team=team, name=name, expected_size=expected_size, actor=user)
    except InvalidInput as error:
        raise Rejected(_team_page(request, session, team, error.message)) from error
    return RedirectResponse(f"/teams/{team.id}?gemt=1", status_code=303)

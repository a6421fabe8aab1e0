"""The municipality's administration: units, users and teams."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, func, select

from app.db.accounts import AccountError, invite_facilitator, renew_invitation
from app.db.models import Team, User
from app.db.models import Unit as UnitModel
from app.db.teams import create_team, create_unit, set_facilitators
from app.errors import InvalidInput, NotFound, Rejected
from app.web.auth import AdminDep
from app.web.csrf import require_csrf
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfChecked = [Depends(require_csrf)]
FormStr = Annotated[str, Form()]


def _admin_page(
    request: Request, session: SessionDep, status_code: int = 200, **context: object
) -> Response:
    team_counts = dict(
        session.exec(select(Team.unit_id, func.count()).group_by(col(Team.unit_id))).all()
    )
    units = session.exec(select(UnitModel).order_by(col(UnitModel.name))).all()
    users = session.exec(select(User).order_by(col(User.role), col(User.name))).all()
    facilitators = [user for user in users if user.role == "facilitator" and user.is_active]
    return render(
        request,
        "admin.html",
        status_code,
        units=units,
        team_counts=team_counts,
        users=users,
        facilitators=facilitators,
        **context,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, session: SessionDep, admin: AdminDep) -> Response:
    """Units, teams and users of the municipality."""
    return _admin_page(request, session)


@router.post("/admin/enheder", dependencies=CsrfChecked)
def add_unit(request: Request, session: SessionDep, admin: AdminDep, name: FormStr) -> Response:
    """Create a unit."""
    try:
        create_unit(session=session, name=name)
    except InvalidInput as error:
        return _admin_page(request, session, 422, unit_error=error.message, unit_name=name)
    return RedirectResponse("/admin#enheder", status_code=303)


@router.post("/admin/teams", dependencies=CsrfChecked)
def add_team(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    name: FormStr,
    unit_id: Annotated[int, Form()],
    expected_size: FormStr,
    facilitator_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Create a team in a unit with its facilitators."""
    try:
        team = create_team(
            session=session,
            name=name,
            unit_id=unit_id,
            expected_size=expected_size,
            facilitator_ids=facilitator_ids,
        )
    except InvalidInput as error:
        page = _admin_page(request, session, 422, team_error=error.message, team_name=name)
        raise Rejected(page) from error
    return RedirectResponse(f"/teams/{team.id}", status_code=303)


@router.post("/admin/teams/{team_id}/tovholdere", dependencies=CsrfChecked)
def assign_facilitators(
    session: SessionDep,
    admin: AdminDep,
    team_id: int,
    facilitator_ids: Annotated[list[int], Form()] = [],  # noqa: B006
) -> Response:
    """Make exactly the chosen facilitators the team's."""
    if session.get(Team, team_id) is None:
        raise NotFound("Teamet findes ikke.")
    set_facilitators(session=session, team_id=team_id, user_ids=facilitator_ids)
    return RedirectResponse(f"/teams/{team_id}?gemt=1", status_code=303)


@router.post("/admin/brugere", dependencies=CsrfChecked)
def invite(
    request: Request, session: SessionDep, admin: AdminDep, email: FormStr, name: FormStr
) -> Response:
    """Create a facilitator and show the one-time link to pass on (no e-mail is sent)."""
    try:
        user, token = invite_facilitator(session=session, email=email, name=name)
    except AccountError as error:
        return _admin_page(
            request, session, 422, invite_error=error.message, invite_email=email, invite_name=name
        )
    return _invitation_shown(request, session, user, token)


def _invitation_shown(request: Request, session: SessionDep, user: User, token: str) -> Response:
    link = f"{request.app.state.settings.base_url}/invitation/{token}"
    return _admin_page(request, session, invited=user, invitation_link=link)


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke.")
    return user


@router.post("/admin/brugere/{user_id}/invitation", dependencies=CsrfChecked)
def new_invitation(
    request: Request, session: SessionDep, admin: AdminDep, user_id: int
) -> Response:
    """A fresh invitation link for a facilitator (e.g. one who lost the first)."""
    user = _user(session, user_id)
    return _invitation_shown(request, session, user, renew_invitation(session=session, user=user))


@router.post("/admin/brugere/{user_id}/aktiv", dependencies=CsrfChecked)
def set_active(
    session: SessionDep, admin: AdminDep, user_id: int, active: Annotated[bool, Form()]
) -> Response:
    """Deactivate (or reactivate) an account; an admin cannot deactivate themselves."""
    user = _user(session, user_id)
    if user.id == admin.id and not active:
        raise InvalidInput("Du kan ikke deaktivere din egen konto.")
    user.is_active = active
    session.add(user)
    return RedirectResponse("/admin#brugere", status_code=303)

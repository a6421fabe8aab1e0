"""The municipality's administration: units, users and teams, and the audit log."""

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, func, select

from app.db.accounts import (
    AccountError,
    invite_facilitator,
    renew_invitation,
)
from app.db.accounts import (
    set_active as set_user_active,
)
from app.db.accounts import set_role as set_user_role
from app.db.audit import KINDS, AuditFilter, entries, record
from app.db.export import neutralise
from app.db.models import UTC, Team, User
from app.db.models import Unit as UnitModel
from app.db.people import user_page
from app.db.teams import create_team, create_unit, set_facilitators
from app.errors import InvalidInput, NotFound, Rejected
from app.web.auth import AdminDep, CurrentUserDep
from app.web.csrf import require_csrf
from app.web.deps import SessionDep
from app.web.mail import link_message, send
from app.web.templating import render

router = APIRouter(include_in_schema=False)
AUDIT_CSV_COLUMNS = (
    "tidspunkt", "type", "hændelse", "udført af", "bruger", "team", "runde", "adresse", "detaljer",
)  # fmt: skip
CsrfChecked = [Depends(require_csrf)]
FormStr = Annotated[str, Form()]


def _admin_page(
    request: Request,
    session: SessionDep,
    status_code: int = 200,
    search: str = "",
    page: int = 1,
    **context: object,
) -> Response:
    team_counts = dict(
        session.exec(select(Team.unit_id, func.count()).group_by(col(Team.unit_id))).all()
    )
    units = session.exec(select(UnitModel).order_by(col(UnitModel.name))).all()
    users = user_page(session=session, search=search, page=page)
    return render(
        request,
        "admin.html",
        status_code,
        units=units,
        team_counts=team_counts,
        users=users,
        search=search,
        **context,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_home(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    soeg: Annotated[str, Query(max_length=200)] = "",
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Units, teams and one page of the users (searched by name or e-mail)."""
    return _admin_page(request, session, search=soeg, page=side)


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
    detail = f"{team.name}, {team.expected_size} medlemmer"
    record(session=session, actor=admin, kind="team.created", team_id=team.id, detail=detail)
    return RedirectResponse(f"/teams/{team.id}", status_code=303)


@router.post("/admin/teams/{team_id}/moedeledere", dependencies=CsrfChecked)
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
    detail = "mødeledere: " + ", ".join(str(i) for i in sorted(set(facilitator_ids)))
    record(
        session=session,
        actor=admin,
        kind="team.facilitators_changed",
        team_id=team_id,
        detail=detail,
    )
    return RedirectResponse(f"/teams/{team_id}?gemt=1", status_code=303)


@router.post("/admin/brugere", dependencies=CsrfChecked)
def invite(
    request: Request, session: SessionDep, admin: AdminDep, email: FormStr, name: FormStr
) -> Response:
    """Create a facilitator and show the one-time link to pass on (and e-mail it, if set up)."""
    try:
        user, token = invite_facilitator(session=session, email=email, name=name, actor=admin)
    except AccountError as error:
        return _admin_page(
            request, session, 422, invite_error=error.message, invite_email=email, invite_name=name
        )
    return _invitation_shown(request, session, user, token)


def _invitation_shown(
    request: Request, session: SessionDep, user: User, token: str, reset: bool = False
) -> Response:
    settings = request.app.state.settings
    link = f"{settings.base_url}/invitation/{token}"
    mail = None
    if settings.smtp_host:  # the link is shown either way, so a failed send loses nothing
        message = link_message(settings=settings, user=user, link=link, reset=reset)
        mail = send(settings=settings, message=message)
    return _admin_page(request, session, invited=user, invitation_link=link, reset=reset, mail=mail)


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke.")
    return user


@router.post("/admin/brugere/{user_id}/invitation", dependencies=CsrfChecked)
def new_invitation(
    request: Request, session: SessionDep, admin: AdminDep, user_id: int
) -> Response:
    """A fresh link to set a password: for one who lost the invitation, or forgot the password.

    For an account with a password this is a reset: its sessions end, and the log says who did it.
    """
    user = _user(session, user_id)
    reset = user.password_hash is not None
    token = renew_invitation(session=session, user=user, actor=admin)
    return _invitation_shown(request, session, user, token, reset=reset)


@router.post("/admin/brugere/{user_id}/aktiv", dependencies=CsrfChecked)
def set_active(
    session: SessionDep, admin: AdminDep, user_id: int, active: Annotated[bool, Form()]
) -> Response:
    """Deactivate (or reactivate) an account; an admin cannot deactivate themselves."""
    try:
        set_user_active(session=session, actor=admin, user=_user(session, user_id), active=active)
    except AccountError as error:
        raise InvalidInput(error.message) from error
    return RedirectResponse("/admin#brugere", status_code=303)


@router.post("/admin/brugere/{user_id}/rolle", dependencies=CsrfChecked)
def set_role(session: SessionDep, admin: AdminDep, user_id: int, role: FormStr) -> Response:
    """Make a facilitator an admin or the other way round; the user logs in anew."""
    try:
        set_user_role(session=session, actor=admin, user=_user(session, user_id), role=role)
    except AccountError as error:
        raise InvalidInput(error.message) from error
    return RedirectResponse("/admin#brugere", status_code=303)


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(f"{field} skal være en dato (ÅÅÅÅ-MM-DD).") from error


def _audit_filter(bruger: str, type: str, fra: str, til: str) -> AuditFilter:
    if type and type not in KINDS:
        raise InvalidInput("Ukendt type af hændelse.")
    if bruger and not bruger.isdigit():
        raise InvalidInput("Ukendt bruger.")
    since, until = _day(fra, "Fra"), _day(til, "Til")
    return AuditFilter(
        user_id=int(bruger) if bruger else None,
        kind=type or None,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
    )


@router.get("/admin/log", response_class=HTMLResponse)
def audit_log(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    bruger: str = "",
    type: str = "",
    fra: str = "",
    til: str = "",
) -> Response:
    """Who did what: admins see everything, a facilitator the entries of their own teams."""
    filters = _audit_filter(bruger, type, fra, til)
    rows = list(entries(session=session, viewer=user, filters=filters))
    users = (
        session.exec(select(User).order_by(col(User.name))).all() if user.role == "admin" else []
    )
    return render(
        request,
        "audit_log.html",
        rows=rows,
        kinds=KINDS,
        users=users,
        chosen={"bruger": bruger, "type": type, "fra": fra, "til": til},
        query=request.url.query,
    )


@router.get("/admin/log.csv")
def audit_log_csv(
    session: SessionDep,
    user: CurrentUserDep,
    bruger: str = "",
    type: str = "",
    fra: str = "",
    til: str = "",
) -> Response:
    """The same entries as CSV (UTF-8 with BOM, semicolons, for Danish Excel)."""
    filters = _audit_filter(bruger, type, fra, til)
    rows = entries(session=session, viewer=user, filters=filters, limit=None)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(AUDIT_CSV_COLUMNS)
    for row in rows:
        entry = row.entry
        cells = (
            entry.at.isoformat(timespec="seconds"), entry.kind, KINDS.get(entry.kind, entry.kind),
            row.actor, row.subject, str(entry.team_id or ""), str(entry.round_id or ""),
            entry.address or "", entry.detail,
        )  # fmt: skip
        writer.writerow([neutralise(cell) for cell in cells])
    headers = {"Content-Disposition": 'attachment; filename="spindelvaev-log.csv"'}
    return Response(
        "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers
    )

"""Login, logout, the one-time setup of the first admin, and accepting an invitation."""

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db.accounts import (
    AccountError,
    accept_invitation,
    admin_exists,
    create_user,
    user_for_invitation,
)
from app.db.login import TooManyAttempts, authenticate
from app.db.models import User
from app.errors import InvalidInput, NotFound
from app.web.auth import SESSION_SEEN_KEY, SESSION_USER_KEY, OptionalUserDep
from app.web.csrf import csrf_token, require_csrf
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfChecked = [Depends(require_csrf)]
FormStr = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    """Only local paths: never send a user on to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/teams"


def start_session(request: Request, user: User) -> None:
    """Log the user in with a fresh session (rotated, so a planted cookie is worthless)."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_SEEN_KEY] = int(time.time())
    csrf_token(request)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUserDep, next: str = "") -> Response:
    """The login form (logged-in users go straight on)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=next, email="")


@router.post("/login", dependencies=CsrfChecked)
def login(
    request: Request, session: SessionDep, email: FormStr, password: FormStr, next: FormStr = ""
) -> Response:
    """Check the credentials; on success start a new session."""
    address = request.client.host if request.client else "ukendt"
    try:
        user = authenticate(session=session, email=email, password=password, address=address)
    except (InvalidInput, TooManyAttempts) as error:
        return render(
            request, "login.html", error.status_code, error=error.message, next=next, email=email
        )
    start_session(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=CsrfChecked)
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login?logget_ud=1", status_code=303)


@router.get("/opsaetning", response_class=HTMLResponse)
def setup_page(request: Request, session: SessionDep) -> Response:
    """Create the first admin; gone (404) once an admin exists."""
    if admin_exists(session=session):
        raise NotFound("Opsætningen er allerede gennemført.")
    return render(request, "setup.html", email="", name="")


@router.post("/opsaetning", dependencies=CsrfChecked)
def setup(
    request: Request,
    session: SessionDep,
    email: FormStr,
    name: FormStr,
    password: FormStr,
    repeated: FormStr,
) -> Response:
    """Create the first admin and log them in."""
    if admin_exists(session=session):
        raise NotFound("Opsætningen er allerede gennemført.")
    try:
        if password != repeated:
            raise AccountError("De to adgangskoder er ikke ens.")
        user = create_user(session=session, email=email, name=name, role="admin", password=password)
    except AccountError as error:
        return render(request, "setup.html", 422, error=error.message, email=email, name=name)
    start_session(request, user)
    return RedirectResponse("/admin", status_code=303)


@router.get("/invitation/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, session: SessionDep, token: str) -> Response:
    """The form where an invited facilitator chooses a password."""
    user = user_for_invitation(session=session, token=token)
    return render(request, "invitation.html", invited=user, token=token)


@router.post("/invitation/{token}", dependencies=CsrfChecked)
def accept(
    request: Request, session: SessionDep, token: str, password: FormStr, repeated: FormStr
) -> Response:
    """Set the password and log in."""
    try:
        user = accept_invitation(session=session, token=token, password=password, repeated=repeated)
    except AccountError as error:
        invited = user_for_invitation(session=session, token=token)
        return render(
            request, "invitation.html", 422, error=error.message, invited=invited, token=token
        )
    start_session(request, user)
    return RedirectResponse("/teams", status_code=303)

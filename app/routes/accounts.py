"""Login, logout, the one-time setup of the first admin, invitations, and the user's own account."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db.accounts import (
    AccountError,
    accept_invitation,
    change_password,
    create_first_admin,
    setup_token_valid,
    user_for_invitation,
)
from app.db.audit import record
from app.db.login import TooManyAttempts, authenticate
from app.db.models import User
from app.db.sessions import end_all_login_sessions, live_login_sessions
from app.errors import InvalidInput, NotFound, Rejected
from app.web.addresses import client_address
from app.web.auth import (
    CurrentUserDep,
    OptionalUserDep,
    lifetimes,
    log_in,
    log_out,
    safe_next,
)
from app.web.csrf import require_csrf
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfChecked = [Depends(require_csrf)]
FormStr = Annotated[str, Form()]
NO_SETUP = "Siden findes ikke. Brug linket med engangskoden, som `spindelvaev serve` skrev."


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUserDep, next: str = "") -> Response:
    """The login form (logged-in users go straight on)."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=next, email="")


PASSWORD_LOGIN_OFF = "Log ind med adgangskode er slået fra her. Brug »Log ind med kommunens konto«."
PASSWORDS_UNUSED = (
    "Adgangskoder bruges ikke her: du logger ind med kommunens konto. "
    "Din adgangskode skiftes hos kommunens it-afdeling."
)


def require_password_login(request: Request) -> None:
    """Refuse, in Danish, a page that sets a password where only SSO logs in (nothing changes)."""
    if not request.app.state.settings.password_login:
        page = render(
            request, "error.html", 403, title="Adgangskoder bruges ikke", message=PASSWORDS_UNUSED
        )
        raise Rejected(page)


PasswordsUsed = [Depends(require_password_login)]


@router.post("/login", dependencies=CsrfChecked)
def login(
    request: Request, session: SessionDep, email: FormStr, password: FormStr, next: FormStr = ""
) -> Response:
    """Check the credentials; on success start a new session."""
    if not request.app.state.settings.password_login:
        return render(request, "login.html", 403, error=PASSWORD_LOGIN_OFF, next=next, email="")
    try:
        user = authenticate(
            session=session, email=email, password=password, address=client_address(request)
        )
    except (InvalidInput, TooManyAttempts) as error:
        return render(
            request, "login.html", error.status_code, error=error.message, next=next, email=email
        )
    log_in(request, session, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", dependencies=CsrfChecked)
def logout(request: Request, session: SessionDep) -> Response:
    """End this session: its cookie no longer works anywhere, even copied."""
    user_id = log_out(request, session)
    if user_id is not None:
        user = session.get(User, user_id)
        record(session=session, actor=user, kind="logout", subject=user)
    return RedirectResponse("/login?logget_ud=1", status_code=303)


def _setup_token(session: SessionDep, token: str) -> str:
    if not setup_token_valid(session=session, token=token):
        raise NotFound(NO_SETUP)
    return token


@router.get("/opsaetning/{token}", response_class=HTMLResponse)
def setup_page(request: Request, session: SessionDep, token: str) -> Response:
    """Create the first admin; only with the one-time token, and gone (404) once an admin exists."""
    return render(request, "setup.html", token=_setup_token(session, token), email="", name="")


@router.post("/opsaetning/{token}", dependencies=CsrfChecked)
def setup(
    request: Request,
    session: SessionDep,
    token: str,
    email: FormStr,
    name: FormStr,
    password: FormStr,
    repeated: FormStr,
) -> Response:
    """Create the first admin and log them in."""
    _setup_token(session, token)
    try:
        if password != repeated:
            raise AccountError("De to adgangskoder er ikke ens.")
        user = create_first_admin(
            session=session, token=token, email=email, name=name, password=password
        )
    except AccountError as error:
        page = render(
            request, "setup.html", 422, error=error.message, token=token, email=email, name=name
        )
        raise Rejected(page) from error
    log_in(request, session, user)
    return RedirectResponse("/admin", status_code=303)


@router.get("/invitation/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, session: SessionDep, token: str) -> Response:
    """The form where an invited facilitator chooses a password (with SSO only: the SSO button)."""
    user = user_for_invitation(session=session, token=token)
    return render(request, "invitation.html", invited=user, token=token)


@router.post("/invitation/{token}", dependencies=[*CsrfChecked, *PasswordsUsed])
def accept(
    request: Request, session: SessionDep, token: str, password: FormStr, repeated: FormStr
) -> Response:
    """Set the password and log in (every earlier session of the account has ended)."""
    try:
        user = accept_invitation(session=session, token=token, password=password, repeated=repeated)
    except AccountError as error:
        invited = user_for_invitation(session=session, token=token)
        page = render(
            request, "invitation.html", 422, error=error.message, invited=invited, token=token
        )
        raise Rejected(page) from error
    log_in(request, session, user)
    return RedirectResponse("/teams", status_code=303)


def _account_page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **context: object
) -> Response:
    idle, absolute = lifetimes(request)
    assert user.id is not None
    logins = live_login_sessions(session=session, user_id=user.id, idle=idle, absolute=absolute)
    current = getattr(request.state, "login_session_id", None)
    return render(
        request, "account.html", status_code, logins=logins, current_id=current, **context
    )


@router.get("/konto", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, user: CurrentUserDep) -> Response:
    """The user's own account: where they are logged in, and a way out everywhere."""
    return _account_page(request, session, user)


@router.post("/konto/log-ud-overalt", dependencies=CsrfChecked)
def log_out_everywhere(request: Request, session: SessionDep, user: CurrentUserDep) -> Response:
    """End every session of the user, this one included."""
    assert user.id is not None
    ended = end_all_login_sessions(session=session, user_id=user.id)
    record(
        session=session,
        actor=user,
        kind="sessions.ended",
        subject=user,
        detail=f"{ended} sessioner afsluttet",
    )
    request.session.clear()
    return RedirectResponse("/login?logget_ud=1", status_code=303)


@router.get("/konto/adgangskode", response_class=HTMLResponse, dependencies=PasswordsUsed)
def password_page(request: Request, user: CurrentUserDep) -> Response:
    """The form to change one's own password."""
    return render(request, "password.html")


@router.post("/konto/adgangskode", dependencies=[*CsrfChecked, *PasswordsUsed])
def new_password(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    current: FormStr,
    password: FormStr,
    repeated: FormStr,
) -> Response:
    """Change the password; every other session ends, and this browser gets a fresh one."""
    try:
        change_password(
            session=session, user=user, current=current, password=password, repeated=repeated
        )
    except AccountError as error:
        raise Rejected(render(request, "password.html", 422, error=error.message)) from error
    log_in(request, session, user)
    return RedirectResponse("/konto?adgangskode=skiftet", status_code=303)

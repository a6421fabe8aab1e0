"""Single sign-on with the municipality's own accounts (OpenID Connect)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.sso import group_list, groups_in, role_for_groups, verified_email
from app.db.accounts import user_for_sso
from app.db.audit import record
from app.errors import NotFound
from app.web.addresses import client_address
from app.web.auth import log_in, safe_next
from app.web.deps import SessionDep
from app.web.oidc import SsoRefused, authorization_url, finish
from app.web.templating import render

router = APIRouter(include_in_schema=False)
NO_SSO = "Log ind med kommunens konto er ikke sat op her."
UNKNOWN = (
    "Din konto hos kommunen er ikke knyttet til en bruger i Spindelvæv, eller brugeren er "
    "deaktiveret. Bed kommunens administrator om en invitation til din e-mailadresse."
)
UNVERIFIED = "Kommunens login oplyste ingen bekræftet e-mailadresse, så du er ikke logget ind."


def _refused(request: Request, message: str, status_code: int = 400) -> Response:
    return render(request, "sso_refused.html", status_code, message=message)


@router.get("/login/oidc")
def begin(request: Request, next: str = "") -> Response:
    """Send the browser to the municipality's sign-in."""
    if not request.app.state.settings.sso_enabled:
        raise NotFound(NO_SSO)
    try:
        url = authorization_url(request, safe_next(next))
    except SsoRefused as refused:
        return _refused(request, refused.message, 502)
    return RedirectResponse(url, status_code=303)


@router.get("/login/oidc/callback", response_class=HTMLResponse)
def callback(request: Request, session: SessionDep) -> Response:
    """Check the issuer's answer; log in the account of a verified e-mail, or say why not."""
    settings = request.app.state.settings
    if not settings.sso_enabled:
        raise NotFound(NO_SSO)
    address = client_address(request)
    try:
        claims, next_path = finish(request)
    except SsoRefused as refused:
        record(session=session, actor=None, kind="login.oidc_refused", address=address)
        return _refused(request, refused.message)
    email = verified_email(claims)
    if email is None:
        record(session=session, actor=None, kind="login.oidc_refused", address=address)
        return _refused(request, UNVERIFIED, 403)
    role = role_for_groups(
        groups_in(claims, settings.oidc_groups_claim),
        admin_groups=group_list(settings.oidc_admin_groups),
        facilitator_groups=group_list(settings.oidc_facilitator_groups),
    )
    name = claims.get("name")
    user = user_for_sso(
        session=session,
        email=email,
        name=name if isinstance(name, str) else "",
        role=role,
        create_facilitators=settings.oidc_create_facilitators,
    )
    if user is None:
        record(session=session, actor=None, kind="login.oidc_refused", address=address)
        return _refused(request, UNKNOWN, 403)
    log_in(request, session, user)
    record(session=session, actor=user, kind="login.oidc", subject=user, address=address)
    return RedirectResponse(safe_next(next_path), status_code=303)

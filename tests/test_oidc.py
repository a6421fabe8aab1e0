"""Single sign-on against a real OpenID Connect provider (npm oidc-provider) on loopback.

The app runs in a TestClient; the browser's visits to the provider are real HTTP. Each provider
behaviour (normal, a short ID-token life, a forged signature, another audience) is one process,
started once for the module. Without Node.js or `make oidc-provider` the tests are skipped with the
reason, except under CI=true, where they fail.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urljoin

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from app.config import Settings
from app.db.models import AuditEntry, LoginSession, User
from app.themes import Catalogue
from app.web.mail import link_message
from tests.conftest import IN_CI, TEST_SECRET, AppMaker
from tests.html import text_of
from tests.support import free_port, serving
from tests.world import CSRF, World, act_as, build_world

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_SECRET = "spindelvaev-hemmelighed"
APP_ORIGIN = "http://testserver"

Provider = Callable[..., str]


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed; run `make oidc-provider`"
    return None


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Start (once per behaviour) a provider process; answers its issuer URL."""
    reason = _missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the OIDC tests must run under CI=true: {reason}")
        pytest.skip(reason)
    started: dict[tuple[tuple[str, str], ...], str] = {}
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with ExitStack() as stack:

        def start(**behaviour: str) -> str:
            key = tuple(sorted(behaviour.items()))
            if key not in started:
                port = free_port()
                env = {**os.environ, "OIDC_PORT": str(port), **behaviour}
                stack.enter_context(
                    serving(
                        ["node", "provider.mjs"],
                        port=port,
                        env=env,
                        log=log,
                        cwd=PROVIDER_DIR,
                        ready_path="/.well-known/openid-configuration",
                    )
                )
                started[key] = f"http://127.0.0.1:{port}"
            return started[key]

        yield start


@pytest.fixture
def world(session: Session, catalogue: Catalogue) -> World:
    return build_world(session, catalogue)


def _sso_app(app_with: AppMaker, issuer: str, **changes: object) -> FastAPI:
    settings: dict[str, object] = {
        "oidc_issuer": issuer,
        "oidc_client_id": "spindelvaev",
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_groups_claim": "groups",
        "oidc_admin_groups": "forvaltning",
        "oidc_facilitator_groups": "team-ledere",
        **changes,
    }
    return app_with(**settings)


def _at_provider(start: str, login: str) -> str:
    """Sign in at the provider's own login page; the app address it sends the browser back to."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        answer = browser.get(start)
        for _ in range(10):
            location = answer.headers.get("location")
            if location is None:
                form = re.search(r'action="([^"]+)"', answer.text)
                assert form is not None, answer.text
                answer = browser.post(
                    urljoin(str(answer.url), form.group(1)),
                    data={"prompt": "login", "login": login, "password": "hvad-som-helst"},
                )
                continue
            target = urljoin(str(answer.url), location)
            if target.startswith(APP_ORIGIN):
                return target.removeprefix(APP_ORIGIN)
            answer = browser.get(target)
    raise AssertionError("the provider never sent the browser back to the app")


def _sign_in(client: TestClient, login: str, next_path: str = "") -> tuple[httpx.Response, str]:
    """The whole flow: the app's redirect, the provider's login, the app's callback."""
    begun = client.get("/login/oidc", params={"next": next_path} if next_path else None)
    assert begun.status_code == 303
    callback = _at_provider(begun.headers["location"], login)
    return client.get(callback), callback


def _session_count(session: Session, email: str) -> int:
    user = session.exec(select(User).where(User.email == email)).one()
    session.refresh(user)
    return len(session.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all())


def _kinds(session: Session) -> list[str]:
    session.expire_all()
    return [entry.kind for entry in session.exec(select(AuditEntry)).all()]


def test_an_invited_facilitator_logs_in_with_the_municipality_account(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, provider())
    with TestClient(app, follow_redirects=False) as client:
        login_page = client.get("/login")
        assert "Log ind med kommunens konto" in text_of(login_page.text)
        answer, _ = _sign_in(client, "anna", next_path="/konto")
        assert answer.status_code == 303 and answer.headers["location"] == "/konto"
        account = client.get("/konto")
    assert account.status_code == 200 and "Facilitator A" in account.text
    assert _session_count(session, "a@test.dk") == 1
    assert "login.oidc" in _kinds(session)


def test_an_unknown_e_mail_gets_a_danish_page_and_no_account(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, provider())
    with TestClient(app, follow_redirects=False) as client:
        answer, _ = _sign_in(client, "fremmed")
        assert client.get("/konto").status_code in (303, 401)
    assert answer.status_code == 403
    assert "ikke knyttet til en bruger i Spindelvæv" in text_of(answer.text)
    assert session.exec(select(User).where(User.email == "fremmed@test.dk")).first() is None
    assert "login.oidc_refused" in _kinds(session)


def test_a_deactivated_account_and_an_unverified_e_mail_are_refused(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, provider())
    with TestClient(app, follow_redirects=False) as client:
        gone, _ = _sign_in(client, "gone")
        unverified, _ = _sign_in(client, "ubekraeftet")
    assert gone.status_code == 403 and "deaktiveret" in text_of(gone.text)
    assert unverified.status_code == 403
    assert "ingen bekræftet e-mailadresse" in text_of(unverified.text)
    assert _session_count(session, "admin@test.dk") == 0


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        pytest.param({"OIDC_AUDIENCE": "anden-tjeneste"}, "Invalid claim: 'aud'", id="audience"),
        pytest.param({"OIDC_FOREIGN_KEY": "1"}, "BadSignatureError", id="tampered-signature"),
    ],
)
def test_an_id_token_that_is_not_ours_is_refused_and_no_session_starts(
    provider: Provider,
    app_with: AppMaker,
    world: World,
    session: Session,
    caplog: pytest.LogCaptureFixture,
    behaviour: dict[str, str],
    reason: str,
) -> None:
    app = _sso_app(app_with, provider(**behaviour))
    with TestClient(app, follow_redirects=False) as client:
        answer, _ = _sign_in(client, "anna")
        assert client.get("/konto").status_code in (303, 401)
    assert answer.status_code == 400
    assert "kunne ikke godkendes" in text_of(answer.text)
    assert reason in caplog.text  # refused for that reason, not another
    assert _session_count(session, "a@test.dk") == 0


def test_an_expired_id_token_is_refused_and_no_session_starts(
    provider: Provider,
    app_with: AppMaker,
    world: World,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The provider's clock is five minutes behind: its one-minute ID tokens expired four minutes
    # ago, beyond the app's 60 s of allowed clock skew.
    issuer = provider(OIDC_CLOCK_OFFSET="-300", OIDC_ID_TOKEN_TTL="60")
    with TestClient(_sso_app(app_with, issuer), follow_redirects=False) as client:
        answer, _ = _sign_in(client, "anna")
        assert client.get("/konto").status_code in (303, 401)
    assert answer.status_code == 400
    assert "kunne ikke godkendes" in text_of(answer.text)
    assert "ExpiredTokenError" in caplog.text
    assert _session_count(session, "a@test.dk") == 0
    # With ten minutes of skew allowed the same provider's token counts: it was the expiry.
    lenient = _sso_app(app_with, issuer, oidc_clock_skew_seconds=600)
    with TestClient(lenient, follow_redirects=False) as client:
        accepted, _ = _sign_in(client, "anna")
    assert accepted.status_code == 303


def test_a_replayed_callback_is_refused_and_starts_no_second_session(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, provider())
    with TestClient(app, follow_redirects=False) as client:
        first, callback = _sign_in(client, "anna")
        client.cookies.clear()  # another browser that copied the callback address
        replayed = client.get(callback)
    with TestClient(app, follow_redirects=False) as same_browser:
        begun = same_browser.get("/login/oidc")
        callback = _at_provider(begun.headers["location"], "anna")
        assert same_browser.get(callback).status_code == 303
        again = same_browser.get(callback)  # state and nonce were used up by the first visit
    assert first.status_code == 303
    assert replayed.status_code == 400 and "ikke længere gyldigt" in text_of(replayed.text)
    assert again.status_code == 400 and "ikke længere gyldigt" in text_of(again.text)
    assert _session_count(session, "a@test.dk") == 2


def test_logout_ends_the_local_session(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, provider())
    with TestClient(app, follow_redirects=False) as client:
        _sign_in(client, "anna")
        copied = dict(client.cookies)
        account = client.get("/konto")
        assert account.status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', account.text)
        assert token is not None
        out = client.post("/logout", data={"csrf_token": token.group(1)})
        assert out.status_code == 303
        assert client.get("/konto").status_code in (303, 401)
    with TestClient(app, follow_redirects=False, cookies=copied) as thief:
        assert thief.get("/konto").status_code in (303, 401)
    assert "logout" in _kinds(session)


def test_groups_map_to_roles_and_may_create_facilitators(
    provider: Provider, app_with: AppMaker, world: World, session: Session
) -> None:
    issuer = provider()
    closed = _sso_app(app_with, issuer)
    with TestClient(closed, follow_redirects=False) as client:
        refused, _ = _sign_in(client, "ny")
    assert refused.status_code == 403
    app = _sso_app(app_with, issuer, oidc_create_facilitators=True)
    with TestClient(app, follow_redirects=False) as client:
        created, _ = _sign_in(client, "ny")
    with TestClient(app, follow_redirects=False) as client:
        promoted, _ = _sign_in(client, "chef")  # a@test.dk, now in the admin group
        admin_page = client.get("/admin")
    assert created.status_code == 303 and promoted.status_code == 303
    session.expire_all()
    new = session.exec(select(User).where(User.email == "ny@test.dk")).one()
    assert (new.role, new.name, new.password_hash) == ("facilitator", "Ny Mødeleder", None)
    assert world.facilitator_a.role == "admin"
    assert admin_page.status_code == 200
    assert {"user.created_by_sso", "user.role_changed"} <= set(_kinds(session))


def test_with_password_login_off_the_form_is_gone_and_post_login_is_refused_in_danish(
    app_with: AppMaker, world: World, session: Session
) -> None:
    app = _sso_app(app_with, "http://127.0.0.1:9", password_login=False)  # the page needs no issuer
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/login")
        act_as(client, TEST_SECRET.get_secret_value(), None)  # a valid form token, nobody logged in
        posted = client.post(
            "/login", data={"email": "a@test.dk", "password": "x", "csrf_token": CSRF}
        )
    assert "Log ind med kommunens konto" in text_of(page.text)
    assert 'action="/login"' not in page.text and 'type="password"' not in page.text
    assert posted.status_code == 403
    assert "Log ind med adgangskode er slået fra" in text_of(posted.text)
    assert _session_count(session, "a@test.dk") == 0


def test_without_sso_the_login_page_has_no_sso_button_and_the_routes_are_gone(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/login")
        begun = client.get("/login/oidc")
    assert "kommunens konto" not in text_of(page.text)
    assert 'type="password"' in page.text
    assert begun.status_code == 404


def test_sso_settings_need_a_client_and_password_login_off_needs_sso() -> None:
    with pytest.raises(ValidationError, match="SPINDELVAEV_OIDC_CLIENT_SECRET"):
        Settings(oidc_issuer="https://login.example.dk", oidc_client_id="spindelvaev")
    with pytest.raises(ValidationError, match="SPINDELVAEV_PASSWORD_LOGIN=0 kræver SSO"):
        Settings(password_login=False)


def test_with_password_login_off_invitations_lead_to_sso_and_no_password_can_be_set(
    app_with: AppMaker, world: World, session: Session
) -> None:
    invited, token = world.invited, world.invitation_token
    password = "et-langt-og-godt-kodeord-1"
    app = _sso_app(app_with, "http://127.0.0.1:9", password_login=False)
    secret = TEST_SECRET.get_secret_value()
    with TestClient(app, follow_redirects=False) as client:
        page = client.get(f"/invitation/{token}")
        act_as(client, secret, None)
        chosen = client.post(
            f"/invitation/{token}",
            data={"password": password, "repeated": password, "csrf_token": CSRF},
        )
        act_as(client, secret, world.facilitator_a)
        account = client.get("/konto")
        change_page = client.get("/konto/adgangskode")
    assert 'href="/login/oidc?next=/teams"' in page.text and 'type="password"' not in page.text
    assert "ingen adgangskode at vælge" in text_of(page.text)
    assert chosen.status_code == 403 and "Adgangskoder bruges ikke her" in text_of(chosen.text)
    session.expire_all()
    assert session.get(User, invited.id).password_hash is None  # type: ignore[union-attr]
    assert "Skift adgangskode" not in text_of(account.text)
    assert change_page.status_code == 403
    mail = link_message(settings=app.state.settings, user=invited, link="http://x/i", reset=False)
    assert "logger ind med kommunens konto" in mail.get_content()
    assert "Vælg din adgangskode" not in mail.get_content()

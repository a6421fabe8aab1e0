"""Accounts: setup, login with limits, sessions, invitations, CSRF."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.db import login as login_module
from app.db.accounts import AccountError, check_password, create_user, issue_setup_token
from app.db.demo import seed_demo
from app.db.login import (
    FAILURES_BEFORE_DELAY,
    LOCK_WINDOW,
    MAX_DELAY_SECONDS,
    MAX_FAILURES_PER_ADDRESS,
    account_delay,
)
from app.db.models import LoginAttempt, Team, Unit, User, utcnow
from app.themes import Catalogue
from tests.html import text_of
from tests.world import act_as, build_world

PASSWORD = "en-god-lang-adgangskode"


def _csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def _login(client: TestClient, email: str, password: str) -> tuple[int, str]:
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    return response.status_code, response.text


@pytest.fixture
def facilitator(session: Session) -> User:
    created = create_user(
        session=session, email="tove@kommune.dk", name="Tove", role="facilitator", password=PASSWORD
    )
    session.commit()
    return created


def test_login_with_the_right_password_starts_a_session(
    client: TestClient, facilitator: User
) -> None:
    status, _ = _login(client, "Tove@Kommune.dk ", PASSWORD)
    assert status == 303
    assert client.get("/teams").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_danish_message(
    client: TestClient, facilitator: User
) -> None:
    wrong_status, wrong_page = _login(client, "tove@kommune.dk", "forkert-adgangskode")
    unknown_status, unknown_page = _login(client, "ukendt@kommune.dk", "forkert-adgangskode")
    assert wrong_status == unknown_status == 422
    assert "E-mail eller adgangskode er forkert." in text_of(wrong_page)
    assert "E-mail eller adgangskode er forkert." in text_of(unknown_page)


def test_wrong_passwords_slow_an_account_down_but_never_lock_out_the_right_password(
    client: TestClient, facilitator: User, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(login_module, "pause", waits.append)
    for _ in range(FAILURES_BEFORE_DELAY):
        assert _login(client, "tove@kommune.dk", "forkert-adgangskode")[0] == 422
    assert waits == []
    assert _login(client, "tove@kommune.dk", "forkert-adgangskode")[0] == 422
    assert waits == [0.5]  # from the fifth failure on, each attempt first waits

    # From another address (the failures came from "testclient"), the right password still works.
    session.execute(update(LoginAttempt).values(address="203.0.113.9"))
    session.commit()
    assert _login(client, "tove@kommune.dk", PASSWORD)[0] == 303
    assert waits == [0.5, 1.0]  # after waiting, twice as long
    # A success resets the account's count.
    session.expire_all()
    assert account_delay(session=session, email="tove@kommune.dk") == 0


def test_the_delay_is_capped(session: Session, facilitator: User) -> None:
    for _ in range(40):
        session.add(LoginAttempt(email="tove@kommune.dk", address="x", succeeded=False))
    session.commit()
    assert account_delay(session=session, email="tove@kommune.dk") == MAX_DELAY_SECONDS


def test_old_failures_no_longer_slow_the_account(session: Session, facilitator: User) -> None:
    old = utcnow() - LOCK_WINDOW - timedelta(minutes=1)
    for _ in range(10):
        session.add(
            LoginAttempt(email="tove@kommune.dk", address="x", succeeded=False, attempted_at=old)
        )
    session.commit()
    assert account_delay(session=session, email="tove@kommune.dk") == 0


def test_many_failures_from_one_address_pause_logins_from_it(
    client: TestClient, facilitator: User, session: Session
) -> None:
    for index in range(MAX_FAILURES_PER_ADDRESS):
        session.add(
            LoginAttempt(email=f"x{index}@kommune.dk", address="testclient", succeeded=False)
        )
    session.commit()
    assert _login(client, "tove@kommune.dk", PASSWORD)[0] == 429


def test_a_deactivated_user_cannot_log_in(
    client: TestClient, facilitator: User, session: Session
) -> None:
    facilitator.is_active = False
    session.add(facilitator)
    session.commit()
    assert _login(client, "tove@kommune.dk", PASSWORD)[0] == 422


def test_passwords_are_stored_as_argon2id(facilitator: User) -> None:
    assert facilitator.password_hash is not None
    assert facilitator.password_hash.startswith("$argon2id$")
    assert PASSWORD not in facilitator.password_hash


def test_a_running_service_hashes_at_argon2s_recommended_cost() -> None:
    # The tests hash at Argon2id's lowest cost (tests/conftest.py); a process of its own does not.
    code = "from app.core.passwords import hash_password; print(hash_password('x'))"
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert printed.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    "password",
    [
        "Password123#",
        "P@ssword1234",
        "Qwerty#12345",
        "Kommune2026#",
        "abcdabcdabcd",
        "password1234",
        "Adgangskode2024",
        "aaaaaaaaaaaaaaaa",
        "Efteraaret2026!",
    ],
)
def test_guessable_passwords_are_refused_with_a_danish_reason(password: str) -> None:
    with pytest.raises(AccountError, match="Adgangskoden er for let at gætte: den "):
        check_password(password)


def test_a_short_password_is_refused_with_the_minimum_length() -> None:
    with pytest.raises(AccountError, match="mindst 12 tegn"):
        check_password("kort-kode")


def test_the_users_own_name_and_email_count_as_guessable() -> None:
    check_password("Mogensen-Birgitte", name="Else", email="else@kommune.dk")
    with pytest.raises(AccountError, match="dit navn eller din e-mailadresse"):
        check_password("Mogensen-Birgitte", name="Birgitte Mogensen", email="bm@kommune.dk")


def test_a_long_random_passphrase_is_accepted() -> None:
    check_password("korrekt-hest-batteri-klips", name="Tove", email="tove@kommune.dk")


def test_session_cookie_is_signed_httponly_and_lax(client: TestClient, facilitator: User) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "tove@kommune.dk", "password": PASSWORD, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("spindelvaev_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # the test base URL is http


def test_session_cookie_is_secure_when_the_service_is_https(
    app: FastAPI, settings: object, engine: object
) -> None:
    from app.main import create_app

    https_settings = app.state.settings.model_copy(update={"base_url": "https://spindel.dk"})
    https_app = create_app(settings=https_settings, engine=app.state.engine)
    with TestClient(https_app, base_url="https://testserver") as client:
        assert "secure" in client.get("/login").headers["set-cookie"].lower()


def test_login_rotates_the_session(client: TestClient, facilitator: User) -> None:
    before = _csrf(client)
    _login(client, "tove@kommune.dk", PASSWORD)
    after = _csrf(client, "/teams")
    assert before != after


@pytest.mark.parametrize(("idle_minutes", "status"), [(-2, 200), (1, 303)])
def test_a_session_ends_after_the_idle_timeout(
    app: FastAPI, facilitator: User, idle_minutes: int, status: int
) -> None:
    idle_seconds = (app.state.settings.session_idle_minutes + idle_minutes) * 60
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), facilitator, idle_seconds=idle_seconds)
        assert client.get("/teams", follow_redirects=False).status_code == status


def test_a_forged_session_cookie_is_ignored(client: TestClient, facilitator: User) -> None:
    act_as(client, "a-different-secret-that-is-long-enough-000", facilitator)
    assert client.get("/teams", follow_redirects=False).status_code == 303


def test_post_without_a_valid_csrf_token_changes_nothing(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.admin)
        for token in (None, "wrong-token"):
            data = {"name": "Snigende enhed"} | ({"csrf_token": token} if token else {})
            response = client.post("/admin/enheder", data=data)
            assert response.status_code == 403
            assert "Genindlæs siden" in text_of(response.text)
            edit = {"name": "Omdøbt", "expected_size": "9"} | (
                {"csrf_token": token} if token else {}
            )
            assert client.post(f"/teams/{world.team_a.id}", data=edit).status_code == 403
    session.expire_all()
    assert session.exec(select(Unit).where(Unit.name == "Snigende enhed")).first() is None
    team = session.get(Team, world.team_a.id)
    assert team is not None and team.name == "Team A"


def test_setup_page_creates_the_first_admin_and_then_is_gone(
    client: TestClient, session: Session
) -> None:
    path = _setup_path(session)
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        data={
            "email": "chef@kommune.dk",
            "name": "Chef",
            "password": PASSWORD,
            "repeated": PASSWORD,
            "csrf_token": _csrf(client, path),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/admin").status_code == 200
    assert client.get(path).status_code == 404
    admins = session.exec(select(func.count()).select_from(User).where(User.role == "admin")).one()
    assert admins == 1


def test_setup_refuses_mismatched_passwords_and_keeps_what_was_typed(
    client: TestClient, session: Session
) -> None:
    path = _setup_path(session)
    response = client.post(
        path,
        data={
            "email": "chef@kommune.dk",
            "name": "Chef",
            "password": PASSWORD,
            "repeated": PASSWORD + "x",
            "csrf_token": _csrf(client, path),
        },
    )
    assert response.status_code == 422
    assert "ikke ens" in text_of(response.text)
    assert 'value="chef@kommune.dk"' in response.text
    assert session.exec(select(User)).all() == []
    assert client.get(path).status_code == 200  # a refused form does not use up the token


def _setup_path(session: Session) -> str:
    token = issue_setup_token(session=session)
    session.commit()
    assert token is not None
    return f"/opsaetning/{token}"


def test_an_invited_facilitator_sets_a_password_once_and_can_log_in(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as admin:
        act_as(admin, app.state.settings.signing_key(), world.admin)
        page = admin.post(
            "/admin/brugere",
            data={
                "name": "Ny Tovholder",
                "email": "ny@kommune.dk",
                "csrf_token": "test-csrf-token",
            },
        )
    assert page.status_code == 200
    link = re.search(r"http://testserver(/invitation/[A-Za-z0-9_-]+)", page.text)
    assert link
    with TestClient(app) as invited:
        form = {
            "password": PASSWORD,
            "repeated": PASSWORD,
            "csrf_token": _csrf(invited, link.group(1)),
        }
        assert invited.post(link.group(1), data=form, follow_redirects=False).status_code == 303
        assert invited.get("/teams").status_code == 200
    with TestClient(app) as again:
        assert again.get(link.group(1)).status_code == 404
        assert _login(again, "ny@kommune.dk", PASSWORD)[0] == 303


def test_inviting_an_existing_email_is_refused_without_creating_anyone(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as admin:
        act_as(admin, app.state.settings.signing_key(), world.admin)
        page = admin.post(
            "/admin/brugere",
            data={"name": "Igen", "email": "A@test.dk", "csrf_token": "test-csrf-token"},
        )
    assert page.status_code == 422
    assert (
        session.exec(
            select(func.count()).select_from(User).where(col(User.email) == "a@test.dk")
        ).one()
        == 1
    )


def test_a_facilitator_sees_only_their_own_teams(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.facilitator_b)
        page = text_of(client.get("/teams").text)
    assert "Team B" in page and "Team A" not in page


def test_the_demo_logins_work(app: FastAPI, session: Session, catalogue: Catalogue) -> None:
    info = seed_demo(session=session, catalogue=catalogue)
    for login in (info.admin, info.facilitator):
        with TestClient(app) as client:
            assert _login(client, login.email, login.password)[0] == 303
            assert client.get("/teams").status_code == 200

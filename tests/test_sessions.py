"""Server-side sessions: a cookie stops working when its session ends, whoever copied it."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db.accounts import create_user, renew_invitation
from app.db.models import LoginSession, User, utcnow
from app.themes import Catalogue
from tests.html import text_of
from tests.world import CSRF, act_as, build_world

PASSWORD = "en-god-lang-adgangskode"
COOKIE = "spindelvaev_session"


@pytest.fixture
def tove(session: Session) -> User:
    user = create_user(
        session=session, email="tove@kommune.dk", name="Tove", role="facilitator", password=PASSWORD
    )
    session.commit()
    return user


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def _logged_in(app: FastAPI, email: str = "tove@kommune.dk", password: str = PASSWORD) -> str:
    """Log in through the form; the session cookie it set."""
    with TestClient(app) as client:
        data = {"email": email, "password": password, "csrf_token": _csrf(client, "/login")}
        assert client.post("/login", data=data, follow_redirects=False).status_code == 303
        return client.cookies[COOKIE]


def _works(app: FastAPI, cookie: str) -> bool:
    with TestClient(app) as client:
        client.cookies.set(COOKIE, cookie)
        return client.get("/teams", follow_redirects=False).status_code == 200


def test_a_cookie_copied_before_logout_is_refused_after_it(app: FastAPI, tove: User) -> None:
    cookie = _logged_in(app)
    copy = cookie
    with TestClient(app) as client:
        client.cookies.set(COOKIE, cookie)
        token = _csrf(client, "/teams")
        logout = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert logout.status_code == 303
    assert not _works(app, copy)


def test_logout_ends_only_that_session(app: FastAPI, tove: User) -> None:
    laptop, phone = _logged_in(app), _logged_in(app)
    with TestClient(app) as client:
        client.cookies.set(COOKIE, laptop)
        client.post("/logout", data={"csrf_token": _csrf(client, "/teams")})
    assert not _works(app, laptop)
    assert _works(app, phone)


def _reset_by_invitation(app: FastAPI, session: Session, user: User) -> None:
    token = renew_invitation(session=session, user=user)
    session.commit()
    with TestClient(app) as client:
        path = f"/invitation/{token}"
        form = {"password": "korrekt-hest-batteri-klips", "repeated": "korrekt-hest-batteri-klips"}
        form["csrf_token"] = _csrf(client, path)
        assert client.post(path, data=form, follow_redirects=False).status_code == 303


def _deactivate(app: FastAPI, session: Session, user: User) -> None:
    admin = create_user(
        session=session, email="chef@kommune.dk", name="Chef", role="admin", password=None
    )
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.secret_key, admin)
        path = f"/admin/brugere/{user.id}/aktiv"
        answer = client.post(path, data={"active": "false", "csrf_token": CSRF})
        assert answer.status_code == 200


def _deactivate_and_reactivate(app: FastAPI, session: Session, user: User) -> None:
    _deactivate(app, session, user)
    admin = session.exec(select(User).where(User.email == "chef@kommune.dk")).one()
    with TestClient(app) as client:
        act_as(client, app.state.secret_key, admin)
        path = f"/admin/brugere/{user.id}/aktiv"
        assert client.post(path, data={"active": "true", "csrf_token": CSRF}).status_code == 200


def _change_role(app: FastAPI, session: Session, user: User) -> None:
    admin = create_user(
        session=session, email="chef@kommune.dk", name="Chef", role="admin", password=None
    )
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.secret_key, admin)
        path = f"/admin/brugere/{user.id}/rolle"
        assert client.post(path, data={"role": "admin", "csrf_token": CSRF}).status_code == 200


def _change_password(app: FastAPI, session: Session, user: User) -> None:
    with TestClient(app) as client:
        client.cookies.set(COOKIE, _logged_in(app))
        form = {
            "current": PASSWORD,
            "password": "korrekt-hest-batteri-klips",
            "repeated": "korrekt-hest-batteri-klips",
            "csrf_token": _csrf(client, "/konto/adgangskode"),
        }
        answer = client.post("/konto/adgangskode", data=form, follow_redirects=False)
        assert answer.status_code == 303
        assert client.get("/konto").status_code == 200  # this browser goes on, with a new session


def _log_out_everywhere(app: FastAPI, session: Session, user: User) -> None:
    with TestClient(app) as client:
        client.cookies.set(COOKIE, _logged_in(app))
        token = _csrf(client, "/konto")
        answer = client.post("/konto/log-ud-overalt", data={"csrf_token": token})
        assert "Du er logget ud" in text_of(answer.text)


@pytest.mark.parametrize(
    "act",
    [
        _reset_by_invitation,
        _deactivate,
        _deactivate_and_reactivate,
        _change_role,
        _change_password,
        _log_out_everywhere,
    ],
    ids=lambda act: act.__name__.strip("_"),
)
def test_every_earlier_cookie_is_refused_after(
    act: Callable[[FastAPI, Session, User], None], app: FastAPI, session: Session, tove: User
) -> None:
    earlier = [_logged_in(app), _logged_in(app)]
    assert all(_works(app, cookie) for cookie in earlier)
    act(app, session, tove)
    assert not any(_works(app, cookie) for cookie in earlier)


def test_an_admin_issuing_a_new_password_link_ends_the_users_sessions(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as facilitator:
        act_as(facilitator, app.state.secret_key, world.facilitator_a)
        assert facilitator.get("/teams").status_code == 200
        world.facilitator_a.password_hash = "$argon2id$set-earlier"
        session.add(world.facilitator_a)
        session.commit()
        with TestClient(app) as admin:
            act_as(admin, app.state.secret_key, world.admin)
            path = f"/admin/brugere/{world.facilitator_a.id}/invitation"
            page = admin.post(path, data={"csrf_token": CSRF})
        assert "logget ud alle steder" in text_of(page.text)
        assert facilitator.get("/teams", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("column", "setting"), [("last_seen_at", "idle"), ("created_at", "max")])
def test_a_session_past_its_idle_or_absolute_lifetime_is_refused(
    app: FastAPI, session: Session, tove: User, column: str, setting: str
) -> None:
    cookie = _logged_in(app)
    settings = app.state.settings
    age = (
        timedelta(minutes=settings.session_idle_minutes + 1)
        if setting == "idle"
        else timedelta(hours=settings.session_max_hours, minutes=1)
    )
    session.execute(update(LoginSession).values({column: utcnow() - age}))
    session.commit()
    assert not _works(app, cookie)


def test_use_keeps_a_session_alive_and_is_recorded(
    app: FastAPI, session: Session, tove: User
) -> None:
    cookie = _logged_in(app)
    an_hour_ago = utcnow() - timedelta(hours=1)
    session.execute(update(LoginSession).values(last_seen_at=an_hour_ago))
    session.commit()
    assert _works(app, cookie)
    session.expire_all()
    login = session.exec(select(LoginSession)).one()
    assert login.last_seen_at > an_hour_ago + timedelta(minutes=59)


def test_the_account_page_lists_the_users_live_sessions_only(
    app: FastAPI, session: Session, tove: User
) -> None:
    cookies = [_logged_in(app) for _ in range(3)]
    session.execute(
        update(LoginSession)
        .where(col(LoginSession.id) == session.exec(select(LoginSession.id)).first())
        .values(ended_at=utcnow())
    )
    session.commit()
    with TestClient(app) as client:
        client.cookies.set(COOKIE, cookies[-1])
        page = client.get("/konto")
    assert page.status_code == 200
    assert text_of(page.text).count("(denne)") == 1
    assert page.text.count("<tr><td>") == 2


def test_the_cookie_holds_no_user_id_only_a_random_token(app: FastAPI, tove: User) -> None:
    import base64
    import json

    cookie = _logged_in(app)
    data = json.loads(base64.b64decode(cookie.split(".")[0]))
    assert set(data) == {"sid", "csrf"}
    assert len(data["sid"]) >= 40

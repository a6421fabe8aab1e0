"""A small municipality for access tests: two teams, their facilitators, an admin, a round each."""

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.passwords import hash_token
from app.core.scoring import Answer
from app.db.accounts import renew_invitation
from app.db.models import LoginSession, Round, Team, TeamFacilitator, Unit, User, utcnow
from app.db.responses import save_response
from app.db.rounds import create_round
from app.themes import Catalogue
from app.web.auth import SESSION_TOKEN_KEY
from app.web.csrf import SESSION_KEY

CSRF = "test-csrf-token"


@dataclass
class World:
    admin: User
    facilitator_a: User
    facilitator_b: User
    deactivated: User
    invited: User
    invitation_token: str
    team_a: Team
    team_b: Team
    round_a: Round
    respondent_key: str


def build_world(session: Session, catalogue: Catalogue) -> World:
    """Admin, facilitators of team A and B, a deactivated facilitator of A, an open round of A."""
    unit = Unit(name="Skoleområde Test")
    session.add(unit)
    session.flush()
    team_a = Team(name="Team A", unit_id=unit.id, expected_size=5)
    team_b = Team(name="Team B", unit_id=unit.id, expected_size=5)
    users = [
        User(email="admin@test.dk", name="Admin", role="admin"),
        User(email="a@test.dk", name="Facilitator A", role="facilitator"),
        User(email="b@test.dk", name="Facilitator B", role="facilitator"),
        User(email="gone@test.dk", name="Gone", role="facilitator", is_active=False),
        User(email="new@test.dk", name="New", role="facilitator"),
    ]
    session.add_all([team_a, team_b, *users])
    session.flush()
    admin, fac_a, fac_b, gone, invited = users
    for team, user in ((team_a, fac_a), (team_b, fac_b), (team_a, gone)):
        session.add(TeamFacilitator(team_id=team.id, user_id=user.id))
    round_a = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team_a.id,
        label="Runde A",
        theme_ids=[catalogue.themes[0].id],
        status="open",
    )
    session.commit()
    statement = catalogue.themes[0].statements[0].id
    key = "respondent-key-of-world"
    save_response(
        session=session,
        round_id=round_a.id,
        respondent_key=key,
        profession=None,
        answers={statement: Answer(value=5)},
    )
    token = renew_invitation(session=session, user=invited)
    session.commit()
    for item in (admin, fac_a, fac_b, gone, invited, team_a, team_b, round_a):
        session.refresh(item)
    return World(admin, fac_a, fac_b, gone, invited, token, team_a, team_b, round_a, key)


def session_cookie(
    secret: str, user: User | None, idle_seconds: int = 0, *, engine: Engine | None = None
) -> str:
    """A signed session cookie as SessionMiddleware writes it (logged in as the user, or not).

    Logged in means a live login_session row, which is added through the engine.
    """
    data: dict[str, object] = {SESSION_KEY: CSRF}
    if user is not None:
        assert engine is not None, "a logged-in cookie needs the engine for its login_session"
        token = secrets.token_urlsafe(32)
        seen = utcnow() - timedelta(seconds=idle_seconds)
        login = LoginSession(user_id=user.id, token_hash=hash_token(token), last_seen_at=seen)
        with Session(engine) as session:
            session.add(login)
            session.commit()
        data |= {SESSION_TOKEN_KEY: token}
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(secret).sign(payload).decode()


def act_as(client: TestClient, secret: str, user: User | None, idle_seconds: int = 0) -> None:
    """Make the client's requests come from the user (None: an anonymous visitor)."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    cookie = session_cookie(secret, user, idle_seconds, engine=engine)
    client.cookies.set("spindelvaev_session", cookie)


def closed_round(
    session: Session,
    catalogue: Catalogue,
    world: World,
    label: str,
    values: list[int],
    themes: int = 1,
) -> Round:
    """A closed round of team A on the first `themes` themes; respondent i gives values[i]."""
    chosen = catalogue.themes[:themes]
    assert world.team_a.id is not None
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id,
        label=label,
        theme_ids=[theme.id for theme in chosen],
        status="closed",
    )
    session.commit()
    assert round_.id is not None
    for index, value in enumerate(values):
        answers = {s.id: Answer(value=value) for theme in chosen for s in theme.statements}
        save_response(
            session=session,
            round_id=round_.id,
            respondent_key=f"{label}-{index}",
            profession=None,
            answers=answers,
        )
    session.refresh(round_)
    return round_


def facilitator_client(app: FastAPI, world: World) -> TestClient:
    """A test client signed in as team A's facilitator."""
    client = TestClient(app)
    act_as(client, app.state.settings.signing_key(), world.facilitator_a)
    return client

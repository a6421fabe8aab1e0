"""The authorisation matrix: every route, for every kind of visitor, gets the decided answer.

A route added without a decision here fails `test_every_route_has_an_access_decision`.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db.models import PlanAction, Priority, Round
from app.db.rounds import create_round
from app.themes import Catalogue
from tests.world import CSRF, World, act_as, build_world

ROLES = ("anonymous", "facilitator_a", "facilitator_b", "deactivated", "admin")
# What each access level answers each role: ok (200/303 onwards), login (sent to log in), deny.
LEVELS = {
    "user": {
        "anonymous": "login",
        "facilitator_a": "ok",
        "facilitator_b": "ok",
        "deactivated": "login",
        "admin": "ok",
    },
    "team": {
        "anonymous": "login",
        "facilitator_a": "ok",
        "facilitator_b": "deny",
        "deactivated": "login",
        "admin": "ok",
    },
    "admin": {
        "anonymous": "login",
        "facilitator_a": "deny",
        "facilitator_b": "deny",
        "deactivated": "login",
        "admin": "ok",
    },
}
# Routes anyone may use (respondents have no account); their own tests cover them.
PUBLIC = {
    ("GET", "/"),
    ("GET", "/udsagn"),
    ("GET", "/privatliv"),
    ("GET", "/tilgaengelighed"),
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/login/oidc"),  # 404 without SSO; tests/test_oidc.py covers the flow
    ("GET", "/login/oidc/callback"),
    ("GET", "/opsaetning/{token}"),
    ("POST", "/opsaetning/{token}"),
    ("GET", "/invitation/{token}"),
    ("POST", "/invitation/{token}"),
    ("GET", "/vendor/plotly.min.js"),
    ("GET", "/r/{code}/resultater"),
    ("GET", "/r"),
    ("GET", "/r/{code}"),
    ("POST", "/r/{code}"),
    ("POST", "/r/{code}/kladde"),
    ("GET", "/r/{code}/tak"),
    ("GET", "/s/{link_token}"),
}
# Forms the world's users cannot fill in rightly (they have no password): 422 is past the check.
REFUSED_FORMS = {("POST", "/konto/adgangskode")}
# The meeting and its plan belong to a closed round.
CLOSED = {"round_id": "{closed_round_id}"}
# (method, path) -> (level, form data for POSTs[, path values other than the defaults in _fill])
ACCESS: dict[tuple[str, str], tuple[Any, ...]] = {
    ("GET", "/teams"): ("user", {}),
    ("GET", "/teams/{team_id}"): ("team", {}),
    ("POST", "/teams/{team_id}"): ("team", {"name": "Nyt navn"}),
    ("GET", "/admin"): ("admin", {}),
    ("POST", "/admin/enheder"): ("admin", {"name": "Ny enhed"}),
    ("POST", "/admin/teams"): (
        "admin",
        {"name": "Nyt team", "unit_id": "{unit_id}", "expected_size": "4"},
    ),
    ("POST", "/admin/teams/{team_id}/moedeledere"): ("admin", {"facilitator_ids": "{fac_a_id}"}),
    ("POST", "/admin/brugere"): ("admin", {"name": "Ny", "email": "ny@test.dk"}),
    ("POST", "/admin/brugere/{user_id}/invitation"): ("admin", {}),
    ("POST", "/admin/brugere/{user_id}/aktiv"): ("admin", {"active": "false"}),
    ("POST", "/admin/brugere/{user_id}/rolle"): ("admin", {"role": "admin"}),
    ("GET", "/admin/log"): ("user", {}),
    ("GET", "/admin/log.csv"): ("user", {}),
    ("GET", "/konto"): ("user", {}),
    ("POST", "/konto/log-ud-overalt"): ("user", {}),
    ("GET", "/konto/adgangskode"): ("user", {}),
    ("POST", "/konto/adgangskode"): (
        "user",
        {"current": "x", "password": "korrekt-hest-batteri-klips", "repeated": "x"},
    ),
    ("GET", "/eksport"): ("user", {}),
    ("GET", "/eksport/svar.csv"): ("user", {}),
    ("GET", "/eksport/svar.xlsx"): ("user", {}),
    ("GET", "/eksport/kodebog.md"): ("user", {}),
    ("GET", "/api/teams"): ("user", {}),
    ("GET", "/api/teams/{team_id}/runder"): ("team", {}),
    ("GET", "/api/eksport/svar"): ("user", {}),
    ("GET", "/admin/api-noegler"): ("admin", {}),
    ("GET", "/admin/oversigt"): ("admin", {}),
    ("GET", "/admin/rollup"): ("admin", {}),
    ("POST", "/admin/api-noegler"): ("admin", {"name": "Datavarehus"}),
    ("POST", "/admin/api-noegler/tilbagekald"): ("admin", {"token_id": "999999"}),
    ("GET", "/runder/{round_id}/resultater"): ("team", {}),
    ("GET", "/api/runder/{round_id}/resultater"): ("team", {}),
    ("POST", "/runder/{round_id}/frigiv"): ("team", {"released": "true"}),
    ("GET", "/teams/{team_id}/sammenlign"): ("team", {}),
    ("GET", "/runder/{round_id}/moede"): ("team", {}, CLOSED),
    ("GET", "/runder/{round_id}/moede/{step}"): ("team", {}, CLOSED | {"step": "2"}),
    ("GET", "/runder/{round_id}/referat"): ("team", {}, CLOSED),
    ("POST", "/runder/{round_id}/prioriteter"): (
        "team",
        {"statement_ids": "{statement_id}"},
        CLOSED,
    ),
    ("POST", "/runder/{round_id}/noter"): (
        "team",
        {"field": "experience", "priority_id": "{priority_id}", "text": "Noget nyt"},
        CLOSED,
    ),
    ("POST", "/runder/{round_id}/tilbageblik"): ("team", {}, CLOSED),
    ("POST", "/runder/{round_id}/droeftelse"): ("team", {"key": "", "text": "Noget nyt"}, CLOSED),
    ("POST", "/runder/{round_id}/datoer"): ("team", {"next_meeting_on": "2027-03-10"}, CLOSED),
    ("POST", "/runder/{round_id}/handlinger"): ("team", {"what": "Ny handling"}, CLOSED),
    ("POST", "/runder/{round_id}/handlinger/{action_id}"): ("team", {"what": "Ændret"}, CLOSED),
    ("POST", "/runder/{round_id}/handlinger/{action_id}/slet"): ("team", {}, CLOSED),
    ("POST", "/teams/{team_id}/opfoelgning"): (
        "team",
        {"action_id": "{action_id}", "status": "i_gang", "note": ""},
    ),
    ("GET", "/teams/{team_id}/historik"): ("team", {}),
    ("GET", "/teams/{team_id}/runder/ny"): ("team", {}),
    ("POST", "/teams/{team_id}/runder/ny"): ("team", {"label": "Ny runde", "themes": "moeder"}),
    ("GET", "/runder/{round_id}"): ("team", {}),
    ("GET", "/runder/{round_id}/deltag"): ("team", {}),
    ("GET", "/api/runder/{round_id}/status"): ("team", {}),
    ("POST", "/runder/{round_id}/aabn"): ("team", {}),
    ("POST", "/runder/{round_id}/luk"): ("team", {}),
    ("POST", "/runder/{round_id}/genaabn"): ("team", {}, CLOSED),
    ("POST", "/runder/{round_id}/slet"): ("team", {}),
}


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router (we use no prefixes)
            found += _api_routes(route.original_router.routes)
    return found


def _app_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in _api_routes(app.routes)
        for method in route.methods - {"HEAD"}
    }


def _ignored(path: str) -> bool:
    return path.startswith("/api/openapi")


def test_every_route_has_an_access_decision(app: FastAPI) -> None:
    routes = {route for route in _app_routes(app) if not _ignored(route[1])}
    undecided = routes - set(ACCESS) - PUBLIC
    assert undecided == set(), "add these routes to ACCESS or PUBLIC in tests/test_access.py"
    assert set(ACCESS) - routes == set(), "ACCESS lists routes the app no longer has"


@dataclass
class Meeting:
    """A closed round of team A with a priority and a plan, for the meeting's routes."""

    round: Round
    priority: Priority
    action: PlanAction


def _meeting(session: Session, catalogue: Catalogue, world: World) -> Meeting:
    assert world.team_a.id is not None
    closed = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id,
        label="Lukket runde A",
        theme_ids=[catalogue.themes[0].id],
        status="closed",
    )
    session.flush()
    assert closed.id is not None
    priority = Priority(round_id=closed.id, statement_id=catalogue.themes[0].statements[0].id)
    session.add(priority)
    session.flush()
    action = PlanAction(round_id=closed.id, priority_id=priority.id, what="Fast dagsorden")
    session.add(action)
    session.commit()
    for item in (closed, priority, action):
        session.refresh(item)
    return Meeting(closed, priority, action)


def _fill(
    template: str, world: World, meeting: Meeting, overrides: dict[str, str] | None = None
) -> str:
    values: dict[str, object] = {
        "team_id": world.team_a.id,
        "round_id": world.round_a.id,
        "user_id": world.facilitator_b.id,
        "unit_id": world.team_a.unit_id,
        "fac_a_id": world.facilitator_a.id,
        "code": world.round_a.join_code,
        "link_token": world.round_a.link_token,
        "token": world.invitation_token,
        "closed_round_id": meeting.round.id,
        "priority_id": meeting.priority.id,
        "action_id": meeting.action.id,
        "statement_id": meeting.priority.statement_id,
    }
    for name, value in (overrides or {}).items():
        values[name] = value.format(**values)
    return template.format(**values)


def _outcome(status: int, location: str, expect_refused_form: bool = False) -> str:
    logged_out = location.startswith("/login?logget_ud")  # "Log ud overalt" did its job
    if status == 401 or (
        status in (302, 303, 307) and location.startswith("/login") and not logged_out
    ):
        return "login"
    if status in (403, 404):
        return "deny"
    if status == 409:
        return "ok"  # past the access check; the round's state refused it (e.g. it has answers)
    if status == 422 and expect_refused_form:
        return "ok"  # past the access check; the form itself was refused
    if status in (200, 201, 204, 302, 303):
        return "ok"
    return f"unexpected {status}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ACCESS), ids=lambda route: f"{route[0]} {route[1]}")
def test_access_matrix(
    route: tuple[str, str], role: str, app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    meeting = _meeting(session, catalogue, world)
    method, template = route
    level, form, *rest = ACCESS[route]
    overrides = rest[0] if rest else None
    user = (
        None
        if role == "anonymous"
        else getattr(world, "deactivated" if role == "deactivated" else role)
    )
    secret = app.state.settings.signing_key()
    with TestClient(app) as client:
        act_as(client, secret, user)
        kwargs: dict[str, Any] = {"follow_redirects": False}
        if method == "POST":
            kwargs["data"] = {"csrf_token": CSRF} | {
                k: _fill(v, world, meeting) for k, v in form.items()
            }
        response = client.request(method, _fill(template, world, meeting, overrides), **kwargs)
    refused_form = route in REFUSED_FORMS
    outcome = _outcome(response.status_code, response.headers.get("location", ""), refused_form)
    assert outcome == LEVELS[level][role], response.text[:300]

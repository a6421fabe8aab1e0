"""The authorisation matrix: every route, for every kind of visitor, gets the decided answer.

A route added without a decision here fails `test_every_route_has_an_access_decision`.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

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
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/opsaetning"),
    ("POST", "/opsaetning"),
    ("GET", "/invitation/{token}"),
    ("POST", "/invitation/{token}"),
}
# (method, path) -> (level, form data for POSTs)
ACCESS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("GET", "/teams"): ("user", {}),
    ("GET", "/teams/{team_id}"): ("team", {}),
    ("POST", "/teams/{team_id}"): ("team", {"name": "Nyt navn", "expected_size": "6"}),
    ("GET", "/admin"): ("admin", {}),
    ("POST", "/admin/enheder"): ("admin", {"name": "Ny enhed"}),
    ("POST", "/admin/teams"): (
        "admin",
        {"name": "Nyt team", "unit_id": "{unit_id}", "expected_size": "4"},
    ),
    ("POST", "/admin/teams/{team_id}/tovholdere"): ("admin", {"facilitator_ids": "{fac_a_id}"}),
    ("POST", "/admin/brugere"): ("admin", {"name": "Ny", "email": "ny@test.dk"}),
    ("POST", "/admin/brugere/{user_id}/invitation"): ("admin", {}),
    ("POST", "/admin/brugere/{user_id}/aktiv"): ("admin", {"active": "false"}),
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
    return path.startswith(("/api/docs", "/api/openapi"))


def test_every_route_has_an_access_decision(app: FastAPI) -> None:
    routes = {route for route in _app_routes(app) if not _ignored(route[1])}
    undecided = routes - set(ACCESS) - PUBLIC
    assert undecided == set(), "add these routes to ACCESS or PUBLIC in tests/test_access.py"
    assert set(ACCESS) - routes == set(), "ACCESS lists routes the app no longer has"


def _fill(template: str, world: World) -> str:
    values = {
        "team_id": world.team_a.id,
        "round_id": world.round_a.id,
        "user_id": world.facilitator_b.id,
        "unit_id": world.team_a.unit_id,
        "fac_a_id": world.facilitator_a.id,
        "code": world.round_a.join_code,
        "link_token": world.round_a.link_token,
        "token": world.invitation_token,
    }
    return template.format(**values)


def _outcome(status: int, location: str) -> str:
    if status == 401 or (status in (302, 303, 307) and location.startswith("/login")):
        return "login"
    if status in (403, 404):
        return "deny"
    if status in (200, 201, 204, 302, 303):
        return "ok"
    return f"unexpected {status}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ACCESS), ids=lambda route: f"{route[0]} {route[1]}")
def test_access_matrix(
    route: tuple[str, str], role: str, app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    method, template = route
    level, form = ACCESS[route]
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
            kwargs["data"] = {"csrf_token": CSRF} | {k: _fill(v, world) for k, v in form.items()}
        response = client.request(method, _fill(template, world), **kwargs)
    outcome = _outcome(response.status_code, response.headers.get("location", ""))
    assert outcome == LEVELS[level][role], response.text[:300]

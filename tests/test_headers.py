"""Headers, files and bad input: no-store on personal answers, private files, no control chars."""

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.db.models import Team, Unit, User
from app.main import create_app
from app.migrate import upgrade_to_head
from app.themes import Catalogue
from tests.html import text_of
from tests.test_access import ACCESS, PUBLIC, Meeting, _fill, _meeting
from tests.world import CSRF, World, act_as, build_world


def _request(client: TestClient, route: tuple[str, str], world: World, meeting: Meeting) -> Any:
    method, template = route
    _, form, *rest = ACCESS.get(route, ("public", {}))
    overrides = rest[0] if rest else None
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if method == "POST":
        kwargs["data"] = {"csrf_token": CSRF} | {
            k: _fill(v, world, meeting) for k, v in form.items()
        }
    return client.request(method, _fill(template, world, meeting, overrides), **kwargs)


def test_every_route_answers_with_cache_control_no_store(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    meeting = _meeting(session, catalogue, world)
    missing = []
    # Authenticated routes as the admin, the public ones (respondents' pages included) anonymously.
    for route in sorted(ACCESS) + sorted(PUBLIC - {("GET", "/vendor/plotly.min.js")}):
        with TestClient(app) as client:
            act_as(client, app.state.secret_key, world.admin if route in ACCESS else None)
            answer = _request(client, route, world, meeting)
        if answer.headers.get("cache-control") != "no-store":
            missing.append((route, answer.status_code, answer.headers.get("cache-control")))
    assert missing == []


def test_static_files_and_the_versioned_plotly_may_be_cached(client: TestClient) -> None:
    assert client.get("/static/style.css").headers.get("cache-control") != "no-store"
    assert "immutable" in client.get("/vendor/plotly.min.js").headers["cache-control"]


def test_error_pages_are_not_stored_either(client: TestClient) -> None:
    assert client.get("/findes-ikke").headers["cache-control"] == "no-store"


def test_data_folder_and_database_files_are_private_under_umask_022(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    data_dir = tmp_path / "var"
    previous = os.umask(0o022)
    try:
        settings = Settings(data_dir=data_dir, base_url="http://testserver")
        upgrade_to_head(settings.effective_database_url)
        app = create_app(settings=settings)
        with TestClient(app) as client:
            assert client.get("/login").status_code == 200
        with Session(app.state.engine) as session:
            session.add(Unit(name="Skriver noget, så WAL-filen findes"))
            session.commit()
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in data_dir.iterdir()
                if path.name.startswith("spindelvaev.db") or path.name == "secret_key"
            }
        app.state.engine.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert "spindelvaev.db" in modes and "secret_key" in modes
    assert set(modes.values()) == {0o600}, modes


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/admin/enheder", {"name": "Enhed{c}"}),
        ("/admin/brugere", {"name": "Ny{c}", "email": "ny@test.dk"}),
        ("/teams/{team_id}", {"name": "Nyt{c}navn", "expected_size": "6"}),
        ("/admin/api-noegler", {"name": "Lager{c}"}),
    ],
)
def test_a_control_character_in_a_staff_text_field_is_a_danish_422_and_nothing_is_stored(
    app: FastAPI,
    session: Session,
    catalogue: Catalogue,
    path: str,
    form: dict[str, str],
    character: str,
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as client:
        act_as(client, app.state.secret_key, world.admin)
        data = {"csrf_token": CSRF} | {k: v.format(c=character) for k, v in form.items()}
        answer = client.post(path.format(team_id=world.team_a.id), data=data)
    assert answer.status_code == 422
    page = text_of(answer.text)
    assert "styretegn" in page
    session.expire_all()
    assert session.exec(select(Unit).where(Unit.name.startswith("Enhed"))).first() is None  # type: ignore[attr-defined]
    assert session.exec(select(User).where(User.email == "ny@test.dk")).first() is None
    team = session.get(Team, world.team_a.id)
    assert team is not None and team.name == "Team A"


def test_tabs_and_line_breaks_are_text_not_control_characters(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with TestClient(app) as client:
        act_as(client, app.state.secret_key, world.admin)
        data = {"csrf_token": CSRF, "name": "To\tord"}
        assert client.post("/admin/enheder", data=data, follow_redirects=False).status_code == 303

"""Limits that hold across processes: forwarded addresses only from trusted proxies, join codes."""

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import Settings
from app.db import login as login_module
from app.db.limits import MAX_JOIN_MISSES
from app.db.login import MAX_FAILURES_PER_ADDRESS
from app.db.models import JoinAttempt, LoginAttempt
from app.main import create_app
from app.themes import Catalogue
from tests.html import text_of
from tests.world import build_world


def _login(client: TestClient, forwarded: str) -> int:
    page = client.get("/login").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    data = {"email": "x@kommune.dk", "password": "forkert", "csrf_token": match.group(1)}
    return client.post("/login", data=data, headers={"X-Forwarded-For": forwarded}).status_code


def _addresses(session: Session) -> set[str]:
    session.expire_all()
    return set(session.exec(select(LoginAttempt.address)).all())


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_module, "pause", lambda seconds: None)


def test_a_forged_forwarded_for_from_an_untrusted_address_changes_nothing(
    client: TestClient, session: Session
) -> None:
    for index in range(MAX_FAILURES_PER_ADDRESS):
        assert _login(client, f"198.51.100.{index}") == 422
    assert _addresses(session) == {"testclient"}
    # The per-address pause applies: a new forged address does not get round it.
    assert _login(client, "198.51.100.200") == 429


def test_forwarded_for_counts_from_a_trusted_proxy(
    settings: Settings, app: FastAPI, session: Session
) -> None:
    trusting = settings.model_copy(update={"trusted_proxies": "10.0.0.1, testclient"})
    with TestClient(create_app(settings=trusting, engine=app.state.engine)) as client:
        assert _login(client, "198.51.100.7") == 422
    assert _addresses(session) == {"198.51.100.7"}


def test_trusted_proxies_are_empty_by_default() -> None:
    assert Settings(_env_file=None).trusted_proxy_list == []  # type: ignore[call-arg]


def test_join_code_guessing_gets_a_danish_429_after_the_limit(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    for index in range(MAX_JOIN_MISSES):
        assert client.get(f"/r/ZZZ{index:03d}").status_code == 404
    refused = client.get("/r/ZZZ999")
    assert refused.status_code == 429
    assert "For mange forkerte koder" in text_of(refused.text)
    # Even the right code waits now: a guesser cannot tell a hit from the pause.
    assert client.get(f"/r/{world.round_a.join_code}").status_code == 429


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/r/{code}/tak"), ("GET", "/r/{code}/resultater"), ("POST", "/r/{code}")],
)
def test_every_join_code_lookup_counts_misses_and_gets_a_danish_429(
    method: str, path: str, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    for index in range(MAX_JOIN_MISSES):
        assert client.request(method, path.format(code=f"ZZZ{index:03d}")).status_code == 404
    refused = client.request(method, path.format(code="ZZZ999"))
    assert refused.status_code == 429
    assert "For mange forkerte koder" in text_of(refused.text)
    assert client.request(method, path.format(code=world.round_a.join_code)).status_code == 429


def test_join_misses_are_kept_without_the_address(client: TestClient, session: Session) -> None:
    client.get("/r/QQQ111")
    hashes = session.exec(select(JoinAttempt.address_hash)).all()
    assert len(hashes) == 1
    assert "testclient" not in hashes[0]
    assert len(hashes[0]) == 64


def test_the_right_code_is_not_counted_as_a_miss(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    assert client.get(f"/r/{world.round_a.join_code}").status_code == 200
    assert session.exec(select(func.count()).select_from(JoinAttempt)).one() == 0


def test_serve_trusts_no_forwarded_headers_itself_and_sends_no_server_header(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: seen.update(kwargs))
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert seen["proxy_headers"] is False
    assert seen["server_header"] is False

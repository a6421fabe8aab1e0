"""The real service on loopback with its own SQLite file, and Debian's chromium under Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make chromium`).
Without it the browser tests are skipped with the reason, except under CI=true, where they fail.
"""

import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import SecretStr
from sqlmodel import Session

from app.config import Settings
from app.core.scoring import Answer
from app.db.models import Round, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from app.db.rounds import create_round
from app.main import create_app
from app.migrate import upgrade_to_head
from tests.support import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE = {"width": 360, "height": 740}


@dataclass
class Site:
    """A running service: where it answers, and its app (state, engine, dependency overrides)."""

    base_url: str
    app: FastAPI


@dataclass
class Service:
    """The running service and what the tests need to know about its data."""

    base_url: str
    app: FastAPI
    code: str
    round_id: int
    statement_count: int
    facilitator: User


def _seed(app: FastAPI) -> tuple[Round, User]:
    """A demo-like team: one closed round with answers, and an open round with all six themes."""
    catalogue = app.state.catalogue
    themes = [theme.id for theme in catalogue.themes]
    with Session(app.state.engine) as session:
        unit = Unit(name="Skoleområde Nord")
        session.add(unit)
        session.flush()
        assert unit.id is not None
        team = Team(name="Team Nordskolen 0.-3. klasse", unit_id=unit.id, expected_size=9)
        facilitator = User(email="tove@demo.example", name="Tove Tovholder", role="facilitator")
        session.add_all([team, facilitator])
        session.flush()
        assert team.id is not None and facilitator.id is not None
        session.add(TeamFacilitator(team_id=team.id, user_id=facilitator.id))
        earlier = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id,
            label="September 2026",
            theme_ids=themes,
            status="closed",
        )
        assert earlier.id is not None
        for value in (4, 6, 7):
            answers = {s.id: Answer(value=value) for s in catalogue.all_statements()}
            save_response(
                session=session,
                round_id=earlier.id,
                respondent_key=new_respondent_key(),
                profession="laerer",
                answers=answers,
            )
        open_round = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id,
            label="November 2026",
            theme_ids=themes,
            status="open",
        )
        session.commit()
        session.refresh(open_round)
        session.refresh(facilitator)
        session.expunge_all()
    return open_round, facilitator


@contextmanager
def live_site(folder: Path, **changes: Any) -> Iterator[Site]:
    """Spindelvæv on a new SQLite file in the folder, served by uvicorn in a background thread."""
    url = f"sqlite:///{folder / 'spindelvaev.db'}"
    upgrade_to_head(url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=url,
        data_dir=folder / "var",
        secret_key=SecretStr(secrets.token_urlsafe(40)),
        base_url=base_url,
        min_participation=0,  # the seeded round has 3 answers of 9
        **changes,
    )
    app = create_app(settings=settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the service did not start"
        yield Site(base_url, app)
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Spindelvæv served on a free port, seeded with a team, a closed round and an open one."""
    with live_site(tmp_path_factory.mktemp("browser")) as site:
        open_round, facilitator = _seed(site.app)
        assert open_round.id is not None
        count = len(site.app.state.catalogue.all_statements())
        yield Service(
            site.base_url, site.app, open_round.join_code, open_round.id, count, facilitator
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless; skipped (failed under CI) when it is not installed."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} findes ikke; installér den med `make chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    """Where the tests leave their screenshots to be looked at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab, at most `limit` times, until the element matching the selector has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")

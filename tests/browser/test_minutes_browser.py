"""The minutes of a one-theme round: two A4 pages from Chromium's PDF, and a phone's width."""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page
from sqlmodel import Session

from app.core.scoring import Answer
from app.db.models import PlanAction, Priority, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from app.db.rounds import create_round
from tests.browser.conftest import PHONE, Site, live_site
from tests.world import session_cookie

pytestmark = pytest.mark.browser
NOTE = "Barnet bliver spurgt først, før de voksne taler."


@pytest.fixture(scope="module")
def minutes_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, int, User]]:
    """A team with two closed rounds on theme 1; the newer has 3 priorities and a plan."""
    with live_site(tmp_path_factory.mktemp("minutes")) as site:
        yield (site, *_seed(site.app))


def _seed(app: FastAPI) -> tuple[int, User]:
    catalogue = app.state.catalogue
    theme = catalogue.themes[0]
    with Session(app.state.engine) as session:
        unit = Unit(name="Skoleområde Syd")
        team = Team(name="Team Sydskolen", unit_id=0, expected_size=6)
        facilitator = User(email="mia@demo.example", name="Mia Mødeleder", role="facilitator")
        session.add(unit)
        session.flush()
        team.unit_id = unit.id or 0
        session.add_all([team, facilitator])
        session.flush()
        session.add(TeamFacilitator(team_id=team.id or 0, user_id=facilitator.id or 0))
        rounds = []
        for label, values in (("Marts 2026", (3, 4, 5)), ("September 2026", (5, 6, 8, 7))):
            round_ = create_round(
                session=session,
                catalogue=catalogue,
                team_id=team.id or 0,
                label=label,
                theme_ids=[theme.id],
                status="closed",
            )
            for index, value in enumerate(values):
                answers = {
                    s.id: Answer(value=min(10, value + i % 3), comment="")
                    for i, s in enumerate(theme.statements)
                }
                answers[theme.statements[index].id] = Answer(value=None)
                save_response(
                    session=session,
                    round_id=round_.id or 0,
                    respondent_key=new_respondent_key(),
                    profession="laerer",
                    answers=answers,
                )
            rounds.append(round_)
        current = rounds[-1].id or 0
        for statement in theme.statements[:3]:
            priority = Priority(
                round_id=current,
                statement_id=statement.id,
                experience=NOTE,
                requirements="Faste mødetider og en skabelon til dagsordenen.",
            )
            session.add(priority)
        for what, day in (("Fast dagsorden", 15), ("Forældremøde om barnets stemme", 28)):
            session.add(
                PlanAction(round_id=current, what=what, who="Tovholder", due_on=date(2026, 10, day))
            )
        session.commit()
        session.refresh(facilitator)
        session.expunge_all()
    return current, facilitator


def _page(browser: Browser, site: Site, user: User, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport)
    value = session_cookie(site.app.state.secret_key, user, engine=site.app.state.engine)
    context.add_cookies([{"name": "spindelvaev_session", "url": site.base_url, "value": value}])
    return context.new_page()


def _pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page of the PDF, by poppler's pdftotext (pages split by form feeds)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_the_minutes_of_a_one_theme_round_print_on_two_a4_pages(
    browser: Browser, minutes_site: tuple[Site, int, User], screenshots: Path
) -> None:
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        reason = "pdftotext/pdftoppm findes ikke; installér poppler-utils med `make chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    site, round_id, user = minutes_site
    page = _page(browser, site, user, {"width": 1280, "height": 900})
    page.goto(f"{site.base_url}/runder/{round_id}/referat")
    page.locator(".js-plotly-plot").first.wait_for()
    # Both rounds are on the radar: the earlier one as a line under this one.
    assert page.locator(".js-plotly-plot .legend .traces").count() == 2
    assert "klik for at skjule" not in page.locator(".js-plotly-plot").inner_text()
    assert page.locator(".modebar-container .modebar-btn").count() == 0
    page.emulate_media(media="print")
    pdf = screenshots / "minutes.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.context.close()

    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())) == 2
    first, second = _pdf_pages_text(pdf)
    for text in ("Referat: Team Sydskolen, September 2026", "Marts 2026", "Prioriteringer"):
        assert text in first
    assert "Fast dagsorden" in first and "15. okt. 2026" in first
    assert "Tallene" in second and "Trin 4 og 5" in second and NOTE in second
    assert "Median" in second and "klik for at skjule" not in first
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(screenshots / "minutes-page")], check=True
    )
    assert sorted(p.name for p in screenshots.glob("minutes-page-*.png")) == [
        "minutes-page-1.png",
        "minutes-page-2.png",
    ]


def test_the_minutes_read_on_a_phone_without_scrolling_sideways(
    browser: Browser, minutes_site: tuple[Site, int, User], screenshots: Path
) -> None:
    site, round_id, user = minutes_site
    page = _page(browser, site, user, PHONE)
    page.goto(f"{site.base_url}/runder/{round_id}/referat")
    page.locator(".js-plotly-plot").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=screenshots / "minutes-360.png", full_page=True)
    page.context.close()
    assert width <= PHONE["width"]

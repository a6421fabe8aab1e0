"""The round pages in chromium: the loopback warning and the warning before a second open round."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlmodel import Session, select

from app.db.models import Round
from app.db.rounds import delete_round
from tests.browser.conftest import Service
from tests.browser.test_meeting_browser import _logged_in_page

pytestmark = pytest.mark.browser


def test_the_qr_page_says_phones_cannot_reach_the_loopback_address(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    page = _logged_in_page(browser, service, viewport={"width": 1920, "height": 1080})
    page.goto(f"{service.base_url}/runder/{service.round_id}/deltag")
    warning = page.locator(".address-warning")
    assert warning.is_visible()
    assert "Telefoner kan ikke nå denne adresse" in warning.inner_text()
    assert "SPINDELVAEV_BASE_URL" in warning.inner_text()
    page.screenshot(path=screenshots / "qr-loopback-warning-1920.png")
    page.context.close()


def test_a_second_open_round_is_warned_of_and_needs_a_tick(
    browser: Browser, service: Service
) -> None:
    with Session(service.app.state.engine) as session:
        team_id = session.get(Round, service.round_id).team_id  # type: ignore[union-attr]
        before = len(session.exec(select(Round)).all())
    page = _logged_in_page(browser, service)
    page.goto(f"{service.base_url}/teams/{team_id}/runder/ny")
    page.get_by_role("button", name="Opret runde").click()
    warning = page.locator("#also-open-warning")
    assert "Teamet har allerede en åben runde: November 2026" in warning.inner_text()
    page.get_by_role("button", name="Opret runde").click()  # the tick is required
    assert page.locator("#also-open-warning").is_visible()
    page.get_by_label("Ja, åbn den nye runde").check()
    page.get_by_role("button", name="Opret runde").click()
    page.wait_for_url(f"{service.base_url}/runder/*")
    with Session(service.app.state.engine) as session:
        rounds = session.exec(select(Round).order_by(Round.id)).all()  # type: ignore[arg-type]
        assert len(rounds) == before + 1
        delete_round(session=session, round_=rounds[-1])  # the other tests expect two rounds
        session.commit()
    page.context.close()

"""»Dine teams« in a browser: the open round, its count and the next step, laptop and phone."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import PHONE, Service
from tests.browser.test_meeting_browser import DESKTOP, _logged_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("name", "viewport"), [("1280", DESKTOP), ("360", PHONE)])
def test_dine_teams_shows_the_open_round_and_the_next_step(
    browser: Browser, service: Service, screenshots: Path, name: str, viewport: dict[str, int]
) -> None:
    page = _logged_in_page(browser, service, viewport=viewport)
    page.goto(f"{service.base_url}/teams")
    row = page.locator("table.team-list tbody tr", has_text="Team Nordskolen")
    assert "November 2026" in row.inner_text()
    assert "af 9 har svaret" in row.inner_text()
    assert row.get_by_role("link", name="Luk runden").get_attribute("href") == (
        f"/runder/{service.round_id}"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=screenshots / f"teams-{name}.png", full_page=True)
    # Nothing scrolls sideways inside the table's box either: on a phone each team is a block.
    inside = page.locator(".table-wrap").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    page.context.close()
    assert width <= viewport["width"]
    assert inside[0] <= inside[1], inside

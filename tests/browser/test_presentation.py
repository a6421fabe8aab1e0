"""Presentation mode on a 1920x1080 projector: no site header, large charts, one theme a screen."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session

from app.db.models import Round
from app.db.rounds import close_round, reopen_round
from tests.browser.conftest import Service
from tests.browser.test_meeting_browser import _closed_round, _logged_in_page

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1920, "height": 1080}
SMALLEST_LABEL_PX = 18
SHOWN = "[data-slide]:visible, .theme-results:visible"  # the themes on screen


def _label_sizes(page: Page) -> list[float]:
    """The font sizes (px) of the visible radar's axis labels."""
    labels = page.locator(f":is({SHOWN}) .angularaxistick text")
    return labels.evaluate_all("ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))")


def _visible_slides(page: Page) -> int:
    return page.locator(SHOWN).count()


@pytest.mark.parametrize("where", ["moede/1", "resultater"])
def test_presentation_mode_fills_the_projector_with_one_theme_and_large_labels(
    browser: Browser, service: Service, screenshots: Path, where: str
) -> None:
    round_ = _closed_round(service)
    page = _logged_in_page(browser, service, viewport=PROJECTOR)
    page.goto(f"{service.base_url}/runder/{round_.id}/{where}")
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.locator(".site-header").is_visible()
    page.keyboard.press("f")
    assert page.locator(".site-header").is_hidden()
    assert _visible_slides(page) == 1
    page.wait_for_timeout(400)
    sizes = _label_sizes(page)
    assert sizes and min(sizes) >= SMALLEST_LABEL_PX, sizes
    box = page.locator(
        "[data-slide]:visible .js-plotly-plot, .theme-results:visible .js-plotly-plot"
    ).first.bounding_box()
    assert box is not None and box["width"] > 1500 and box["height"] > 700, box
    legend = page.locator(f":is({SHOWN}) .legendtitletext").first.text_content()
    assert legend == "Runder"  # the room is not told to click
    page.screenshot(path=screenshots / f"presentation-{where.replace('/', '-')}-1920.png")
    if where.startswith("moede"):
        # The meeting takes one theme at a time: its other themes are behind the theme picker.
        assert page.locator("[data-slide]").count() == 1
        assert page.locator(".theme-picker a").count() == len(round_.themes)
        page.context.close()
        return
    first = page.locator(f":is({SHOWN}) h2").first.inner_text()
    page.keyboard.press("ArrowRight")
    assert page.url.endswith(where)  # moved to the next theme, not to the next step
    second = page.locator(f":is({SHOWN}) h2").first.inner_text()
    assert second != first and _visible_slides(page) == 1
    page.keyboard.press("f")
    assert page.locator(".site-header").is_visible()
    assert _visible_slides(page) > 1
    page.context.close()


def test_presentation_mode_lasts_through_the_steps_of_the_meeting(
    browser: Browser, service: Service
) -> None:
    round_ = _closed_round(service)
    page = _logged_in_page(browser, service, viewport=PROJECTOR)
    page.goto(f"{service.base_url}/runder/{round_.id}/moede/2")
    page.get_by_role("button", name="Præsentation (F)").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/moede/3**")
    assert page.locator(".site-header").is_hidden()
    page.context.close()


def test_the_qr_page_in_presentation_mode_counts_and_goes_to_the_results_at_close(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    page = _logged_in_page(browser, service, viewport=PROJECTOR)
    page.goto(f"{service.base_url}/runder/{service.round_id}/deltag")
    page.keyboard.press("f")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("#live").inner_text().endswith("har svaret")
    page.screenshot(path=screenshots / "presentation-qr-1920.png")
    engine = service.app.state.engine
    with Session(engine) as session:
        round_ = session.get(Round, service.round_id)
        assert round_ is not None
        close_round(session=session, round_=round_)
        session.commit()
    try:
        page.wait_for_url(f"**/runder/{service.round_id}/resultater", timeout=10_000)
    finally:
        with Session(engine) as session:
            round_ = session.get(Round, service.round_id)
            assert round_ is not None
            reopen_round(session=session, round_=round_)
            session.commit()
        page.context.close()

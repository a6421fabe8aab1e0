"""The follow-up meeting walked with the keyboard only, and its print layout."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, select

from app.db.models import PlanAction, Priority, Round
from tests.browser.conftest import Service, tab_to
from tests.world import session_cookie

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 860}
TABS = 120  # every control of a meeting step is reached within this many Tab presses


def _closed_round(service: Service) -> Round:
    with Session(service.app.state.engine) as session:
        # The seeded closed round (tests/browser/conftest.py); other tests may close more.
        seeded = select(Round).where(Round.status == "closed", Round.label == "September 2026")
        round_ = session.exec(seeded).one()
        session.expunge(round_)
    return round_


def _logged_in_page(
    browser: Browser,
    service: Service,
    *,
    javascript: bool = True,
    viewport: dict[str, int] = DESKTOP,
) -> Page:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    secret = service.app.state.secret_key
    context.add_cookies(
        [
            {
                "name": "spindelvaev_session",
                "url": service.base_url,
                "value": session_cookie(
                    secret, service.facilitator, engine=service.app.state.engine
                ),
            }
        ]
    )
    page = context.new_page()
    page.on("request", lambda request: _same_host(request.url, service.base_url))
    return page


def _same_host(url: str, base_url: str) -> None:
    assert url.startswith((base_url, "data:", "blob:")), f"request to another host: {url}"


def test_the_six_steps_can_be_walked_with_the_keyboard_only(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    round_ = _closed_round(service)
    page = _logged_in_page(browser, service)
    page.goto(f"{service.base_url}/runder/{round_.id}/moede/1")
    assert page.locator("h1").inner_text().endswith("Resultaterne")
    page.locator(".js-plotly-plot").first.wait_for()
    page.screenshot(path=screenshots / "meeting-step1-1280.png", full_page=False)

    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/moede/2**")
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/moede/3**")

    for _ in range(3):
        tab_to(page, 'input[name="statement_ids"]:not(:checked)', TABS)
        page.keyboard.press("Space")
    assert page.locator("[data-count]").inner_text() == "3"
    tab_to(page, "form.priority-form button[type=submit]", TABS)
    page.keyboard.press("Enter")
    page.wait_for_url("**/moede/4?**gemt=1")

    for step, text in ((4, "Barnet bliver spurgt først."), (5, "Faste mødetider.")):
        for index in range(3):
            tab_to(page, f"form.autosave .note:nth-of-type({index + 1}) textarea", TABS)
            page.keyboard.type(f"{text} ({index + 1})")
        tab_to(page, "form.autosave .save-row button[type=submit]", TABS)
        page.locator(".save-state", has_text="Gemt kl.").wait_for()
        page.keyboard.press("ArrowRight")
        page.wait_for_url(f"**/moede/{step + 1}?**gemt=1")

    tab_to(page, "#what-ny", TABS)
    page.keyboard.type("Fast dagsorden med barnets perspektiv først")
    page.keyboard.press("Tab")
    page.keyboard.type("Tovholder")
    # The post redirects back to step 6: wait for that navigation itself, since the address
    # before and after can differ only in the query or the fragment (the theme stays in it).
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/moede/6?" in page.url and page.url.endswith("gemt=1#plan"), page.url
    page.screenshot(path=screenshots / "meeting-step6-1280.png", full_page=True)

    with Session(service.app.state.engine) as session:
        priorities = session.exec(select(Priority).where(Priority.round_id == round_.id)).all()
        actions = session.exec(select(PlanAction).where(PlanAction.round_id == round_.id)).all()
    assert len(priorities) == 3
    assert sorted(p.experience for p in priorities) == [
        f"Barnet bliver spurgt først. ({index})" for index in (1, 2, 3)
    ]
    assert all(p.requirements.startswith("Faste mødetider.") for p in priorities)
    assert [(a.what, a.who) for a in actions] == [
        ("Fast dagsorden med barnets perspektiv først", "Tovholder")
    ]

    page.goto(f"{service.base_url}/runder/{round_.id}/referat")
    page.locator(".js-plotly-plot").first.wait_for()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    page.screenshot(path=screenshots / "minutes-print.png", full_page=True)
    page.pdf(path=str(screenshots / "minutes.pdf"), format="A4", print_background=True)
    assert (screenshots / "minutes.pdf").stat().st_size > 10_000
    page.context.close()

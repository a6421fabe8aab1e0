"""Nothing typed or ticked in the meeting is lost: each loss found in a trial, replayed."""

import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Route
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.db.models import Priority, Round, RoundStatement
from tests.browser.conftest import Service
from tests.browser.test_meeting_browser import _closed_round, _logged_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _no_priorities_left(service: Service) -> Iterator[None]:
    """The other meeting tests start from a round without priorities, as this module found it."""
    yield
    _fresh_meeting(service)


def _fresh_meeting(service: Service, chosen: int = 0) -> Round:
    """The closed round with no priorities, or with the first `chosen` statements chosen."""
    round_ = _closed_round(service)
    with Session(service.app.state.engine) as session:
        session.execute(delete(Priority).where(col(Priority.round_id) == round_.id))
        for statement_id in _statement_ids(session, round_)[:chosen]:
            session.add(Priority(round_id=round_.id or 0, statement_id=statement_id))
        session.commit()
    return round_


def _at_step(
    browser: Browser, service: Service, step: int, chosen: int = 0, javascript: bool = True
) -> tuple[Round, Page]:
    """A logged-in page at a step of the closed round's meeting, after `_fresh_meeting`."""
    round_ = _fresh_meeting(service, chosen)
    page = _logged_in_page(browser, service, javascript=javascript)
    page.goto(f"{service.base_url}/runder/{round_.id}/moede/{step}")
    return round_, page


def _statement_ids(session: Session, round_: Round) -> list[str]:
    query = select(RoundStatement.statement_id).where(RoundStatement.round_id == round_.id)
    return list(session.exec(query.order_by(col(RoundStatement.position))).all())


def _stored(service: Service, round_: Round) -> list[Priority]:
    with Session(service.app.state.engine) as session:
        query = select(Priority).where(Priority.round_id == round_.id)
        return list(session.exec(query.order_by(col(Priority.id))).all())


def _eventually(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


def _tick(page: Page, count: int, start: int = 0) -> None:
    boxes = page.locator('input[name="statement_ids"]')
    for index in range(start, start + count):
        boxes.nth(index).check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_choices_ticked_in_step_3_survive_the_step_link(
    browser: Browser, service: Service, javascript: bool
) -> None:
    round_, page = _at_step(browser, service, 3, javascript=javascript)
    _tick(page, 3)
    page.get_by_role("button", name="Trin 4 →").click()
    page.wait_for_url("**/moede/4**")
    assert page.locator("form.autosave textarea").count() == 3
    assert "I har ikke valgt prioriteringer endnu" not in page.content()
    assert len(_stored(service, round_)) == 3
    page.context.close()


def test_a_fourth_tick_is_refused_and_the_three_stay_ticked_and_saved(
    browser: Browser, service: Service
) -> None:
    round_, page = _at_step(browser, service, 3)
    _tick(page, 3)
    page.locator(".priority-form .save-state", has_text="Gemt kl.").wait_for()
    page.locator('input[name="statement_ids"]').nth(3).click()
    assert page.locator('input[name="statement_ids"]').nth(3).is_checked() is False
    assert page.locator("[data-count]").inner_text() == "3"
    assert page.locator(".choice-limit").is_visible()
    assert "4 af 3" not in page.locator(".choice-count").inner_text()
    page.reload()
    assert page.locator('input[name="statement_ids"]:checked').count() == 3
    assert len(_stored(service, round_)) == 3
    page.context.close()


def test_a_note_typed_just_before_the_step_link_is_stored(
    browser: Browser, service: Service
) -> None:
    round_, page = _at_step(browser, service, 5, chosen=3)
    page.locator("form.autosave textarea").first.fill("")
    page.locator("form.autosave textarea").first.type("Faste mødetider hver anden uge")
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Trin 6 →").click()
    page.wait_for_url("**/moede/6**")
    assert _stored(service, round_)[0].requirements == "Faste mødetider hver anden uge"
    page.context.close()


def test_a_step_link_pressed_while_a_background_save_runs_goes_on_to_the_next_step(
    browser: Browser, service: Service
) -> None:
    """Found in the cycle walk: the post that waited for the save came back to the same step."""
    round_, page = _at_step(browser, service, 4, chosen=3)
    held: list[Route] = []

    def hold(route: Route) -> None:  # the background save (JSON) waits until the link is pressed
        if route.request.headers.get("accept") == "application/json":
            held.append(route)
        else:
            route.continue_()

    page.route("**/noter", hold)
    page.locator("form.autosave textarea").first.type("Vi ringer til forældrene")
    for _ in range(100):  # the save is on its way and has no answer yet
        if held:
            break
        page.wait_for_timeout(50)  # (routes are handled while Playwright waits)
    assert held
    page.evaluate("document.activeElement.blur()")
    with page.expect_navigation(url="**/moede/5**"):
        page.get_by_role("button", name="Trin 5 →").click()
        page.wait_for_timeout(200)  # the link's post is waiting for the save
        for route in held:
            route.continue_()
    assert "/moede/5" in page.url
    assert _stored(service, round_)[0].experience == "Vi ringer til forældrene"
    page.context.close()


def test_a_note_typed_before_leaving_the_page_by_another_way_is_stored(
    browser: Browser, service: Service
) -> None:
    round_, page = _at_step(browser, service, 4, chosen=3)
    page.locator("form.autosave textarea").nth(1).type("Barnet fortæller først")
    page.goto(f"{service.base_url}/teams")  # no step link: the page's beacon saves it
    assert _eventually(lambda: _stored(service, round_)[1].experience == "Barnet fortæller først")
    page.context.close()


def test_autosave_says_when_it_saved(browser: Browser, service: Service) -> None:
    round_, page = _at_step(browser, service, 4, chosen=3)
    page.locator("form.autosave textarea").nth(2).type("Forældrene får dagsordenen")
    state = page.locator("form.autosave .save-state")
    state.filter(has_text="Gemt kl.").wait_for()
    assert state.inner_text().startswith("Gemt kl. ")
    assert _stored(service, round_)[2].experience == "Forældrene får dagsordenen"
    page.context.close()

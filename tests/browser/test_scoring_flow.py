"""A phone at 360x740 joins by code, scores every statement by tapping labels, submits and changes.

The same flow runs with JavaScript on and off. Screenshots land in test-output/screenshots/.
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, col, func, select

from app.db.models import Response, Score
from app.web.auth import get_optional_user
from tests.browser.conftest import PHONE, Service

pytestmark = pytest.mark.browser


class Phone:
    """A page in a fresh phone-sized context that records every host it talks to."""

    def __init__(self, browser: Browser, service: Service, *, javascript: bool) -> None:
        self.context = browser.new_context(
            viewport=PHONE, java_script_enabled=javascript, locale="da-DK"
        )
        self.page: Page = self.context.new_page()
        self.hosts: set[str] = set()
        self.page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))
        self.own_host = urlsplit(service.base_url).netloc
        self.javascript = javascript

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=[True, False], ids=["med-javascript", "uden-javascript"])
def phone(request: pytest.FixtureRequest, browser: Browser, service: Service) -> Iterator[Phone]:
    device = Phone(browser, service, javascript=request.param)
    yield device
    device.close()


def _counts(service: Service) -> tuple[int, int]:
    with Session(service.app.state.engine) as session:
        responses = session.exec(
            select(func.count()).where(col(Response.round_id) == service.round_id)
        ).one()
        scores = session.exec(
            select(func.count())
            .select_from(Score)
            .join(Response, col(Response.id) == col(Score.response_id))
            .where(col(Response.round_id) == service.round_id)
        ).one()
    return responses, scores


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def _value_for(index: int) -> str:
    return "vedikke" if index % 9 == 8 else str(index % 10 + 1)


def test_a_phone_joins_scores_everything_submits_and_changes_its_answers(
    phone: Phone, service: Service, screenshots: Path
) -> None:
    page = phone.page
    mode = "js" if phone.javascript else "nojs"
    before = _counts(service)

    # Join by typing the code on the start page, in lower case with a space, as people do.
    page.goto(service.base_url + "/")
    _no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"start-{mode}-360.png")
    page.get_by_label("Kode", exact=True).fill(
        f"{service.code[:3].lower()} {service.code[3:].lower()}"
    )
    page.get_by_role("button", name="Deltag").click()
    page.wait_for_url(f"**/r/{service.code}")
    # The round's first screen shows its first theme; this walk takes every theme on one page.
    page.get_by_role("button", name="Vis alle temaer på én side").click()
    page.wait_for_url(f"**/r/{service.code}?tema=alle")
    _no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"scoring-{mode}-360-empty.png", full_page=True)
    page.screenshot(path=screenshots / f"scoring-{mode}-360-top.png")

    progress = page.locator("#progress")
    total = service.statement_count
    if mode == "js":
        assert progress.inner_text() == f"0 af {total} besvaret"
    else:
        assert progress.inner_text() == f"{total} udsagn i 6 temaer"

    # Score every statement by clicking the labels.
    page.get_by_label("Din faggruppe").select_option("paedagog")
    fieldsets = page.locator("fieldset.q")
    assert fieldsets.count() == total
    for index in range(total):
        value = _value_for(index)
        fieldsets.nth(index).locator(f"label:has(input[value='{value}'])").click()
    first = fieldsets.nth(0)
    first.locator("summary").click()
    first.get_by_label("Hvad ligger bag din vurdering?").fill("Vi mangler en fast mødedag.")
    if mode == "js":
        assert progress.inner_text() == f"{total} af {total} besvaret"
    _no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"scoring-{mode}-360-filled.png", full_page=True)
    page.locator("h3").first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    page.screenshot(path=screenshots / f"scoring-{mode}-360-answered.png")

    page.get_by_role("button", name="Send mine svar").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"scoring-{mode}-360-bottom.png")
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url(f"**/r/{service.code}/tak")
    assert "Tak for dine svar" in page.content()
    assert "Du kan ændre dine svar, indtil runden lukkes" in page.inner_text("main")
    assert f"{total} af {total} udsagn" in page.inner_text("main")
    _no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"thanks-{mode}-360.png", full_page=True)
    assert _counts(service) == (before[0] + 1, before[1] + total)

    # Come back: the answers are there; change one and skip another.
    page.get_by_role("link", name="Ret mine svar").click()
    page.wait_for_url(f"**/r/{service.code}")
    assert "Du har svaret før" in page.inner_text("main")
    page.goto(f"{service.base_url}/r/{service.code}?tema=alle")
    for index in (0, 5, total - 1):
        checked = fieldsets.nth(index).locator("input:checked")
        assert checked.get_attribute("value") == _value_for(index)
    assert first.locator("textarea").input_value() == "Vi mangler en fast mødedag."
    assert page.get_by_label("Din faggruppe").input_value() == "paedagog"
    fieldsets.nth(1).locator("label:has(input[value='10'])").click()
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url(f"**/r/{service.code}/tak")
    assert _counts(service) == (before[0] + 1, before[1] + total)  # replaced, not added

    assert phone.hosts == {phone.own_host}, f"requests to other hosts: {phone.hosts}"


def test_a_comment_without_an_answer_is_marked_and_nothing_is_lost(
    phone: Phone, service: Service, screenshots: Path
) -> None:
    page = phone.page
    before = _counts(service)
    page.goto(f"{service.base_url}/r/{service.code}?tema=alle")
    fieldsets = page.locator("fieldset.q")
    fieldsets.nth(0).locator("label:has(input[value='3'])").click()
    second = fieldsets.nth(1)
    second.locator("summary").click()
    second.get_by_label("Hvad ligger bag din vurdering?").fill("Jeg er i tvivl")
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_load_state()
    assert "Dine svar er ikke gemt" in page.inner_text("main")
    assert "bad" in (second.get_attribute("class") or "")
    assert second.locator("textarea").input_value() == "Jeg er i tvivl"
    assert fieldsets.nth(0).locator("input:checked").get_attribute("value") == "3"
    _no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "scoring-360-error.png")
    second.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    page.screenshot(path=screenshots / "scoring-360-error-marked.png")
    assert _counts(service) == before


def test_the_facilitator_watches_answers_arrive_on_the_projector_page(
    browser: Browser, service: Service, screenshots: Path
) -> None:
    service.app.dependency_overrides[get_optional_user] = lambda: service.facilitator
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(f"{service.base_url}/runder/{service.round_id}/deltag")
        assert page.locator("figure.qr svg").is_visible()
        assert page.locator(".big-code").inner_text() == service.code
        page.screenshot(path=screenshots / "projector-1280.png", full_page=True)
        shown = int(page.locator("[data-answers]").inner_text())

        other = browser.new_context(viewport=PHONE)
        respondent = other.new_page()
        respondent.goto(f"{service.base_url}/r/{service.code}?tema=alle")
        respondent.locator("fieldset.q").nth(0).locator("label:has(input[value='7'])").click()
        respondent.get_by_role("button", name="Send mine svar").click()
        respondent.wait_for_url("**/tak")
        other.close()

        page.locator("[data-answers]").filter(has_text=str(shown + 1)).wait_for(timeout=15_000)
        page.goto(f"{service.base_url}/runder/{service.round_id}")
        page.screenshot(path=screenshots / "round-page-1280.png", full_page=True)
        context.close()
    finally:
        service.app.dependency_overrides.pop(get_optional_user, None)

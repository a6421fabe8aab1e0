"""A phone at 360x740 answers a three-theme round screen by screen, leaves and comes back.

With and without JavaScript: every answer is still there, nothing is counted before »Send«, a
draft is gone after close, every target is at least 44x44 px, and the thanks page lists what was
skipped. Screenshots land in test-output/screenshots/ (drafts-*.png).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page
from sqlmodel import Session, col, func, select

from app.db.models import Draft, Response, Round, Score, Team
from app.db.rounds import close_round, create_round
from tests.browser.conftest import PHONE, Service

pytestmark = pytest.mark.browser

TARGETS = (
    "fieldset.q .r label, fieldset.q .dk, fieldset.q summary, details.material summary, "
    "form#scoring button, #profession"
)


@dataclass
class ThemeRound:
    id: int
    code: str
    themes: list[list[str]]  # statement ids per screen


@pytest.fixture
def theme_round(service: Service) -> ThemeRound:
    """A new open round of three themes for a team of its own, so each test starts from nothing.

    Not the seeded team: the other browser tests expect its rounds as conftest.py made them.
    """
    catalogue = service.app.state.catalogue
    themes = [theme.id for theme in catalogue.themes[:3]]
    with Session(service.app.state.engine) as session:
        seeded = session.get_one(Team, session.get_one(Round, service.round_id).team_id)
        team = Team(name="Team Skærm for skærm", unit_id=seeded.unit_id, expected_size=5)
        session.add(team)
        session.flush()
        assert team.id is not None
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id,
            label="Skærm for skærm",
            theme_ids=themes,
            status="open",
        )
        session.commit()
        assert round_.id is not None
        ids = [[s.id for s in catalogue.theme(theme).statements] for theme in themes]
        return ThemeRound(round_.id, round_.join_code, ids)


@dataclass
class Phone:
    page: Page
    javascript: bool
    dialogs: list[str]

    @property
    def mode(self) -> str:
        return "js" if self.javascript else "nojs"


@pytest.fixture(params=[True, False], ids=["med-javascript", "uden-javascript"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Phone]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=request.param, locale="da-DK")
    page = context.new_page()
    dialogs: list[str] = []

    def leave_anyway(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave_anyway)
    yield Phone(page, request.param, dialogs)
    context.close()


def _counted(service: Service, round_id: int) -> tuple[int, int]:
    with Session(service.app.state.engine) as session:
        responses = session.exec(
            select(func.count()).where(col(Response.round_id) == round_id)
        ).one()
        scores = session.exec(
            select(func.count())
            .select_from(Score)
            .join(Response, col(Response.id) == col(Score.response_id))
            .where(col(Response.round_id) == round_id)
        ).one()
    return responses, scores


def _drafts(service: Service, round_id: int) -> int:
    with Session(service.app.state.engine) as session:
        return session.exec(select(func.count()).where(col(Draft.round_id) == round_id)).one()


def _tap(page: Page, statement_id: str, value: str) -> None:
    page.locator(f"[id='q-{statement_id}'] label:has(input[value='{value}'])").click()


def _checked(page: Page, statement_id: str) -> str | None:
    checked = page.locator(f"[id='q-{statement_id}'] input:checked")
    return checked.get_attribute("value") if checked.count() else None


def _small_targets(page: Page) -> list[str]:
    """Every tap target on the screen narrower or lower than 44 px, with its size."""
    found: list[str] = page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector))
            .filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.width < 44 || box.height < 44)
            .map(([el, box]) => `${el.tagName} ${el.textContent.trim().slice(0, 20)}: `
                 + `${Math.round(box.width)}x${Math.round(box.height)}`)""",
        TARGETS,
    )
    return found


def test_answers_survive_going_on_leaving_and_coming_back_and_count_only_after_send(
    phone: Phone, service: Service, theme_round: ThemeRound, screenshots: Path
) -> None:
    page, mode, base = phone.page, phone.mode, service.base_url
    one, two, three = theme_round.themes
    page.goto(f"{base}/r/{theme_round.code}")
    assert page.locator("header a").count() == 0  # no way out but the form's own buttons
    progress = page.locator("#progress")
    total = sum(map(len, theme_round.themes))
    assert progress.inner_text() == f"Tema 1 af 3 · 0 af {total} besvaret"
    assert _small_targets(page) == []
    page.screenshot(path=screenshots / f"drafts-{mode}-360-theme1-top.png")

    # Part of theme 1, then on to theme 2.
    _tap(page, one[0], "3")
    _tap(page, one[1], "8")
    page.locator(f"[id='q-{one[2]}'] .dk").click()
    page.locator(f"[id='q-{one[0]}'] summary").click()
    page.locator(f"[id='q-{one[0]}'] textarea").fill("Vi mødes for sjældent.")
    if phone.javascript:
        assert progress.inner_text() == f"Tema 1 af 3 · 3 af {total} besvaret"
    page.screenshot(path=screenshots / f"drafts-{mode}-360-theme1-answered.png")
    page.get_by_role("button", name="Næste tema").click()
    page.wait_for_url(f"**/r/{theme_round.code}?tema=2")
    assert progress.inner_text() == f"Tema 2 af 3 · 3 af {total} besvaret"
    _tap(page, two[0], "5")
    _tap(page, two[1], "10")
    page.screenshot(path=screenshots / f"drafts-{mode}-360-theme2.png")
    if not phone.javascript:
        # Without JavaScript a screen is kept on the server once it is posted: go on first.
        page.get_by_role("button", name="Næste tema").click()
        page.wait_for_url(f"**/r/{theme_round.code}?tema=3")
    assert _counted(service, theme_round.id) == (0, 0)  # a draft is not an answer

    # Leave for another page, and come back through the kept link.
    page.goto(f"{base}/udsagn")
    assert page.url.endswith("/udsagn")
    if phone.javascript:
        assert phone.dialogs == ["beforeunload"]  # warned before leaving with unsent answers
    page.goto(f"{base}/r/{theme_round.code}")
    assert "gemt som kladde, men ikke sendt" in page.inner_text("main")
    assert [_checked(page, sid) for sid in one[:4]] == ["3", "8", "vedikke", None]
    assert page.locator(f"[id='q-{one[0]}'] textarea").input_value() == "Vi mødes for sjældent."
    page.get_by_role("button", name="Næste tema").click()
    page.wait_for_url(f"**/r/{theme_round.code}?tema=2")
    assert [_checked(page, sid) for sid in two[:3]] == ["5", "10", None]
    assert progress.inner_text() == f"Tema 2 af 3 · 5 af {total} besvaret"
    page.screenshot(path=screenshots / f"drafts-{mode}-360-back.png")
    assert _counted(service, theme_round.id) == (0, 0)

    # "Next unanswered" leads to the first statement not yet answered.
    page.get_by_role("button", name="Gå til næste ubesvarede").click()
    page.locator(f"[id='q-{two[2]}']").wait_for()
    assert page.locator(f"[id='q-{two[2]}']").is_visible()

    # The last screen sends all three themes at once; the thanks page lists what was skipped.
    page.get_by_role("button", name="Næste tema").click()
    page.wait_for_url(f"**/r/{theme_round.code}?tema=3")
    _tap(page, three[0], "6")
    assert _small_targets(page) == []
    page.get_by_role("button", name="Send mine svar").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"drafts-{mode}-360-last.png")
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url(f"**/r/{theme_round.code}/tak")
    assert _counted(service, theme_round.id) == (1, 6)
    assert _drafts(service, theme_round.id) == 0
    skipped = page.locator("section.skipped li a")
    assert skipped.count() == total - 6
    page.screenshot(path=screenshots / f"drafts-{mode}-360-thanks.png", full_page=True)
    skipped.first.click()
    page.wait_for_url(f"**/r/{theme_round.code}?tema=1#q-{one[3]}")
    assert page.locator(f"[id='q-{one[3]}']").is_visible()
    assert _checked(page, one[0]) == "3"  # the sent answers, not an empty form
    if phone.javascript:
        assert page.evaluate("Object.keys(localStorage).length") == 0  # sent: the copy is gone


def test_a_draft_is_gone_after_the_round_closes(
    phone: Phone, service: Service, theme_round: ThemeRound, screenshots: Path
) -> None:
    page = phone.page
    page.goto(f"{service.base_url}/r/{theme_round.code}")
    _tap(page, theme_round.themes[0][0], "4")
    page.get_by_role("button", name="Næste tema").click()
    page.wait_for_url(f"**/r/{theme_round.code}?tema=2")
    assert _drafts(service, theme_round.id) == 1
    with Session(service.app.state.engine) as session:
        close_round(session=session, round_=session.get_one(Round, theme_round.id))
        session.commit()
    assert _drafts(service, theme_round.id) == 0
    assert _counted(service, theme_round.id) == (0, 0)
    page.goto(f"{service.base_url}/r/{theme_round.code}")
    assert "Runden er lukket" in page.inner_text("main")
    page.screenshot(path=screenshots / f"drafts-{phone.mode}-360-closed.png")

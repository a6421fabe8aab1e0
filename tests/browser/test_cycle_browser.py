"""A facilitator's whole cycle in chromium: one-theme round, meeting with notes, targets, dates,
the printed minutes, and the next round's step 1 against the targets."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, select

from app.core.scoring import Answer
from app.db.models import Round, RoundStatement, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from tests.browser.conftest import Site, live_site
from tests.world import session_cookie

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, int, User]]:
    """A service of its own, with a team of four and its facilitator, and no rounds yet."""
    with live_site(tmp_path_factory.mktemp("cycle")) as site:
        with Session(site.app.state.engine) as session:
            unit = Unit(name="Skoleområde Syd")
            session.add(unit)
            session.flush()
            team = Team(name="Team Sydskolen", unit_id=unit.id or 0, expected_size=4)
            user = User(email="tove@syd.example", name="Tove", role="facilitator")
            session.add_all([team, user])
            session.flush()
            session.add(TeamFacilitator(team_id=team.id or 0, user_id=user.id or 0))
            session.commit()
            session.refresh(team)
            session.refresh(user)
            session.expunge_all()
        yield site, team.id or 0, user


def _page(browser: Browser, site: Site, user: User) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    cookie = session_cookie(site.app.state.secret_key, user, engine=site.app.state.engine)
    context.add_cookies([{"name": "spindelvaev_session", "url": site.base_url, "value": cookie}])
    return context.new_page()


def _answer(site: Site, round_id: int, values: list[int]) -> None:
    """Respondent i gives values[i] to every statement (as their phones would)."""
    with Session(site.app.state.engine) as session:
        statements = session.exec(
            select(RoundStatement.statement_id).where(RoundStatement.round_id == round_id)
        ).all()
        for value in values:
            save_response(
                session=session,
                round_id=round_id,
                respondent_key=new_respondent_key(),
                profession=None,
                answers={statement: Answer(value=value) for statement in statements},
            )


def _new_round_and_close(page: Page, site: Site, team_id: int, values: list[int]) -> int:
    """Create a round on the theme the page asks for (theme 1), answer it and close it."""
    page.goto(f"{site.base_url}/teams/{team_id}/runder/ny")
    boxes = page.locator('input[name="themes"]')
    for index in range(boxes.count()):
        boxes.nth(index).set_checked(index == 0)
    page.get_by_role("button", name="Opret runde").click()
    page.wait_for_url(f"{site.base_url}/runder/*")
    round_id = int(page.url.rsplit("/", 1)[-1])
    _answer(site, round_id, values)
    page.get_by_role("button", name="Luk runden").click()
    page.get_by_role("button", name="Luk runden").click()  # the confirmation
    page.wait_for_url(f"{site.base_url}/runder/{round_id}")
    return round_id


def _saved(page: Page) -> None:
    page.locator(".save-state", has_text="Gemt kl.").first.wait_for()


def test_a_facilitators_whole_cycle(
    browser: Browser, site: tuple[Site, int, User], screenshots: Path
) -> None:
    service, team_id, user = site
    page = _page(browser, service, user)

    # A new round: one theme, the one the team has gone longest without, said so on the page.
    page.goto(f"{service.base_url}/teams/{team_id}/runder/ny")
    assert page.locator('input[name="themes"]:checked').count() == 1
    assert page.locator(".suggested").is_visible()
    assert "ét spindelvæv ad gangen" in page.locator("#themes-hint").inner_text()
    page.screenshot(path=screenshots / "cycle-1-new-round.png", full_page=True)
    first = _new_round_and_close(page, service, team_id, [3, 4, 5])  # every mean 4,0

    # The meeting: a step 2 note, three priorities, targets, and a plan with its dates.
    page.goto(f"{service.base_url}/runder/{first}/moede/2")
    page.locator("#note-theme").fill("Vi er uenige om, hvornår forældrene inddrages.")
    _saved(page)
    page.goto(f"{service.base_url}/runder/{first}/moede/3")
    boxes = page.locator('input[name="statement_ids"]')
    for index in range(3):
        boxes.nth(index).check()
    _saved(page)
    page.locator(".step-nav [data-rel=next]").click()
    page.wait_for_url("**/moede/4**")
    targets = page.locator('input[name="target"]')
    assert targets.count() == 3
    for index, target in enumerate(("6", "5", "4,5")):
        targets.nth(index).fill(target)
    page.locator("textarea").first.fill("Forældrene får dagsordenen en uge før.")
    _saved(page)
    page.screenshot(path=screenshots / "cycle-2-step4-targets.png", full_page=True)
    # On by address: the step links' own saving is tested in test_meeting_saves_browser.py (here,
    # a step link pressed while a background save was still running came back to step 4).
    page.goto(f"{service.base_url}/runder/{first}/moede/5")
    page.goto(f"{service.base_url}/runder/{first}/moede/6")
    page.locator("#next-meeting").fill("2027-03-10")
    page.locator("#next-measurement").fill("2027-03-03")
    # Each save is a post and a redirect back to step 6: wait for that navigation itself, since
    # the address before and after differ only in the query or the fragment.
    with page.expect_navigation():
        page.get_by_role("button", name="Gem datoerne").click()
    assert page.url.endswith("/moede/6?gemt=1"), page.url
    page.locator("#what-ny").fill("Send dagsordenen en uge før mødet")
    with page.expect_navigation():
        page.get_by_role("button", name="Tilføj handling").click()
    assert page.url.endswith("/moede/6?gemt=1#plan"), page.url
    page.screenshot(path=screenshots / "cycle-3-step6-plan.png", full_page=True)

    # The minutes, printed.
    page.goto(f"{service.base_url}/runder/{first}/referat")
    page.locator(".js-plotly-plot").first.wait_for()
    pdf = screenshots / "cycle-4-minutes.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "Vi er uenige om, hvornår forældrene inddrages.",
        "mål: fra 4,0 til 6,0",
        "Næste måling: 3. mar. 2027",
        "Send dagsordenen en uge før mødet",
    ):
        assert expected in " ".join(text.split()), expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf), str(screenshots / "cycle-4-minutes")],
        check=True,
    )
    page.emulate_media(media="screen")
    page.goto(f"{service.base_url}/teams/{team_id}")
    assert "Næste måling: 3. mar. 2027" in page.locator(".next-measurement").inner_text()

    # The next round on the same theme: step 1 shows before → after against each target.
    second = _new_round_and_close(page, service, team_id, [4, 5, 6])  # every mean 5,0
    page.goto(f"{service.base_url}/runder/{second}/moede/1")
    moved = page.locator(".movement")
    assert moved.count() == 3
    lines = [" ".join(moved.nth(i).inner_text().split()) for i in range(3)]
    assert any("4,0 → 5,0 (mål 6,0) Mål ikke nået" in line for line in lines), lines
    assert any("4,0 → 5,0 (mål 5,0) Mål nået" in line for line in lines), lines
    why = page.get_by_label("Hvorfor har det (ikke) flyttet sig?").first
    why.fill("Dagsordenen kom ud, men ikke altid en uge før.")
    _saved(page)
    page.screenshot(path=screenshots / "cycle-5-next-round-step1.png", full_page=True)
    page.reload()
    assert page.get_by_label("Hvorfor har det (ikke) flyttet sig?").first.input_value() == (
        "Dagsordenen kom ud, men ikke altid en uge før."
    )
    with Session(service.app.state.engine) as session:
        assert len(session.exec(select(Round)).all()) == 2
    page.context.close()

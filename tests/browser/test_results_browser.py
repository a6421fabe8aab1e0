"""A demo team's results page in chromium: three rounds on each radar, readable, all from one host.

Screenshots land in test-output/screenshots/ (results-*.png) to be looked at.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page
from sqlmodel import Session, select

from app.core.scoring import Answer
from app.db.demo import seed_demo
from app.db.models import Round, RoundStatement, User
from app.db.responses import new_respondent_key, save_response
from app.db.rounds import create_round
from app.web.auth import get_optional_user
from tests.browser.conftest import live_site

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@dataclass
class Demo:
    """The demo municipality served on loopback, seen by its admin."""

    base_url: str
    app: FastAPI
    round_id: int  # the demo's first team's third closed round: two earlier ones overlaid
    team_id: int


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo data in its own SQLite file, served by uvicorn in a background thread."""
    with live_site(tmp_path_factory.mktemp("results-browser")) as site:
        with Session(site.app.state.engine) as session:
            info = seed_demo(session=session, catalogue=site.app.state.catalogue)
            admin = session.exec(select(User).where(User.role == "admin")).one()
            session.expunge(admin)
        site.app.dependency_overrides[get_optional_user] = lambda: admin
        team = info.teams[0]
        yield Demo(site.base_url, site.app, team.rounds[2].id, team.id)


class Visit:
    """A page in a fresh context that records every host asked and every console error."""

    def __init__(self, browser: Browser, demo: Demo, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, locale="da-DK")  # type: ignore[arg-type]
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base_url = demo.base_url

    def open(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector(".radar-plot .main-svg", timeout=20_000)
        self.page.wait_for_timeout(300)  # let plotly finish laying out the legend
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desktop(browser: Browser, demo: Demo) -> Iterator[Visit]:
    visit = Visit(browser, demo, DESKTOP)
    yield visit
    visit.close()


@pytest.fixture
def phone(browser: Browser, demo: Demo) -> Iterator[Visit]:
    visit = Visit(browser, demo, PHONE)
    yield visit
    visit.close()


def overlaps(one: dict[str, float], other: dict[str, float]) -> bool:
    return not (
        one["x"] + one["width"] <= other["x"]
        or other["x"] + other["width"] <= one["x"]
        or one["y"] + one["height"] <= other["y"]
        or other["y"] + other["height"] <= one["y"]
    )


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def test_results_page_shows_three_rounds_with_the_legend_beside_the_chart(
    desktop: Visit, demo: Demo, screenshots: Path
) -> None:
    page = desktop.open(f"/runder/{demo.round_id}/resultater")
    section = page.locator("section.theme-results").first
    page.screenshot(path=str(screenshots / "results-desktop-top.png"))
    section.screenshot(path=str(screenshots / "results-desktop-theme.png"))
    legend = section.locator(".legend .traces")
    assert legend.count() == 3
    names = [text.strip() for text in section.locator(".legend .legendtext").all_text_contents()]
    assert names == [
        "September 2026 (15. sep. 2026)",
        "Maj 2026 (12. maj 2026)",
        "Februar 2026 (10. feb. 2026)",
    ]
    first = "section.theme-results >> nth=0"
    circle, legend_box = box(page, f"{first} >> .plotbg"), box(page, f"{first} >> .legend")
    assert legend_box["x"] >= circle["x"] + circle["width"], "the legend must be beside the radar"
    assert legend_box["y"] < circle["y"] + circle["height"] / 2
    labels = section.locator(".angularaxistick text")
    for index in range(labels.count()):
        label = labels.nth(index).bounding_box()
        assert label is not None
        assert not overlaps(label, legend_box), labels.nth(index).text_content()


def test_axis_labels_are_inside_the_chart(desktop: Visit, demo: Demo) -> None:
    page = desktop.open(f"/runder/{demo.round_id}/resultater")
    for index in range(page.locator(".radar-plot").count()):
        plot = page.locator(".radar-plot").nth(index)
        frame = plot.locator(".main-svg").first.bounding_box()
        assert frame is not None
        labels = plot.locator(".angularaxistick text")
        assert labels.count() >= 3
        for label_index in range(labels.count()):
            label = labels.nth(label_index).bounding_box()
            assert label is not None
            assert label["x"] >= frame["x"] - 0.5
            assert label["x"] + label["width"] <= frame["x"] + frame["width"] + 0.5
            assert label["y"] >= frame["y"] - 0.5


def test_plotly_comes_from_the_service_and_nothing_from_other_hosts(
    desktop: Visit, demo: Demo
) -> None:
    desktop.open(f"/runder/{demo.round_id}/resultater")
    own = urlsplit(demo.base_url).netloc
    assert {urlsplit(url).netloc for url in desktop.requests} == {own}
    assert any(urlsplit(url).path == "/vendor/plotly.min.js" for url in desktop.requests)
    # A CSP violation (an inline script, a blocked style) shows as a console error.
    assert desktop.errors == []


def test_mode_bar_and_legend_get_plotlys_styles(desktop: Visit, demo: Demo) -> None:
    page = desktop.open(f"/runder/{demo.round_id}/resultater")
    modebar = page.locator(".radar-plot .modebar").first
    assert modebar.evaluate("node => getComputedStyle(node).position") == "absolute"
    button = page.locator(".radar-plot .modebar-btn").first
    assert button.get_attribute("data-title") == "Gem diagrammet som billede (PNG)"


def test_clicking_a_legend_entry_hides_that_round(desktop: Visit, demo: Demo) -> None:
    page = desktop.open(f"/runder/{demo.round_id}/resultater")
    plot = page.locator(".radar-plot").first
    # The oldest round: the legend lists the newest first.
    plot.locator(".legend .traces").last.locator(".legendtoggle").click()
    hidden = "node => node.data.map(trace => trace.visible === 'legendonly')"
    page.wait_for_function(
        "() => document.querySelector('.radar-plot').data[0].visible === 'legendonly'",
        timeout=5_000,
    )
    assert plot.evaluate(hidden) == [True, False, False]


def test_on_a_phone_the_legend_goes_below_and_the_page_does_not_scroll_sideways(
    phone: Visit, demo: Demo, screenshots: Path
) -> None:
    page = phone.open(f"/runder/{demo.round_id}/resultater")
    page.locator("section.theme-results").first.screenshot(
        path=str(screenshots / "results-phone-theme.png")
    )
    first = "section.theme-results >> nth=0"
    circle, legend_box = box(page, f"{first} >> .plotbg"), box(page, f"{first} >> .legend")
    assert legend_box["y"] >= circle["y"] + circle["height"]
    ticks = page.locator(".radar-plot").first.locator(".angularaxistick text").all_text_contents()
    assert ticks[:3] == ["1", "2", "3"]  # numbered axes; the table below numbers its rows
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_comparison_page_overlays_the_chosen_rounds(
    desktop: Visit, demo: Demo, screenshots: Path
) -> None:
    with Session(demo.app.state.engine) as session:
        from app.db.rounds import rounds_with_counts

        counted = rounds_with_counts(session=session, team_id=demo.team_id, opened_only=True)
        rounds = [round_ for round_, _ in counted]
    first, last = rounds[0].id, rounds[2].id
    page = desktop.open(f"/teams/{demo.team_id}/sammenlign?runde={first}&runde={last}")
    page.locator("section.theme-results").first.screenshot(
        path=str(screenshots / "results-compare-theme.png")
    )
    assert page.locator("section.theme-results").first.locator(".legend .traces").count() == 2


def test_a_respondent_sees_the_released_team_radar_on_the_phone(
    browser: Browser, demo: Demo, screenshots: Path
) -> None:
    key = new_respondent_key()
    with Session(demo.app.state.engine) as session:
        round_ = session.get(Round, demo.round_id)
        assert round_ is not None
        first = session.exec(
            select(RoundStatement.statement_id).where(RoundStatement.round_id == demo.round_id)
        ).first()
        assert first is not None
        round_.team_size += 1  # room for one more phone than the demo filled in
        session.add(round_)
        session.flush()
        save_response(
            session=session,
            round_id=demo.round_id,
            respondent_key=key,
            profession=None,
            answers={first: Answer(value=6)},
        )
        round_.results_released = True
        session.add(round_)
        session.commit()
        code = round_.join_code
    visit = Visit(browser, demo, PHONE)
    try:
        visit.context.add_cookies(
            [{"name": f"sv_r{demo.round_id}", "value": key, "url": demo.base_url}]
        )
        page = visit.open(f"/r/{code}/resultater")
        page.screenshot(path=str(screenshots / "results-respondent-phone.png"), full_page=False)
        plot = page.locator(".radar-plot").first
        assert plot.locator(".legend .traces").count() == 1
        assert page.locator("#faggrupper, .comments").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert visit.errors == []
    finally:
        visit.close()


def test_a_round_label_with_a_link_renders_as_text_in_the_chart(desktop: Visit, demo: Demo) -> None:
    label = '<a href="https://example.org/x">Klik her</a>'
    with Session(demo.app.state.engine) as session:
        catalogue = demo.app.state.catalogue
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=demo.team_id,
            label=label,
            theme_ids=[catalogue.themes[0].id],
            status="open",
        )
        session.commit()
        for value in (3, 5, 8):
            save_response(
                session=session,
                round_id=round_.id or 0,
                respondent_key=new_respondent_key(),
                profession=None,
                answers={s.id: Answer(value=value) for s in catalogue.themes[0].statements},
            )
        round_.status = "closed"
        session.add(round_)
        session.commit()
        round_id = round_.id
    page = desktop.open(f"/runder/{round_id}/resultater")
    plot = page.locator(".radar-plot").first
    assert plot.locator('a[href*="example.org"]').count() == 0  # no link was made of the label
    assert label in plot.inner_text()  # the legend shows the label as typed

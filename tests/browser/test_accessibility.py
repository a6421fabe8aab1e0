"""Accessibility: axe-core on every page kind at phone and desktop size, and keyboard-only flows.

WCAG 2.1 AA is the law for Danish public bodies' web services (PRODUCT.md section 3). Every page
kind must have no "serious" or "critical" axe violation. axe injects its own script, so its contexts
bypass the CSP; the keyboard flows run under the real CSP.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page
from sqlmodel import Session, col, select

from app.core.scoring import Answer
from app.db.accounts import issue_setup_token, renew_invitation
from app.db.demo import DemoInfo, seed_demo
from app.db.models import Round, User
from app.db.responses import new_respondent_key, save_response
from app.web.respondent import key_cookie_name
from tests.browser.conftest import PHONE, Site, live_site, tab_to
from tests.world import session_cookie

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
BLOCKING = ("serious", "critical")
AXE = Axe()
# Over three minutes of one worker: dealt into two groups, so that both workers share it (the live
# site of `demo` is built once on each; tests/conftest.py).
WORKER_GROUPS = 2
# SSO set up on the fresh site; its issuer is never reached by the pages tested.
SSO = {
    "oidc_issuer": "http://127.0.0.1:9",
    "oidc_client_id": "spindelvaev",
    "oidc_client_secret": "hemmelighed",
}
# Pages whose look the fixes touched: screenshots to look at (test-output/screenshots/).
SCREENSHOTS = {
    "results",
    "admin",
    "team",
    "respondent results",
    "scoring with a validation error",
    "statement catalogue",
    "meeting step 2",
    "scoring",
    "accessibility statement",
    "privacy notice",
}


@dataclass
class Demo:
    """The demo municipality (admin, teams, closed rounds with plans, an open round) on loopback."""

    site: Site
    fresh: Site  # an empty database: the first-run setup page
    info: DemoInfo
    admin: User
    team_id: int
    open_code: str
    open_round_id: int
    closed_round_id: int
    closed_code: str
    invitation_token: str
    respondent_key: str  # answered the closed round, whose results are released
    setup_path: str  # the fresh service's one-time setup link, as `serve` prints it


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo served on one port, and an empty service (no admin yet) on another."""
    with (
        live_site(tmp_path_factory.mktemp("a11y-demo")) as site,
        live_site(tmp_path_factory.mktemp("a11y-fresh"), **SSO) as fresh,
    ):
        yield _seeded_demo(site, fresh)


def _seeded_demo(site: Site, fresh: Site) -> Demo:
    """The demo seeded into the site, plus a released closed round with one respondent's answers."""
    with Session(site.app.state.engine) as session:
        info = seed_demo(session=session, catalogue=site.app.state.catalogue)
        admin = session.exec(select(User).where(User.role == "admin")).one()
        team = info.teams[0]
        open_round = session.exec(
            select(Round).where(Round.team_id == team.id, Round.status == "open")
        ).one()
        closed = session.exec(
            select(Round)
            .where(Round.team_id == team.id, Round.status == "closed")
            .order_by(col(Round.created_at).desc())
        ).first()
        assert open_round.id is not None and closed is not None and closed.id is not None
        closed.results_released = True
        closed.team_size += 1  # room for one more phone than the demo filled in
        session.flush()
        key = new_respondent_key()
        answers = {s.id: Answer(value=6) for s in site.app.state.catalogue.all_statements()}
        save_response(
            session=session,
            round_id=closed.id,
            respondent_key=key,
            profession=None,
            answers=answers,
        )
        facilitator = session.exec(select(User).where(User.role == "facilitator")).one()
        token = renew_invitation(session=session, user=facilitator)
        session.commit()
        for loaded in (closed, admin, open_round):
            session.refresh(loaded)
        session.expunge_all()
    with Session(fresh.app.state.engine) as session:
        setup_token = issue_setup_token(session=session)
        session.commit()
    return Demo(
        site=site,
        fresh=fresh,
        info=info,
        admin=admin,
        team_id=team.id,
        open_code=open_round.join_code,
        open_round_id=open_round.id,
        closed_round_id=closed.id,
        closed_code=closed.join_code,
        invitation_token=token,
        respondent_key=key,
        setup_path=f"/opsaetning/{setup_token}",
    )


def _context(browser: Browser, demo: Demo, viewport: str, *, who: str) -> BrowserContext:
    """A fresh browser context for an anonymous visitor, the admin, or a phone that answered."""
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        locale="da-DK",
        bypass_csp=True,  # axe is injected as a script
    )
    if who == ADMIN:
        cookie = session_cookie(
            demo.site.app.state.secret_key, demo.admin, engine=demo.site.app.state.engine
        )
        context.add_cookies(
            [{"name": "spindelvaev_session", "url": demo.site.base_url, "value": cookie}]
        )
    if who == RESPONDENT:
        name = key_cookie_name(demo.closed_round_id)
        context.add_cookies(
            [{"name": name, "url": demo.site.base_url, "value": demo.respondent_key}]
        )
    return context


# »Send mine svar«: the one submit button without a name (the draft buttons name their step).
SEND = "#scoring button[type=submit]:not([name])"


def _answer_first_statement(page: Page) -> None:
    page.locator("fieldset.q").first.locator("label", has_text="7").first.click()


def _scoring_with_error(page: Page) -> None:
    first = page.locator("fieldset.q").first
    first.locator("summary").click()
    first.locator("textarea").fill("En kommentar uden et svar")
    page.locator(SEND).click()
    page.wait_for_selector("#fejl")


def _thanks(page: Page) -> None:
    _answer_first_statement(page)
    page.locator(SEND).click()
    page.wait_for_url("**/tak")


def _login_error(page: Page) -> None:
    page.locator("input[name=email]").fill("ukendt@kommune.dk")
    page.locator("input[name=password]").fill("forkert-adgangskode")
    page.locator("main button[type=submit]").click()
    page.wait_for_selector(".alert")


def _api_key_created(page: Page) -> None:
    page.locator("input[name=name]").fill("Datavarehus")
    page.locator("main button[type=submit]", has_text="Opret nøgle").click()
    page.wait_for_selector("code.copy")


PathOf = Callable[[Demo], str]
Action = Callable[[Page], None] | None
ANONYMOUS, ADMIN, RESPONDENT = "anonymous", "admin", "respondent"
# page kind -> (path, who looks, what they do on the page before axe looks)
PAGES: dict[str, tuple[PathOf, str, Action]] = {
    "start": (lambda d: "/", ANONYMOUS, None),
    "statement catalogue": (lambda d: "/udsagn", ANONYMOUS, None),
    "accessibility statement": (lambda d: "/tilgaengelighed", ANONYMOUS, None),
    "privacy notice": (lambda d: "/privatliv", ANONYMOUS, None),
    "join code error": (lambda d: "/r/ZZZZZZ", ANONYMOUS, None),
    "scoring": (lambda d: f"/r/{d.open_code}", ANONYMOUS, None),
    "scoring with a validation error": (
        lambda d: f"/r/{d.open_code}?tema=alle",
        ANONYMOUS,
        _scoring_with_error,
    ),
    "scoring, every theme on one page": (lambda d: f"/r/{d.open_code}?tema=alle", ANONYMOUS, None),
    "thanks": (lambda d: f"/r/{d.open_code}?tema=alle", ANONYMOUS, _thanks),
    "closed round": (lambda d: f"/r/{d.closed_code}", ANONYMOUS, None),
    "respondent results": (lambda d: f"/r/{d.closed_code}/resultater", RESPONDENT, None),
    "respondent results not shown": (lambda d: f"/r/{d.closed_code}/resultater", ANONYMOUS, None),
    "login": (lambda d: "/login", ANONYMOUS, None),
    "login with an error": (lambda d: "/login", ANONYMOUS, _login_error),
    "invitation": (lambda d: f"/invitation/{d.invitation_token}", ANONYMOUS, None),
    "not found": (lambda d: "/findes-ikke", ANONYMOUS, None),
    "teams": (lambda d: "/teams", ADMIN, None),
    "team": (lambda d: f"/teams/{d.team_id}", ADMIN, None),
    "new round": (lambda d: f"/teams/{d.team_id}/runder/ny", ADMIN, None),
    "round": (lambda d: f"/runder/{d.open_round_id}", ADMIN, None),
    "projector join page": (lambda d: f"/runder/{d.open_round_id}/deltag", ADMIN, None),
    "results": (lambda d: f"/runder/{d.closed_round_id}/resultater", ADMIN, None),
    "comparison": (lambda d: f"/teams/{d.team_id}/sammenlign", ADMIN, None),
    **{
        f"meeting step {step}": (
            lambda d, step=step: f"/runder/{d.closed_round_id}/moede/{step}",  # type: ignore[misc]
            ADMIN,
            None,
        )
        for step in range(1, 7)
    },
    "minutes": (lambda d: f"/runder/{d.closed_round_id}/referat", ADMIN, None),
    "timeline": (lambda d: f"/teams/{d.team_id}/historik", ADMIN, None),
    "export": (lambda d: "/eksport", ADMIN, None),
    "admin": (lambda d: "/admin", ADMIN, None),
    "API keys": (lambda d: "/admin/api-noegler", ADMIN, None),
    "API key created": (lambda d: "/admin/api-noegler", ADMIN, _api_key_created),
    "overview": (lambda d: "/admin/oversigt", ADMIN, None),
    "rollup": (lambda d: "/admin/rollup", ADMIN, None),
}
CASES = [
    pytest.param(kind, viewport, id=f"{kind}-{viewport}")
    for kind in PAGES
    for viewport in sorted(VIEWPORTS)
]


def _blocking_violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(
            f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
            for node in violation["nodes"]
        )
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def _settle(page: Page) -> None:
    """Wait for the radar charts (plotly draws them after load) so axe sees them too."""
    if page.locator(".js-plotly-plot, [data-figure]").count():
        page.locator(".main-svg").first.wait_for(timeout=20_000)
        page.wait_for_timeout(300)


@pytest.mark.parametrize(("kind", "viewport"), CASES)
def test_page_has_no_serious_or_critical_accessibility_violations(
    kind: str, viewport: str, browser: Browser, demo: Demo, screenshots: Path
) -> None:
    path, who, action = PAGES[kind]
    context = _context(browser, demo, viewport, who=who)
    page = context.new_page()
    answer = page.goto(demo.site.base_url + path(demo))
    assert answer is not None and answer.status < 500
    if action is not None:
        action(page)
    _settle(page)
    if kind in SCREENSHOTS:
        name = "a11y-" + kind.replace(" ", "-") + f"-{VIEWPORTS[viewport]['width']}.png"
        page.screenshot(path=screenshots / name, full_page=True)
    problems = _blocking_violations(page)
    context.close()
    assert problems == [], f"{kind} at {viewport}:\n" + "\n".join(problems)


# Pages of the fresh site: the first-run setup, and the login pages with SSO set up.
FRESH_PAGES: dict[str, tuple[Callable[[Demo], str], int]] = {
    "first-run setup": (lambda d: d.setup_path, 200),
    "login with sso": (lambda d: "/login", 200),
    "sso login refused": (lambda d: "/login/oidc/callback?state=brugt", 400),
}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", sorted(FRESH_PAGES))
def test_fresh_site_page_has_no_serious_or_critical_accessibility_violations(
    kind: str, viewport: str, browser: Browser, demo: Demo
) -> None:
    path, status = FRESH_PAGES[kind]
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    answer = page.goto(demo.fresh.base_url + path(demo))
    assert answer is not None and answer.status == status
    problems = _blocking_violations(page)
    context.close()
    assert problems == [], "\n".join(problems)


# --- keyboard only ----------------------------------------------------------------------------


def test_scoring_works_with_tab_space_and_enter_only(
    browser: Browser, demo: Demo, screenshots: Path
) -> None:
    context = browser.new_context(viewport=PHONE, locale="da-DK")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{demo.site.base_url}/r/{demo.open_code}?tema=alle")
    ids = page.locator("fieldset.q").evaluate_all("nodes => nodes.map(n => n.id)")[:3]
    for statement in (f'[id="{fieldset_id}"]' for fieldset_id in ids):  # ids hold dots
        tab_to(page, f"{statement} input[type=radio]")
        page.keyboard.press("Space")
        assert page.locator(f"{statement} input:checked").count() == 1
    page.screenshot(path=screenshots / "a11y-keyboard-scoring-360.png")
    tab_to(page, SEND)
    page.keyboard.press("Enter")
    page.wait_for_url("**/tak")
    assert page.locator("h1").inner_text() == "Tak for dine svar"
    assert "du har svaret på 3 af" in page.locator("main").inner_text()
    context.close()


def test_login_works_with_the_keyboard_only(browser: Browser, demo: Demo) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="da-DK")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{demo.site.base_url}/login")
    tab_to(page, "input[name=email]")
    page.keyboard.type(demo.info.admin.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(demo.info.admin.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/teams")
    assert "Anne Admin" in page.locator("header").inner_text()
    context.close()


def test_a_wide_table_on_a_phone_can_be_scrolled_with_the_keyboard(
    browser: Browser, demo: Demo, screenshots: Path
) -> None:
    context = _context(browser, demo, "phone", who=ADMIN)
    page = context.new_page()
    page.goto(f"{demo.site.base_url}/runder/{demo.closed_round_id}/resultater")
    tab_to(page, ".table-wrap[role=region]", limit=400)
    table = page.locator(".table-wrap[role=region]:focus")
    assert table.evaluate("node => node.scrollWidth > node.clientWidth"), "the table fits: no test"
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # The browser scrolls smoothly: wait for it rather than read the position at once.
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5_000)
    page.screenshot(path=screenshots / "a11y-table-focused-360.png")
    context.close()

"""The admin's facilitator search on a team page, on a laptop and a phone."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlmodel import Session, select

from app.db.models import Team, User
from tests.browser.conftest import PHONE, Service
from tests.browser.test_meeting_browser import DESKTOP, _same_host
from tests.world import session_cookie

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("name", "viewport"), [("1280", DESKTOP), ("360", PHONE)])
def test_an_admin_finds_a_facilitator_by_search_and_the_page_fits_the_screen(
    browser: Browser, service: Service, screenshots: Path, name: str, viewport: dict[str, int]
) -> None:
    engine = service.app.state.engine
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.email == "browser-admin@kommune.dk")).first()
        if admin is None:
            admin = User(email="browser-admin@kommune.dk", name="Admin", role="admin")
            session.add(admin)
            session.add(User(email="søren@kommune.dk", name="Søren Søgbar", role="facilitator"))
            session.commit()
            session.refresh(admin)
        team_id = session.exec(select(Team.id)).first()
        session.expunge(admin)
    context = browser.new_context(viewport=viewport)
    cookie = session_cookie(service.app.state.secret_key, admin, engine=engine)
    context.add_cookies([{"name": "spindelvaev_session", "url": service.base_url, "value": cookie}])
    page = context.new_page()
    page.on("request", lambda request: _same_host(request.url, service.base_url))
    page.goto(f"{service.base_url}/teams/{team_id}")
    assert page.get_by_label("Søren Søgbar (søren@kommune.dk)").count() == 0
    page.get_by_label("Søg mødeleder (navn eller e-mail)").fill("søgbar")
    page.get_by_role("button", name="Søg", exact=True).click()
    box = page.get_by_label("Søren Søgbar (søren@kommune.dk)")
    assert box.count() == 1 and not box.is_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    page.locator("section[aria-labelledby=moedeledere]").screenshot(
        path=screenshots / f"facilitator-search-{name}.png"
    )
    context.close()
    assert width <= viewport["width"]

"""A failed invitation e-mail as the admin sees it: stated plainly, the link still there."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from sqlmodel import Session

from app.db.models import User
from tests.browser.conftest import PHONE, live_site
from tests.support import free_port
from tests.world import session_cookie

pytestmark = pytest.mark.browser


def test_a_failed_invitation_e_mail_is_shown_with_the_link_and_passes_axe(
    browser: Browser, tmp_path: Path, screenshots: Path
) -> None:
    with live_site(tmp_path) as site:
        site.app.state.settings = site.app.state.settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": free_port(),  # nothing listens there
                "smtp_security": "none",
                "smtp_sender": "spindelvaev@kommune.dk",
            }
        )
        with Session(site.app.state.engine) as session:
            admin = User(email="admin@kommune.dk", name="Admin", role="admin")
            session.add(admin)
            session.commit()
            session.refresh(admin)
        context = browser.new_context(viewport=PHONE, locale="da-DK", bypass_csp=True)  # type: ignore[arg-type]
        cookie = session_cookie(site.app.state.secret_key, admin, engine=site.app.state.engine)
        context.add_cookies(
            [{"name": "spindelvaev_session", "url": site.base_url, "value": cookie}]
        )
        page = context.new_page()
        page.goto(site.base_url + "/admin")
        page.locator("#invite-name").fill("Ny Mødeleder")
        page.locator("#invite-email").fill("ny@kommune.dk")
        page.locator("button", has_text="Opret og vis invitationslink").click()
        alert = page.locator("[role=alert]", has_text="E-mailen kunne ikke sendes")
        alert.wait_for()
        page.screenshot(path=screenshots / "mail-failed-360.png")
        assert "/invitation/" in page.locator("code.copy").inner_text()
        violations = [
            v["id"]
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        context.close()
    assert violations == []

"""The accessibility statement and privacy notice: built from settings, linked from every page."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import AppMaker
from tests.html import parse, text_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def municipal_app(app_with: AppMaker) -> FastAPI:
    return app_with(
        municipality_name="Egedal Kommune",
        municipality_contact="digital@egedal.dk, tlf. 72 59 00 00",
        dpo_contact="dpo@egedal.dk",
        audit_retention_days=400,
        session_idle_minutes=45,
        min_group_size=4,
        comment_retention_months=18,
        round_retention_years=5,
    )


def test_accessibility_statement_names_the_municipality_the_standard_and_the_known_gaps(
    municipal_app: FastAPI,
) -> None:
    with TestClient(municipal_app) as client:
        response = client.get("/tilgaengelighed")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Egedal Kommune er forpligtet" in text
    assert "WCAG 2.1 niveau AA" in text and "EN 301 549" in text
    assert "digital@egedal.dk, tlf. 72 59 00 00" in text
    headings = [h2.get_text() for h2 in parse(response.text).select("main h2")]
    assert headings == [
        "Standard",
        "Sådan er det testet",
        "Det er ikke i overensstemmelse",
        "Kontakt og klage",
    ]
    assert "Radardiagrammerne er grafik" in text


def test_accessibility_statement_describes_the_tests_the_project_really_runs() -> None:
    # The statement says axe at two sizes and keyboard-only flows; those tests must exist.
    a11y = (ROOT / "tests" / "browser" / "test_accessibility.py").read_text(encoding="utf-8")
    assert "AXE.run(page)" in a11y
    assert '"phone": PHONE, "desktop": DESKTOP' in a11y
    assert "def test_scoring_works_with_tab_space_and_enter_only" in a11y
    assert "def test_login_works_with_the_keyboard_only" in a11y
    meeting = (ROOT / "tests" / "browser" / "test_meeting_browser.py").read_text(encoding="utf-8")
    assert "def test_the_six_steps_can_be_walked_with_the_keyboard_only" in meeting


def test_privacy_notice_says_what_is_kept_why_and_for_how_long_from_the_settings(
    municipal_app: FastAPI,
) -> None:
    with TestClient(municipal_app) as client:
        response = client.get("/privatliv")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Egedal Kommune er dataansvarlig" in text
    assert "Databeskyttelsesrådgiver: dpo@egedal.dk" in text
    assert "mindst 4 besvarelser" in text
    assert "45 minutter uden brug" in text
    assert "Loggen gemmes i 400 dage" in text
    assert "kommentarerne slettes 18 måneder efter, runden er lukket" in text
    assert "alle dens besvarelser slettes 5 år efter" in text and "»slettet efter 5 år«" in text
    assert "gemmer ikke dit navn, din e-mail eller din IP-adresse" in text


def test_without_contact_settings_the_pages_still_read_as_sentences(client: TestClient) -> None:
    text = text_of(client.get("/privatliv").text)
    assert "Kommunen er dataansvarlig" in text
    assert "Databeskyttelsesrådgiver" not in text
    assert "kommentarerne slettes 24 måneder efter" in text
    assert "Vurderingerne gemmes sammen med runden" in text
    statement = text_of(client.get("/tilgaengelighed").text)
    assert "kontakt Kommunen ad de sædvanlige veje" in statement


@pytest.mark.parametrize("path", ["/", "/udsagn", "/login", "/findes-ikke", "/r/ZZZZZZ"])
def test_every_page_links_both_statements_in_its_footer(client: TestClient, path: str) -> None:
    footer = parse(client.get(path).text).select_one("footer.site-footer")
    assert footer is not None
    links = {a["href"]: a.get_text() for a in footer.select("a")}
    assert links == {
        "/tilgaengelighed": "Tilgængelighedserklæring",
        "/privatliv": "Privatlivspolitik",
    }

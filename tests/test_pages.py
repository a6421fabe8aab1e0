"""The public pages: start page, catalogue, health check, error pages and headers."""

from fastapi.testclient import TestClient

from app.themes import Catalogue
from tests.html import parse, text_of


def test_health_check_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_start_page_is_danish_and_lists_the_six_themes(
    client: TestClient, catalogue: Catalogue
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.html is not None and page.html["lang"] == "da"
    items = [li.a.get_text() for li in page.select("ol.theme-list li")]
    assert items == [theme.title for theme in catalogue.themes]


def test_catalogue_page_shows_every_statement_with_its_provenance(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/udsagn").text)
    rows = page.select("ul.statements li")
    assert len(rows) == len(catalogue.all_statements())
    labels = {
        row.select_one(".statement-text").get_text(): row.select_one(".provenance").get_text()
        for row in rows
    }
    for statement in catalogue.all_statements():
        expected = (
            "Formulering fra materialet"
            if statement.source == "material"
            else "Afledt af materialet"
        )
        assert labels[statement.text] == expected


def test_catalogue_page_shows_the_law_note_and_credits_the_reflection_questions(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = parse(client.get("/udsagn").text)
    law = catalogue.theme("fagligheder")
    section = page.select_one(f"section#{law.id}")
    assert section is not None and law.note is not None
    note = section.select_one(".theme-note")
    assert note is not None and law.note in text_of(str(note))
    assert "Barnets Lov" in note.get_text()
    assert [s.select_one(".theme-note") for s in page.select("section.theme")].count(None) == 5
    for theme in catalogue.themes:
        box = page.select_one(f"section#{theme.id} details.reflection")
        assert box is not None, theme.id
        text = text_of(str(box))
        for group, _ in catalogue.question_groups(theme):
            assert f"{group.name}. {group.context}" in text
        assert catalogue.reflection.credit in text


def test_unknown_page_gets_a_danish_404_page(client: TestClient) -> None:
    response = client.get("/findes-ikke")
    assert response.status_code == 404
    assert "Siden findes ikke" in text_of(response.text)
    assert "Traceback" not in response.text


def test_unknown_api_path_gets_json_404(client: TestClient) -> None:
    response = client.get("/api/findes-ikke")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_unexpected_error_shows_a_danish_500_page_without_a_trace(client: TestClient) -> None:
    app = client.app

    @app.get("/boom-test")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as failing:
        response = failing.get("/boom-test")
    assert response.status_code == 500
    assert "uventet fejl" in text_of(response.text)
    assert "secret internals" not in response.text


def test_pages_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/udsagn", "/healthz", "/findes-ikke", "/static/style.css"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        script_src = next(part for part in policy.split(";") if "script-src" in part)
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_reference_no_other_host(client: TestClient) -> None:
    for path in ("/", "/udsagn", "/findes-ikke"):
        page = parse(client.get(path).text)
        for tag in page.find_all(["script", "link", "img", "iframe"]):
            address = tag.get("src") or tag.get("href") or ""
            assert not address.startswith(("http:", "https:", "//")), (path, address)


def test_a_huge_body_is_refused_with_413_and_a_danish_page(client: TestClient) -> None:
    response = client.post(
        "/login",
        content=b"x" * (1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "For meget data" in text_of(response.text)

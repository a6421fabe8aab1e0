"""Results: SQL aggregates, the results page, the JSON API, the respondents' view and comparison."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from app.core.scoring import Answer
from app.db.models import Round, RoundStatement, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from app.db.results import round_report, round_statistics
from app.db.rounds import create_round
from app.themes import Catalogue
from app.web.auth import get_optional_user
from tests.html import parse, text_of

THEME = "organisering"
S1, S2, S3, S4 = (f"organisering.kommunalt.{n}" for n in (1, 3, 4, 5))


@dataclass
class Setting:
    """A team with a facilitator, an earlier round (3 answers) and a current one (4 answers)."""

    team: Team
    facilitator: User
    earlier: Round
    current: Round


def make_team(session: Session, name: str = "Team Test") -> tuple[Team, User]:
    unit = session.exec(select(Unit)).first() or Unit(name="Skoleområde Test")
    session.add(unit)
    session.flush()
    assert unit.id is not None
    team = Team(name=name, unit_id=unit.id, expected_size=6)
    user = User(email=f"{name.replace(' ', '').lower()}@test.dk", name=name, role="facilitator")
    session.add_all([team, user])
    session.flush()
    assert team.id is not None and user.id is not None
    session.add(TeamFacilitator(team_id=team.id, user_id=user.id))
    session.commit()
    session.refresh(team)
    session.refresh(user)
    return team, user


def make_round(
    session: Session, catalogue: Catalogue, team: Team, label: str, opened: datetime
) -> Round:
    assert team.id is not None
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team.id,
        label=label,
        theme_ids=[THEME],
        status="open",
    )
    round_.opened_at = opened
    session.commit()
    session.refresh(round_)
    return round_


def answer(
    session: Session,
    round_: Round,
    values: dict[str, int | None],
    profession: str | None = None,
    comments: dict[str, str] | None = None,
) -> str:
    """One phone's answers (None is "Ved ikke"); returns the phone's respondent key."""
    assert round_.id is not None
    key = new_respondent_key()
    comments = comments or {}
    save_response(
        session=session,
        round_id=round_.id,
        respondent_key=key,
        profession=profession,
        answers={sid: Answer(value, comments.get(sid)) for sid, value in values.items()},
    )
    return key


def log_in(app: FastAPI, user: User | None) -> None:
    """Requests come from this user (a detached copy, so no session is shared with the app)."""
    copy = (
        None
        if user is None
        else User(id=user.id, email=user.email, name=user.name, role=user.role, is_active=True)
    )
    app.dependency_overrides[get_optional_user] = lambda: copy


def build(session: Session, catalogue: Catalogue) -> Setting:
    """The worked example whose numbers the tests below compute by hand."""
    team, facilitator = make_team(session)
    february = datetime(2026, 2, 10, tzinfo=UTC)
    earlier = make_round(session, catalogue, team, "Februar 2026", february)
    # S4 came into the catalogue after February: the earlier round never had it.
    session.execute(
        delete(RoundStatement).where(
            RoundStatement.round_id == earlier.id,  # type: ignore[arg-type]
            RoundStatement.statement_id == S4,  # type: ignore[arg-type]
        )
    )
    session.commit()
    for values in ({S1: 3, S2: 5}, {S1: 3, S2: 5}, {S1: 3, S2: 6}):
        answer(session, earlier, values)
    earlier.status = "closed"
    session.add(earlier)
    session.commit()
    current = make_round(session, catalogue, team, "Maj 2026", datetime(2026, 5, 12, tzinfo=UTC))
    answer(session, current, {S1: 2, S2: 7, S4: 5}, "laerer", {S1: "Vi mangler faste aftaler."})
    answer(session, current, {S1: 4, S2: None, S4: 6}, "laerer")
    answer(session, current, {S1: 4, S4: 7}, "paedagog")
    answer(session, current, {S1: None, S4: 8}, "paedagog")
    current.status = "closed"  # results exist only for closed rounds
    session.add(current)
    session.commit()
    for item in (team, facilitator, earlier, current):
        session.refresh(item)
    return Setting(team, facilitator, earlier, current)


@pytest.fixture
def setting(session: Session, catalogue: Catalogue, app: FastAPI) -> Setting:
    built = build(session, catalogue)
    log_in(app, built.facilitator)
    return built


def cell_texts(row: Any) -> list[str]:
    """The row's data cells as a reader sees them (non-breaking spaces as spaces)."""
    return [" ".join(cell.get_text(" ").split()) for cell in row("td")]


def rows_by_statement(html: str) -> dict[str, list[str]]:
    page = parse(html)
    return {
        row["id"].removeprefix("udsagn-"): cell_texts(row)
        for row in page.select("table.stats-table tr[id]")
    }


def figures(html: str) -> list[dict[str, Any]]:
    page = parse(html)
    return [json.loads(node.string) for node in page.select('script[type="application/json"]')]


# --- SQL aggregation ---------------------------------------------------------------------------


def test_statistics_in_sql_match_the_hand_computed_example(
    session: Session, setting: Setting
) -> None:
    assert setting.current.id is not None
    stats = round_statistics(session=session, round_id=setting.current.id)
    s1, s2, s3, s4 = (stats[sid] for sid in (S1, S2, S3, S4))
    # S1: 2, 4, 4 and one "Ved ikke". Mean 10/3; variance (36 - 100/3) / 3 = 8/9.
    assert (s1.n, s1.n_dont_know, s1.median, s1.minimum, s1.maximum) == (3, 1, 4.0, 2, 4)
    assert s1.mean == pytest.approx(10 / 3)
    assert s1.std_dev == pytest.approx((8 / 9) ** 0.5)
    assert s1.counts == (0, 1, 0, 2, 0, 0, 0, 0, 0, 0)
    # S2: one answer (7) and one "Ved ikke".
    assert (s2.n, s2.n_dont_know, s2.mean, s2.median, s2.std_dev) == (1, 1, 7.0, 7.0, 0.0)
    # S3: nobody answered.
    assert (s3.n, s3.n_dont_know, s3.mean) == (0, 0, None)
    # S4: 5, 6, 7, 8. Variance (174 - 169) / 4 = 1.25.
    assert (s4.n, s4.mean, s4.median) == (4, 6.5, 6.5)
    assert s4.std_dev == pytest.approx(1.25**0.5)
    assert list(stats)[:4] == [S1, S2, S3, S4]  # the round's order


def test_area_and_theme_means_pool_every_answer(session: Session, setting: Setting) -> None:
    report = round_report(
        session=session,
        round_=setting.current,
        team=setting.team,
        k=3,
        min_share=0.0,
        profession_labels={},
    )
    (theme,) = report.themes
    municipal, teams = theme.areas
    # S2's one value is not shown, so it does not count in the means either.
    assert municipal.mean == pytest.approx(36 / 7)  # (10 + 26) / (3 + 4)
    assert teams.mean is None
    assert theme.mean == pytest.approx(36 / 7)


# --- The page ----------------------------------------------------------------------------------


def test_page_shows_the_statistics_with_decimal_commas(
    client: TestClient, setting: Setting
) -> None:
    response = client.get(f"/runder/{setting.current.id}/resultater")
    assert response.status_code == 200
    rows = rows_by_statement(response.text)
    # n, Ved ikke, mean, median, min-max, spread, change, distribution
    assert rows[S1][:6] == ["3", "1", "3,3", "4,0", "2–4", "0,9"]
    # One value (and one "Ved ikke") or none: fewer than k, so nothing of it is shown.
    assert rows[S2] == ["for få svar: færre end 3 har givet udsagnet en værdi"]
    assert rows[S3] == ["for få svar: færre end 3 har givet udsagnet en værdi"]
    assert rows[S4][:6] == ["4", "0", "6,5", "6,5", "5–8", "1,1"]


def test_change_since_previous_round_and_a_statement_added_between_rounds(
    client: TestClient, setting: Setting
) -> None:
    rows = rows_by_statement(client.get(f"/runder/{setting.current.id}/resultater").text)
    assert rows[S1][6].startswith("↑ 0,3")  # 3,33 - 3,00
    assert len(rows[S2]) == 1  # hidden now, so no change either
    assert rows[S4][6] == "–"  # not in the earlier round: no change, not zero


def test_distribution_shows_how_many_gave_each_value(client: TestClient, setting: Setting) -> None:
    page = parse(client.get(f"/runder/{setting.current.id}/resultater").text)
    bars = page.select(f'tr[id="udsagn-{S1}"] .dist .bar')
    titles = [bar["title"] for bar in bars]
    assert titles[:4] == ["1: 0 svar", "2: 1 svar", "3: 0 svar", "4: 2 svar"]
    assert [bar["class"][1] for bar in bars][:4] == ["h0", "h5", "h0", "h10"]


def test_radar_traces_carry_the_rounds_stored_colours_and_means(
    client: TestClient, setting: Setting
) -> None:
    html = client.get(f"/runder/{setting.current.id}/resultater").text
    (figure,) = figures(html)
    earlier, current = figure["data"]
    assert earlier["line"]["color"] == setting.earlier.colour
    assert current["line"]["color"] == setting.current.colour
    assert setting.earlier.colour != setting.current.colour
    assert earlier["name"] == "Februar 2026 (10. feb. 2026)"
    assert current["name"] == "Maj 2026 (12. maj 2026)"
    assert current["fill"] == "toself"
    # Axes S1..S4, then the four unanswered team statements, then S1 again to close the shape.
    assert current["r"] == [3.33, None, None, 6.5, None, None, None, None, 3.33]
    assert earlier["r"] == [3.0, 5.33, None, None, None, None, None, None, 3.0]
    assert current["theta"][0] == "Barnet før<br>eget budget"  # short label, two lines


def test_disagreement_and_movement_sections(client: TestClient, setting: Setting) -> None:
    page = parse(client.get(f"/runder/{setting.current.id}/resultater").text)
    disagreement = [a["href"] for a in page.select("#uenige tbody th a")]
    assert disagreement == [f"#udsagn-{S4}", f"#udsagn-{S1}"]  # sd 1,12 then 0,94
    rises = page.select("#rykket table")[0]
    assert [a["href"] for a in rises.select("tbody th a")] == [f"#udsagn-{S1}"]
    assert "Ingen." in text_of(str(page.select_one("#rykket")))  # no falls


def test_comments_are_shown_per_statement(client: TestClient, setting: Setting) -> None:
    text = text_of(client.get(f"/runder/{setting.current.id}/resultater").text)
    assert "Vi mangler faste aftaler." in text
    assert "Kommentarer (1)" in text


def test_page_loads_plotly_and_its_script_from_the_service_itself(
    client: TestClient, setting: Setting
) -> None:
    page = parse(client.get(f"/runder/{setting.current.id}/resultater").text)
    sources = [script["src"] for script in page.select("script[src]")]
    assert sources[0].startswith("/vendor/plotly.min.js")
    assert "/static/results.js" in sources
    for url in sources + [link["href"] for link in page.select("link[href]")]:
        assert url.startswith("/") and not url.startswith("//"), url
    # No inline scripts: every script is a file or JSON data (CSP script-src 'self').
    for script in page.select("script"):
        assert script.get("src") or script.get("type") == "application/json"


def test_plotly_js_is_served_from_the_installed_package_with_long_caching(
    client: TestClient,
) -> None:
    response = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    assert response.text.lstrip().startswith("/**\n* plotly.js")
    etag = response.headers["etag"]
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


# --- Small groups ------------------------------------------------------------------------------


def small_round(session: Session, catalogue: Catalogue, app: FastAPI, answers: int) -> Round:
    team, facilitator = make_team(session, f"Team {answers}")
    round_ = make_round(session, catalogue, team, "Lille runde", datetime(2026, 3, 1, tzinfo=UTC))
    for index in range(answers):
        answer(session, round_, {S1: 4 + index}, comments={S1: f"Hemmelig kommentar {index}"})
    close(session, round_)
    log_in(app, facilitator)
    return round_


def close(session: Session, round_: Round) -> None:
    """Results exist only for closed rounds."""
    round_.status = "closed"
    session.add(round_)
    session.commit()
    session.refresh(round_)


def test_k_minus_1_answers_show_nothing_on_the_page(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = small_round(session, catalogue, app, answers=2)
    html = client.get(f"/runder/{round_.id}/resultater").text
    page = parse(html)
    assert "For få svar." in text_of(html)
    assert page.select(".radar-plot") == [] and figures(html) == []
    assert page.select("table") == []
    assert "Hemmelig kommentar" not in html
    assert page.select('script[src^="/vendor/plotly"]') == []


def test_k_answers_show_results_on_the_page(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = small_round(session, catalogue, app, answers=3)
    html = client.get(f"/runder/{round_.id}/resultater").text
    assert "For få svar." not in text_of(html)
    assert len(figures(html)) == 1
    assert rows_by_statement(html)[S1][:3] == ["3", "0", "5,0"]
    assert "Hemmelig kommentar 0" in html


def test_k_minus_1_answers_show_nothing_in_the_api(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = small_round(session, catalogue, app, answers=2)
    data = client.get(f"/api/runder/{round_.id}/resultater").json()
    assert data["enough_responses"] is False
    assert data["message"].startswith("For få svar.")
    assert data["n_responses"] == 2
    assert data["statements"] == [] and data["themes"] == [] and data["professions"] == []


def test_k_answers_show_results_in_the_api(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = small_round(session, catalogue, app, answers=3)
    data = client.get(f"/api/runder/{round_.id}/resultater").json()
    assert data["enough_responses"] is True and data["message"] is None
    first = data["statements"][0]
    assert first["statement_id"] == S1
    assert (first["n"], first["mean"], first["min"], first["max"]) == (3, 5.0, 4, 6)
    assert first["distribution"]["4"] == 1 and first["distribution"]["7"] == 0


def test_api_gives_the_same_numbers_as_the_page(client: TestClient, setting: Setting) -> None:
    data = client.get(f"/api/runder/{setting.current.id}/resultater").json()
    by_id = {item["statement_id"]: item for item in data["statements"]}
    assert by_id[S1]["mean"] == pytest.approx(10 / 3)
    assert by_id[S1]["change"] == pytest.approx(10 / 3 - 3)
    assert by_id[S4]["change"] is None
    assert by_id[S2]["shown"] is False and by_id[S2]["mean"] is None  # one value: hidden
    assert by_id[S2]["n_dont_know"] is None and by_id[S2]["message"] == "for få svar"
    assert data["previous_round_id"] == setting.earlier.id
    assert data["themes"][0]["mean"] == pytest.approx(36 / 7)


def profession_round(
    session: Session, catalogue: Catalogue, app: FastAPI, professions: list[str]
) -> Round:
    team, facilitator = make_team(session, f"Team {len(professions)} {professions[-1]}")
    round_ = make_round(session, catalogue, team, "Faggrupper", datetime(2026, 4, 1, tzinfo=UTC))
    for profession in professions:
        value = 8 if profession == "laerer" else 2
        answer(session, round_, {S1: value}, profession)
    close(session, round_)
    log_in(app, facilitator)
    return round_


def profession_headers(html: str) -> list[str]:
    table = parse(html).select_one("#faggrupper table")
    if table is None:
        return []
    return [th.get_text(" ", strip=True) for th in table.select("thead th")[1:]]


def test_professions_with_k_answers_are_shown(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = profession_round(session, catalogue, app, ["laerer"] * 3 + ["paedagog"] * 3)
    html = client.get(f"/runder/{round_.id}/resultater").text
    assert profession_headers(html) == ["Lærer (3)", "Pædagog (3)"]
    data = client.get(f"/api/runder/{round_.id}/resultater").json()
    means = {group["label"]: group["means"][S1] for group in data["professions"]}
    assert means == {"Lærer": 8.0, "Pædagog": 2.0}


def test_a_profession_with_k_minus_1_answers_is_merged_into_ovrige(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    round_ = profession_round(session, catalogue, app, ["laerer"] * 3 + ["paedagog"] * 2 + ["ppr"])
    html = client.get(f"/runder/{round_.id}/resultater").text
    assert profession_headers(html) == ["Lærer (3)", "Øvrige (3)"]
    assert "Pædagog" not in text_of(str(parse(html).select_one("#faggrupper")))
    data = client.get(f"/api/runder/{round_.id}/resultater").json()
    assert [group["label"] for group in data["professions"]] == ["Lærer", "Øvrige"]


def test_no_professions_when_the_rest_has_fewer_than_k(
    client: TestClient, session: Session, catalogue: Catalogue, app: FastAPI
) -> None:
    # 4 teachers and 2 pedagogues: the team's mean minus the teachers' would reveal the two.
    round_ = profession_round(session, catalogue, app, ["laerer"] * 4 + ["paedagog"] * 2)
    html = client.get(f"/runder/{round_.id}/resultater").text
    assert profession_headers(html) == []
    assert "For få svar til at vise faggrupper" in text_of(html)
    assert client.get(f"/api/runder/{round_.id}/resultater").json()["professions"] == []


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/runder/{round_id}/resultater",
        "/api/runder/{round_id}/resultater",
        "/teams/{team_id}/sammenlign",
    ],
)
def test_a_facilitator_of_another_team_is_refused(
    client: TestClient, session: Session, setting: Setting, app: FastAPI, path: str
) -> None:
    _other, stranger = make_team(session, "Team Andet")
    log_in(app, stranger)
    url = path.format(round_id=setting.current.id, team_id=setting.team.id)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(
    client: TestClient, setting: Setting, app: FastAPI
) -> None:
    log_in(app, None)
    response = client.get(f"/runder/{setting.current.id}/resultater", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert client.get(f"/api/runder/{setting.current.id}/resultater").status_code == 401
    compare = client.get(f"/teams/{setting.team.id}/sammenlign", follow_redirects=False)
    assert compare.headers["location"].startswith("/login")


def test_an_admin_sees_every_team(
    client: TestClient, session: Session, setting: Setting, app: FastAPI
) -> None:
    admin = User(email="admin@test.dk", name="Admin", role="admin")
    session.add(admin)
    session.commit()
    session.refresh(admin)
    log_in(app, admin)
    assert client.get(f"/runder/{setting.current.id}/resultater").status_code == 200


def test_unknown_round_is_404(client: TestClient, setting: Setting) -> None:
    assert client.get("/runder/999999/resultater").status_code == 404
    assert client.get("/api/runder/999999/resultater").status_code == 404


def test_results_api_is_documented_in_openapi(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/runder/{round_id}/resultater"]["get"]
    assert operation["tags"] == ["Resultater"]
    assert operation["summary"] == "En rundes resultater"
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert reference.endswith("/RoundResultsPublic")
    assert "StatementResultPublic" in schema["components"]["schemas"]


# --- Releasing to respondents ------------------------------------------------------------------


def csrf_token(client: TestClient, round_id: int | None) -> str:
    page = parse(client.get(f"/runder/{round_id}/resultater").text)
    field = page.select_one('form[action$="/frigiv"] input[name="csrf_token"]')
    assert field is not None
    return str(field["value"])


def test_facilitator_releases_and_withdraws_the_results(
    client: TestClient, session: Session, setting: Setting
) -> None:
    token = csrf_token(client, setting.current.id)
    url = f"/runder/{setting.current.id}/frigiv"
    response = client.post(url, data={"csrf_token": token, "released": "true"})
    assert response.status_code == 200  # followed the 303 back to the results
    session.refresh(setting.current)
    assert setting.current.results_released is True
    assert "Stop deling" in response.text
    client.post(url, data={"csrf_token": token, "released": "false"})
    session.refresh(setting.current)
    assert setting.current.results_released is False


def test_release_without_csrf_token_changes_nothing(
    client: TestClient, session: Session, setting: Setting
) -> None:
    response = client.post(f"/runder/{setting.current.id}/frigiv", data={"released": "true"})
    assert response.status_code == 403
    session.refresh(setting.current)
    assert setting.current.results_released is False


def respondent_setting(session: Session, catalogue: Catalogue, released: bool) -> tuple[Round, str]:
    team, _user = make_team(session, "Team Svar")
    round_ = make_round(session, catalogue, team, "Juni 2026", datetime(2026, 6, 1, tzinfo=UTC))
    key = answer(session, round_, {S1: 6}, "laerer", {S1: "Kun for tovholderen"})
    for value in (7, 8):
        answer(session, round_, {S1: value}, "laerer")
    round_.results_released = released
    close(session, round_)
    return round_, key


def test_respondent_who_answered_sees_the_released_team_radar_only(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    round_, key = respondent_setting(session, catalogue, released=True)
    client.cookies.set(f"sv_r{round_.id}", key)
    response = client.get(f"/r/{round_.join_code.lower()}/resultater")
    assert response.status_code == 200
    html = response.text
    (figure,) = figures(html)
    assert [trace["line"]["color"] for trace in figure["data"]] == [round_.colour]
    assert "7,0" in text_of(html)  # the team's mean of 6, 7 and 8
    assert "Kun for tovholderen" not in html  # no comments
    assert parse(html).select_one("#faggrupper") is None and "Lærer" not in html


def test_respondent_sees_an_explanation_until_the_results_are_released(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    round_, key = respondent_setting(session, catalogue, released=False)
    client.cookies.set(f"sv_r{round_.id}", key)
    response = client.get(f"/r/{round_.join_code}/resultater")
    assert response.status_code == 200
    assert "har endnu ikke delt" in text_of(response.text)
    assert figures(response.text) == []


def test_a_visitor_who_did_not_answer_sees_no_results(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    round_, _key = respondent_setting(session, catalogue, released=True)
    client.cookies.set(f"sv_r{round_.id}", "a-key-that-never-answered")
    response = client.get(f"/r/{round_.join_code}/resultater")
    assert "kun ses fra den telefon" in text_of(response.text)
    assert figures(response.text) == []


def test_respondent_view_of_an_unknown_code_is_404(client: TestClient) -> None:
    assert client.get("/r/XXXXXX/resultater").status_code == 404


# --- Comparing rounds --------------------------------------------------------------------------


def test_comparison_overlays_the_chosen_rounds_with_a_change_table(
    client: TestClient, setting: Setting
) -> None:
    team, earlier, current = setting.team.id, setting.earlier.id, setting.current.id
    url = f"/teams/{team}/sammenlign?runde={earlier}&runde={current}"
    html = client.get(url).text
    (figure,) = figures(html)
    assert [trace["line"]["color"] for trace in figure["data"]] == [
        setting.earlier.colour,
        setting.current.colour,
    ]
    page = parse(html)
    checked = [box["value"] for box in page.select('input[name="runde"][checked]')]
    assert checked == [str(setting.earlier.id), str(setting.current.id)]
    row = page.select_one(f'table.compare-table tr[id="sammenlign-{S1}"]')
    assert cell_texts(row) == ["3,0", "3,3", "↑ 0,3 point op"]
    # S2 has one value in May: hidden there, so no change can be given.
    row = page.select_one(f'table.compare-table tr[id="sammenlign-{S2}"]')
    assert cell_texts(row) == ["5,3", "–", "–"]


def test_the_comparison_counts_the_teams_answers_once(
    client: TestClient, engine: Engine, setting: Setting
) -> None:
    """The team's rounds come with their counts; which may be shown is judged on those counts."""
    team, earlier, current = setting.team.id, setting.earlier.id, setting.current.id
    counts: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "answers_per_round" in statement:  # the one response count (db/rounds.py)
            counts.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        reply = client.get(f"/teams/{team}/sammenlign?runde={earlier}&runde={current}")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert reply.status_code == 200
    assert "compare-table" in reply.text
    assert len(counts) == 1, counts


def test_comparison_needs_two_rounds_of_the_team(
    client: TestClient, session: Session, catalogue: Catalogue, setting: Setting
) -> None:
    other_team, _user = make_team(session, "Team Fremmed")
    january = datetime(2026, 1, 1, tzinfo=UTC)
    foreign = make_round(session, catalogue, other_team, "Fremmed", january)
    url = f"/teams/{setting.team.id}/sammenlign?runde={setting.current.id}&runde={foreign.id}"
    html = client.get(url).text
    assert figures(html) == []
    assert "Vælg mindst to runder" in text_of(html)
    assert "Fremmed" not in html


def test_comparison_leaves_out_a_round_with_too_few_answers(
    client: TestClient, session: Session, catalogue: Catalogue, setting: Setting
) -> None:
    june = datetime(2026, 6, 1, tzinfo=UTC)
    small = make_round(session, catalogue, setting.team, "Juni 2026", june)
    for value in (2, 9):
        answer(session, small, {S1: value})
    rounds = f"runde={setting.earlier.id}&runde={setting.current.id}&runde={small.id}"
    html = client.get(f"/teams/{setting.team.id}/sammenlign?{rounds}").text
    (figure,) = figures(html)
    assert [trace["name"].split(" (")[0] for trace in figure["data"]] == [
        "Februar 2026",
        "Maj 2026",
    ]
    assert "For få svar: »Juni 2026«" in text_of(html)
    headers = [th.get_text(" ", strip=True) for th in parse(html).select("table thead th")]
    assert not any("Juni" in header for header in headers)


def test_the_thank_you_page_links_to_the_team_radar_once_released(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    round_, key = respondent_setting(session, catalogue, released=False)
    client.cookies.set(f"sv_r{round_.id}", key)
    link = f'href="/r/{round_.join_code}/resultater"'
    assert link not in client.get(f"/r/{round_.join_code}/tak").text
    round_.results_released = True
    session.add(round_)
    session.commit()
    assert link in client.get(f"/r/{round_.join_code}/tak").text

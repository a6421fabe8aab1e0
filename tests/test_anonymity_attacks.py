"""The attacks of a facilitator who tries to single a colleague out, replayed: each finds nothing.

Every test runs on SQLite and PostgreSQL (the `engine` fixture). The facilitator is the leader
whom theme 1 asks the team to score; they see every page, the API and every export.
"""

import csv
import io
import json
import logging
from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.core.rounds import normalise_join_code
from app.core.scoring import Answer
from app.db.export import COLUMN_HEADERS, COLUMN_NAMES
from app.db.models import Response, Round, Score, Team, TeamFacilitator, Unit, User
from app.db.responses import save_response
from app.themes import Catalogue
from app.web.csrf import respondent_token
from app.web.respondent import key_cookie_name
from tests.html import parse, text_of
from tests.test_export import scored_round
from tests.world import act_as

Values = dict[str, int | None]


def team_of(session: Session, size: int, name: str = "Team Anonym") -> Team:
    unit = session.exec(select(Unit)).first() or Unit(name="Enhed Anonym")
    session.add(unit)
    session.flush()
    assert unit.id is not None
    team = Team(name=name, unit_id=unit.id, expected_size=size)
    session.add(team)
    session.commit()
    session.refresh(team)
    return team


def facilitator_of(session: Session, team: Team) -> User:
    user = User(email=f"leder-{team.id}@test.dk", name="Lederen", role="facilitator")
    session.add(user)
    session.flush()
    assert user.id is not None and team.id is not None
    session.add(TeamFacilitator(team_id=team.id, user_id=user.id))
    session.commit()
    session.refresh(user)
    return user


def client_as(app: FastAPI, user: User) -> TestClient:
    client = TestClient(app)
    act_as(client, app.state.settings.signing_key(), user)
    return client


def ids(catalogue: Catalogue, count: int = 3) -> list[str]:
    return [statement.id for statement in catalogue.themes[0].statements[:count]]


# --- 1. Open rounds cannot be differenced ------------------------------------------------------


def test_an_open_rounds_results_are_refused_in_every_view(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 6)
    leader = facilitator_of(session, team)
    first, *_ = ids(catalogue)
    round_ = scored_round(
        session, catalogue, team, [(None, {first: v}) for v in (2, 5, 9, 4)], status="open"
    )
    round_.results_released = True
    session.add(round_)
    session.commit()
    client = client_as(app, leader)

    page = client.get(f"/runder/{round_.id}/resultater")
    assert "Resultaterne vises, når runden er lukket" in text_of(page.text)
    assert parse(page.text).select("table.stats-table") == []
    api = client.get(f"/api/runder/{round_.id}/resultater").json()
    assert api["enough_responses"] is False and api["statements"] == []
    assert "4 af 6" in api["message"]
    assert client.get(f"/runder/{round_.id}/moede").status_code == 409
    assert client.get(f"/runder/{round_.id}/referat").status_code == 409
    rows = client.get("/eksport/svar.csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1  # the header only
    phone = TestClient(app)
    phone.cookies.set(key_cookie_name(round_.id or 0), f"key-{round_.id}-0")
    radar = phone.get(f"/r/{round_.join_code}/resultater")
    assert 'type="application/json"' not in radar.text  # no chart data at all
    assert "5,0" not in text_of(radar.text)
    session.refresh(round_)
    assert round_.results_shown_at is None  # nothing was shown, so it may still be reopened


def test_reopening_is_refused_once_the_results_have_been_shown(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 6)
    leader = facilitator_of(session, team)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [(None, {first: v}) for v in (2, 5, 9)])
    client = client_as(app, leader)
    assert client.get(f"/runder/{round_.id}/resultater").status_code == 200
    session.refresh(round_)
    assert round_.results_shown_at is not None

    page = parse(client.get(f"/runder/{round_.id}").text)
    assert page.select_one(f"form[action='/runder/{round_.id}/genaabn']") is None
    assert "opret en ny runde" in text_of(str(page))
    csrf = page.select_one('input[name="csrf_token"]')
    assert csrf is not None
    reply = client.post(f"/runder/{round_.id}/genaabn", data={"csrf_token": csrf["value"]})
    assert reply.status_code == 409
    session.expire_all()
    assert session.get_one(Round, round_.id).status == "closed"


def test_an_export_too_makes_the_round_final(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 6)
    leader = facilitator_of(session, team)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [(None, {first: v}) for v in (2, 5, 9)])
    assert client_as(app, leader).get("/eksport/svar.csv").status_code == 200
    session.expire_all()
    assert session.get_one(Round, round_.id).results_shown_at is not None


# --- 2. No padding with fake phones ------------------------------------------------------------


def _post_answers(app: FastAPI, round_: Round, key: str, values: dict[str, str]) -> int:
    phone = TestClient(app)
    assert round_.id is not None
    phone.cookies.set(key_cookie_name(round_.id), key)
    form = {"csrf_token": respondent_token(app.state.secret_key, round_.id, key)}
    form |= {f"s-{sid}": value for sid, value in values.items()}
    return phone.post(f"/r/{round_.join_code}", data=form, follow_redirects=False).status_code


def test_an_answer_beyond_the_team_size_is_refused_and_nothing_of_it_is_stored(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 3)
    first, second, _ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [], status="open")
    for number in range(3):
        assert _post_answers(app, round_, f"phone-{number:02d}-" + "x" * 30, {first: "5"}) == 303
    phone = TestClient(app)
    key = "phone-99-" + "y" * 30
    phone.cookies.set(key_cookie_name(round_.id or 0), key)
    form = {
        "csrf_token": respondent_token(app.state.secret_key, round_.id or 0, key),
        f"s-{first}": "9",
        f"s-{second}": "1",
    }
    refused = phone.post(f"/r/{round_.join_code}", data=form, follow_redirects=False)
    assert refused.status_code == 409
    assert "så mange svar, som teamet har medlemmer" in text_of(refused.text)
    session.expire_all()
    responses = session.exec(select(Response).where(Response.round_id == round_.id)).all()
    assert len(responses) == 3
    values = session.exec(select(Score.value).join(Response)).all()
    assert sorted(values) == [5, 5, 5]
    # A phone that already answered may still change its answers.
    assert _post_answers(app, round_, "phone-00-" + "x" * 30, {first: "7"}) == 303


def test_only_the_municipality_sets_the_team_size_that_caps_a_round(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 6)
    leader = facilitator_of(session, team)
    client = client_as(app, leader)
    page = parse(client.get(f"/teams/{team.id}").text)
    assert page.select_one('input[name="expected_size"]') is None
    token = page.select_one('input[name="csrf_token"]')
    assert token is not None
    form = {"csrf_token": token["value"], "name": "Team Anonym", "expected_size": "40"}
    assert client.post(f"/teams/{team.id}", data=form).status_code == 403
    session.expire_all()
    assert session.get_one(Team, team.id).expected_size == 6


def test_results_are_withheld_below_the_participation_threshold(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"min_participation": 50})
    team = team_of(session, 10)  # 50 % of 10: five answers are needed, not three
    leader = facilitator_of(session, team)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [(None, {first: v}) for v in (2, 5, 9, 4)])
    client = client_as(app, leader)
    text = text_of(client.get(f"/runder/{round_.id}/resultater").text)
    assert "Runden fik 4 af 10 svar" in text and "mindst 5" in text
    assert client.get(f"/api/runder/{round_.id}/resultater").json()["statements"] == []
    assert len(client.get("/eksport/svar.csv").content.decode("utf-8-sig").splitlines()) == 1


def test_the_thanks_page_says_how_many_of_the_team_have_answered(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 12)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [(None, {first: 4})] * 2, status="open")
    key = "phone-thanks-" + "z" * 30
    assert _post_answers(app, round_, key, {first: "6"}) == 303
    phone = TestClient(app)
    phone.cookies.set(key_cookie_name(round_.id or 0), key)
    assert "3 af 12 har svaret" in text_of(phone.get(f"/r/{round_.join_code}/tak").text)


# --- 3. One grouping for every view ------------------------------------------------------------


def _csv_rows(client: TestClient) -> list[dict[str, str]]:
    data = client.get("/eksport/svar.csv").content.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(data), delimiter=";")
    assert tuple(next(reader)) == COLUMN_HEADERS  # Danish headers; keyed here by the English keys
    return [dict(zip(COLUMN_NAMES, line, strict=True)) for line in reader]


def test_page_api_csv_and_json_lines_agree_on_one_grouping_that_isolates_no_one(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    first, second, _ = ids(catalogue)
    teams = {
        "A": [*[("laerer", 8)] * 3, *[("paedagog", 4)] * 3, ("ppr", 1)],
        "B": [*[(None, 6)] * 3, *[("laerer", 3)] * 3, ("ppr", 10)],
    }
    admin = User(email="forvaltning@test.dk", name="Forvaltning", role="admin")
    session.add(admin)
    session.commit()
    session.refresh(admin)
    client = client_as(app, admin)
    for name, answers in teams.items():
        team = team_of(session, 7, f"Team {name}")
        round_ = scored_round(
            session,
            catalogue,
            team,
            [(p, {first: v, second: v}) for p, v in answers],
        )
        page = parse(client.get(f"/runder/{round_.id}/resultater").text)
        table = page.select_one("#faggrupper table")
        assert table is not None
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")[1:]]
        api = client.get(f"/api/runder/{round_.id}/resultater").json()
        api_groups = {group["label"]: group["n_responses"] for group in api["professions"]}
        csv_groups: dict[str, set[str]] = {}
        for row in _csv_rows(client):
            if row["round_id"] == str(round_.id):
                csv_groups.setdefault(row["profession"], set()).add(row["response_id"])
        jsonl = client.get("/api/eksport/svar").text.splitlines()
        json_groups: dict[str | None, set[str]] = {}
        for line in jsonl:
            item = json.loads(line)
            if item["round_id"] == round_.id:
                json_groups.setdefault(item["profession"], set()).add(item["response_id"])
        # Every group anyone can see has at least k people, in every view, and the views agree.
        assert all(size >= 3 for size in api_groups.values()), api_groups
        assert {label: len(ids_) for label, ids_ in csv_groups.items()} == api_groups
        assert {label: len(ids_) for label, ids_ in json_groups.items()} == api_groups
        assert [f"{label} ({size})" for label, size in api_groups.items()] == headers
        assert "PPR" not in api_groups and "" not in csv_groups and None not in json_groups
        # The lone PPR is inside a group of at least k: no subtraction isolates them.
        assert api_groups.get("Øvrige", 0) >= 3


# --- 4. k per cell, not per round ---------------------------------------------------------------


def test_a_statement_one_person_scored_says_for_faa_svar_and_hides_its_comments(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 6)
    leader = facilitator_of(session, team)
    first, second, _ = ids(catalogue)
    answers: list[tuple[str | None, Values]] = [
        (None, {first: 3, second: 9}),
        (None, {first: 5, second: None}),
        (None, {first: 7}),
    ]
    round_ = scored_round(session, catalogue, team, answers, comment="Kun min mening")
    client = client_as(app, leader)
    html = client.get(f"/runder/{round_.id}/resultater").text
    row = parse(html).select_one(f'tr[id="udsagn-{second}"]')
    assert row is not None and "for få svar" in text_of(str(row))
    assert "9,0" not in text_of(str(row))
    assert html.count("Kun min mening") == 3  # the first statement's three, not the second's
    api = {
        s["statement_id"]: s
        for s in client.get(f"/api/runder/{round_.id}/resultater").json()["statements"]
    }
    assert api[second]["shown"] is False and api[second]["mean"] is None
    assert api[second]["distribution"] is None and api[second]["max"] is None
    assert {row["statement_id"] for row in _csv_rows(client)} == {first}
    figure = json.loads(parse(html).select_one('script[type="application/json"]').string)
    assert figure["data"][-1]["r"][1] is None  # a gap on the radar, not 9
    meeting = text_of(client.get(f"/runder/{round_.id}/moede/2").text)
    assert "Kun min mening" in meeting and "9,0" not in meeting


def test_a_profession_cell_below_k_is_hidden_with_the_cell_that_would_give_it_away(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 8)
    leader = facilitator_of(session, team)
    first, second, _ = ids(catalogue)
    # Teachers and pedagogues three each; on the second statement one pedagogue said nothing.
    answers: list[tuple[str | None, Values]] = [
        *[("laerer", {first: 8, second: 8})] * 3,
        ("paedagog", {first: 2, second: 2}),
        ("paedagog", {first: 3, second: 1}),
        ("paedagog", {first: 4}),
    ]
    round_ = scored_round(session, catalogue, team, answers)
    client = client_as(app, leader)
    groups = client.get(f"/api/runder/{round_.id}/resultater").json()["professions"]
    means = {group["label"]: group["means"] for group in groups}
    assert means["Lærer"][first] == 8.0 and means["Pædagog"][first] == 3.0
    # Pædagog has two values on the second: hidden, and so is Lærer, or the team's mean minus
    # the teachers' would give the two pedagogues' answers.
    assert means["Lærer"][second] is None and means["Pædagog"][second] is None
    rows = [row for row in _csv_rows(client) if row["statement_id"] == second]
    assert rows == []  # nor does the export carry the hidden cells' rows


def test_the_overview_and_the_rollup_use_only_cells_that_meet_k(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    first, second, _ = ids(catalogue)
    team = team_of(session, 6)
    answers: list[tuple[str | None, Values]] = [
        (None, {first: 5, second: 1}),
        (None, {first: 5}),
        (None, {first: 5}),
    ]
    scored_round(session, catalogue, team, answers)
    admin = User(email="admin-overblik@test.dk", name="Admin", role="admin")
    session.add(admin)
    session.commit()
    session.refresh(admin)
    client = client_as(app, admin)
    overview = parse(client.get("/admin/oversigt?fra=2000-01-01").text)
    cells = [td.get_text(strip=True) for td in overview.select("tbody tr td.num")]
    assert "3,7" not in cells  # (5 + 5 + 5 + 1) / 4 would rest on the lone 1
    assert "5,0" in cells
    rollup = client.get("/admin/rollup?fra=2000-01-01").text
    assert "1,0" not in text_of(rollup)


# --- Storage and logs --------------------------------------------------------------------------


def test_responses_keep_days_only_and_their_ids_do_not_follow_submission_order(
    session: Session, catalogue: Catalogue
) -> None:
    team = team_of(session, 40)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [], status="open")
    assert round_.id is not None
    in_order = [
        save_response(
            session=session,
            round_id=round_.id,
            respondent_key=f"phone-{number}",
            profession=None,
            answers={first: Answer(5)},
        )
        for number in range(30)
    ]
    assert in_order != sorted(in_order)  # 1 in 30! by chance
    assert min(in_order) > 2**20  # random 63-bit numbers, not 1, 2, 3
    if session.get_bind().dialect.name == "postgresql":
        query = "SELECT column_name FROM information_schema.columns WHERE table_name = 'response'"
    else:
        query = "SELECT name FROM pragma_table_info('response')"
    columns = set(session.execute(text(query)).scalars())
    assert {"created_on", "updated_on"} <= columns
    assert not {"created_at", "updated_at"} & columns
    stored = session.exec(select(Response).where(Response.round_id == round_.id)).all()
    assert {type(r.created_on) for r in stored} == {date}
    assert {type(r.updated_on) for r in stored} == {date}


def test_the_access_log_line_of_a_submission_holds_no_address(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    from app.web.logs import ACCESS_LOGGER, RedactTokens

    team = team_of(session, 5)
    first, *_ = ids(catalogue)
    round_ = scored_round(session, catalogue, team, [], status="open")
    record = logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:51234", "POST", f"/r/{normalise_join_code(round_.join_code)}", "1.1", 303),
        None,
    )
    for log_addresses in (False, True):
        RedactTokens(log_addresses).filter(record)
        assert "203.0.113.7" not in record.getMessage()
    staff = logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:51234", "GET", "/admin", "1.1", 200),
        None,
    )
    RedactTokens(False).filter(staff)
    assert "203.0.113.7" not in staff.getMessage()
    staff.args = ("203.0.113.7:51234", "GET", "/admin", "1.1", 200)
    RedactTokens(True).filter(staff)
    assert "203.0.113.7" in staff.getMessage()  # only where the municipality asked for it
    assert _post_answers(app, round_, "phone-log-" + "q" * 30, {first: "5"}) == 303


def test_k_cannot_be_set_below_three() -> None:
    import pytest
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError):
        Settings(min_group_size=2)

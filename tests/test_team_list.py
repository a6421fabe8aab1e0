"""»Dine teams«: each team's newest round with its answers, and the facilitator's next step."""

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.formatting import danish_date
from app.core.rounds import NextStepKind, RoundStatus, next_step
from app.db.models import PlanAction, utcnow
from app.db.rounds import create_round
from app.themes import Catalogue
from tests.html import parse
from tests.world import act_as, build_world


@pytest.mark.parametrize(
    ("latest", "discussed", "open_actions", "expected"),
    [
        (None, False, 0, (NextStepKind.NEW_ROUND, "Opret den første runde")),
        (RoundStatus.DRAFT, False, 0, (NextStepKind.ROUND, "Åbn runden")),
        (RoundStatus.OPEN, False, 4, (NextStepKind.ROUND, "Luk runden")),
        (RoundStatus.CLOSED, False, 4, (NextStepKind.MEETING, "Hold mødet")),
        (RoundStatus.CLOSED, True, 4, (NextStepKind.FOLLOW_UP, "Følg op på 4 handlinger")),
        (RoundStatus.CLOSED, True, 1, (NextStepKind.FOLLOW_UP, "Følg op på 1 handling")),
        (RoundStatus.CLOSED, True, 0, (NextStepKind.NEW_ROUND, "Opret næste runde")),
    ],
)
def test_the_next_step_follows_the_newest_round_and_the_open_actions(
    latest: RoundStatus | None,
    discussed: bool,
    open_actions: int,
    expected: tuple[NextStepKind, str],
) -> None:
    assert next_step(latest=latest, discussed=discussed, open_actions=open_actions) == expected


def _rows(page: str) -> dict[str, str]:
    rows = parse(page).select("table.team-list tbody tr")
    return {row.td.get_text(strip=True): " ".join(row.get_text(" ").split()) for row in rows}


def test_dine_teams_shows_the_open_round_with_its_count_and_luk_runden(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.facilitator_a)
        page = client.get("/teams")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert list(rows) == ["Team A"], "a facilitator sees only the teams they lead"
    row = rows["Team A"]
    assert world.round_a.label in row and "Åben" in row
    assert "1 af 5 har svaret" in row
    assert "Luk runden" in row and "ikke fastsat" in row


def test_dine_teams_shows_the_next_measurement_step_6_set_and_flags_it_once_passed(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    team_b = world.team_b
    round_b = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team_b.id or 0,
        label="Runde B",
        theme_ids=[catalogue.themes[0].id],
        status="closed",
    )
    world.round_a.next_measurement_on = date.today() + timedelta(days=40)
    round_b.next_measurement_on = date(2026, 3, 3)
    session.add_all([world.round_a, round_b])
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.admin)
        rows = _rows(client.get("/teams").text)
    assert danish_date(world.round_a.next_measurement_on) in rows["Team A"]
    assert "passeret" not in rows["Team A"]
    assert "3. mar. 2026" in rows["Team B"] and "passeret" in rows["Team B"]


def test_dine_teams_asks_for_the_meeting_then_for_the_follow_up_of_its_actions(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = world.round_a
    round_.status, round_.closed_at = "closed", utcnow()
    session.add(round_)
    session.commit()
    with TestClient(app) as client:
        act_as(client, app.state.settings.signing_key(), world.facilitator_a)
        before = _rows(client.get("/teams").text)["Team A"]
        round_.discussed_at = utcnow()
        session.add(round_)
        for what in ("Dagsorden", "Forældremøde", "Skabelon", "Evaluering"):
            session.add(PlanAction(round_id=round_.id or 0, what=what))
        session.add(PlanAction(round_id=round_.id or 0, what="Færdig", status="gennemfoert"))
        session.commit()
        after = client.get("/teams")
    assert "Hold mødet" in before and "har svaret" not in before
    assert "Følg op på 4 handlinger" in _rows(after.text)["Team A"]
    link = parse(after.text).select_one('table.team-list a[href$="#opfoelgning"]')
    assert link is not None and link["href"] == f"/teams/{world.team_a.id}#opfoelgning"

"""The admin's user list is paged and searched in SQL; the team page searches facilitators."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db.models import Team, TeamFacilitator, Unit, User
from app.db.people import USERS_PER_PAGE
from tests.html import parse
from tests.test_overview import admin_client
from tests.world import CSRF


def _facilitators(session: Session, count: int) -> list[User]:
    people = [
        User(email=f"person{n:03d}@kommune.dk", name=f"Person {n:03d}", role="facilitator")
        for n in range(count)
    ]
    session.add_all(people)
    session.commit()
    for person in people:
        session.refresh(person)
    return people


def _user_rows(html: str) -> list[str]:
    section = parse(html).find(id="brugere")
    assert section is not None
    return [row.find("td").get_text() for row in section.select("tbody tr")]  # type: ignore[union-attr]


def test_the_user_list_shows_one_page_at_a_time_with_a_link_to_the_next(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _facilitators(session, USERS_PER_PAGE + 10)
    admin_client(app, client, session)
    first = client.get("/admin").text
    assert len(_user_rows(first)) == USERS_PER_PAGE
    assert "61 brugere; side 1 af 2" in parse(first).get_text(" ", strip=True)
    following = parse(first).find("a", rel="next")
    assert following is not None
    second = client.get(str(following["href"])).text
    rows = _user_rows(second)
    assert len(rows) == 11 and "Person 059" in rows
    assert not set(rows) & set(_user_rows(first))


def test_searching_the_user_list_finds_by_name_or_email_and_treats_percent_as_text(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _facilitators(session, 30)
    admin_client(app, client, session)
    assert _user_rows(client.get("/admin?soeg=person007").text) == ["Person 007"]
    assert _user_rows(client.get("/admin?soeg=PERSON 01").text) == [
        f"Person {n:03d}" for n in range(10, 20)
    ]
    html = client.get("/admin?soeg=%25").text
    assert _user_rows(html) == []
    assert "0 brugere matcher »%«" in parse(html).get_text(" ", strip=True)


def test_the_team_page_offers_only_its_facilitators_until_a_search_finds_others(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    people = _facilitators(session, 40)
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    team = Team(name="Team", unit_id=unit.id or 0)
    session.add(team)
    session.flush()
    session.add(TeamFacilitator(team_id=team.id or 0, user_id=people[3].id or 0))
    session.commit()
    admin_client(app, client, session)

    page = parse(client.get(f"/teams/{team.id}").text)
    boxes = page.select('input[name="facilitator_ids"]')
    assert [(box["value"], box.has_attr("checked")) for box in boxes] == [(str(people[3].id), True)]
    assert page.find("label", string="Søg mødeleder (navn eller e-mail)") is not None

    found = parse(client.get(f"/teams/{team.id}?soeg=Person 02").text)
    values = [box["value"] for box in found.select('input[name="facilitator_ids"]')]
    assert values == [str(people[3].id)] + [str(people[n].id) for n in range(20, 30)]

    chosen = {"facilitator_ids": [str(people[3].id), str(people[25].id)], "csrf_token": CSRF}
    reply = client.post(f"/admin/teams/{team.id}/moedeledere", data=chosen)
    assert reply.status_code == 200
    page = parse(client.get(f"/teams/{team.id}").text)
    checked = [box["value"] for box in page.select('input[name="facilitator_ids"][checked]')]
    assert checked == [str(people[3].id), str(people[25].id)]


def test_the_team_list_shows_fifty_teams_a_page_in_name_order(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    session.add_all([Team(name=f"Team {n:02d}", unit_id=unit.id or 0) for n in range(55)])
    session.commit()
    admin_client(app, client, session)

    def names(html: str) -> list[str]:
        return [row.find("a").get_text() for row in parse(html).select("tbody tr")]  # type: ignore[union-attr]

    first = client.get("/teams").text
    assert names(first) == [f"Team {n:02d}" for n in range(50)]
    assert "55 teams; side 1 af 2." in parse(first).get_text(" ", strip=True)
    following = parse(first).find("a", rel="next")
    assert following is not None
    assert names(client.get(str(following["href"])).text) == [
        f"Team {n:02d}" for n in range(50, 55)
    ]

"""The follow-up meeting: at most three priorities, steps 4-5 notes, the plan and its review."""

import re
from datetime import timedelta

from fastapi import FastAPI
from sqlmodel import Session, select

from app.db.models import PlanAction, Priority, utcnow
from app.themes import Catalogue
from tests.html import parse, text_of
from tests.world import CSRF, build_world, closed_round, facilitator_client


def test_a_fourth_priority_is_refused_with_a_clear_message(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    ids = [statement.id for statement in catalogue.themes[0].statements[:4]]
    with facilitator_client(app, world) as client:
        ok = client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": ids[:3]},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        refused = client.post(
            f"/runder/{round_.id}/prioriteter", data={"csrf_token": CSRF, "statement_ids": ids}
        )
    assert refused.status_code == 422
    assert "højst vælge 3 udsagn" in text_of(refused.text)
    chosen = session.exec(select(Priority.statement_id).where(Priority.round_id == round_.id)).all()
    assert sorted(chosen) == sorted(ids[:3])


def test_priorities_notes_and_plan_survive_a_reload(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    statements = catalogue.themes[0].statements
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [s.id for s in statements[:3]]},
        )
        priority = session.exec(select(Priority).where(Priority.round_id == round_.id)).first()
        assert priority is not None
        saved = client.post(
            f"/runder/{round_.id}/noter",
            data={
                "csrf_token": CSRF,
                "field": "experience",
                "priority_id": str(priority.id),
                "text": "Barnet bliver spurgt først.",
            },
            headers={"Accept": "application/json"},
        )
        assert saved.json()["saved"] is True
        client.post(
            f"/runder/{round_.id}/handlinger",
            data={
                "csrf_token": CSRF,
                "what": "Fast dagsorden",
                "who": "Tovholder",
                "due_on": "2027-01-31",
                "status": "i_gang",
                "priority_id": str(priority.id),
            },
        )
        step3 = parse(client.get(f"/runder/{round_.id}/moede/3").text)
        step4 = client.get(f"/runder/{round_.id}/moede/4").text
        step6 = client.get(f"/runder/{round_.id}/moede/6").text
    checked = {box["value"] for box in step3.select('input[name="statement_ids"][checked]')}
    assert checked == {s.id for s in statements[:3]}
    assert "Barnet bliver spurgt først." in step4
    assert 'value="Fast dagsorden"' in step6 and 'value="2027-01-31"' in step6


def test_a_bad_action_is_refused_and_nothing_is_stored(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    with facilitator_client(app, world) as client:
        for bad, message in (
            ({"what": " "}, "Udfyld feltet »Hvad«."),
            ({"what": "X", "status": "færdig"}, "Vælg en af mulighederne i feltet »Status«."),
            ({"what": "X", "due_on": "31/1"}, "Feltet »Hvornår« skal være en dato"),
            ({"what": "X", "who": "x" * 201}, "Feltet »Hvem« må højst være 200 tegn."),
        ):
            response = client.post(
                f"/runder/{round_.id}/handlinger", data={"csrf_token": CSRF} | bad
            )
            assert response.status_code == 422
            assert message in text_of(response.text)
    assert session.exec(select(PlanAction)).all() == []


def test_a_refused_action_names_each_field_in_danish_and_keeps_what_was_typed(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    typed = {"what": "Fast dagsorden på møderne", "who": "x" * 201, "due_on": "31/1"}
    with facilitator_client(app, world) as client:
        response = client.post(f"/runder/{round_.id}/handlinger", data={"csrf_token": CSRF} | typed)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Feltet »Hvem« må højst være 200 tegn." in text
    assert "Feltet »Hvornår« skal være en dato skrevet som åååå-mm-dd." in text
    new = parse(response.text).find("input", id="what-ny")
    assert new is not None and new["value"] == typed["what"]
    assert session.exec(select(PlanAction)).all() == []


def test_the_reflection_questions_come_by_group_with_context_and_credit(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    page = parse(facilitator_client(app, world).get(f"/runder/{round_.id}/moede/2").text)
    aside = page.select_one("aside.meeting-aside")
    assert aside is not None
    text = text_of(str(aside))
    theme = catalogue.themes[0]
    for group, questions in catalogue.question_groups(theme):
        assert f"{group.name}. {group.context}" in text
        assert all(question in text for question in questions)
    assert catalogue.reflection.credit in text
    assert "Fremfærd / NUBU" in text


def test_open_actions_come_back_for_review_and_can_be_followed_up(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/handlinger",
            data={"csrf_token": CSRF, "what": "Temamøde om fagligheder", "status": "ikke_startet"},
        )
        team_page = text_of(client.get(f"/teams/{world.team_a.id}").text)
        assert "Opfølgning på handleplanen" in team_page
        assert "Temamøde om fagligheder" in team_page
        action = session.exec(select(PlanAction)).one()
        client.post(
            f"/teams/{world.team_a.id}/opfoelgning",
            data={"csrf_token": CSRF, "action_id": str(action.id)}
            | {"status": "gennemfoert", "note": "Holdt i juni."},
        )
        after = text_of(client.get(f"/teams/{world.team_a.id}").text)
    session.refresh(action)
    assert (action.status, action.follow_up_note) == ("gennemfoert", "Holdt i juni.")
    assert "Temamøde om fagligheder" not in after  # finished actions leave the review list


def test_the_next_round_shows_how_a_prioritised_statement_moved(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    may = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])  # mean 4.0
    september = closed_round(session, catalogue, world, "September 2026", [5, 6, 7])  # mean 6.0
    statement = catalogue.themes[0].statements[0]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{may.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [statement.id]},
        )
        page = text_of(client.get(f"/runder/{september.id}/moede/1").text)
    assert re.search(r"Prioriteret i Maj 2026: 4,0 → 6,0", page), page[:2000]


def test_the_meeting_needs_aclosed_round(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    with facilitator_client(app, world) as client:
        response = client.get(f"/runder/{world.round_a.id}/moede/1")
    assert response.status_code == 409
    assert "Luk den" in text_of(response.text)


def test_a_round_past_its_closing_time_counts_as_closed_at_the_meeting(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    """Still "open" in its row, but its closing time has passed: closed everywhere, here too."""
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    round_.status, round_.closes_at = "open", utcnow() - timedelta(minutes=1)
    session.add(round_)
    session.commit()
    first = catalogue.themes[0].statements[0].id
    with facilitator_client(app, world) as client:
        step = client.get(f"/runder/{round_.id}/moede/1")
        chosen = client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [first]},
            follow_redirects=False,
        )
        minutes = client.get(f"/runder/{round_.id}/referat")
        team_page = parse(client.get(f"/teams/{world.team_a.id}").text)
    assert team_page.find("a", href=f"/runder/{round_.id}/moede") is not None
    assert step.status_code == 200
    assert "Luk den" not in text_of(step.text)
    assert chosen.status_code == 303
    assert minutes.status_code == 200
    stored = session.exec(select(Priority.statement_id).where(Priority.round_id == round_.id)).all()
    assert list(stored) == [first]


def test_the_timeline_lists_every_round_with_its_priorities(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    statement = catalogue.themes[0].statements[1]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [statement.id]},
        )
        page = text_of(client.get(f"/teams/{world.team_a.id}/historik").text)
    assert "Maj 2026" in page and "Runde A" in page
    assert statement.text in page


def test_a_new_round_page_points_to_the_open_actions_of_earlier_rounds(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    may = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    november = closed_round(session, catalogue, world, "November 2026", [])
    with facilitator_client(app, world) as client:
        client.post(f"/runder/{may.id}/handlinger", data={"csrf_token": CSRF, "what": "Temamøde"})
        later = text_of(client.get(f"/runder/{november.id}").text)
        earlier = text_of(client.get(f"/runder/{may.id}").text)
    assert "Maj 2026: 1 handling" in later
    assert "Handleplanen fra sidst" not in earlier

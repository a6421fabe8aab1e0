"""The meeting as the material prescribes it: per theme, the discussion recorded, targets, dates."""

from dataclasses import dataclass
from datetime import date

from fastapi import FastAPI
from sqlmodel import Session, select

from app.core.followup import EarlierPriority, PriorityMovement
from app.core.rounds import next_measurement
from app.db.models import Priority, Round
from app.themes import Catalogue
from tests.html import parse, text_of
from tests.world import CSRF, build_world, closed_round, facilitator_client

JSON = {"Accept": "application/json"}


def _chosen(session: Session, round_id: int | None) -> set[str]:
    session.expire_all()
    query = select(Priority.statement_id).where(Priority.round_id == round_id)
    return set(session.exec(query).all())


def test_a_round_of_two_themes_takes_three_priorities_per_theme_and_refuses_a_fourth(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6], themes=2)
    first, second = catalogue.themes[0], catalogue.themes[1]
    ids_1 = [s.id for s in first.statements[:4]]
    ids_2 = [s.id for s in second.statements[:3]]
    path = f"/runder/{round_.id}/prioriteter"
    with facilitator_client(app, world) as client:
        picker = parse(client.get(f"/runder/{round_.id}/moede/3?tema={second.id}").text)
        links = [a["href"] for a in picker.select(".theme-picker a")]
        assert links == [f"/runder/{round_.id}/moede/3?tema={t.id}" for t in (first, second)]
        # Step 3 of the second theme offers only its statements.
        offered = {box["value"] for box in picker.select('input[name="statement_ids"]')}
        assert offered == {s.id for s in second.statements}
        for theme, ids in ((first, ids_1[:3]), (second, ids_2)):
            saved = client.post(
                path,
                data={"csrf_token": CSRF, "tema": theme.id, "statement_ids": ids},
                follow_redirects=False,
            )
            assert saved.status_code == 303
            assert (
                saved.headers["location"] == f"/runder/{round_.id}/moede/4?tema={theme.id}&gemt=1"
            )
        assert _chosen(session, round_.id) == set(ids_1[:3]) | set(ids_2)
        refused = client.post(
            path, data={"csrf_token": CSRF, "tema": first.id, "statement_ids": ids_1}
        )
        # A statement of another theme cannot be chosen under this one.
        foreign = client.post(
            path,
            data={"csrf_token": CSRF, "tema": first.id, "statement_ids": ids_2[:1]},
            headers=JSON,
        )
    assert refused.status_code == 422
    assert "højst vælge 3 udsagn pr. tema" in text_of(refused.text)
    ticked = parse(refused.text).select('input[name="statement_ids"][checked]')
    assert {box["value"] for box in ticked} == set(ids_1[:3])
    assert foreign.status_code == 422
    assert _chosen(session, round_.id) == set(ids_1[:3]) | set(ids_2)


def test_notes_targets_and_dates_survive_a_reload_and_reach_the_minutes_and_the_history(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    theme = catalogue.themes[0]
    statement = theme.statements[0]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [statement.id]},
        )
        priority = session.exec(select(Priority).where(Priority.round_id == round_.id)).one()
        steps = [
            (
                "droeftelse",
                {"key": ["", statement.id], "text": ["Vi ser forskelligt på møderne.", "Uklart."]},
            ),
            (
                "noter",
                {
                    "field": "experience",
                    "priority_id": str(priority.id),
                    "text": "Forældrene får dagsordenen før mødet.",
                    "target": "6,5",
                },
            ),
            ("datoer", {"next_meeting_on": "2027-03-10", "next_measurement_on": "2027-03-03"}),
        ]
        for path, data in steps:
            reply = client.post(
                f"/runder/{round_.id}/{path}", data={"csrf_token": CSRF} | data, headers=JSON
            )
            assert reply.json()["saved"] is True, reply.text
        step2 = client.get(f"/runder/{round_.id}/moede/2").text
        step4 = parse(client.get(f"/runder/{round_.id}/moede/4").text)
        step6 = client.get(f"/runder/{round_.id}/moede/6").text
        minutes = text_of(client.get(f"/runder/{round_.id}/referat").text)
        history = text_of(client.get(f"/teams/{world.team_a.id}/historik").text)
        team_page = text_of(client.get(f"/teams/{world.team_a.id}").text)
    assert "Vi ser forskelligt på møderne." in step2 and "Uklart." in step2
    target = step4.select_one(f"#target-{priority.id}")
    assert target is not None and target["value"] == "6,5"
    assert "fra 4,0 til" in text_of(str(step4))
    assert 'value="2027-03-10"' in step6 and 'value="2027-03-03"' in step6
    for page in (minutes, history):
        assert "Vi ser forskelligt på møderne." in page
        assert "Uklart." in page
        assert "Forældrene får dagsordenen før mødet." in page
        assert "3. mar. 2027" in page and "10. mar. 2027" in page
    assert "mål: fra 4,0 til 6,5" in minutes
    assert f"{statement.text}: Uklart." in history
    assert "Næste måling: 3. mar. 2027" in team_page


def test_a_target_outside_the_scale_is_refused_and_nothing_changes(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    statement = catalogue.themes[0].statements[0]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [statement.id]},
        )
        priority = session.exec(select(Priority).where(Priority.round_id == round_.id)).one()
        refused = client.post(
            f"/runder/{round_.id}/noter",
            data={
                "csrf_token": CSRF,
                "field": "experience",
                "priority_id": str(priority.id),
                "text": "Teksten må ikke gå tabt.",
                "target": "11",
            },
        )
    assert refused.status_code == 422
    assert "Feltet »Mål« må højst være 10." in text_of(refused.text)
    page = parse(refused.text)
    kept = page.select_one(f"#txt-{priority.id}")
    assert kept is not None and kept.get_text() == "Teksten må ikke gå tabt."
    session.expire_all()
    stored = session.get(Priority, priority.id)
    assert stored is not None and (stored.target, stored.experience) == (None, "")


def test_the_next_round_shows_before_after_against_the_target_and_takes_a_note(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    may = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])  # mean 4.0
    first, second = catalogue.themes[0].statements[:2]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{may.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [first.id, second.id]},
        )
        client.post(
            f"/runder/{may.id}/droeftelse",
            data={"csrf_token": CSRF, "key": "", "text": "Sidste gang talte vi om dagsordenen."},
        )
        priorities = {
            p.statement_id: p
            for p in session.exec(select(Priority).where(Priority.round_id == may.id)).all()
        }
        client.post(
            f"/runder/{may.id}/noter",
            data={
                "csrf_token": CSRF,
                "field": "experience",
                "priority_id": [str(priorities[first.id].id), str(priorities[second.id].id)],
                "text": ["", ""],
                "target": ["6", "7"],
            },
        )
        september = closed_round(session, catalogue, world, "September 2026", [5, 6, 7])
        step1 = client.get(f"/runder/{september.id}/moede/1").text
        why = client.post(
            f"/runder/{september.id}/tilbageblik",
            data={
                "csrf_token": CSRF,
                "priority_id": str(priorities[first.id].id),
                "text": "Fast dagsorden hjalp.",
            },
            follow_redirects=False,
        )
        step1_again = text_of(client.get(f"/runder/{september.id}/moede/1").text)
        step2 = text_of(client.get(f"/runder/{september.id}/moede/2").text)
        minutes = text_of(client.get(f"/runder/{september.id}/referat").text)
        history = text_of(client.get(f"/teams/{world.team_a.id}/historik").text)
    text = text_of(step1)
    assert "4,0 → 6,0 (mål 6,0) Mål nået" in text
    assert "4,0 → 6,0 (mål 7,0) Mål ikke nået" in text
    assert "Hvorfor har det (ikke) flyttet sig?" in text
    assert why.status_code == 303
    assert "Fast dagsorden hjalp." in step1_again
    assert "Sidste gang talte vi om dagsordenen." in step2
    for page in (minutes, history):
        assert "Fast dagsorden hjalp." in page
        assert "Mål nået" in page and "Mål ikke nået" in page


def test_a_note_on_a_priority_the_team_never_had_is_refused(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    with facilitator_client(app, world) as client:
        reply = client.post(
            f"/runder/{round_.id}/tilbageblik",
            data={"csrf_token": CSRF, "priority_id": "999999", "text": "x"},
        )
    assert reply.status_code == 404


def test_target_reached_is_judged_on_the_mean_as_shown() -> None:
    earlier = EarlierPriority(1, "Maj", "a.b.1", "Vi …", priority_id=1, target=6.0)
    assert PriorityMovement(earlier, 4.2, 5.96).reached is True  # shown as "6,0"
    assert PriorityMovement(earlier, 4.2, 5.94).reached is False
    assert PriorityMovement(earlier, 4.2, None).reached is None
    no_target = EarlierPriority(1, "Maj", "a.b.1", "Vi …")
    assert PriorityMovement(no_target, 4.2, 9.0).reached is None


def test_dates_that_are_not_dates_are_refused_and_kept_as_typed(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    with facilitator_client(app, world) as client:
        reply = client.post(
            f"/runder/{round_.id}/datoer",
            data={"csrf_token": CSRF, "next_meeting_on": "2027-02-30", "next_measurement_on": ""},
        )
    assert reply.status_code == 422
    assert "Næste møde" in text_of(reply.text)
    session.expire_all()
    stored = session.get(Round, round_.id)
    assert stored is not None and stored.next_meeting_on is None
    assert date(2027, 3, 3) != stored.next_measurement_on


def test_the_team_page_flags_a_next_measurement_whose_date_has_passed(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{round_.id}/datoer",
            data={"csrf_token": CSRF, "next_measurement_on": "2026-01-15"},
        )
        page = text_of(client.get(f"/teams/{world.team_a.id}").text)
    assert "Næste måling: 15. jan. 2026 Datoen er passeret" in page


def test_a_later_round_replaces_the_next_measurement_its_team_had_planned() -> None:
    @dataclass
    class Planned:
        next_measurement_on: date | None

    today = date(2027, 1, 1)
    assert next_measurement(Planned(date(2027, 3, 3)), today=today) == (date(2027, 3, 3), False)
    assert next_measurement(Planned(date(2026, 12, 1)), today=today) == (date(2026, 12, 1), True)
    assert next_measurement(Planned(None), today=today) is None
    assert next_measurement(None, today=today) is None


def test_the_results_page_shows_beside_a_statement_whether_its_target_was_reached(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    may = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])  # mean 4.0
    statement = catalogue.themes[0].statements[0]
    with facilitator_client(app, world) as client:
        client.post(
            f"/runder/{may.id}/prioriteter",
            data={"csrf_token": CSRF, "statement_ids": [statement.id]},
        )
        priority = session.exec(select(Priority).where(Priority.round_id == may.id)).one()
        client.post(
            f"/runder/{may.id}/noter",
            data={"csrf_token": CSRF, "field": "experience", "priority_id": str(priority.id)}
            | {"text": "", "target": "5"},
        )
        september = closed_round(session, catalogue, world, "September 2026", [4, 5, 6])
        page = parse(client.get(f"/runder/{september.id}/resultater").text)
    row = page.find("span", string=statement.text)
    assert row is not None
    cell = text_of(str(row.find_parent("th")))
    assert "Mål fra Maj 2026: 5,0 Mål nået" in cell


def test_the_material_stands_beside_the_statements_on_the_results_and_the_meeting(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [3, 4, 5])
    theme = catalogue.themes[0]
    statement = theme.statements[0]
    with facilitator_client(app, world) as client:
        results = parse(client.get(f"/runder/{round_.id}/resultater").text)
        step1 = parse(client.get(f"/runder/{round_.id}/moede/1").text)
        step3 = parse(client.get(f"/runder/{round_.id}/moede/3").text)
    for page in (results, step1):
        intro = page.select_one("details.theme-intro")
        assert intro is not None and intro.get("open") is None  # collapsed
        assert theme.intro in text_of(str(intro))
        point = theme.key_points[0]
        assert f"»{point.text}« ({point.basis})" in text_of(str(intro))
        assert f"001, linje {theme.lines.split(':')[1]}" in text_of(str(intro))
    row = results.select_one(f'tr[id="udsagn-{statement.id}"]')
    label = step3.select_one(f'label[for="p-{statement.id}"]')
    for place in (row, label):
        assert place is not None
        assert statement.provenance_label in text_of(str(place))


def test_saving_or_deleting_an_action_at_step_6_stays_on_the_theme_being_worked_on(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_ = closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6], themes=2)
    second = catalogue.themes[1].id
    plan = f"/runder/{round_.id}/moede/6?tema={second}"
    with facilitator_client(app, world) as client:
        page = parse(client.get(plan).text)
        assert all(
            form.select_one('input[name="tema"]')["value"] == second
            for form in page.select("form.action-form")
        )
        added = client.post(
            f"/runder/{round_.id}/handlinger",
            data={"csrf_token": CSRF, "tema": second, "what": "Fælles dagsorden"},
            follow_redirects=False,
        )
        assert added.headers["location"] == f"{plan}&gemt=1#plan"
        action = parse(client.get(plan).text).select_one("form.action-form[action*='/handlinger/']")
        assert action is not None
        gone = client.post(
            f"{action['action']}/slet",
            data={"csrf_token": CSRF, "tema": second, "confirm": "ja"},
            follow_redirects=False,
        )
        assert gone.headers["location"] == f"{plan}#plan"

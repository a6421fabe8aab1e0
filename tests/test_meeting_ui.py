"""The meeting loses nothing: step links save the step's form, autosaves store the last keystrokes,
and closing a round or deleting an action asks first."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.charts import wrap_label
from app.db.models import PlanAction, Priority, Round
from app.themes import Catalogue
from tests.html import parse, text_of
from tests.world import CSRF, World, build_world
from tests.world import closed_round as _closed_round
from tests.world import facilitator_client as _client

JSON = {"Accept": "application/json"}


@dataclass
class Meeting:
    """A closed round of team A (theme 1, three answers) and its facilitator's client."""

    world: World
    round: Round
    client: TestClient
    session: Session
    ids: list[str]  # the round's statement ids in order

    def post(self, path: str, headers: dict[str, str] | None = None, **form: Any) -> Any:
        """Post a form of the round's meeting (`path` after /runder/<id>/)."""
        return self.client.post(
            f"/runder/{self.round.id}/{path}",
            data={"csrf_token": CSRF} | form,
            headers=headers,
            follow_redirects=False,
        )

    def priorities(self) -> list[Priority]:
        """The round's stored priorities, read again from the database."""
        self.session.expire_all()
        query = select(Priority).where(Priority.round_id == self.round.id)
        return list(self.session.exec(query.order_by(Priority.id)).all())  # type: ignore[arg-type]


@pytest.fixture
def meeting(app: FastAPI, session: Session, catalogue: Catalogue) -> Iterator[Meeting]:
    world = build_world(session, catalogue)
    round_ = _closed_round(session, catalogue, world, "Maj 2026", [4, 5, 6])
    ids = [statement.id for statement in catalogue.themes[0].statements]
    with _client(app, world) as client:
        yield Meeting(world, round_, client, session, ids)


def test_a_step_link_of_step_3_saves_the_ticked_choices_without_javascript(
    meeting: Meeting,
) -> None:
    page = parse(meeting.client.get(f"/runder/{meeting.round.id}/moede/3").text)
    nav = page.select("nav button[form=meeting-form][name=go]")
    assert {button["value"] for button in nav} == {"1", "2", "3", "4", "5", "6"}
    moved = meeting.post("prioriteter", statement_ids=meeting.ids[:3], go="4")
    step4 = text_of(meeting.client.get(f"/runder/{meeting.round.id}/moede/4").text)
    assert moved.status_code == 303
    assert moved.headers["location"].startswith(f"/runder/{meeting.round.id}/moede/4")
    assert sorted(p.statement_id for p in meeting.priorities()) == sorted(meeting.ids[:3])
    assert "I har ikke valgt prioriteringer endnu" not in step4


def test_a_refused_fourth_choice_keeps_the_three_ticked_and_the_counter_at_3(
    meeting: Meeting,
) -> None:
    ids = meeting.ids[:4]
    meeting.post("prioriteter", JSON, statement_ids=ids[1:])
    refused = meeting.post("prioriteter", statement_ids=ids)
    as_json = meeting.post("prioriteter", JSON, statement_ids=ids)
    page = parse(refused.text)
    ticked = {box["value"] for box in page.select('input[name="statement_ids"][checked]')}
    assert refused.status_code == 422
    assert "højst vælge 3 udsagn" in text_of(refused.text)
    assert ticked == set(ids[1:])  # the three chosen before, not the new fourth
    count = page.select_one("[data-count]")
    assert count is not None and count.get_text() == "3"
    assert as_json.status_code == 422 and "højst vælge 3" in as_json.json()["detail"]
    assert sorted(p.statement_id for p in meeting.priorities()) == sorted(ids[1:])


def test_step_3_sorts_by_mean_and_spread_and_marks_the_top_disagreements(
    meeting: Meeting,
) -> None:
    first = meeting.ids[0]
    sorted_ = meeting.post("prioriteter", statement_ids=[first], sortering="spredning")
    assert sorted_.headers["location"].endswith("/moede/3?sortering=spredning")
    by_spread = meeting.client.get(sorted_.headers["location"]).text
    by_mean = parse(
        meeting.client.get(f"/runder/{meeting.round.id}/moede/3?sortering=gennemsnit").text
    )
    page = parse(by_spread)
    assert "mest uenige først" in text_of(by_spread)
    ticked = [box["value"] for box in page.select('input[name="statement_ids"][checked]')]
    assert ticked == [first]  # sorting saved the tick on the way
    assert len(page.select("label .disputed")) == 5
    pressed = by_mean.select_one('button[name="sortering"][aria-pressed="true"]')
    assert pressed is not None and pressed["value"] == "gennemsnit"


def test_the_last_keystrokes_before_a_step_link_are_stored(meeting: Meeting) -> None:
    meeting.post("prioriteter", statement_ids=meeting.ids[:2])
    first, second = (str(p.id) for p in meeting.priorities())
    # What the autosave stored 0.3 s earlier, then the step link with the newest text.
    saved = meeting.post(
        "noter", JSON, field="experience", priority_id=[first], text=["Barnet bliver spu"]
    )
    moved = meeting.post(
        "noter",
        field="experience",
        priority_id=[first, second],
        text=["Barnet bliver spurgt først.", "Forældrene får dagsordenen"],
        go="6",
    )
    assert saved.json()["saved"] is True and saved.json()["saved_at"].count(".") == 1
    assert moved.status_code == 303
    assert moved.headers["location"].startswith(f"/runder/{meeting.round.id}/moede/6")
    assert [p.experience for p in meeting.priorities()] == [
        "Barnet bliver spurgt først.",
        "Forældrene får dagsordenen",
    ]


def test_a_note_of_another_rounds_priority_is_refused_and_nothing_is_stored(
    meeting: Meeting, catalogue: Catalogue
) -> None:
    june = _closed_round(meeting.session, catalogue, meeting.world, "Juni 2026", [4, 5, 6])
    meeting.post("prioriteter", statement_ids=meeting.ids[:1])
    meeting.client.post(
        f"/runder/{june.id}/prioriteter",
        data={"csrf_token": CSRF, "statement_ids": meeting.ids[:1]},
    )
    (mine,) = meeting.priorities()
    other = meeting.session.exec(select(Priority).where(Priority.round_id == june.id)).one()
    reply = meeting.post(
        "noter", field="experience", priority_id=[str(mine.id), str(other.id)], text=["Min", "Nej"]
    )
    assert reply.status_code == 404
    meeting.session.expire_all()
    assert (mine.experience, other.experience) == ("", "")


def test_an_autosave_without_the_csrf_token_is_refused(meeting: Meeting) -> None:
    meeting.post("prioriteter", statement_ids=meeting.ids[:1])
    (priority,) = meeting.priorities()
    reply = meeting.client.post(
        f"/runder/{meeting.round.id}/noter",
        data={"field": "experience", "priority_id": str(priority.id), "text": "Fremmed"},
    )
    assert reply.status_code == 403
    assert meeting.priorities()[0].experience == ""


def _round(session: Session, round_id: int | None) -> Round:
    session.expire_all()
    round_ = session.get(Round, round_id)
    assert round_ is not None
    return round_


def test_the_meeting_of_an_open_round_explains_and_offers_to_close_it(
    meeting: Meeting,
) -> None:
    round_id = meeting.world.round_a.id
    page = meeting.client.get(f"/runder/{round_id}/moede/1")
    closed = meeting.client.post(
        f"/runder/{round_id}/luk",
        data={"csrf_token": CSRF, "confirm": "ja", "then": "moede"},
        follow_redirects=False,
    )
    assert page.status_code == 409
    assert "Noget gik galt" not in page.text
    assert "Luk den, før I holder opfølgningsmødet" in text_of(page.text)
    form = parse(page.text).select_one(f"form[action='/runder/{round_id}/luk']")
    assert form is not None and "Luk runden" in form.get_text()
    assert closed.headers["location"] == f"/runder/{round_id}/moede"
    assert _round(meeting.session, round_id).status == "closed"


def test_closing_a_round_asks_first_and_changes_nothing_until_confirmed(
    meeting: Meeting,
) -> None:
    round_id = meeting.world.round_a.id
    path = f"/runder/{round_id}/luk"
    asked = meeting.client.post(path, data={"csrf_token": CSRF})
    assert _round(meeting.session, round_id).status == "open"
    closed = meeting.client.post(
        path, data={"csrf_token": CSRF, "confirm": "ja"}, follow_redirects=False
    )
    assert asked.status_code == 200 and "Vil du lukke runden?" in text_of(asked.text)
    assert "1 af 5 har svaret" in text_of(asked.text)
    assert closed.status_code == 303 and closed.headers["location"] == f"/runder/{round_id}"
    assert _round(meeting.session, round_id).status == "closed"


def test_deleting_an_action_asks_first(meeting: Meeting) -> None:
    meeting.post("handlinger", what="Temamøde")
    action_id = meeting.session.exec(select(PlanAction.id)).one()
    asked = meeting.post(f"handlinger/{action_id}/slet", what="Temamøde")
    meeting.session.expire_all()
    assert meeting.session.get(PlanAction, action_id) is not None
    deleted = meeting.post(f"handlinger/{action_id}/slet", confirm="ja")
    assert "Vil du slette handlingen?" in text_of(asked.text) and "Temamøde" in asked.text
    assert deleted.status_code == 303
    meeting.session.expire_all()
    assert meeting.session.get(PlanAction, action_id) is None


def test_the_results_page_links_to_the_meeting(meeting: Meeting) -> None:
    page = parse(meeting.client.get(f"/runder/{meeting.round.id}/resultater").text)
    link = page.select_one(f"a[href='/runder/{meeting.round.id}/moede']")
    assert link is not None and "opfølgningsmødet" in link.get_text()


def test_a_second_open_round_of_a_team_is_created_only_when_confirmed(meeting: Meeting) -> None:
    team_id = meeting.world.team_a.id
    path = f"/teams/{team_id}/runder/ny"
    form = {"csrf_token": CSRF, "label": "Runde A", "themes": ["moeder"], "open_now": "1"}
    asked = meeting.client.post(path, data=form)
    rounds = meeting.session.exec(select(Round).where(Round.team_id == team_id)).all()
    assert asked.status_code == 409 and len(rounds) == 2  # the open Runde A and the closed Maj
    warning = text_of(asked.text)
    assert "Teamet har allerede en åben runde: Runde A" in warning
    assert "Den hedder det samme som den nye" in warning
    box = parse(asked.text).select_one("input[name=also_open][required]")
    assert box is not None
    created = meeting.client.post(path, data=form | {"also_open": "1"}, follow_redirects=False)
    assert created.status_code == 303
    meeting.session.expire_all()
    assert len(meeting.session.exec(select(Round).where(Round.team_id == team_id)).all()) == 3


def _plan(meeting: Meeting, round_: Round, *whats: str) -> None:
    for what in whats:
        meeting.client.post(
            f"/runder/{round_.id}/handlinger", data={"csrf_token": CSRF, "what": what}
        )


def test_earlier_actions_come_back_grouped_by_round_newest_first_in_one_form(
    meeting: Meeting, catalogue: Catalogue
) -> None:
    june = _closed_round(meeting.session, catalogue, meeting.world, "Juni 2026", [4, 5, 6])
    _plan(meeting, meeting.round, "Temamøde", "Fast dagsorden")
    _plan(meeting, june, "Barnets stemme")
    page = parse(meeting.client.get(f"/teams/{meeting.world.team_a.id}").text)
    forms = page.select("#opfoelgning form")
    assert len(forms) == 1 and len(forms[0].select("button[type=submit]")) == 1
    legends = [text_of(str(legend)) for legend in forms[0].select("legend")]
    assert legends == ["Juni 2026 (1 handling)", "Maj 2026 (2 handlinger)"]
    ids = [field["value"] for field in forms[0].select("input[name=action_id]")]
    reply = meeting.client.post(
        f"/teams/{meeting.world.team_a.id}/opfoelgning",
        data={"csrf_token": CSRF, "action_id": ids}
        | {"status": ["gennemfoert", "i_gang", "droppet"], "note": ["Holdt", "", "Nej"]},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    meeting.session.expire_all()
    stored = {
        a.what: (a.status, a.follow_up_note) for a in meeting.session.exec(select(PlanAction))
    }
    assert stored == {
        "Barnets stemme": ("gennemfoert", "Holdt"),
        "Temamøde": ("i_gang", ""),
        "Fast dagsorden": ("droppet", "Nej"),
    }


def test_a_follow_up_with_one_bad_status_stores_nothing(meeting: Meeting) -> None:
    _plan(meeting, meeting.round, "Temamøde", "Fast dagsorden")
    ids = [str(i) for i in meeting.session.exec(select(PlanAction.id)).all()]
    reply = meeting.client.post(
        f"/teams/{meeting.world.team_a.id}/opfoelgning",
        data={"csrf_token": CSRF, "action_id": ids}
        | {"status": ["gennemfoert", "snart"], "note": ["", ""]},
    )
    assert reply.status_code == 422
    meeting.session.expire_all()
    assert {a.status for a in meeting.session.exec(select(PlanAction))} == {"ikke_startet"}


def test_step_1_lists_the_last_rounds_priorities_first(
    meeting: Meeting, catalogue: Catalogue
) -> None:
    june = _closed_round(meeting.session, catalogue, meeting.world, "Juni 2026", [4, 5, 6])
    now = _closed_round(meeting.session, catalogue, meeting.world, "August 2026", [5, 6, 7])
    meeting.post("prioriteter", statement_ids=meeting.ids[:1])
    meeting.client.post(
        f"/runder/{june.id}/prioriteter",
        data={"csrf_token": CSRF, "statement_ids": meeting.ids[1:2]},
    )
    page = text_of(meeting.client.get(f"/runder/{now.id}/moede/1").text)
    assert page.index("Prioriteret i Juni 2026") < page.index("Prioriteret i Maj 2026")


def test_prioritised_statements_are_marked_on_the_radar_and_in_the_lists(
    meeting: Meeting, catalogue: Catalogue
) -> None:
    now = _closed_round(meeting.session, catalogue, meeting.world, "Juni 2026", [5, 6, 7])
    statement = catalogue.themes[0].statements[0]
    meeting.post("prioriteter", statement_ids=[statement.id])
    step1 = parse(meeting.client.get(f"/runder/{now.id}/moede/1").text)
    step3 = text_of(meeting.client.get(f"/runder/{now.id}/moede/3").text)
    figure = json.loads(step1.select_one("script[type='application/json']").get_text())  # type: ignore[union-attr]
    labels = figure["data"][0]["theta"]
    assert [label for label in labels[:-1] if label.startswith("★ ")] == [
        "★ " + wrap_label(statement.short)
    ]
    assert "★ = prioriteret udsagn" in figure["layout"]["legend"]["title"]["text"]
    assert "★ prioriteret i Maj 2026" in step3
    meeting.client.post(
        f"/runder/{now.id}/prioriteter",
        data={"csrf_token": CSRF, "statement_ids": meeting.ids[1:2]},
    )
    step2 = parse(meeting.client.get(f"/runder/{now.id}/moede/2").text)
    marked = [
        text_of(str(li)) for li in step2.select(".disagreements li") if li.select(".prioritised")
    ]
    assert len(marked) == 1 and catalogue.themes[0].statements[1].text in marked[0]

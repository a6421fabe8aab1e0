"""One theme per screen, drafts that are never answers, the way back after Send and after close."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.core.scoring import Answer
from app.db.models import Draft, Response, Round, Score
from app.db.responses import save_response
from app.db.rounds import close_round, count_responses
from app.themes import Catalogue
from tests.html import parse, text_of
from tests.test_respond import OpenRound, _make_round
from tests.world import act_as, build_world


def _drafts(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Draft)).one()


def _counted(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Score)).one()


def _page_form(client: TestClient, path: str) -> dict[str, str]:
    """Every field the page would send as it stands (checked radios, hidden fields, texts)."""
    page = parse(client.get(path).text)
    form = page.select_one("form#scoring")
    assert form is not None
    fields: dict[str, str] = {}
    for field in form.select("input, textarea, select"):
        name = field.get("name")
        if not name:
            continue
        if field.name == "textarea":
            fields[str(name)] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            fields[str(name)] = str(chosen["value"]) if chosen else ""
        elif field.get("type") == "radio":
            if field.has_attr("checked"):
                fields[str(name)] = str(field["value"])
        else:
            fields[str(name)] = str(field.get("value", ""))
    return fields


@pytest.fixture
def two_themes(session: Session, catalogue: Catalogue) -> OpenRound:
    return _make_round(session, catalogue, themes=[t.id for t in catalogue.themes[:2]])


def _theme_ids(catalogue: Catalogue, number: int) -> list[str]:
    return [s.id for s in catalogue.themes[number - 1].statements]


def test_a_round_of_several_themes_shows_one_theme_per_screen_with_progress(
    client: TestClient, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    total = len(two_themes.statement_ids)
    first = parse(client.get(f"/r/{two_themes.code}").text)
    assert [h2.get_text() for h2 in first.select("form#scoring h2")] == [catalogue.themes[0].title]
    progress = first.select_one("#progress")
    assert progress is not None
    assert progress.get_text() == f"Tema 1 af 2 · 0 af {total} besvaret"
    shown = {f["id"].removeprefix("q-") for f in first.select("fieldset.q")}
    assert shown == set(_theme_ids(catalogue, 1))
    buttons = {b.get_text(): b for b in first.select("form#scoring button")}
    assert "Send mine svar" not in buttons  # the answers are sent from the last screen
    assert buttons["Næste tema"]["formaction"] == f"/r/{two_themes.code}/kladde"
    second = parse(client.get(f"/r/{two_themes.code}", params={"tema": "2"}).text)
    assert [h2.get_text() for h2 in second.select("form#scoring h2")] == [catalogue.themes[1].title]
    assert "Send mine svar" in [b.get_text() for b in second.select("form#scoring button")]


def test_next_theme_keeps_a_draft_that_is_not_counted_and_comes_back(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    one, two = _theme_ids(catalogue, 1)[:2]
    form = _page_form(client, f"/r/{two_themes.code}") | {
        f"s-{one}": "4",
        f"c-{one}": "Vi når det sjældent.",
        f"s-{two}": "vedikke",
        "profession": "ppr",
        "gaa_til": "tema-2",
    }
    reply = client.post(f"/r/{two_themes.code}/kladde", data=form, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/r/{two_themes.code}?tema=2"
    # A draft is not an answer: nothing counted, no response, the team's count unchanged.
    assert _drafts(session) == 1 and _counted(session) == 0
    assert session.exec(select(func.count()).select_from(Response)).one() == 0
    assert count_responses(session=session, round_id=two_themes.id) == 0
    thanks = text_of(client.get(f"/r/{two_themes.code}/tak").text)
    assert "0 af 60 har svaret" in thanks  # the team of 60 has no answers yet
    # Leave and come back: screen 2 carries theme 1's answers, screen 1 shows them again.
    second = _page_form(client, f"/r/{two_themes.code}?tema=2")
    assert second[f"s-{one}"] == "4" and second[f"c-{one}"] == "Vi når det sjældent."
    assert second["profession"] == "ppr"
    back = client.get(f"/r/{two_themes.code}", params={"tema": "1"}).text
    assert "gemt som kladde, men ikke sendt" in text_of(back)
    checked = {r["name"]: r["value"] for r in parse(back).select("input[checked]")}
    assert checked == {f"s-{one}": "4", f"s-{two}": "vedikke"}
    progress = parse(back).select_one("#progress")
    total = len(two_themes.statement_ids)
    assert progress is not None and progress.get_text() == f"Tema 1 af 2 · 2 af {total} besvaret"


def test_send_on_the_last_screen_stores_every_theme_at_once_and_ends_the_draft(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    one = _theme_ids(catalogue, 1)[0]
    last = _theme_ids(catalogue, 2)[-1]
    step = _page_form(client, f"/r/{two_themes.code}") | {f"s-{one}": "8", "gaa_til": "tema-2"}
    client.post(f"/r/{two_themes.code}/kladde", data=step)
    final = _page_form(client, f"/r/{two_themes.code}?tema=2") | {f"s-{last}": "2"}
    reply = client.post(f"/r/{two_themes.code}", data=final, follow_redirects=False)
    assert reply.status_code == 303
    session.expire_all()
    assert dict(session.exec(select(Score.statement_id, Score.value)).all()) == {one: 8, last: 2}
    assert _drafts(session) == 0


def test_a_refused_send_stores_nothing_not_even_the_other_themes(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    one = _theme_ids(catalogue, 1)[0]
    last = _theme_ids(catalogue, 2)[-1]
    final = _page_form(client, f"/r/{two_themes.code}?tema=2") | {
        f"s-{one}": "8",
        f"s-{last}": "11",
    }
    reply = client.post(f"/r/{two_themes.code}", data=final)
    assert reply.status_code == 422
    assert _counted(session) == 0
    # Shown again on one page, so every marked problem can be reached and nothing is lost.
    checked = {r["name"]: r["value"] for r in parse(reply.text).select("input[checked]")}
    assert checked[f"s-{one}"] == "8"


def _leave_a_draft(client: TestClient, catalogue: Catalogue, made: OpenRound) -> dict[str, str]:
    """Answer one statement of theme 1 and go on to theme 2; the step's form."""
    one = _theme_ids(catalogue, 1)[0]
    step = _page_form(client, f"/r/{made.code}") | {f"s-{one}": "5", "gaa_til": "tema-2"}
    client.post(f"/r/{made.code}/kladde", data=step)
    return step


def test_a_draft_is_deleted_when_the_round_is_closed(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    _leave_a_draft(client, catalogue, two_themes)
    assert _drafts(session) == 1
    close_round(session=session, round_=session.get_one(Round, two_themes.id))
    session.commit()
    assert _drafts(session) == 0 and _counted(session) == 0


def test_a_draft_is_deleted_once_the_closing_time_has_passed(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    step = _leave_a_draft(client, catalogue, two_themes)
    round_ = session.get_one(Round, two_themes.id)
    round_.closes_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    reply = client.get(f"/r/{two_themes.code}")
    assert reply.status_code == 409 and "Runden er lukket" in text_of(reply.text)
    assert _drafts(session) == 0
    late = client.post(f"/r/{two_themes.code}/kladde", data=step)
    assert late.status_code == 409 and _drafts(session) == 0


def test_a_draft_without_the_phones_token_is_not_kept_but_shown_again(
    client: TestClient, session: Session, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    one = _theme_ids(catalogue, 1)[0]
    client.get(f"/r/{two_themes.code}")
    step = {"csrf_token": "forged", f"s-{one}": "6", "gaa_til": "tema-2"}
    reply = client.post(f"/r/{two_themes.code}/kladde", data=step)
    assert reply.status_code == 403
    assert _drafts(session) == 0
    checked = {r["name"]: r["value"] for r in parse(reply.text).select("input[checked]")}
    assert checked == {f"s-{one}": "6"}


def test_next_unanswered_saves_and_leads_to_the_first_unanswered_statement(
    client: TestClient, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    theme_one = _theme_ids(catalogue, 1)
    answers = {f"s-{sid}": "7" for sid in theme_one}
    form = _page_form(client, f"/r/{two_themes.code}") | answers | {"gaa_til": "ubesvaret-1"}
    reply = client.post(f"/r/{two_themes.code}/kladde", data=form, follow_redirects=False)
    first_of_two = _theme_ids(catalogue, 2)[0]
    assert reply.headers["location"] == f"/r/{two_themes.code}?tema=2#q-{first_of_two}"
    form = _page_form(client, f"/r/{two_themes.code}") | {"gaa_til": "ubesvaret-1"}
    form[f"s-{theme_one[3]}"] = ""
    reply = client.post(f"/r/{two_themes.code}/kladde", data=form, follow_redirects=False)
    assert reply.headers["location"] == f"/r/{two_themes.code}?tema=1#q-{theme_one[3]}"


def test_the_thanks_page_lists_the_skipped_statements_with_a_link_back_to_each(
    client: TestClient, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    everything = set(two_themes.statement_ids)
    skipped = [_theme_ids(catalogue, 1)[2], _theme_ids(catalogue, 2)[0]]
    form = _page_form(client, f"/r/{two_themes.code}?tema=2")
    form |= {f"s-{sid}": "6" for sid in everything - set(skipped)}
    client.post(f"/r/{two_themes.code}", data=form)
    page = parse(client.get(f"/r/{two_themes.code}/tak").text)
    section = page.select_one("section.skipped")
    assert section is not None
    assert "De 2 udsagn, du sprang over" in section.get_text()
    links = [a["href"] for a in section.select("a")]
    assert links == [
        f"/r/{two_themes.code}?tema=1#q-{skipped[0]}",
        f"/r/{two_themes.code}?tema=2#q-{skipped[1]}",
    ]


def test_the_scoring_page_has_the_material_and_each_statements_origin_but_no_links_out(
    client: TestClient, catalogue: Catalogue, two_themes: OpenRound
) -> None:
    page = parse(client.get(f"/r/{two_themes.code}").text)
    material = page.select_one("form#scoring details.material")
    assert material is not None and not material.has_attr("open")
    assert catalogue.themes[0].intro[:40] in material.get_text()
    # The same key points from 001 as on the results page and at meeting step 1.
    assert all(point.text in material.get_text() for point in catalogue.themes[0].key_points)
    assert catalogue.themes[0].key_points
    origins = [p.get_text() for p in page.select("fieldset.q .origin")]
    expected = [s.provenance_label for s in catalogue.themes[0].statements]
    assert origins == expected
    assert page.select("header a") == []  # neither the logo nor »Udsagn« / »Log ind« lead away


# --- after close: the phone's own scores -----------------------------------------------------


def _closed_round_with_answers(
    session: Session, catalogue: Catalogue, *, released: bool
) -> tuple[OpenRound, str]:
    made = _make_round(session, catalogue, themes=[catalogue.themes[0].id])
    one = made.statement_ids[0]
    for n, value in enumerate((2, 5, 9, 6)):
        save_response(
            session=session,
            round_id=made.id,
            respondent_key=f"phone-{n}-" + "k" * 40,
            profession=None,
            answers={one: Answer(value=value, comment="Min egen grund" if n == 0 else None)},
        )
    round_ = session.get_one(Round, made.id)
    close_round(session=session, round_=round_)
    round_.results_released = released
    session.commit()
    return made, "phone-0-" + "k" * 40


def test_after_close_the_phone_that_answered_sees_its_own_scores_beside_the_team_mean(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    made, key = _closed_round_with_answers(session, catalogue, released=True)
    client.cookies.set(f"sv_r{made.id}", key)
    reply = client.get(f"/r/{made.code}")
    assert reply.status_code == 200
    page = parse(reply.text)
    first = page.select("table.own-table tbody tr")[0]
    cells = [td.get_text(strip=True) for td in first.select("td")]
    assert cells == ["2", "5,5", "7"]  # own score, team mean, spread (9 - 2)
    assert "Din kommentar: Min egen grund" in first.get_text()
    assert page.select_one("form#scoring") is None  # read-only
    assert page.select_one(f"a[href='/r/{made.code}/resultater']") is not None


def test_own_scores_show_no_team_figures_before_they_are_shared(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    made, key = _closed_round_with_answers(session, catalogue, released=False)
    client.cookies.set(f"sv_r{made.id}", key)
    page = parse(client.get(f"/r/{made.code}").text)
    assert "Mødelederen har ikke delt teamets resultater endnu" in page.get_text()
    first = page.select("table.own-table tbody tr")[0]
    assert [td.get_text(strip=True) for td in first.select("td")] == ["2"]
    session.expire_all()
    assert session.get_one(Round, made.id).results_shown_at is None  # nothing became final


@pytest.mark.parametrize("cookie", [None, "another-phone-" + "x" * 40, "phone-1-"])
def test_no_other_phone_or_guessed_key_sees_anyones_own_scores(
    client: TestClient, session: Session, catalogue: Catalogue, cookie: str | None
) -> None:
    for released in (False, True):
        made, _ = _closed_round_with_answers(session, catalogue, released=released)
        if cookie is not None:
            client.cookies.set(f"sv_r{made.id}", cookie)
        reply = client.get(f"/r/{made.code}")
        assert "own-table" not in reply.text and "Min egen grund" not in reply.text
        if released:
            # The kept link leads on to the team radar the facilitator shared, and nothing more.
            assert reply.status_code == 200
            assert reply.url.path == f"/r/{made.code}/resultater"
        else:
            assert reply.status_code == 409
            assert "Runden er lukket" in text_of(reply.text)


def test_own_scores_are_not_shown_while_the_round_is_open(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    made = _make_round(session, catalogue, themes=[catalogue.themes[0].id])
    key = "phone-open-" + "k" * 40
    save_response(
        session=session,
        round_id=made.id,
        respondent_key=key,
        profession=None,
        answers={made.statement_ids[0]: Answer(value=3)},
    )
    client.cookies.set(f"sv_r{made.id}", key)
    page = parse(client.get(f"/r/{made.code}").text)
    assert page.select_one("form#scoring") is not None
    assert page.select_one("table.own-table") is None


def test_no_staff_page_or_api_can_reach_a_members_own_scores(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    """The own scores hang on the phone's HttpOnly key alone; no page gives out a key."""
    world = build_world(session, catalogue)
    round_ = world.round_a
    assert round_.id is not None
    close_round(session=session, round_=round_)
    round_.results_released = True
    session.commit()
    act_as(client, client.app.state.settings.signing_key(), world.facilitator_a)  # type: ignore[attr-defined]
    for path in (
        f"/runder/{round_.id}",
        f"/runder/{round_.id}/resultater",
        f"/api/runder/{round_.id}/resultater",
        f"/r/{round_.join_code}",
    ):
        reply = client.get(path)
        assert world.respondent_key not in reply.text
        assert "own-table" not in reply.text and "Dit svar" not in reply.text
    session.expire_all()
    hashes = session.exec(select(col(Response.respondent_key_hash))).all()
    assert world.respondent_key not in hashes  # only the key's hash is stored

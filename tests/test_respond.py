"""The respondent's side: joining, the scoring page, storing, coming back, and every refusal."""

import hashlib
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.db.models import Response, Round, RoundStatement, Score
from app.db.rounds import create_round
from app.main import create_app
from app.themes import Catalogue, default_catalogue_path, load_catalogue
from tests.conftest import TEST_SECRET
from tests.html import parse, text_of
from tests.support import free_port, serving
from tests.test_export import make_team

# A round of every theme holds every statement of the catalogue.
ALL_STATEMENTS = len(load_catalogue(default_catalogue_path()).all_statements())
# Every theme on one page (the default is one theme per screen; tests/test_drafts.py).
ALL_THEMES = {"tema": "alle"}


@dataclass
class OpenRound:
    id: int
    code: str
    token: str
    statement_ids: list[str]


def _make_round(
    session: Session, catalogue: Catalogue, *, themes: list[str] | None = None, status: str = "open"
) -> OpenRound:
    # Room for the fifty phones of the concurrency test (the cap has tests of its own).
    team = make_team(session, "Skoleområde Test", "Team Test", size=60)
    assert team.id is not None
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team.id,
        label="November 2026",
        theme_ids=themes or [theme.id for theme in catalogue.themes],
        status=status,
    )
    session.commit()
    assert round_.id is not None
    ids = session.exec(
        select(RoundStatement.statement_id)
        .where(RoundStatement.round_id == round_.id)
        .order_by(col(RoundStatement.position))
    ).all()
    return OpenRound(round_.id, round_.join_code, round_.link_token, list(ids))


@pytest.fixture
def open_round(session: Session, catalogue: Catalogue) -> OpenRound:
    return _make_round(session, catalogue)


def _token(html: str) -> str:
    field = parse(html).select_one("input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def _form(client: TestClient, code: str) -> dict[str, str]:
    page = client.get(f"/r/{code}")
    assert page.status_code == 200
    return {"csrf_token": _token(page.text)}


def _answers(statement_ids: list[str], value: str = "7") -> dict[str, str]:
    return {f"s-{sid}": value for sid in statement_ids}


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    responses = session.exec(select(func.count()).select_from(Response)).one()
    scores = session.exec(select(func.count()).select_from(Score)).one()
    return responses, scores


def _stored(session: Session) -> dict[str, tuple[int | None, str | None]]:
    session.expire_all()
    rows = session.exec(select(Score.statement_id, Score.value, Score.comment)).all()
    return {sid: (value, comment) for sid, value, comment in rows}


# --- joining -------------------------------------------------------------------------------


def test_start_page_has_a_code_form_that_leads_to_the_round(
    client: TestClient, open_round: OpenRound
) -> None:
    page = parse(client.get("/").text)
    form = page.select_one("form.join-form")
    assert form is not None and form["action"] == "/r" and form["method"] == "get"
    field = form.select_one("input#kode")
    assert field is not None and field["name"] == "kode"
    label = form.select_one("label[for=kode]")
    assert label is not None and label.get_text(strip=True) == "Kode"
    typed = f" {open_round.code[:3].lower()}-{open_round.code[3:].lower()} "
    reply = client.get("/r", params={"kode": typed}, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/r/{open_round.code}"
    assert client.get(f"/r/{open_round.code.lower()}").status_code == 200


def test_an_unknown_code_gets_a_danish_404_page_with_the_code_form(client: TestClient) -> None:
    reply = client.get("/r/ZZZZZZ")
    assert reply.status_code == 404
    assert "Der er ingen runde med koden »ZZZZZZ«" in text_of(reply.text)
    assert parse(reply.text).select_one("form.join-form input#kode") is not None


@pytest.mark.parametrize("query", [{}, {"kode": "  "}])
def test_the_code_page_without_a_code_shows_the_field_and_no_error(
    client: TestClient, query: dict[str, str]
) -> None:
    reply = client.get("/r", params=query)
    assert reply.status_code == 200
    page = parse(reply.text)
    assert page.select_one("form.join-form input#kode") is not None
    assert page.select_one(".alert") is None


def test_the_long_secret_link_opens_the_same_scoring_page(
    client: TestClient, open_round: OpenRound
) -> None:
    reply = client.get(f"/s/{open_round.token}")
    assert reply.status_code == 200
    form = parse(reply.text).select_one("form#scoring")
    assert form is not None and form["action"] == f"/r/{open_round.code}"
    assert client.get("/s/not-a-token").status_code == 404


@pytest.mark.parametrize(
    ("status", "closes_in", "message"),
    [
        ("draft", None, "Runden er ikke åbnet endnu"),
        ("closed", None, "Runden er lukket"),
        ("open", timedelta(minutes=-1), "Runden er lukket"),
    ],
)
def test_a_round_that_is_not_open_gets_a_clear_page_not_a_form(
    client: TestClient,
    session: Session,
    catalogue: Catalogue,
    status: str,
    closes_in: timedelta | None,
    message: str,
) -> None:
    made = _make_round(session, catalogue, status=status)
    if closes_in is not None:
        round_ = session.get(Round, made.id)
        assert round_ is not None
        round_.closes_at = datetime.now(UTC) + closes_in
        session.commit()
    for path in (f"/r/{made.code}", f"/s/{made.token}"):
        reply = client.get(path)
        assert reply.status_code == 409
        assert message in text_of(reply.text)
        assert parse(reply.text).select_one("form#scoring") is None


# --- the scoring page ----------------------------------------------------------------------


def test_scoring_page_has_a_fieldset_per_statement_with_the_frozen_text_and_eleven_labels(
    client: TestClient, session: Session, catalogue: Catalogue, open_round: OpenRound
) -> None:
    first = session.get(RoundStatement, (open_round.id, open_round.statement_ids[0]))
    assert first is not None
    first.text = "Ordlyden, som den var, da runden blev oprettet."
    session.commit()
    page = parse(client.get(f"/r/{open_round.code}", params=ALL_THEMES).text)
    fieldsets = page.select("form#scoring fieldset.q")
    assert len(fieldsets) == len(open_round.statement_ids) == ALL_STATEMENTS
    assert fieldsets[0].legend is not None
    assert fieldsets[0].legend.get_text() == "Ordlyden, som den var, da runden blev oprettet."
    for fieldset, statement_id in zip(fieldsets, open_round.statement_ids, strict=True):
        radios = fieldset.select("input[type=radio]")
        assert [radio["name"] for radio in radios] == [f"s-{statement_id}"] * 11
        assert [radio["value"] for radio in radios] == [*map(str, range(1, 11)), "vedikke"]
        for radio in radios:
            assert radio.find_parent("label") is not None  # every radio has a visible label
        texts = [radio.find_parent("label").get_text(strip=True) for radio in radios]
        assert texts == [*map(str, range(1, 11)), "Ved ikke"]
        textarea = fieldset.select_one("textarea")
        assert textarea is not None and textarea["maxlength"] == "500"
        assert textarea["name"] == f"c-{statement_id}"
        assert "Hvad ligger bag din vurdering?" in fieldset.get_text()
    assert not page.select("input[checked]")


def test_scoring_page_states_the_scale_at_the_top_and_beside_every_row(
    client: TestClient, catalogue: Catalogue, open_round: OpenRound
) -> None:
    page = parse(client.get(f"/r/{open_round.code}", params=ALL_THEMES).text)
    note = page.select_one(".scale-note")
    assert note is not None
    assert catalogue.scale.min_label in note.get_text()
    assert catalogue.scale.max_label in note.get_text()
    # The material's own framing of the exercise (001:274).
    assert "hvordan I oplever situationen i dag" in note.get_text()
    ends = page.select("fieldset.q .ends")
    assert len(ends) == ALL_STATEMENTS
    assert ends[0].get_text(" ", strip=True) == (
        f"{catalogue.scale.min_label} {catalogue.scale.max_label}"
    )


def test_scoring_page_groups_statements_by_theme_and_area_with_a_progress_line(
    client: TestClient, catalogue: Catalogue, open_round: OpenRound
) -> None:
    page = parse(client.get(f"/r/{open_round.code}", params=ALL_THEMES).text)
    assert [h2.get_text() for h2 in page.select("form#scoring h2")] == [
        theme.title for theme in catalogue.themes
    ]
    areas = [area.title for theme in catalogue.themes for area in theme.areas]
    assert [h3.get_text() for h3 in page.select("form#scoring h3")] == areas
    progress = page.select_one("#progress")
    assert progress is not None and progress.get_text() == f"{ALL_STATEMENTS} udsagn i 6 temaer"
    assert progress["data-total"] == str(ALL_STATEMENTS)


def test_the_law_theme_tells_respondents_that_its_references_are_from_2019_20(
    client: TestClient, catalogue: Catalogue, open_round: OpenRound
) -> None:
    page = parse(client.get(f"/r/{open_round.code}", params=ALL_THEMES).text)
    notes = page.select("form#scoring .theme-note")
    law = catalogue.theme("fagligheder")
    assert law.note is not None and len(notes) == 1
    assert law.note in " ".join(notes[0].get_text().split())
    heading = notes[0].find_previous("h2")
    assert heading is not None and heading.get_text() == law.title


def test_profession_is_optional_with_the_catalogues_list(
    client: TestClient, catalogue: Catalogue, open_round: OpenRound
) -> None:
    page = parse(client.get(f"/r/{open_round.code}").text)
    select_ = page.select_one("select#profession")
    assert select_ is not None and page.select_one("label[for=profession]") is not None
    options = [(o["value"], o.get_text()) for o in select_.select("option")]
    assert options[0] == ("", "Vil ikke oplyse")
    assert options[1:] == [(p.id, p.label) for p in catalogue.professions]


def test_scoring_page_loads_only_the_services_own_files(
    client: TestClient, open_round: OpenRound
) -> None:
    page = parse(client.get(f"/r/{open_round.code}").text)
    addresses = [
        tag.get("src") or tag.get("href") for tag in page.find_all(["script", "link", "img"])
    ]
    assert "/static/scoring.js" in addresses and "/static/scoring.css" in addresses
    assert all(str(a).startswith("/") and not str(a).startswith("//") for a in addresses)
    assert not [s for s in page.find_all("script") if not s.get("src")]  # no inline script


# --- storing and coming back ---------------------------------------------------------------


def test_submit_stores_the_answers_and_thanks_the_respondent(
    client: TestClient, session: Session, open_round: OpenRound
) -> None:
    first, second, third = open_round.statement_ids[:3]
    form = _form(client, open_round.code) | {
        "profession": "ppr",
        f"s-{first}": "3",
        f"c-{first}": "Vi mangler tid.",
        f"s-{second}": "vedikke",
        f"c-{second}": "",
        f"c-{third}": "",
    }
    reply = client.post(f"/r/{open_round.code}", data=form, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/r/{open_round.code}/tak"
    assert _stored(session) == {first: (3, "Vi mangler tid."), second: (None, None)}
    response = session.exec(select(Response)).one()
    assert response.profession == "ppr"
    thanks = client.get(reply.headers["location"])
    text = text_of(thanks.text)
    assert "Tak for dine svar" in text
    assert f"du har svaret på 2 af {ALL_STATEMENTS} udsagn" in text
    assert "Du kan ændre dine svar, indtil runden lukkes" in text
    link = parse(thanks.text).find("a", string="Ret mine svar")
    assert link is not None and link["href"] == f"/r/{open_round.code}"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_comment_with_danish_letters_and_form_syntax_is_stored_as_typed(
    client: TestClient, session: Session, open_round: OpenRound, encoding: str
) -> None:
    # Browsers send this form urlencoded (read by the standard library); other clients may send
    # multipart (read by the framework). Both must store exactly what was typed.
    sid = open_round.statement_ids[0]
    typed = "Æbler & pærer = 50% + lidt mere?\nNy linje; én til"
    form = _form(client, open_round.code) | {f"s-{sid}": "4", f"c-{sid}": typed}
    if encoding == "urlencoded":
        reply = client.post(f"/r/{open_round.code}", data=form, follow_redirects=False)
    else:
        parts = {name: (None, value) for name, value in form.items()}
        reply = client.post(f"/r/{open_round.code}", files=parts, follow_redirects=False)
    assert reply.status_code == 303
    assert _stored(session) == {sid: (4, typed)}


def test_the_respondent_key_cookie_is_httponly_lax_and_stored_only_hashed(
    client: TestClient, session: Session, open_round: OpenRound
) -> None:
    page = client.get(f"/r/{open_round.code}")
    cookie = page.headers["set-cookie"]
    header = next(c for c in page.headers.get_list("set-cookie") if c.startswith("sv_r"))
    assert header.startswith(f"sv_r{open_round.id}=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert "Max-Age=" in header and "Secure" not in cookie
    key = header.split("=", 1)[1].split(";", 1)[0]
    form = {"csrf_token": _token(page.text), f"s-{open_round.statement_ids[0]}": "5"}
    client.post(f"/r/{open_round.code}", data=form)
    response = session.exec(select(Response)).one()
    assert response.respondent_key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in response.respondent_key_hash


def test_the_cookie_is_secure_when_the_service_is_published_over_https(
    settings: Settings, engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    made = _make_round(session, catalogue)
    https_app = create_app(
        settings=settings.model_copy(update={"base_url": "https://spindelvaev.example"}),
        engine=engine,
    )
    with TestClient(https_app, base_url="https://testserver") as secure_client:
        page = secure_client.get(f"/r/{made.code}")
    header = next(c for c in page.headers.get_list("set-cookie") if c.startswith("sv_r"))
    assert "Secure" in header


def test_coming_back_shows_the_previous_answers_and_a_new_submit_replaces_them(
    client: TestClient, session: Session, open_round: OpenRound
) -> None:
    first, second, third = open_round.statement_ids[:3]
    form = _form(client, open_round.code)
    client.post(
        f"/r/{open_round.code}",
        data=form
        | {"profession": "laerer", f"s-{first}": "2", f"s-{second}": "9", f"c-{second}": "Godt"},
    )
    page = parse(client.get(f"/r/{open_round.code}").text)
    assert "Du har svaret før" in page.get_text()
    checked = {radio["name"]: radio["value"] for radio in page.select("input[checked]")}
    assert checked == {f"s-{first}": "2", f"s-{second}": "9"}
    textarea = page.select_one(f"textarea[name='c-{second}']")
    assert textarea is not None and textarea.get_text() == "Godt"
    selected = page.select_one("select#profession option[selected]")
    assert selected is not None and selected["value"] == "laerer"

    client.post(f"/r/{open_round.code}", data=form | {f"s-{first}": "4", f"s-{third}": "vedikke"})
    assert _counts(session) == (1, 2)
    assert _stored(session) == {first: (4, None), third: (None, None)}
    assert session.exec(select(Response)).one().profession is None


def test_submitting_twice_stores_one_response(
    client: TestClient, session: Session, open_round: OpenRound
) -> None:
    form = _form(client, open_round.code) | _answers(open_round.statement_ids)
    for _ in range(2):
        assert client.post(f"/r/{open_round.code}", data=form).status_code == 200
    assert _counts(session) == (1, ALL_STATEMENTS)


def test_each_round_gets_its_own_key_so_phones_are_not_linked_across_rounds(
    client: TestClient, session: Session, catalogue: Catalogue, open_round: OpenRound
) -> None:
    other = _make_round(session, catalogue, themes=["moeder"])
    for made in (open_round, other):
        form = _form(client, made.code) | {f"s-{made.statement_ids[0]}": "6"}
        client.post(f"/r/{made.code}", data=form)
    keys = {client.cookies[f"sv_r{open_round.id}"], client.cookies[f"sv_r{other.id}"]}
    hashes = set(session.exec(select(Response.respondent_key_hash)).all())
    assert len(keys) == 2 and len(hashes) == 2


def test_another_phone_gets_its_own_response(
    app: FastAPI, client: TestClient, session: Session, open_round: OpenRound
) -> None:
    form = _form(client, open_round.code) | _answers(open_round.statement_ids[:5])
    client.post(f"/r/{open_round.code}", data=form)
    with TestClient(app) as phone:
        other = _form(phone, open_round.code) | _answers(open_round.statement_ids[:5], "2")
        phone.post(f"/r/{open_round.code}", data=other)
        assert "Du har svaret før" not in text_of(phone.get("/r/ZZZZZZ").text)
    assert _counts(session) == (2, 10)


# --- refusals: nothing of the submission is stored -----------------------------------------


@pytest.fixture
def answered(client: TestClient, session: Session, open_round: OpenRound) -> dict[str, str]:
    """A phone that has answered once; returns a valid form for it to submit again."""
    form = _form(client, open_round.code) | _answers(open_round.statement_ids[:3], "5")
    assert client.post(f"/r/{open_round.code}", data=form).status_code == 200
    assert _counts(session) == (1, 3)
    return form


def _refused(
    client: TestClient,
    session: Session,
    code: str,
    data: dict[str, str] | list[tuple[str, str]] | str,
    status: int = 422,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    before = _stored(session)
    kwargs: dict[str, object] = {"headers": headers or {}}
    if isinstance(data, str):
        kwargs["content"] = data
        kwargs["headers"] = {"content-type": "application/x-www-form-urlencoded", **(headers or {})}
    else:
        kwargs["data"] = data
    reply = client.post(f"/r/{code}", follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    assert reply.status_code == status, reply.text[:500]
    assert _counts(session) == (1, 3)
    assert _stored(session) == before
    assert "Traceback" not in reply.text
    return reply


def _marked(reply: httpx.Response, statement_id: str) -> str:
    fieldset = parse(reply.text).select_one(f"fieldset[id='q-{statement_id}']")
    assert fieldset is not None and "bad" in fieldset["class"]
    error = fieldset.select_one(".field-error")
    assert error is not None
    return error.get_text()


def test_a_value_above_ten_is_refused_and_marked(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[3]
    reply = _refused(client, session, open_round.code, answered | {f"s-{sid}": "11"})
    assert _marked(reply, sid) == "Svaret skal være et tal fra 1 til 10 eller »Ved ikke«."
    assert "Dine svar er ikke gemt" in text_of(reply.text)


def test_a_value_below_one_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[0]
    reply = _refused(client, session, open_round.code, answered | {f"s-{sid}": "0"})
    assert "1 til 10" in _marked(reply, sid)


def test_a_non_integer_value_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[1]
    reply = _refused(client, session, open_round.code, answered | {f"s-{sid}": "7.5"})
    assert "1 til 10" in _marked(reply, sid)


def test_an_unknown_statement_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    reply = _refused(client, session, open_round.code, answered | {"s-opdigtet.udsagn.9": "5"})
    assert "Udsagnet findes ikke i kataloget." in text_of(reply.text)


def test_a_statement_that_is_not_in_this_round_is_refused(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    made = _make_round(session, catalogue, themes=["moeder"])
    form = _form(client, made.code) | _answers(made.statement_ids[:3], "5")
    client.post(f"/r/{made.code}", data=form)
    outside = catalogue.themes[0].statements[0].id
    reply = _refused(client, session, made.code, form | {f"s-{outside}": "5"})
    assert "Udsagnet er ikke med i denne runde." in text_of(reply.text)


def test_an_overlong_comment_is_refused_and_kept_in_the_form(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[0]
    comment = "æ" * 501
    reply = _refused(client, session, open_round.code, answered | {f"c-{sid}": comment})
    assert "501 tegn" in _marked(reply, sid)
    textarea = parse(reply.text).select_one(f"textarea[name='c-{sid}']")
    assert textarea is not None and textarea.get_text() == comment


def test_an_unknown_profession_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    reply = _refused(client, session, open_round.code, answered | {"profession": "astronaut"})
    assert "Faggruppen findes ikke" in text_of(reply.text)


def test_a_refused_form_keeps_everything_the_respondent_entered(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    a, b, c = open_round.statement_ids[3:6]
    data = answered | {
        "profession": "ppr",
        f"s-{a}": "8",
        f"c-{a}": "Det går bedre nu",
        f"s-{b}": "vedikke",
        f"s-{c}": "99",
    }
    reply = _refused(client, session, open_round.code, data)
    page = parse(reply.text)
    checked = {radio["name"]: radio["value"] for radio in page.select("input[checked]")}
    assert checked[f"s-{a}"] == "8" and checked[f"s-{b}"] == "vedikke"
    assert f"s-{c}" not in checked
    textarea = page.select_one(f"textarea[name='c-{a}']")
    assert textarea is not None and textarea.get_text() == "Det går bedre nu"
    selected = page.select_one("select#profession option[selected]")
    assert selected is not None and selected["value"] == "ppr"
    summary = page.select_one("#fejl a")
    assert summary is not None and summary["href"] == f"#q-{c}"


def test_a_non_form_client_gets_json_errors_keyed_by_statement(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[0]
    reply = _refused(
        client,
        session,
        open_round.code,
        answered | {f"s-{sid}": "fem"},
        headers={"accept": "application/json"},
    )
    body = reply.json()
    assert body["errors"] == {sid: "Svaret skal være et tal fra 1 til 10 eller »Ved ikke«."}
    assert "ikke gemt" in body["detail"]


def test_a_closed_round_refuses_answers_with_409(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    round_ = session.get(Round, open_round.id)
    assert round_ is not None
    round_.status = "closed"
    session.commit()
    reply = _refused(client, session, open_round.code, answered, status=409)
    assert "Runden er lukket" in text_of(reply.text)


def test_a_round_past_its_closing_time_refuses_answers(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    round_ = session.get(Round, open_round.id)
    assert round_ is not None
    round_.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    _refused(client, session, open_round.code, answered, status=409)


def test_a_form_with_unknown_fields_is_refused_as_malformed(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    reply = _refused(client, session, open_round.code, answered | {"slet_alt": "ja"})
    assert "felter, som Spindelvæv ikke kender" in text_of(reply.text)


def test_two_answers_to_one_statement_are_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[0]
    body = "&".join(f"{k}={v}" for k, v in answered.items()) + f"&s-{sid}=2"
    reply = _refused(client, session, open_round.code, body)
    assert "mere end ét svar" in _marked(reply, sid)


def test_a_body_that_is_not_a_form_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    # Without a form there is no CSRF token either, so it stops at the first check.
    _refused(
        client,
        session,
        open_round.code,
        '{"s-x": 5}',
        status=403,
        headers={"content-type": "application/json"},
    )


def test_a_huge_body_is_refused_before_it_is_parsed(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    sid = open_round.statement_ids[0]
    reply = _refused(
        client, session, open_round.code, answered | {f"c-{sid}": "x" * 250_000}, status=413
    )
    assert "fylder mere" in text_of(reply.text)


def test_too_many_fields_are_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    body = "&".join(f"{k}={v}" for k, v in answered.items()) + "&x=1" * 5000
    reply = _refused(client, session, open_round.code, body, status=413)
    assert "flere felter" in text_of(reply.text)


def test_a_submission_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    data = {k: v for k, v in answered.items() if k != "csrf_token"}
    reply = _refused(client, session, open_round.code, data, status=403)
    # Nothing typed is lost: the form comes back with the answers and a fresh token.
    assert "Tjek dine svar, og send igen" in text_of(reply.text)
    page = parse(reply.text)
    for name, value in data.items():
        if name.startswith("s-"):
            assert page.select_one(f'input[name="{name}"][value="{value}"][checked]'), name
    assert page.select_one("input[name=csrf_token]")


def test_an_old_scoring_form_still_works_after_the_login_session_would_have_expired(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    # The token is bound to the phone's key cookie, not to a session with an idle timeout.
    client.cookies.delete("spindelvaev_session")
    reply = client.post(f"/r/{open_round.code}", data=answered, follow_redirects=False)
    assert reply.status_code == 303


def test_an_empty_submission_is_refused(
    client: TestClient, session: Session, open_round: OpenRound, answered: dict[str, str]
) -> None:
    data = {"csrf_token": answered["csrf_token"], "profession": ""}
    reply = _refused(client, session, open_round.code, data)
    assert "Vælg et svar ved mindst ét udsagn" in text_of(reply.text)


def test_answers_to_an_unknown_code_are_refused(
    client: TestClient, session: Session, answered: dict[str, str]
) -> None:
    _refused(client, session, "ZZZZZZ", answered, status=404)


# --- many phones at once, against a real server --------------------------------------------

PHONES = 50


@pytest.fixture
def server(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[str]:
    """uvicorn in its own process on a free loopback port, on the test SQLite file or PostgreSQL.

    A separate process, as in production: the fifty client threads of the test do not share its
    interpreter.
    """
    port = free_port()
    env = {
        **os.environ,
        "SPINDELVAEV_DATABASE_URL": settings.database_url,
        "SPINDELVAEV_SECRET_KEY": TEST_SECRET.get_secret_value(),
        "SPINDELVAEV_DATA_DIR": str(tmp_path / "server"),
        "SPINDELVAEV_BASE_URL": f"http://127.0.0.1:{port}",
        "SPINDELVAEV_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    # The phones wait at a barrier between their GET and their POST, on a busy machine for longer
    # than uvicorn's 5 s keep-alive; a connection closed meanwhile fails the POST
    # ("Server disconnected without sending a response").
    command += ["--timeout-keep-alive", "120"]
    log = tmp_path / "server.log"
    with serving(command, port=port, env=env, log=log):
        yield f"http://127.0.0.1:{port}"
    output = log.read_text(errors="replace")
    if output.strip():
        print("server output:", output)


def _phone_submits(
    base: str, code: str, data: dict[str, str], barrier: threading.Barrier
) -> tuple[int, str]:
    with httpx.Client(base_url=base, timeout=60) as phone:
        page = phone.get(f"/r/{code}")
        form = {"csrf_token": _token(page.text), **data}
        barrier.wait(timeout=60)
        reply = phone.post(f"/r/{code}", data=form)
        return reply.status_code, "" if reply.status_code == 303 else text_of(reply.text)[:300]


def _run_phones(base: str, code: str, data: dict[str, str], count: int) -> list[tuple[int, str]]:
    barrier = threading.Barrier(count)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            result = _phone_submits(base, code, data, barrier)
        except Exception as error:  # reported as a failed phone by the assertion
            result = (-1, repr(error))
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_simultaneous_submissions_all_land_exactly_once(
    server: str, session: Session, open_round: OpenRound
) -> None:
    data = _answers(open_round.statement_ids, "6")
    results = _run_phones(server, open_round.code, data, PHONES)
    failed = [result for result in results if result[0] != 303]
    assert (len(results), failed) == (PHONES, [])
    assert _counts(session) == (PHONES, PHONES * ALL_STATEMENTS)
    per_response = session.exec(
        select(Score.response_id, func.count()).group_by(col(Score.response_id))
    ).all()
    assert sorted(n for _, n in per_response) == [ALL_STATEMENTS] * PHONES


def test_simultaneous_double_taps_from_one_phone_store_one_response(
    server: str, session: Session, open_round: OpenRound
) -> None:
    taps = 8
    with httpx.Client(base_url=server, timeout=60) as phone:
        form = {"csrf_token": _token(phone.get(f"/r/{open_round.code}").text)}
        form |= _answers(open_round.statement_ids, "4")
        barrier = threading.Barrier(taps)
        statuses: list[int] = []

        def tap() -> None:
            barrier.wait(timeout=30)
            # One cookie jar, as a browser that sends the same form twice.
            reply = httpx.post(
                f"{server}/r/{open_round.code}", data=form, cookies=dict(phone.cookies)
            )
            statuses.append(reply.status_code)

        threads = [threading.Thread(target=tap) for _ in range(taps)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert statuses == [303] * taps
    assert _counts(session) == (1, ALL_STATEMENTS)


def test_the_form_fields_are_named_after_the_statements(
    client: TestClient, open_round: OpenRound
) -> None:
    html = client.get(f"/r/{open_round.code}").text
    names = set(re.findall(r'name="(s-[^"]+)"', html))
    assert names == {f"s-{sid}" for sid in open_round.statement_ids}

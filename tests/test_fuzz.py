"""Fuzzing: the JSON API against its own OpenAPI schema, and the form parsers against any input.

Schemathesis generates requests from `/api/openapi.json` (valid ones and schema-violating ones) and
checks every answer: no 5xx, only documented status codes, bodies that match the documented schema.
Hypothesis throws arbitrary field names and values at the scoring form's parser and the plan's
action form, and at the real scoring POST, where a submission is stored whole or not at all.

Both databases are fuzzed (the shared `app` fixture): PostgreSQL refuses input that SQLite
accepts (NUL characters, integers beyond 64 bits), and that is where server errors hide.
"""

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from app.config import Settings
from app.core.scoring import (
    COMMENT_PREFIX,
    DONT_KNOW,
    MAX_COMMENT_LENGTH,
    PROFESSION_FIELD,
    SCALE,
    SCORE_PREFIX,
    Answer,
    parse_submission,
)
from app.db.api_tokens import create_token
from app.db.meeting import read_action
from app.db.models import ACTION_STATUSES, Response, Round, Score
from app.db.responses import find_response, new_respondent_key, save_response
from app.db.rounds import create_round
from app.errors import InvalidInput
from app.main import create_app
from app.themes import Catalogue, default_catalogue_path, load_catalogue
from app.web.csrf import FIELD_NAME as CSRF_FIELD
from app.web.csrf import respondent_token
from app.web.respondent import key_cookie_name
from tests.conftest import TEST_SECRET
from tests.world import World, act_as, build_world, session_cookie

CATALOGUE = load_catalogue(default_catalogue_path())
ROUND_IDS = [statement.id for statement in CATALOGUE.themes[0].statements]
CATALOGUE_IDS = [statement.id for statement in CATALOGUE.all_statements()]
PROFESSION_IDS = [profession.id for profession in CATALOGUE.professions]
# The API's operations, read from the schema of an app that is never started (no database).
_SCHEMA_APP = create_app(
    settings=Settings(database_url="sqlite://", secret_key=TEST_SECRET, data_dir=Path("var"))
)
_PATHS = _SCHEMA_APP.openapi()["paths"]
OPERATIONS = sorted(f"{method.upper()} {path}" for path, ops in _PATHS.items() for method in ops)
# Schema-violating requests need something to violate: a parameter or the API key.
CASES = [
    (operation, mode)
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE
    or any(
        _PATHS[operation.split()[1]][operation.split()[0].lower()].get(key)
        for key in ("parameters", "security")
    )
]
API_EXAMPLES = 25  # per operation and generation mode: about 10 s per database in all
FORM_EXAMPLES = 300
FORM = {"content-type": "application/x-www-form-urlencoded"}
POST_EXAMPLES = 60
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- the JSON API -----------------------------------------------------------------------------


def _closed_round_with_answers(session: Session, catalogue: Catalogue, world: World) -> Round:
    """A closed round of team A with k answers, so results and exports have rows to show."""
    assert world.team_a.id is not None
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=world.team_a.id,
        label="Lukket runde",
        theme_ids=[catalogue.themes[0].id],
        status="closed",
    )
    session.commit()
    assert round_.id is not None
    statements = catalogue.themes[0].statements
    for value, profession in ((3, "laerer"), (7, "laerer"), (None, None)):
        save_response(
            session=session,
            round_id=round_.id,
            respondent_key=new_respondent_key(),
            profession=profession,
            answers={s.id: Answer(value=value, comment="Fordi") for s in statements},
        )
    return round_


def _ndjson_rows_conform(schema: dict[str, Any]) -> Any:
    """A check for the JSON Lines export: every line matches the documented row schema.

    Schemathesis has no deserializer for application/x-ndjson, so it would check no row at all.
    """
    validator = jsonschema_rs.validator_for(schema)

    def ndjson_rows_conform(ctx: Any, response: Any, case: Any) -> bool | None:
        if response.status_code != 200:
            return None
        for line in response.content.decode("utf-8").splitlines():
            validator.validate(json.loads(line))
        return True

    return ndjson_rows_conform


def _ndjson_schema(schema: OpenApiSchema) -> dict[str, Any]:
    content = schema.raw_schema["paths"]["/api/eksport/svar"]["get"]["responses"]["200"]["content"]
    row_schema: dict[str, Any] = content["application/x-ndjson"]["schema"]
    return row_schema


def test_the_fuzzed_operations_are_the_apps_json_api() -> None:
    assert "GET /api/teams" in OPERATIONS
    assert all(operation.split()[1].startswith(("/api/", "/healthz")) for operation in OPERATIONS)


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=lambda v: getattr(v, "value", v))
def test_json_api_answers_generated_requests_as_documented_and_never_with_a_server_error(
    operation: str, mode: GenerationMode, app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    closed = _closed_round_with_answers(session, catalogue, world)
    _, api_key = create_token(session=session, user=world.admin, name="Fuzz")
    session.commit()
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Unknown query parameters are ignored, as by most HTTP APIs; the schema does not forbid them.
    schema.config.generation.update(allow_extra_parameters=False)
    method, path = operation.split()
    api_operation = schema[path][method]
    # Operations declaring the API key get it (and only it: Schemathesis checks that leaving it
    # out is refused); the others are the pages' own JSON, reached with the admin's session.
    if api_operation.definition.raw.get("security"):
        auth: dict[str, Any] = {"headers": {"Authorization": f"Bearer {api_key}"}}
    else:
        cookie = session_cookie(app.state.secret_key, world.admin, engine=app.state.engine)
        auth = {"cookies": {"spindelvaev_session": cookie}}
    # Random ids rarely exist: half of the cases use the world's own.
    known = {"team_id": world.team_a.id, "round_id": closed.id}
    path_parameters = {name: value for name, value in known.items() if "{" + name + "}" in path}
    strategy = api_operation.as_strategy(generation_mode=mode)
    if path_parameters and mode is GenerationMode.POSITIVE:
        strategy = strategy | api_operation.as_strategy(path_parameters=path_parameters)
    checks: dict[str, Any] = {}
    if path == "/api/eksport/svar":
        checks["additional_checks"] = [_ndjson_rows_conform(_ndjson_schema(schema))]
        # A schema cannot say "fra before til" or "a theme of the catalogue": valid-looking
        # requests get the documented 422 there. And the optional filters' negative values
        # (null turned into [], say) go on the wire as a blank or not at all, which is a valid
        # request: Schemathesis then reports a refusal that never was (its issues #3962, #4600).
        # test_export_filters_that_are_not_what_the_schema_says_are_refused covers those.
        checks["excluded_checks"] = [positive_data_acceptance, negative_data_rejection]

    @settings(FUZZ, max_examples=API_EXAMPLES)
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(**checks, **auth)

    call()


# --- the scoring form's parser ----------------------------------------------------------------

_ids = st.sampled_from(CATALOGUE_IDS) | st.text(max_size=12)
_names = st.one_of(
    st.builds(lambda sid: SCORE_PREFIX + sid, _ids),
    st.builds(lambda sid: COMMENT_PREFIX + sid, _ids),
    st.sampled_from([PROFESSION_FIELD, CSRF_FIELD, SCORE_PREFIX, COMMENT_PREFIX]),
    st.text(max_size=12),
)
_values = st.one_of(
    st.sampled_from([*(str(n) for n in range(0, 12)), DONT_KNOW, "", " 5", "05", "²", "١"]),
    st.sampled_from(PROFESSION_IDS),
    st.text(max_size=20),
    st.text(min_size=MAX_COMMENT_LENGTH - 2, max_size=MAX_COMMENT_LENGTH + 3),
    st.just(UploadFile(file=None, filename="x.txt")),  # type: ignore[arg-type]
)
_fields = st.lists(st.tuples(_names, _values), max_size=25)


def _parse(fields: Sequence[tuple[str, object]]) -> Any:
    return parse_submission(
        fields=fields,
        round_statement_ids=set(ROUND_IDS),
        catalogue_statement_ids=set(CATALOGUE_IDS),
        profession_ids=set(PROFESSION_IDS),
        ignore={CSRF_FIELD},
    )


@settings(FUZZ, max_examples=FORM_EXAMPLES)
@given(fields=_fields)
def test_scoring_parser_never_raises_and_stores_only_answers_on_the_scale(
    fields: list[tuple[str, object]],
) -> None:
    submission = _parse(fields)
    for statement_id, answer in submission.answers.items():
        assert statement_id in ROUND_IDS
        assert answer.value is None or answer.value in SCALE
        assert answer.comment is None or 0 < len(answer.comment) <= MAX_COMMENT_LENGTH
    assert submission.profession is None or submission.profession in PROFESSION_IDS


@settings(FUZZ, max_examples=FORM_EXAMPLES)
@given(fields=_fields)
def test_scoring_parser_gives_either_answers_to_store_or_errors_never_both(
    fields: list[tuple[str, object]],
) -> None:
    submission = _parse(fields)
    assert bool(submission.answers) != bool(submission.errors)


@settings(FUZZ, max_examples=FORM_EXAMPLES)
@given(fields=_fields)
def test_an_accepted_scoring_form_is_stored_exactly_as_it_was_filled_in(
    fields: list[tuple[str, object]],
) -> None:
    submission = _parse(fields)
    if submission.errors:
        return
    entered = {
        name.removeprefix(SCORE_PREFIX): value
        for name, value in fields
        if name.startswith(SCORE_PREFIX) and value != ""
    }
    expected = {
        sid: None if value == DONT_KNOW else int(str(value)) for sid, value in entered.items()
    }
    assert {sid: answer.value for sid, answer in submission.answers.items()} == expected


def test_scoring_form_with_a_problem_keeps_what_was_entered_but_offers_nothing_to_store() -> None:
    good, bad = ROUND_IDS[0], ROUND_IDS[1]
    submission = _parse([(SCORE_PREFIX + good, "7"), (SCORE_PREFIX + bad, "11")])
    assert set(submission.errors) == {bad}
    assert submission.answers == {}
    assert submission.values == {good: "7", bad: "11"}


# --- the plan's action form -------------------------------------------------------------------

_text = st.text(max_size=30) | st.text(min_size=195, max_size=205) | st.just("")
_action = st.fixed_dictionaries(
    {
        "what": _text | st.text(min_size=995, max_size=1005),
        "who": _text,
        "due_on": st.sampled_from(["", "2026-11-22", "2026-02-30", "22-11-2026"])
        | st.dates().map(date.isoformat)
        | st.text(max_size=12),
        "status": st.sampled_from(sorted(ACTION_STATUSES)) | st.text(max_size=12),
        "priority_id": st.sampled_from(["", "1", "2", "9", "²", "١", "-1", "99999999999999999999"])
        | st.text(max_size=6),
    }
)


@settings(FUZZ, max_examples=FORM_EXAMPLES)
@given(action=_action, allowed=st.sets(st.integers(min_value=1, max_value=9)))
def test_plan_action_is_either_refused_in_danish_or_clean_enough_to_store(
    action: dict[str, str], allowed: set[int]
) -> None:
    try:
        read = read_action(action, allowed_priorities=allowed)
    except InvalidInput as refusal:
        assert refusal.message
        assert "Field" not in refusal.message and "should" not in refusal.message  # not English
        return
    assert 0 < len(read.what) <= 1000
    assert len(read.who) <= 200
    assert "\x00" not in read.what + read.who, "PostgreSQL cannot store NUL characters"
    assert read.status in ACTION_STATUSES
    assert read.due_on is None or isinstance(read.due_on, date)
    assert read.priority_id is None or read.priority_id in allowed


def test_plan_action_with_a_superscript_digit_as_priority_gets_no_priority_not_a_crash() -> None:
    typed = {"what": "Ny dagsorden", "who": "", "due_on": "", "status": "i_gang"}
    assert read_action(typed | {"priority_id": "²"}, allowed_priorities={2}).priority_id is None


def test_plan_action_drops_nul_characters_the_database_cannot_store() -> None:
    typed = {"what": "Fast\x00 dagsorden", "who": "Tove\x00", "due_on": "", "status": "i_gang"}
    read = read_action(typed | {"priority_id": ""}, allowed_priorities=set())
    assert (read.what, read.who) == ("Fast dagsorden", "Tove")


# --- the scoring POST: all or nothing ---------------------------------------------------------


Stored = dict[str, dict[str, tuple[int | None, str | None]]]


def _stored(session: Session, round_id: int) -> Stored:
    """Every response of the round: its public id -> statement -> (value, comment)."""
    session.expire_all()
    rows = session.exec(
        select(Response.public_id, Score.statement_id, Score.value, Score.comment)
        .join(Score, col(Score.response_id) == col(Response.id))
        .where(Response.round_id == round_id)
    ).all()
    responses = session.exec(select(Response.public_id).where(Response.round_id == round_id))
    stored: Stored = {public_id: {} for public_id in responses.all()}
    for public_id, statement_id, value, comment in rows:
        stored[public_id][statement_id] = (value, comment)
    return stored


_honest_answers = st.dictionaries(
    st.sampled_from(ROUND_IDS),
    st.tuples(st.sampled_from([*(str(n) for n in SCALE), DONT_KNOW]), st.text(max_size=40)),
).map(
    lambda answers: [
        pair
        for sid, (value, comment) in answers.items()
        for pair in ((SCORE_PREFIX + sid, value), (COMMENT_PREFIX + sid, comment))
    ]
)
_noise = st.lists(st.tuples(_names, _values.filter(lambda v: isinstance(v, str))), max_size=4)
# A form as a phone sends it, with (half the time) some of anything added.
_post_fields = st.builds(
    lambda honest, noise, where: [*honest[:where], *noise, *honest[where:]],
    _honest_answers,
    st.just([]) | _noise,
    st.integers(min_value=0, max_value=20),
)


def test_scoring_post_stores_a_random_form_whole_or_not_at_all(
    app: FastAPI, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    round_id = world.round_a.id
    assert round_id is not None
    # Every example is a new phone: room for all of them (the cap has tests of its own).
    world.round_a.team_size = 10_000
    session.commit()
    secret = app.state.secret_key
    url = f"/r/{world.round_a.join_code}"

    returning_key = new_respondent_key()  # a phone that answered before and now changes
    save_response(
        session=session,
        round_id=round_id,
        respondent_key=returning_key,
        profession=None,
        answers={ROUND_IDS[0]: Answer(value=4, comment="Før")},
    )
    client = TestClient(app)  # no lifespan: leaving it would dispose of the shared engine
    accepted: list[int] = []

    @settings(FUZZ, max_examples=POST_EXAMPLES)
    @given(fields=_post_fields, returning=st.booleans())
    def post(fields: list[tuple[str, str]], returning: bool) -> None:
        key = returning_key if returning else new_respondent_key()
        before = _stored(session, round_id)
        client.cookies.clear()
        client.cookies.set(key_cookie_name(round_id), key)
        form = [(CSRF_FIELD, respondent_token(secret, round_id, key)), *fields]
        answer = client.post(url, content=urlencode(form), headers=FORM, follow_redirects=False)
        # 403: the form's token field was sent again, so the form cannot be trusted.
        assert answer.status_code in (303, 403, 422), answer.text[:300]
        after = _stored(session, round_id)
        if answer.status_code != 303:
            assert after == before, "a refused submission changed what was stored"
            return
        accepted.append(answer.status_code)
        response = find_response(session=session, round_id=round_id, respondent_key=key)
        assert response is not None
        expected = _parse(fields).answers
        assert after[response.public_id] == {
            sid: (answer.value, answer.comment) for sid, answer in expected.items()
        }
        others = {pid: scores for pid, scores in after.items() if pid != response.public_id}
        assert others == {pid: s for pid, s in before.items() if pid != response.public_id}

    post()
    assert accepted, "no generated form was accepted: the strategy tests only refusals"


# --- what the fuzzing found, one regression test each -----------------------------------------


def test_scoring_form_with_an_unknown_profession_offers_no_profession_to_store() -> None:
    submission = _parse([(SCORE_PREFIX + ROUND_IDS[0], "7"), (PROFESSION_FIELD, "astronaut")])
    assert set(submission.errors) == {PROFESSION_FIELD}
    assert submission.profession is None
    assert submission.entered_profession == "astronaut"


def test_scoring_form_with_a_non_ascii_token_is_refused_not_a_crash(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    client.cookies.set(key_cookie_name(world.round_a.id or 0), new_respondent_key())
    before = _stored(session, world.round_a.id or 0)
    form = {CSRF_FIELD: "æøå", SCORE_PREFIX + ROUND_IDS[0]: "7"}
    answer = client.post(f"/r/{world.round_a.join_code}", data=form)
    assert answer.status_code == 403
    assert _stored(session, world.round_a.id or 0) == before


def test_login_form_with_a_non_ascii_csrf_token_is_refused_not_a_crash(client: TestClient) -> None:
    answer = client.post("/login", data={CSRF_FIELD: "æøå", "email": "a@b.dk", "password": "x"})
    assert answer.status_code == 403


@pytest.mark.parametrize("team_id", [2**31, 2**63, 10**20, -(10**20)])
def test_api_id_beyond_the_databases_integers_is_not_found_not_a_crash(
    team_id: int, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    act_as(client, TEST_SECRET.get_secret_value(), world.admin)
    answer = client.get(f"/api/teams/{team_id}/runder")
    assert answer.status_code == 404


def test_page_id_beyond_the_databases_integers_is_not_found_not_a_crash(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    act_as(client, TEST_SECRET.get_secret_value(), world.admin)
    answer = client.get(f"/teams/{10**20}")
    assert answer.status_code == 404
    assert "findes" in answer.text


def test_nul_character_in_a_login_is_refused_not_a_crash(client: TestClient) -> None:
    answer = client.post(
        "/login",
        data={CSRF_FIELD: _login_token(client), "email": "a\x00b@kommune.dk", "password": "x"},
    )
    assert answer.status_code == 422


def test_nul_character_in_a_round_link_is_refused_not_a_crash(client: TestClient) -> None:
    assert client.get("/s/abc%00def").status_code in (404, 422)


def test_export_date_must_be_an_iso_date_not_a_unix_time(
    client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    act_as(client, TEST_SECRET.get_secret_value(), world.admin)
    answer = client.get("/api/eksport/svar?fra=0")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "fra"]


@pytest.mark.parametrize(
    "query", ["team=abc", "enhed=1.5", "fra=2026-02-30", "til=i%20g%C3%A5r", "team=1&team=x"]
)
def test_export_filters_that_are_not_what_the_schema_says_are_refused(
    query: str, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    world = build_world(session, catalogue)
    act_as(client, TEST_SECRET.get_secret_value(), world.admin)
    answer = client.get(f"/api/eksport/svar?{query}")
    assert answer.status_code == 422


def _login_token(client: TestClient) -> str:
    page = client.get("/login").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

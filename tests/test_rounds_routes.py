"""The facilitator's rounds: creating, opening, closing, reopening, deleting, live count, QR."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import segno
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.core.formatting import LOCAL_TIME, month_label
from app.core.rounds import PALETTE
from app.core.scoring import Answer
from app.db.models import Response, Round, RoundStatement, Team, TeamFacilitator, Unit, User
from app.db.responses import new_respondent_key, save_response
from app.db.rounds import create_round
from app.themes import Catalogue
from app.web.auth import get_optional_user
from tests.html import parse, text_of


@dataclass
class Setup:
    team_id: int
    other_team_id: int
    facilitator: User
    outsider: User
    admin: User


@pytest.fixture
def setup(session: Session) -> Setup:
    unit = Unit(name="Dagtilbud Test")
    session.add(unit)
    session.flush()
    team = Team(name="Børnehuset", unit_id=unit.id, expected_size=9)
    other = Team(name="Skolen", unit_id=unit.id, expected_size=5)
    facilitator = User(email="tove@test.example", name="Tove", role="facilitator")
    outsider = User(email="otto@test.example", name="Otto", role="facilitator")
    admin = User(email="anne@test.example", name="Anne", role="admin")
    session.add_all([team, other, facilitator, outsider, admin])
    session.flush()
    assert team.id and other.id and facilitator.id and outsider.id
    session.add(TeamFacilitator(team_id=team.id, user_id=facilitator.id))
    session.add(TeamFacilitator(team_id=other.id, user_id=outsider.id))
    session.commit()
    for user in (facilitator, outsider, admin):
        session.refresh(user)
        session.expunge(user)
    return Setup(team.id, other.id, facilitator, outsider, admin)


class LogIn:
    """Switches who the app thinks is logged in."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def __call__(self, user: User | None) -> None:
        self.app.dependency_overrides[get_optional_user] = lambda: user


@pytest.fixture
def log_in(app: FastAPI, setup: Setup) -> Iterator[LogIn]:
    switch = LogIn(app)
    switch(setup.facilitator)
    yield switch
    app.dependency_overrides.pop(get_optional_user, None)


def _token(client: TestClient, path: str) -> str:
    field = parse(client.get(path).text).select_one("input[name=csrf_token]")
    assert field is not None, path
    return str(field["value"])


def _round(session: Session, catalogue: Catalogue, team_id: int, status: str = "open") -> Round:
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team_id,
        label="Marts 2027",
        theme_ids=["moeder", "deltagelse"],
        status=status,
    )
    session.commit()
    session.refresh(round_)
    return round_


def _answer(session: Session, round_: Round) -> None:
    assert round_.id is not None
    statement_id = session.exec(
        select(RoundStatement.statement_id).where(RoundStatement.round_id == round_.id)
    ).first()
    assert statement_id is not None
    save_response(
        session=session,
        round_id=round_.id,
        respondent_key=new_respondent_key(),
        profession=None,
        answers={statement_id: Answer(value=5)},
    )


def _fresh(session: Session, round_id: int) -> Round | None:
    session.expire_all()
    return session.get(Round, round_id)


# --- creating -----------------------------------------------------------------------------


def test_new_round_form_defaults_to_this_month_and_one_theme(
    client: TestClient, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    html = client.get(f"/teams/{setup.team_id}/runder/ny").text
    page = parse(html)
    label = page.select_one("input#label")
    assert label is not None
    assert label["value"] == month_label(datetime.now(LOCAL_TIME).date())
    boxes = page.select("input[name=themes]")
    assert [box["value"] for box in boxes] == [theme.id for theme in catalogue.themes]
    # A new team has scored no theme yet: the first of the catalogue is suggested, alone.
    assert [box["value"] for box in boxes if box.has_attr("checked")] == [catalogue.themes[0].id]
    assert "Materialet arbejder med ét spindelvæv ad gangen" in text_of(html)
    assert "Forslag: et tema, I ikke har målt endnu" in text_of(html)
    assert page.select_one("input#closes_at[type=datetime-local]") is not None
    assert page.select_one("label[for=label]") is not None


def test_new_round_suggests_the_theme_the_team_has_gone_longest_without(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    ids = [theme.id for theme in catalogue.themes]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Every theme scored once, the third longest ago; then the first again.
    for offset, theme_id in [(5, ids[0]), (1, ids[2]), (2, ids[1]), (3, ids[3]), (4, ids[4])]:
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=setup.team_id,
            label=f"R{offset}",
            theme_ids=[theme_id],
            status="closed",
        )
        round_.opened_at = start + timedelta(days=30 * offset)
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=setup.team_id,
        label="R6",
        theme_ids=ids[5:],
        status="closed",
    )
    round_.opened_at = start + timedelta(days=200)
    session.commit()
    page = parse(client.get(f"/teams/{setup.team_id}/runder/ny").text)
    checked = [box["value"] for box in page.select("input[name=themes][checked]")]
    assert checked == [ids[2]]
    suggested = page.select_one(".suggested")
    assert suggested is not None
    assert ids[2] in str(suggested.find_parent("label"))
    assert suggested.get_text() == "Forslag: det tema, I længst har været uden"


def test_creating_a_round_snapshots_its_themes_and_shows_its_page(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    path = f"/teams/{setup.team_id}/runder/ny"
    form = {
        "csrf_token": _token(client, path),
        "label": "  Forår 2027 ",
        "themes": ["moeder", "ledelse"],
        "closes_at": "2099-03-01T14:30",
        "open_now": "1",
    }
    reply = client.post(path, data=form, follow_redirects=False)
    assert reply.status_code == 303
    round_ = session.exec(select(Round)).one()
    assert reply.headers["location"] == f"/runder/{round_.id}"
    assert round_.label == "Forår 2027" and round_.status == "open"
    assert round_.themes == ["ledelse", "moeder"]  # catalogue order
    assert round_.colour == PALETTE[0]
    assert round_.closes_at == datetime(2099, 3, 1, 14, 30, tzinfo=LOCAL_TIME)
    assert round_.opened_at is not None
    count = len(catalogue.theme("ledelse").statements) + len(catalogue.theme("moeder").statements)
    statements = session.exec(select(RoundStatement).where(RoundStatement.round_id == round_.id))
    assert len(statements.all()) == count


def test_a_round_can_be_created_as_a_draft(
    client: TestClient, session: Session, setup: Setup, log_in: LogIn
) -> None:
    path = f"/teams/{setup.team_id}/runder/ny"
    form = {"csrf_token": _token(client, path), "label": "Kladde", "themes": ["moeder"]}
    client.post(path, data=form)
    round_ = session.exec(select(Round)).one()
    assert round_.status == "draft" and round_.opened_at is None and round_.closes_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"themes": []}, "Vælg mindst ét af katalogets temaer."),
        ({"themes": ["ukendt"]}, "Vælg mindst ét af katalogets temaer."),
        ({"label": "   "}, "Udfyld feltet »Navn på runden«."),
        ({"label": "x" * 101}, "Feltet »Navn på runden« må højst være 100 tegn."),
        ({"closes_at": "2020-01-01T10:00"}, "Lukketidspunktet skal ligge i fremtiden."),
        ({"closes_at": "i morgen"}, "Lukketidspunktet kunne ikke læses"),
    ],
)
def test_a_round_form_with_a_problem_is_shown_again_and_nothing_is_created(
    client: TestClient,
    session: Session,
    setup: Setup,
    log_in: LogIn,
    change: dict[str, object],
    message: str,
) -> None:
    path = f"/teams/{setup.team_id}/runder/ny"
    form: dict[str, object] = {
        "csrf_token": _token(client, path),
        "label": "Forår",
        "themes": ["moeder"],
    }
    reply = client.post(path, data=form | change)  # type: ignore[arg-type]
    assert reply.status_code == 422
    assert message in text_of(reply.text)
    assert session.exec(select(Round)).all() == []
    assert session.exec(select(RoundStatement)).all() == []


def test_creating_without_the_csrf_token_changes_nothing(
    client: TestClient, session: Session, setup: Setup, log_in: LogIn
) -> None:
    path = f"/teams/{setup.team_id}/runder/ny"
    reply = client.post(path, data={"label": "X", "themes": ["moeder"]})
    assert reply.status_code == 403
    assert session.exec(select(Round)).all() == []


def test_each_new_round_of_a_team_gets_the_next_colour(
    client: TestClient, session: Session, setup: Setup, log_in: LogIn
) -> None:
    path = f"/teams/{setup.team_id}/runder/ny"
    for label in ("Første", "Anden"):
        client.post(
            path, data={"csrf_token": _token(client, path), "label": label, "themes": ["moeder"]}
        )
    colours = session.exec(select(Round.colour).order_by(col(Round.id))).all()
    assert colours == [PALETTE[0], PALETTE[1]]


# --- the round page -----------------------------------------------------------------------


def test_round_page_shows_status_code_link_themes_and_the_live_count(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    _answer(session, round_)
    reply = client.get(f"/runder/{round_.id}")
    assert reply.status_code == 200
    page = parse(reply.text)
    text = text_of(reply.text)
    assert "Marts 2027" in text and "Åben for svar" in text
    assert round_.join_code in text
    assert f"http://testserver/r/{round_.join_code}" in text
    assert "1 af 9 har svaret" in text
    live = page.select_one("#live")
    assert live is not None and live["data-status-url"] == f"/api/runder/{round_.id}/status"
    swatch = page.select_one("h1 .swatch")
    assert swatch is not None and round_.colour in str(swatch["style"])
    for theme_id in ("moeder", "deltagelse"):
        assert catalogue.theme(theme_id).title in text
    assert page.select_one(f"a[href='/runder/{round_.id}/deltag']") is not None
    # An open round has no results to link to: only its count.
    assert page.select_one(f"a[href='/runder/{round_.id}/resultater']") is None
    assert page.select_one(f"form[action='/runder/{round_.id}/luk']") is not None
    assert page.select_one(f"form[action='/runder/{round_.id}/slet']") is None
    assert "kan ikke slettes, fordi der er svar" in text
    assert page.select_one("script[src='/static/round.js']") is not None
    assert not [s for s in page.find_all("script") if not s.get("src")]


def test_status_endpoint_gives_status_answers_and_expected(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    assert client.get(f"/api/runder/{round_.id}/status").json() == {
        "status": "open",
        "status_label": "Åben for svar",
        "answers": 0,
        "expected": 9,
    }
    _answer(session, round_)
    _answer(session, round_)
    assert client.get(f"/api/runder/{round_.id}/status").json()["answers"] == 2


# --- open, close, reopen, delete ------------------------------------------------------------


def _post(client: TestClient, round_id: int, action: str) -> int:
    token = _token(client, f"/runder/{round_id}")
    form = {"csrf_token": token, "confirm": "ja"}  # closing asks first (tests/test_meeting_ui.py)
    reply = client.post(f"/runder/{round_id}/{action}", data=form, follow_redirects=False)
    return reply.status_code


def test_open_close_and_reopen_move_the_round_and_respondents_notice(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id, status="draft")
    assert round_.id is not None
    assert client.get(f"/r/{round_.join_code}").status_code == 409
    assert _post(client, round_.id, "aabn") == 303
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "open" and fresh.opened_at
    assert client.get(f"/r/{round_.join_code}").status_code == 200
    assert _post(client, round_.id, "luk") == 303
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "closed" and fresh.closed_at
    assert client.get(f"/r/{round_.join_code}").status_code == 409
    assert _post(client, round_.id, "genaabn") == 303
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "open"
    assert fresh.closed_at is None


def test_a_closed_round_is_reopened_not_opened(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id, status="closed")
    assert round_.id is not None
    token = _token(client, f"/runder/{round_.id}")
    reply = client.post(f"/runder/{round_.id}/aabn", data={"csrf_token": token})
    assert reply.status_code == 409
    assert "Genåbn runden" in text_of(reply.text)


def test_a_round_whose_results_were_discussed_cannot_be_reopened(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id, status="closed")
    round_.discussed_at = datetime.now(UTC)
    session.commit()
    assert round_.id is not None
    page = parse(client.get(f"/runder/{round_.id}").text)
    assert page.select_one(f"form[action='/runder/{round_.id}/genaabn']") is None
    token = _token(client, f"/runder/{round_.id}")
    reply = client.post(f"/runder/{round_.id}/genaabn", data={"csrf_token": token})
    assert reply.status_code == 409
    assert "Opret en ny runde i stedet" in text_of(reply.text)
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "closed"


def test_a_passed_closing_time_closes_the_round_everywhere_and_reopen_clears_it(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    round_.closes_at = datetime.now(UTC) - timedelta(minutes=5)
    session.commit()
    assert round_.id is not None
    assert client.get(f"/api/runder/{round_.id}/status").json()["status"] == "closed"
    assert "Lukket" in text_of(client.get(f"/runder/{round_.id}").text)
    assert client.get(f"/r/{round_.join_code}").status_code == 409
    assert _post(client, round_.id, "genaabn") == 303
    fresh = _fresh(session, round_.id)
    assert fresh is not None and fresh.status == "open" and fresh.closes_at is None
    assert client.get(f"/r/{round_.join_code}").status_code == 200


def test_a_round_without_answers_can_be_deleted(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    assert round_.id is not None
    token = _token(client, f"/runder/{round_.id}")
    reply = client.post(
        f"/runder/{round_.id}/slet", data={"csrf_token": token}, follow_redirects=False
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/teams/{setup.team_id}"
    assert _fresh(session, round_.id) is None
    assert session.exec(select(RoundStatement)).all() == []


def test_a_round_with_answers_cannot_be_deleted(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    assert round_.id is not None
    _answer(session, round_)
    token = _token(client, f"/runder/{round_.id}")
    reply = client.post(f"/runder/{round_.id}/slet", data={"csrf_token": token})
    assert reply.status_code == 409
    assert "kan ikke slettes, fordi der er kommet svar" in text_of(reply.text)
    assert _fresh(session, round_.id) is not None
    assert len(session.exec(select(Response)).all()) == 1


def test_buttons_without_the_csrf_token_change_nothing(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    assert round_.id is not None
    for action in ("luk", "slet"):
        assert client.post(f"/runder/{round_.id}/{action}").status_code == 403
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "open"


# --- projector page -----------------------------------------------------------------------


def test_join_page_shows_a_qr_code_of_the_short_link_and_the_code(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    reply = client.get(f"/runder/{round_.id}/deltag")
    assert reply.status_code == 200
    page = parse(reply.text)
    svg = page.select_one("figure.qr svg")
    assert svg is not None
    link = f"http://testserver/r/{round_.join_code}"
    expected = parse(segno.make(link, error="m", micro=False).svg_inline(omitsize=True))
    path, expected_path = svg.select_one("path"), expected.select_one("path")
    assert path is not None and expected_path is not None
    assert path["d"] == expected_path["d"]
    code = page.select_one(".big-code")
    assert code is not None and code.get_text() == round_.join_code
    big_link = page.select_one(".big-link")
    assert big_link is not None and big_link.get_text() == f"testserver/r/{round_.join_code}"
    assert not page.find_all(["img", "script"], src=lambda s: s and "://" in s)


def test_join_page_warns_when_the_round_is_not_open(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id, status="draft")
    assert "Runden er ikke åben" in text_of(client.get(f"/runder/{round_.id}/deltag").text)


# --- access -------------------------------------------------------------------------------


def _round_paths(round_id: int) -> list[str]:
    return [f"/runder/{round_id}", f"/runder/{round_id}/deltag", f"/api/runder/{round_id}/status"]


def test_a_facilitator_of_another_team_gets_403_everywhere(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    assert round_.id is not None
    token = _token(client, f"/runder/{round_.id}")
    log_in(setup.outsider)
    for path in _round_paths(round_.id):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/teams/{setup.team_id}/runder/ny").status_code == 403
    for action in ("aabn", "luk", "genaabn", "slet"):
        reply = client.post(f"/runder/{round_.id}/{action}", data={"csrf_token": token})
        assert reply.status_code == 403, action
    reply = client.post(
        f"/teams/{setup.team_id}/runder/ny",
        data={"csrf_token": token, "label": "X", "themes": ["moeder"]},
    )
    assert reply.status_code == 403
    assert (fresh := _fresh(session, round_.id)) and fresh.status == "open"
    assert len(session.exec(select(Round)).all()) == 1


def test_an_admin_may_manage_every_teams_rounds(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.other_team_id)
    assert round_.id is not None
    log_in(setup.admin)
    for path in _round_paths(round_.id):
        assert client.get(path).status_code == 200, path


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_answers_401(
    client: TestClient, session: Session, catalogue: Catalogue, setup: Setup, log_in: LogIn
) -> None:
    round_ = _round(session, catalogue, setup.team_id)
    log_in(None)
    reply = client.get(f"/runder/{round_.id}", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=")
    assert client.get(f"/api/runder/{round_.id}/status").status_code == 401


def test_an_unknown_round_or_team_is_404(client: TestClient, setup: Setup, log_in: LogIn) -> None:
    assert client.get("/runder/999999").status_code == 404
    assert client.get("/api/runder/999999/status").status_code == 404
    assert client.get("/teams/999999/runder/ny").status_code == 404

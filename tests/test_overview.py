"""The municipality's overview of every team and its roll-up, on a hand-computed example.

Two units, four teams, one theme and its first two statements (s1, s2); k = 3.

| unit | team | answers (s1; s2)          | s1 | s2 | theme (all answers) |
|------|------|---------------------------|----|----|---------------------|
| Nord | A    | 4, 5, 6; 6, 6, 6          | 5  | 6  | 33 / 6 = 5,5        |
| Nord | B    | 7, 7, 7; 8, 8, 8          | 7  | 8  | 45 / 6 = 7,5        |
| Syd  | C    | 2, 3, 4; 4, 4, 4          | 3  | 4  | 21 / 6 = 3,5        |
| Syd  | D    | 10, 10; 10, 10 (k-1 svar) | –  | –  | for få svar         |

Roll-up of the theme: Nord = mean of 5,5 and 7,5 = 6,5, spread 1,0, range 5,5-7,5; Syd = C alone
(3,5, "kun ét team"); the municipality = mean of 5,5, 7,5, 3,5 = 5,5, spread sqrt(8/3) = 1,63,
range 3,5-7,5. Statement s1: municipality 5,0 (spread 1,63, range 3-7). D would pull every one of
these up if its two answers counted.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from bs4 import Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.rounds import PALETTE
from app.db.models import Team, User
from app.db.overview import Period, default_period, months_before, rollup, team_overview
from app.themes import Catalogue
from tests.html import parse
from tests.test_export import Answers, make_team, scored_round, statement_ids
from tests.world import act_as

K = 3
PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
IN_PERIOD = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPREAD_OF_THREE = (8 / 3) ** 0.5  # population std dev of x-2, x, x+2


@dataclass
class Example:
    theme: str
    s1: str
    s2: str
    a: Team
    b: Team
    c: Team
    d: Team

    @property
    def nord(self) -> int:
        return self.a.unit_id

    @property
    def syd(self) -> int:
        return self.c.unit_id


def build_example(session: Session, catalogue: Catalogue) -> Example:
    """The four teams of the module docstring, each with one closed round in PERIOD."""
    s1, s2 = statement_ids(catalogue)
    a = make_team(session, "Enhed Nord", "Team A")
    b = make_team(session, "Enhed Nord", "Team B")
    c = make_team(session, "Enhed Syd", "Team C")
    d = make_team(session, "Enhed Syd", "Team D")
    answers = [
        (a, [(4, 6), (5, 6), (6, 6)]),
        (b, [(7, 8), (7, 8), (7, 8)]),
        (c, [(2, 4), (3, 4), (4, 4)]),
        (d, [(10, 10), (10, 10)]),  # k - 1 responses
    ]
    for team, pairs in answers:
        given: list[tuple[str | None, Answers]] = [(None, {s1: one, s2: two}) for one, two in pairs]
        scored_round(session, catalogue, team, given, opened=IN_PERIOD)
    return Example(catalogue.themes[0].id, s1, s2, a, b, c, d)


def admin_client(app: FastAPI, client: TestClient, session: Session) -> TestClient:
    admin = User(email="admin@kommune.dk", name="Admin", role="admin")
    session.add(admin)
    session.commit()
    session.refresh(admin)
    act_as(client, app.state.settings.signing_key(), admin)
    return client


def row_text(html: str, row_id: str) -> str:
    row = parse(html).find(id=row_id)
    assert isinstance(row, Tag), f"no row {row_id}"
    return " ".join(row.get_text(" ").split())


def cells(html: str, row_id: str) -> list[str]:
    row = parse(html).find(id=row_id)
    assert isinstance(row, Tag), f"no row {row_id}"
    return [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]


# -- periods -----------------------------------------------------------------------------------


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    assert PERIOD.days == 181
    assert PERIOD.previous() == Period(date(2025, 7, 4), date(2025, 12, 31))
    assert PERIOD.previous().days == 181


def test_the_default_period_is_the_last_six_calendar_months_up_to_today() -> None:
    assert default_period(date(2026, 11, 30)) == Period(date(2026, 6, 1), date(2026, 11, 30))
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)


# -- the roll-up -------------------------------------------------------------------------------


def test_rollup_gives_the_mean_spread_and_range_of_team_means_per_unit_and_municipality(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    result = rollup(session=session, period=PERIOD, k=K, min_share=0.0)

    nord = result.theme(ex.nord, ex.theme)
    assert nord is not None
    assert (nord.teams, nord.mean, nord.std_dev) == (2, pytest.approx(6.5), pytest.approx(1.0))
    assert (nord.minimum, nord.maximum) == (pytest.approx(5.5), pytest.approx(7.5))
    everyone = result.theme(None, ex.theme)
    assert everyone is not None
    assert (everyone.teams, everyone.mean) == (3, pytest.approx(5.5))
    assert everyone.std_dev == pytest.approx(SPREAD_OF_THREE)
    assert (everyone.minimum, everyone.maximum) == (pytest.approx(3.5), pytest.approx(7.5))
    s1, s2 = result.statement(None, ex.s1), result.statement(None, ex.s2)
    assert s1 is not None and s2 is not None
    assert (s1.mean, s1.std_dev, s1.minimum, s1.maximum) == pytest.approx(
        (5.0, SPREAD_OF_THREE, 3.0, 7.0)
    )
    assert (s2.mean, s2.minimum, s2.maximum) == pytest.approx((6.0, 4.0, 8.0))


def test_a_team_whose_round_has_k_minus_one_answers_contributes_nothing(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    result = rollup(session=session, period=PERIOD, k=K, min_share=0.0)

    syd = result.theme(ex.syd, ex.theme)
    assert syd is not None
    assert syd.single_team and syd.mean == pytest.approx(3.5)  # C alone: D's 10s are not in it
    assert result.covered(ex.syd).teams == 1
    assert result.covered(ex.syd).left_out_teams == 1
    assert result.covered(None).left_out_rounds == 1
    assert result.covered(None).teams == 3


def test_a_team_with_several_rounds_counts_once_with_the_mean_of_its_round_means(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    later = IN_PERIOD + timedelta(days=30)
    scored_round(session, catalogue, ex.a, [(None, {ex.s1: 9})] * 4, opened=later)
    result = rollup(session=session, period=PERIOD, k=K, min_share=0.0)

    nord = result.statement(ex.nord, ex.s1)
    assert nord is not None
    # A: (5 + 9) / 2 = 7, not the pooled (15 + 36) / 7; B: 7. Two teams, not three.
    assert (nord.teams, nord.mean, nord.std_dev) == (2, pytest.approx(7.0), pytest.approx(0.0))


def test_the_period_keeps_rounds_held_outside_it_out_and_the_previous_period_gets_them(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    before = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
    scored_round(session, catalogue, ex.a, [(None, {ex.s1: 1})] * 3, opened=before)
    # 23.30 on 30 June in Copenhagen is still in the period; 00.30 on 1 July is not.
    last_evening = datetime(2026, 6, 30, 21, 30, tzinfo=UTC)
    scored_round(session, catalogue, ex.c, [(None, {ex.s1: 3})] * 3, opened=last_evening)
    after = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    scored_round(session, catalogue, ex.b, [(None, {ex.s1: 1})] * 3, opened=after)

    current = rollup(session=session, period=PERIOD, k=K, min_share=0.0)
    previous = rollup(session=session, period=PERIOD.previous(), k=K, min_share=0.0)

    assert current.statement(None, ex.s1) is not None
    assert current.statement(None, ex.s1).mean == pytest.approx(5.0)  # type: ignore[union-attr]
    assert current.covered(None).rounds == 4
    only_a = previous.statement(None, ex.s1)
    assert only_a is not None and (only_a.teams, only_a.mean) == (1, pytest.approx(1.0))


def test_only_closed_rounds_count_and_an_open_round_past_its_closing_time_is_closed(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    still_open = scored_round(
        session, catalogue, ex.b, [(None, {ex.s1: 1})] * 3, opened=IN_PERIOD, status="open"
    )
    result = rollup(session=session, period=PERIOD, k=K, min_share=0.0)
    assert result.statement(ex.nord, ex.s1).mean == pytest.approx(6.0)  # type: ignore[union-attr]

    still_open.closes_at = datetime.now(UTC) - timedelta(hours=1)
    session.add(still_open)
    session.commit()
    result = rollup(session=session, period=PERIOD, k=K, min_share=0.0)
    # B: (7 + 1) / 2 = 4; Nord: (5 + 4) / 2 = 4,5.
    assert result.statement(ex.nord, ex.s1).mean == pytest.approx(4.5)  # type: ignore[union-attr]


# -- the overview ------------------------------------------------------------------------------


def test_overview_gives_each_team_its_latest_closed_rounds_theme_means_or_too_few(
    session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    rows = {
        row.name: row
        for row in team_overview(
            session=session, k=K, min_share=0.0, stale_since=datetime(2000, 1, 1, tzinfo=UTC)
        )
    }

    assert [name for name in rows] == ["Team A", "Team B", "Team C", "Team D"]
    assert rows["Team A"].theme_means == {ex.theme: pytest.approx(5.5)}
    assert rows["Team A"].rounds == 1
    assert rows["Team A"].participation == pytest.approx(3 / 8)
    assert rows["Team D"].too_few
    assert rows["Team D"].theme_means == {}
    assert rows["Team D"].last_round is not None and rows["Team D"].last_round.responses == 2


def test_overview_page_says_for_faa_svar_for_a_team_below_k_and_shows_the_others_means(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    html = admin_client(app, client, session).get("/admin/oversigt").text

    a_row = row_text(html, f"team-{ex.a.id}")
    assert "5,5" in a_row and "Enhed Nord" in a_row and "3 af 8" in a_row
    d_row = row_text(html, f"team-{ex.d.id}")
    assert "for få svar" in d_row
    assert "10,0" not in d_row
    assert "for få svar" not in a_row


def test_overview_highlights_teams_without_a_round_in_the_chosen_number_of_months(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    s1 = statement_ids(catalogue)[0]
    now = datetime.now(UTC)
    recent = make_team(session, "Enhed Nord", "Team Nylig")
    scored_round(session, catalogue, recent, [(None, {s1: 5})] * 3, opened=now - timedelta(days=10))
    old = make_team(session, "Enhed Nord", "Team Gammel")
    scored_round(session, catalogue, old, [(None, {s1: 5})] * 3, opened=now - timedelta(days=200))
    never = make_team(session, "Enhed Nord", "Team Ny")
    admin_client(app, client, session)

    html = client.get("/admin/oversigt?maaneder=6").text
    page = parse(html)
    assert "stale" in (page.find(id=f"team-{old.id}").get("class") or [])  # type: ignore[union-attr]
    assert "Ingen runde i 6 måneder" in row_text(html, f"team-{old.id}")
    assert "Ingen runde endnu" in row_text(html, f"team-{never.id}")
    assert "Ingen runde" not in row_text(html, f"team-{recent.id}")
    assert "2 teams" in page.get_text()

    html = client.get("/admin/oversigt?maaneder=12").text
    assert "Ingen runde" not in row_text(html, f"team-{old.id}")


def test_overview_sorts_by_a_theme_column_through_the_links_in_its_header(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    admin_client(app, client, session)
    html = client.get(f"/admin/oversigt?sorter=tema-{ex.theme}&retning=ned").text
    page = parse(html)

    order = [row["id"] for row in page.select("tbody tr")]
    # B 7,5; A 5,5; C 3,5; D has no mean to show and comes last either way.
    assert order == [f"team-{team.id}" for team in (ex.b, ex.a, ex.c, ex.d)]
    header = page.find("th", attrs={"aria-sort": "descending"})
    assert isinstance(header, Tag)
    link = header.find("a")
    assert isinstance(link, Tag)
    assert f"sorter=tema-{ex.theme}" in str(link["href"]) and "retning=op" in str(link["href"])

    html = client.get(str(link["href"])).text
    order = [row["id"] for row in parse(html).select("tbody tr")]
    assert order == [f"team-{team.id}" for team in (ex.c, ex.a, ex.b, ex.d)]


def test_overview_filters_by_unit_and_by_period(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    admin_client(app, client, session)

    html = client.get(f"/admin/oversigt?enhed={ex.syd}").text
    assert [row["id"] for row in parse(html).select("tbody tr")] == [
        f"team-{ex.c.id}",
        f"team-{ex.d.id}",
    ]
    html = client.get("/admin/oversigt?fra=2026-04-01&til=2026-12-31").text
    a_cells = cells(html, f"team-{ex.a.id}")
    assert a_cells[3] == "0"  # no round of A was held in the period
    assert "5,5" not in a_cells


def test_overview_theme_filter_shows_that_themes_latest_closed_round_and_column_only(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    other = catalogue.themes[1]
    later = IN_PERIOD + timedelta(days=30)
    scored_round(
        session,
        catalogue,
        ex.a,
        [(None, {other.statements[0].id: 9})] * 3,
        opened=later,
        themes=[other.id],
    )
    admin_client(app, client, session)

    # The latest closed round of A did not score the example's theme: nothing to show for it.
    a_cells = cells(client.get("/admin/oversigt").text, f"team-{ex.a.id}")
    assert a_cells[7:9] == ["–", "9,0"]
    html = client.get(f"/admin/oversigt?tema={ex.theme}").text
    theme_headers = parse(html).select("thead tr:nth-of-type(2) th")
    assert [th["title"] for th in theme_headers] == [catalogue.themes[0].title]
    assert cells(html, f"team-{ex.a.id}")[7:] == ["5,5"]


# -- the roll-up page --------------------------------------------------------------------------


def test_rollup_page_shows_means_spreads_ranges_and_kun_et_team(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    admin_client(app, client, session)
    html = client.get("/admin/rollup?fra=2026-01-01&til=2026-06-30").text

    assert cells(html, f"tema-{ex.theme}-kommunen")[1:5] == ["3", "5,5", "1,6", "3,5–7,5"]
    assert cells(html, f"tema-{ex.theme}-{ex.nord}")[1:5] == ["2", "6,5", "1,0", "5,5–7,5"]
    assert cells(html, f"tema-{ex.theme}-{ex.syd}")[1:4] == ["1", "3,5", "kun ét team"]
    assert cells(html, f"udsagn-{ex.s1}")[1:5] == ["3", "5,0", "1,6", "3,0–7,0"]
    text = " ".join(parse(html).get_text(" ").split())
    assert "1 lukket runde med færre end 3 svar" in text


def test_rollup_page_for_a_unit_with_one_team_says_so_per_statement(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    admin_client(app, client, session)
    url = f"/admin/rollup?fra=2026-01-01&til=2026-06-30&enhed={ex.syd}&tema={ex.theme}"
    html = client.get(url).text

    assert "Udsagn: Enhed Syd" in parse(html).get_text()
    assert row_text(html, f"grundlag-{ex.syd}") == (
        "Enhed Syd: 1 team tæller med, med 1 lukket runde. 1 lukket runde med færre end 3 svar "
        "tæller ikke med; 1 team har kun sådanne runder og indgår slet ikke."
    )
    assert cells(html, f"udsagn-{ex.s1}")[1:4] == ["1", "3,0", "kun ét team"]


def radar_data(html: str) -> dict[str, Any]:
    source = parse(html).find("script", id="radar-rollup-data")
    assert isinstance(source, Tag), "no radar"
    data: dict[str, Any] = json.loads(source.get_text())
    return data


def test_rollup_radar_overlays_the_previous_period_in_another_colour_named_in_the_legend(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    ex = build_example(session, catalogue)
    before = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
    scored_round(session, catalogue, ex.a, [(None, {ex.s1: 2, ex.s2: 2})] * 3, opened=before)
    admin_client(app, client, session)
    html = client.get("/admin/rollup?fra=2026-01-01&til=2026-06-30").text

    figure = radar_data(html)
    traces = figure["data"]
    assert [trace["name"] for trace in traces] == [
        "Forrige periode (4. jul. 2025–31. dec. 2025)",
        "Valgt periode (1. jan. 2026–30. jun. 2026)",
    ]
    assert [trace["line"]["color"] for trace in traces] == [PALETTE[1], PALETTE[0]]
    assert traces[1]["fill"] == "toself" and traces[0]["line"]["dash"] != "solid"
    assert figure["layout"]["legend"]["title"]["text"].startswith("Perioder")
    # One axis per theme; the example's theme has 5,5 now and 2,0 before.
    assert len(traces[1]["theta"]) == len(catalogue.themes) + 1
    assert traces[1]["r"][0] == pytest.approx(5.5) and traces[0]["r"][0] == pytest.approx(2.0)


def test_rollup_without_any_team_with_enough_answers_shows_no_radar(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    admin_client(app, client, session)
    html = client.get("/admin/rollup?fra=2026-01-01&til=2026-06-30").text
    assert parse(html).find("script", id="radar-rollup-data") is None
    assert "har lukkede runder med mindst 3 svar" in parse(html).get_text()


# -- error paths and access --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/oversigt", "/admin/rollup"])
def test_a_reversed_period_is_refused_with_a_danish_message(
    path: str, app: FastAPI, client: TestClient, session: Session
) -> None:
    response = admin_client(app, client, session).get(f"{path}?fra=2026-06-30&til=2026-01-01")
    assert response.status_code == 422
    assert "Fra-datoen skal ligge før til-datoen." in response.text


@pytest.mark.parametrize("path", ["/admin/oversigt", "/admin/rollup"])
def test_an_unknown_theme_is_refused(
    path: str, app: FastAPI, client: TestClient, session: Session
) -> None:
    response = admin_client(app, client, session).get(f"{path}?tema=findes-ikke")
    assert response.status_code == 422
    assert "Temaet findes ikke i kataloget." in response.text


@pytest.mark.parametrize("path", ["/admin/oversigt", "/admin/rollup"])
def test_an_unknown_unit_is_not_found(
    path: str, app: FastAPI, client: TestClient, session: Session
) -> None:
    response = admin_client(app, client, session).get(f"{path}?enhed=999999")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/oversigt", "/admin/rollup"])
def test_a_facilitator_is_refused_and_an_anonymous_visitor_sent_to_log_in(
    path: str, app: FastAPI, client: TestClient, session: Session
) -> None:
    facilitator = User(email="f@kommune.dk", name="Tovholder", role="facilitator")
    session.add(facilitator)
    session.commit()
    session.refresh(facilitator)
    secret = app.state.settings.signing_key()

    act_as(client, secret, facilitator)
    assert client.get(path).status_code == 403
    act_as(client, secret, None)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_overview_flags_a_team_whose_planned_next_measurement_has_passed(
    app: FastAPI, client: TestClient, session: Session, catalogue: Catalogue
) -> None:
    s1 = statement_ids(catalogue)[0]
    now = datetime.now(UTC)
    today = now.date()
    late = make_team(session, "Enhed Nord", "Team Forsinket")
    on_time = make_team(session, "Enhed Nord", "Team I tide")
    remeasured = make_team(session, "Enhed Nord", "Team Målt igen")
    plans = [(late, -5), (on_time, 30), (remeasured, -5)]
    for team, days in plans:
        round_ = scored_round(
            session, catalogue, team, [(None, {s1: 5})] * 3, opened=now - timedelta(days=60)
        )
        round_.next_measurement_on = today + timedelta(days=days)
        session.add(round_)
    # A later round is the measurement the first one planned: nothing is overdue any more.
    scored_round(
        session, catalogue, remeasured, [(None, {s1: 6})] * 3, opened=now - timedelta(days=2)
    )
    session.commit()
    admin_client(app, client, session)

    html = client.get("/admin/oversigt").text
    assert "Næste måling var planlagt til" in row_text(html, f"team-{late.id}")
    assert "Næste måling var planlagt til" not in row_text(html, f"team-{on_time.id}")
    assert "Næste måling var planlagt til" not in row_text(html, f"team-{remeasured.id}")

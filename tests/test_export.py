"""The export: CSV for Danish Excel, XLSX, the codebook, and the small-group rule in all of them."""

import csv
import functools
import io
import json
import re
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.scoring import Answer
from app.db import export
from app.db.export import (
    COLUMN_HEADERS,
    COLUMN_NAMES,
    DANISH,
    INTERNATIONAL,
    CsvFormat,
    ExportFilter,
    ExportPlan,
    Row,
    codebook_markdown,
    csv_chunks,
    csv_field,
    export_rows,
    plan_export,
    write_export,
)
from app.db.models import Response, Round, RoundStatement, Team, Unit, User
from app.db.responses import save_response
from app.db.rounds import create_round
from app.themes import Catalogue, default_catalogue_path, load_catalogue
from tests.html import parse, text_of
from tests.world import World, act_as, build_world

K = 3  # the default min_group_size, which the app fixture uses
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Answers = dict[str, int | None]


def make_team(
    session: Session, unit_name: str = "Enhed Nord", name: str = "Team Nord", size: int = 8
) -> Team:
    """A team in a unit of that name (created if missing)."""
    unit = session.exec(select(Unit).where(Unit.name == unit_name)).first()
    if unit is None:
        unit = Unit(name=unit_name)
        session.add(unit)
        session.flush()
    team = Team(name=name, unit_id=unit.id, expected_size=size)
    session.add(team)
    session.commit()
    session.refresh(team)
    return team


def scored_round(
    session: Session,
    catalogue: Catalogue,
    team: Team,
    answers: list[tuple[str | None, Answers]],
    *,
    label: str = "Marts 2026",
    opened: datetime = OPENED,
    status: str = "closed",
    themes: list[str] | None = None,
    comment: str | None = None,
) -> Round:
    """A round of the team with one response per (profession, {statement: value}) given."""
    assert team.id is not None
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team.id,
        label=label,
        theme_ids=themes or [catalogue.themes[0].id],
        status="open",
    )
    session.commit()
    assert round_.id is not None
    for number, (profession, values) in enumerate(answers):
        save_response(
            session=session,
            round_id=round_.id,
            respondent_key=f"key-{round_.id}-{number}",
            profession=profession,
            answers={sid: Answer(value=value, comment=comment) for sid, value in values.items()},
        )
    round_.status = status
    round_.opened_at = opened
    round_.closed_at = opened + timedelta(days=7) if status == "closed" else None
    session.add(round_)
    session.commit()
    session.refresh(round_)
    return round_


def statement_ids(catalogue: Catalogue, count: int = 2, theme: int = 0) -> list[str]:
    """The first statements of a theme."""
    return [statement.id for statement in catalogue.themes[theme].statements[:count]]


def public_ids(session: Session, round_: Round) -> set[str]:
    """The random response ids of a round."""
    return set(session.exec(select(Response.public_id).where(Response.round_id == round_.id)))


def labels(catalogue: Catalogue) -> dict[str, str]:
    return {profession.id: profession.label for profession in catalogue.professions}


@functools.cache
def default_labels() -> dict[str, str]:
    return labels(load_catalogue(default_catalogue_path()))


def plan(session: Session, filters: ExportFilter | None = None) -> ExportPlan:
    return plan_export(
        session=session,
        filters=filters or ExportFilter(),
        k=K,
        min_share=0.0,
        profession_labels=default_labels(),
    )


def rows_of(engine: Engine, session: Session, catalogue: Catalogue, **filters: object) -> list[Row]:
    the_plan = plan(session, ExportFilter(**filters))  # type: ignore[arg-type]
    return list(export_rows(engine=engine, plan=the_plan))


def read_csv(data: bytes | Iterable[bytes], delimiter: str = ";") -> list[dict[str, str]]:
    """The CSV as Excel would read it: UTF-8 with BOM, header row first."""
    raw = data if isinstance(data, bytes) else b"".join(data)
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    header = next(reader)
    assert tuple(header) == COLUMN_HEADERS  # Danish headers; the rows keyed by the English keys
    return [dict(zip(COLUMN_NAMES, line, strict=True)) for line in reader]


def export_csv(
    engine: Engine, session: Session, catalogue: Catalogue, csv_format: CsvFormat = DANISH
) -> list[dict[str, str]]:
    the_plan = plan(session)
    rows = export_rows(engine=engine, plan=the_plan)
    return read_csv(csv_chunks(rows, csv_format), csv_format.delimiter)


# -- the CSV file ------------------------------------------------------------------------------


def test_exported_csv_reads_back_with_the_columns_and_values_of_a_known_round(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, second = statement_ids(catalogue)
    team = make_team(session)
    round_ = scored_round(
        session,
        catalogue,
        team,
        [
            ("laerer", {first: 7, second: 3}),
            ("laerer", {first: 8, second: None}),
            ("laerer", {first: 5, second: 5}),
            ("laerer", {first: 10, second: 1}),
        ],
    )
    rows = export_csv(engine, session, catalogue)

    assert len(rows) == 8
    statement = session.get(RoundStatement, (round_.id, first))
    assert statement is not None
    expected_common = {
        "unit": "Enhed Nord",
        "team": "Team Nord",
        "round_id": str(round_.id),
        "round_label": "Marts 2026",
        "round_opened": "2026-03-02",
        "round_closed": "2026-03-09",
        "theme": statement.theme_title,
        "area": statement.area_title,
        "statement_id": first,
        "statement_text": statement.text,
        "profession": "",  # one profession only: no split, as on the results page
    }
    firsts = [row for row in rows if row["statement_id"] == first]
    assert all(row | expected_common == row for row in firsts)
    assert sorted(int(row["value"]) for row in firsts) == [5, 7, 8, 10]
    assert {row["response_id"] for row in rows} == public_ids(session, round_)
    by_response: dict[str, dict[str, str]] = {}
    for row in rows:
        by_response.setdefault(row["response_id"], {})[row["statement_id"]] = row["value"]
    assert sorted((answers[first], answers[second]) for answers in by_response.values()) == [
        ("10", "1"),
        ("5", "5"),
        ("7", "3"),
        ("8", ""),
    ]


def test_ved_ikke_is_a_blank_value(engine: Engine, session: Session, catalogue: Catalogue) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session)
    answers: list[tuple[str | None, Answers]] = [(None, {first: None}), (None, {first: 4})] * 2
    scored_round(session, catalogue, team, [*answers, (None, {first: 5})])
    values = sorted(row["value"] for row in export_csv(engine, session, catalogue))
    assert values == ["", "", "4", "4", "5"]


def test_cells_starting_like_a_formula_are_neutralised(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, second = statement_ids(catalogue)
    team = make_team(session, unit_name="@Enhed", name='=HYPERLINK("http://x.test","klik")')
    round_ = scored_round(
        session, catalogue, team, [(None, {first: 5, second: 6})] * 3, label="-Runde+"
    )
    for statement_id, text in ((first, "=1+2"), (second, "\tTab først")):
        statement = session.get(RoundStatement, (round_.id, statement_id))
        assert statement is not None
        statement.text = text
        session.add(statement)
    session.commit()

    rows = export_csv(engine, session, catalogue)

    assert {row["team"] for row in rows} == {'\'=HYPERLINK("http://x.test","klik")'}
    assert {row["unit"] for row in rows} == {"'@Enhed"}
    assert {row["round_label"] for row in rows} == {"'-Runde+"}
    assert {row["statement_text"] for row in rows} == {"'=1+2", "'\tTab først"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_dangerous_first_character_gets_an_apostrophe(start: str) -> None:
    assert csv_field(start + "x").strip('"') == "'" + start + "x"
    assert csv_field("x" + start) in ("x" + start, '"x' + start + '"')


def test_international_option_uses_comma_and_decimal_point(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session, name="Team; med komma, og semikolon")
    scored_round(session, catalogue, team, [("laerer", {first: 9})] * 3)

    rows = export_csv(engine, session, catalogue, INTERNATIONAL)

    assert [row["team"] for row in rows] == ["Team; med komma, og semikolon"] * 3
    assert [row["value"] for row in rows] == ["9"] * 3
    assert csv_field(4.25, INTERNATIONAL) == "4.25"
    assert csv_field(4.25, DANISH) == "4,25"
    first_line = b"".join(csv_chunks([], INTERNATIONAL)).decode("utf-8-sig").splitlines()[0]
    assert first_line == ",".join(COLUMN_HEADERS)


def test_csv_comes_in_chunks_of_a_few_thousand_rows() -> None:
    row: Row = ("E", "T", 1, "R", "", "", "Tema", "Emne", "s.1", "Tekst", None, 5, "abc")
    chunks = list(csv_chunks([row] * 4_500))
    assert len(chunks) == 3
    assert len(read_csv(chunks)) == 4_500


def test_writing_a_file_reports_progress_for_every_row(tmp_path: Path) -> None:
    row: Row = ("E", "T", 1, "R", "", "", "Tema", "Emne", "s.1", "Tekst", None, 5, "abc")
    seen: list[int] = []
    out = tmp_path / "svar.csv"
    written = write_export(
        rows=[row] * 2_500, plan=ExportPlan(ExportFilter(), K, OPENED), path=out, kind="csv",
        progress=seen.append,
    )  # fmt: skip
    assert written == sum(seen) == 2_500
    assert len(read_csv(out.read_bytes())) == 2_500


def test_xlsx_carries_on_in_a_new_sheet_when_one_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 4)  # a header and three rows per sheet
    row: Row = ("E", "T", 1, "R", "", "", "Tema", "Emne", "s.1", "Tekst", None, 5, "abc")
    out = tmp_path / "svar.xlsx"
    plan = ExportPlan(ExportFilter(), K, OPENED)
    assert write_export(rows=[row] * 7, plan=plan, path=out, kind="xlsx") == 7
    book = zipfile.ZipFile(out)
    names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
    assert names == ["Svar", "Svar 2", "Svar 3", "Kodebog"]
    rows = [book.read(f"xl/worksheets/sheet{n}.xml").decode().count("<row ") for n in (1, 2, 3)]
    assert rows == [4, 4, 2]


# -- which rounds and professions ------------------------------------------------------------


def test_a_round_below_k_is_left_out_and_counted(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session)
    kept = scored_round(session, catalogue, team, [(None, {first: 5})] * 3, label="Stor")
    small = scored_round(session, catalogue, team, [(None, {first: 2})] * 2, label="Lille")

    the_plan = plan(session)
    rows = export_csv(engine, session, catalogue)

    assert set(the_plan.rounds) == {kept.id}
    assert the_plan.left_out == 1
    assert {row["round_id"] for row in rows} == {str(kept.id)}
    assert not public_ids(session, small) & {row["response_id"] for row in rows}
    assert f"{the_plan.left_out} runde(r) med færre er udeladt" in codebook_markdown(the_plan)


def test_rounds_still_open_are_not_exported_but_one_past_its_closing_time_is(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session)
    scored_round(session, catalogue, team, [(None, {first: 5})] * 3, status="open")
    lapsed = scored_round(session, catalogue, team, [(None, {first: 6})] * 3, status="open")
    lapsed.closes_at = datetime.now(UTC) - timedelta(hours=1)
    session.add(lapsed)
    session.commit()

    rows = rows_of(engine, session, catalogue)

    assert {row[2] for row in rows} == {lapsed.id}
    assert plan(session).left_out == 0  # open rounds are not "left out": they are not done


def test_professions_below_k_are_exported_as_the_pages_ovrige_group(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session, size=9)
    scored_round(
        session,
        catalogue,
        team,
        [("laerer", {first: 4})] * 3
        + [("paedagog", {first: 6})] * 3
        + [("ppr", {first: 9}), ("leder", {first: 2}), (None, {first: 1})],
    )
    rows = export_csv(engine, session, catalogue)
    by_value = {row["value"]: row["profession"] for row in rows}
    # The three small ones (PPR, leder, not stated) are one group of three, as on the page.
    assert by_value == {"4": "Lærer", "6": "Pædagog", "9": "Øvrige", "2": "Øvrige", "1": "Øvrige"}


def test_a_lone_profession_is_merged_with_the_smallest_group_as_on_the_page(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    team = make_team(session)
    scored_round(
        session,
        catalogue,
        team,
        [("laerer", {first: 4})] * 4 + [("paedagog", {first: 6})] * 3 + [("ppr", {first: 9})],
    )
    rows = export_csv(engine, session, catalogue)
    by_value = {row["value"]: row["profession"] for row in rows}
    # The lone psychologist would otherwise be a group of one; the pædagoger join them.
    assert by_value == {"4": "Lærer", "6": "Øvrige", "9": "Øvrige"}


# -- filters -----------------------------------------------------------------------------------


def test_filters_by_unit_team_theme_and_period(
    engine: Engine, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    other_theme = statement_ids(catalogue, theme=1)[0]
    both = [catalogue.themes[0].id, catalogue.themes[1].id]
    north = make_team(session, "Nord", "Team N")
    south = make_team(session, "Syd", "Team S")
    spring = scored_round(
        session, catalogue, north, [(None, {first: 1, other_theme: 2})] * 3, themes=both
    )
    autumn = scored_round(
        session,
        catalogue,
        north,
        [(None, {first: 3})] * 3,
        opened=datetime(2026, 9, 30, 22, 30, tzinfo=UTC),  # 1 October in Denmark
    )
    southern = scored_round(session, catalogue, south, [(None, {first: 5})] * 3)

    def rounds(**filters: object) -> set[object]:
        return {row[2] for row in rows_of(engine, session, catalogue, **filters)}

    assert rounds() == {spring.id, autumn.id, southern.id}
    assert rounds(unit_id=south.unit_id) == {southern.id}
    assert rounds(team_id=north.id) == {spring.id, autumn.id}
    assert rounds(opened_from=date(2026, 10, 1)) == {autumn.id}
    assert rounds(opened_to=date(2026, 9, 30)) == {spring.id, southern.id}
    themed = rows_of(engine, session, catalogue, theme_id=catalogue.themes[1].id)
    assert [(row[2], row[8]) for row in themed] == [(spring.id, other_theme)] * 3
    assert plan(session).rows == 12


# -- routes ------------------------------------------------------------------------------------


@pytest.fixture
def world(session: Session, catalogue: Catalogue) -> World:
    return build_world(session, catalogue)


def client_as(app: FastAPI, user: User | None) -> TestClient:
    client = TestClient(app)
    act_as(client, app.state.settings.signing_key(), user)
    return client


def test_csv_download_is_an_attachment_named_by_date_that_says_how_many_rounds_were_left_out(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 3)
    scored_round(session, catalogue, world.team_b, [(None, {first: 5})] * 2)

    response = client_as(app, world.admin).get("/eksport/svar.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="spindelvaev-svar-20')
    assert disposition.endswith('.csv"')
    assert response.headers["x-spindelvaev-udeladte-runder"] == "1"
    assert len(read_csv(response.content)) == 3


def test_separator_international_gives_a_comma_separated_download(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 3)
    response = client_as(app, world.admin).get("/eksport/svar.csv?separator=international")
    assert [row["value"] for row in read_csv(response.content, ",")] == ["5"] * 3


def test_facilitator_exports_only_own_teams_and_is_refused_another_team(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    own = scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 3)
    scored_round(session, catalogue, world.team_b, [(None, {first: 5})] * 3)
    client = client_as(app, world.facilitator_a)

    rows = read_csv(client.get("/eksport/svar.csv").content)
    refused = client.get(f"/eksport/svar.csv?team={world.team_b.id}")
    refused_xlsx = client.get(f"/eksport/svar.xlsx?team={world.team_b.id}")
    refused_book = client.get(f"/eksport/kodebog.md?team={world.team_b.id}")

    assert {row["round_id"] for row in rows} == {str(own.id)}
    assert {row["team"] for row in rows} == {"Team A"}
    assert (refused.status_code, refused_xlsx.status_code, refused_book.status_code) == (403,) * 3
    assert client.get("/eksport/svar.csv?team=999999").status_code == 404


def test_an_unknown_theme_or_reversed_period_is_refused_with_a_danish_message(
    app: FastAPI, world: World
) -> None:
    client = client_as(app, world.admin)
    theme = client.get("/eksport?tema=findes-ikke")
    period = client.get("/eksport/svar.csv?fra=2026-05-01&til=2026-04-01")
    assert theme.status_code == 422
    assert "Temaet findes ikke" in text_of(theme.text)
    assert period.status_code == 422
    assert "Fra-datoen skal ligge før til-datoen" in text_of(period.text)


def test_xlsx_has_a_sheet_of_answers_and_a_codebook(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_a, [("laerer", {first: 8})] * 3)

    response = client_as(app, world.admin).get("/eksport/svar.xlsx")

    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('.xlsx"')
    book = zipfile.ZipFile(io.BytesIO(response.content))
    workbook = book.read("xl/workbook.xml").decode()
    assert '<sheet name="Svar"' in workbook
    assert '<sheet name="Kodebog"' in workbook
    answers = book.read("xl/worksheets/sheet1.xml").decode()
    assert answers.count("<row ") == 1 + 3
    assert "Team A" in answers and "Lærer" not in answers  # one profession: no split shown
    assert "response_id" in book.read("xl/worksheets/sheet2.xml").decode()
    assert "Besvarelse-id" in answers


def test_xlsx_reads_back_in_a_spreadsheet_with_danish_headers_date_cells_a_filter_and_a_frozen_row(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, second = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_a, [("laerer", {first: 8, second: 5})] * 3)

    response = client_as(app, world.admin).get("/eksport/svar.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Svar"]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == [column.header for column in export.COLUMNS]
    assert rows[0][0].value == "Enhed" and rows[0][11].value == "Vurdering"
    assert len(rows) == 1 + 6
    opened, closed = rows[1][4], rows[1][5]
    assert opened.is_date and closed.is_date
    assert opened.value.date() == OPENED.date()
    assert closed.value.date() == (OPENED + timedelta(days=7)).date()
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M7"
    assert sheet.column_dimensions["J"].width > sheet.column_dimensions["C"].width  # text wider


def test_codebook_explains_every_column_the_small_group_rule_and_k(
    app: FastAPI, world: World
) -> None:
    response = client_as(app, world.facilitator_a).get("/eksport/kodebog.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    for column in COLUMN_NAMES:
        assert f"`{column}`" in response.text
    assert "k = 3" in response.text
    assert "kommentarer er ikke med" in response.text.lower()
    assert "Tom betyder »Ved ikke«." in response.text  # Danish quotation marks, as on the pages


def test_export_page_offers_only_own_teams_to_a_facilitator_and_says_what_is_left_out(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 3)
    scored_round(session, catalogue, world.team_a, [(None, {first: 5})] * 2)

    response = client_as(app, world.facilitator_a).get("/eksport")

    assert response.status_code == 200
    page = parse(response.text)
    teams = [option.get_text() for option in page.select("#f-team option")]
    assert teams == ["Alle dine teams", "Team A"]
    text = text_of(response.text)
    assert "1 runde med 3 besvarelser og 3 vurderinger" in text
    assert "1 lukket runde er udeladt, fordi den har færre end 3 svar" in text
    for control in page.select("select, input:not([type=hidden])"):
        assert page.select_one(f'label[for="{control["id"]}"]') is not None


def test_export_page_shows_admins_every_team(app: FastAPI, world: World) -> None:
    page = parse(client_as(app, world.admin).get("/eksport").text)
    teams = [option.get_text() for option in page.select("#f-team option")]
    assert teams == ["Alle teams", "Team A", "Team B"]


# -- what the small-group rule hides -----------------------------------------------------------


def test_exports_and_the_api_never_contain_what_the_small_group_rule_hides(
    app: FastAPI, session: Session, catalogue: Catalogue, world: World
) -> None:
    first, second = statement_ids(catalogue)
    secret = "HEMMELIG-KOMMENTAR"
    world.team_a.expected_size = 6
    session.add(world.team_a)
    session.commit()
    shown = scored_round(
        session,
        catalogue,
        world.team_a,
        [("laerer", {first: 4, second: 5})] * 3
        + [("sundhedsplejerske", {first: 9})] * 2
        + [(None, {first: 7})],
        comment=secret,
    )
    small = scored_round(
        session, catalogue, world.team_b, [("socialraadgiver", {first: 1})] * 2, label="Lille"
    )
    hidden_ids = public_ids(session, small)
    hidden = ["Sundhedsplejerske", "Socialrådgiver", "Lille", secret, *hidden_ids]
    client = client_as(app, world.admin)

    csv_text = client.get("/eksport/svar.csv").content.decode("utf-8-sig")
    xlsx = zipfile.ZipFile(io.BytesIO(client.get("/eksport/svar.xlsx").content))
    xlsx_text = "".join(xlsx.read(name).decode() for name in xlsx.namelist())
    api_lines = client.get("/api/eksport/svar").text.splitlines()
    api_text = "\n".join(api_lines)

    for output in (csv_text, xlsx_text, api_text):
        assert "Lærer" in output and "Team A" in output  # the output is not simply empty
        for word in hidden:
            assert word not in output
    api_rows = [json.loads(line) for line in api_lines]
    assert len(api_rows) == 3 * 2 + 2 + 1
    assert {row["round_id"] for row in api_rows} == {shown.id}
    # The two health visitors and the one not stated are the page's »Øvrige« group of three.
    assert sorted(str(row["profession"]) for row in api_rows if row["value"] == 9) == [
        "Øvrige",
        "Øvrige",
    ]

"""`spindelvaev export`: the same export as the web, written to a file from the command line."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app
from app.themes import Catalogue
from tests.test_export import make_team, public_ids, read_csv, scored_round, statement_ids

runner = CliRunner()


def test_export_writes_the_csv_and_says_how_many_rows_and_left_out_rounds(
    cli_env: Path, session: Session, catalogue: Catalogue
) -> None:
    first, second = statement_ids(catalogue)
    team = make_team(session)
    kept = scored_round(session, catalogue, team, [("laerer", {first: 4, second: None})] * 3)
    scored_round(session, catalogue, team, [("laerer", {first: 4})] * 2)
    out = cli_env / "svar.csv"

    result = runner.invoke(app, ["export", "-o", str(out)])

    assert result.exit_code == 0, result.output
    # The second statement has only "Ved ikke": no value to show, so its rows stay out.
    assert "Skrev 3 rækker" in result.output
    assert "1 runde udeladt, fordi den har færre end 3 svar" in result.output
    rows = read_csv(out.read_bytes())
    assert {row["response_id"] for row in rows} == public_ids(session, kept)
    assert sorted(row["value"] for row in rows) == ["4", "4", "4"]


def test_export_filters_and_international_separator(
    cli_env: Path, session: Session, catalogue: Catalogue
) -> None:
    first, _ = statement_ids(catalogue)
    north = make_team(session, "Nord", "Team N")
    south = make_team(session, "Syd", "Team S")
    scored_round(session, catalogue, north, [(None, {first: 2})] * 3)
    scored_round(
        session, catalogue, south, [(None, {first: 8})] * 3, opened=datetime(2026, 6, 1, tzinfo=UTC)
    )
    out = cli_env / "syd.csv"

    filters = ["--unit", str(south.unit_id), "--theme", catalogue.themes[0].id]
    period = ["--fra", "2026-05-01", "--til", "2026-06-30"]
    result = runner.invoke(app, ["export", "-o", str(out), "--separator", ",", *filters, *period])

    assert result.exit_code == 0, result.output
    assert {row["team"] for row in read_csv(out.read_bytes(), ",")} == {"Team S"}


def test_export_xlsx_and_codebook(cli_env: Path, session: Session, catalogue: Catalogue) -> None:
    first, _ = statement_ids(catalogue)
    scored_round(session, catalogue, make_team(session), [(None, {first: 2})] * 3)
    out, book = cli_env / "svar.xlsx", cli_env / "kodebog.md"

    result = runner.invoke(
        app, ["export", "--format", "xlsx", "-o", str(out), "--kodebog", str(book)]
    )

    assert result.exit_code == 0, result.output
    assert "Skrev 3 rækker" in result.output
    workbook = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("xl/workbook.xml").decode()
    assert '<sheet name="Svar"' in workbook and '<sheet name="Kodebog"' in workbook
    assert "`statement_text`" in book.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "pdf"], "--format skal være csv eller xlsx"),
        (["--separator", "|"], '--separator skal være ";" eller ","'),
        (["--team", "999999"], "Teamet findes ikke"),
        (["--unit", "999999"], "Enheden findes ikke"),
        (["--theme", "findes-ikke"], "Temaet findes ikke"),
        (["--fra", "2026-05-01", "--til", "2026-04-01"], "Fra-datoen skal ligge før til-datoen"),
    ],
)
def test_export_refuses_bad_options_and_writes_nothing(
    cli_env: Path, arguments: list[str], message: str
) -> None:
    out = cli_env / "svar.csv"
    result = runner.invoke(app, ["export", "-o", str(out), *arguments])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_help_lists_the_export_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert "export" in result.output

"""The `spindelvaev` command line."""

import json
import shutil
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app
from app.core.passwords import verify_password
from app.db.models import User
from app.themes import default_catalogue_path

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "catalogue", "create-admin", "demo", "backup", "restore"):
        assert command in result.output


def test_catalogue_check_prints_a_summary_for_the_real_catalogue() -> None:
    result = runner.invoke(app, ["catalogue", "check"])
    assert result.exit_code == 0, result.output
    assert "6 temaer" in result.output


def test_catalogue_check_names_the_place_and_problem_in_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "statements.yaml"
    shutil.copy(default_catalogue_path(), broken)
    text = broken.read_text(encoding="utf-8")
    first_short = text.index("short: ")
    line_end = text.index("\n", first_short)
    broken.write_text(
        text[:first_short] + 'short: "' + "x" * 40 + '"' + text[line_end:], encoding="utf-8"
    )
    result = runner.invoke(app, ["catalogue", "check", str(broken)])
    assert result.exit_code == 1
    assert str(broken) in result.output
    assert "themes[0].areas[0].statements[0].short" in result.output


def test_demo_json_gives_logins_that_work_and_rounds_with_urls(
    cli_env: Path, engine: Engine
) -> None:
    result = runner.invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert len(info["teams"]) == 3
    for team in info["teams"]:
        statuses = [round_["status"] for round_ in team["rounds"]]
        assert statuses == ["closed", "closed", "closed", "open"]
        for round_ in team["rounds"]:
            assert round_["join_url"].startswith("/r/")
            assert round_["results_url"] == f"/runder/{round_['id']}/resultater"
    with Session(engine) as session:
        for role in ("admin", "facilitator"):
            login = info[role]
            user = session.exec(select(User).where(User.email == login["email"])).one()
            assert user.role == role
            assert verify_password(user.password_hash, login["password"])
    assert json.loads((cli_env / "var" / "demo-logins.json").read_text()) == info


def test_demo_refuses_a_database_that_is_not_empty(cli_env: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 1
    assert "ikke tom" in result.output
    quiet = runner.invoke(app, ["demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert "demo-data lægges ikke ind" in quiet.output


def test_create_admin_creates_an_argon2_admin(cli_env: Path, engine: Engine) -> None:
    result = runner.invoke(
        app,
        ["create-admin", "--email", "Chef@Kommune.dk", "--name", "Chef"],
        input="en-lang-adgangskode-42\nen-lang-adgangskode-42\n",
    )
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "chef@kommune.dk")).one()
    assert user.role == "admin"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")


def test_create_admin_refuses_a_short_password_and_creates_nothing(
    cli_env: Path, engine: Engine
) -> None:
    result = runner.invoke(
        app, ["create-admin", "--email", "a@b.dk", "--name", "A", "--password", "kort"]
    )
    assert result.exit_code == 1
    assert "mindst" in result.output
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []

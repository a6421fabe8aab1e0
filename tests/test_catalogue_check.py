"""`spindelvaev catalogue check`: every problem of a broken file, each with its place."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from app.cli import app
from app.themes import default_catalogue_path

runner = CliRunner()


def _broken_in_three_places(tmp_path: Path) -> Path:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    data["themes"][1]["areas"][0]["statements"][0]["text"] = ""
    data["themes"][3]["areas"][1]["statements"][2]["short"] = "x" * 40
    data["themes"][4]["areas"][1]["statements"][0]["basis"] = "001:99999"
    path = tmp_path / "statements.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_real_catalogue_passes_with_its_version_and_six_themes() -> None:
    result = runner.invoke(app, ["catalogue", "check"])
    assert result.exit_code == 0, result.output
    assert "(version 2026.2)" in result.output
    assert "Fejl" not in result.output


def test_a_copy_broken_in_three_places_names_all_three_and_exits_1(tmp_path: Path) -> None:
    broken = _broken_in_three_places(tmp_path)
    result = runner.invoke(app, ["catalogue", "check", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Fejl i kataloget (4 problemer):"
    assert f"{broken}: themes[1].areas[0].statements[0].text: må ikke være tom" in lines
    assert f"{broken}: themes[3].areas[1].statements[2].short: er 40 tegn; højst 28 er tilladt" in (
        lines
    )
    basis = f"{broken}: themes[4].areas[1].statements[0].basis: '001:99999'"
    # Outside theme 5's lines, and past the end of 001 (the sources found beside the default file).
    assert f"{basis} ligger uden for temaets linjer" in result.output
    assert f"{basis}: kilden har kun 1872 linjer" in lines
    assert len(lines) == 5


def test_the_sources_can_be_named_and_their_absence_is_a_problem(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["catalogue", "check", str(default_catalogue_path()), "--sources", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert f"kildeteksten 001_*.txt findes ikke i {tmp_path}" in result.output

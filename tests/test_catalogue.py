"""The statement catalogue: the real file's content, and how a broken file is reported."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.themes import Catalogue, CatalogueError, default_catalogue_path, load_catalogue

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"

# PRODUCT.md section 2: the six themes, their slugs and their areas, in order.
EXPECTED_THEMES = [
    (
        "ledelse",
        "Ledelse af det tværprofessionelle samarbejde",
        [
            "Skabe fælles retning og mening",
            "Skabe udvikling",
            "Skabe et helhedssyn på tværs",
            "Understøtte samarbejde om tidlige indsatser",
        ],
    ),
    (
        "organisering",
        "Organiseringens betydning for det tværprofessionelle samarbejde",
        [
            "Organisering på kommunalt niveau",
            "Organisering af samarbejdet i tværprofessionelle teams",
        ],
    ),
    (
        "moeder",
        "De gode møder",
        [
            "Systematik og struktur ift. mødeledelse",
            "Analyse af problemstilling",
            "Deltagelse af forældre og børn/unge",
            "Styrkede relationer og samarbejde",
        ],
    ),
    (
        "deltagelse",
        "Deltagelse af børn/unge og forældre",
        ["Reel deltagelse af børn og forældre", "Struktur og mødeform"],
    ),
    (
        "effekt",
        "Effekten af det tværprofessionelle samarbejde",
        [
            "Effekten af det tværprofessionelle samarbejde",
            "Opfølgning på effekten af de konkrete indsatser",
        ],
    ),
    (
        "fagligheder",
        "Forskellige fagligheder og lovgivning",
        ["Kendskab og nysgerrighed", "Lovgivningens rammer og muligheder"],
    ),
]


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _seed_lines(prefix: str) -> list[str]:
    """The lines of source document `<prefix>_*.txt` in data/sources/."""
    (found,) = SOURCES.glob(f"{prefix}_*.txt")
    return found.read_text(encoding="utf-8").splitlines()


def _line_range(basis: str) -> range:
    first, _, last = basis.split(":", 1)[1].partition("-")
    return range(int(first), int(last or first) + 1)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(default_catalogue_path())


# --- the real catalogue ------------------------------------------------------------------------


def test_the_real_catalogue_loads_and_summarises_itself(catalogue: Catalogue) -> None:
    summary = catalogue.summary()
    first_line = summary.splitlines()[0]
    assert re.fullmatch(r"6 temaer, 16 emner, \d+ udsagn \(version 2026\.1\)", first_line)
    assert len(summary.splitlines()) == 1 + 6
    assert "De gode møder" in summary


def test_the_catalogue_has_the_six_themes_and_areas_of_the_product_description(
    catalogue: Catalogue,
) -> None:
    actual = [
        (theme.id, theme.title, [area.title for area in theme.areas]) for theme in catalogue.themes
    ]
    assert actual == EXPECTED_THEMES
    assert [theme.number for theme in catalogue.themes] == [1, 2, 3, 4, 5, 6]


def test_every_theme_has_8_to_14_statements_and_every_area_2_to_4(catalogue: Catalogue) -> None:
    for theme in catalogue.themes:
        assert 8 <= len(theme.statements) <= 14, theme.id
        for area in theme.areas:
            assert 2 <= len(area.statements) <= 4, f"{theme.id}.{area.id}"


def test_short_labels_fit_the_radar_and_are_distinct_within_a_theme(catalogue: Catalogue) -> None:
    for theme in catalogue.themes:
        shorts = [statement.short for statement in theme.statements]
        assert all(len(short) <= 28 for short in shorts), shorts
        assert len(set(shorts)) == len(shorts), shorts


def test_statements_are_single_present_tense_claims_about_the_team(catalogue: Catalogue) -> None:
    for statement in catalogue.all_statements():
        assert statement.text.startswith(("Vi ", "Der er ")), statement.id
        assert len(statement.text) <= 160, statement.id
        assert "og/eller" not in statement.text, statement.id


def test_only_the_good_meetings_theme_has_wording_from_the_material(catalogue: Catalogue) -> None:
    material = [s for s in catalogue.all_statements() if s.source == "material"]
    assert {catalogue.theme_of(s.id).id for s in material} == {"moeder"}
    # 001:890-910 holds ten statements, two of them twice in slightly different wording.
    assert len(material) == 8
    assert catalogue.theme("moeder").areas[2].statements  # derived, as nothing survived there
    assert all(s.source == "derived" for s in catalogue.theme("moeder").areas[2].statements)


def test_material_statements_occur_verbatim_in_the_ministry_material(catalogue: Catalogue) -> None:
    lines = _seed_lines("001")
    whole = _normalise("\n".join(lines))
    for statement in catalogue.all_statements():
        if statement.source != "material":
            continue
        assert _normalise(statement.text) in whole, statement.id
        assert statement.basis is not None
        cited = " ".join(lines[n - 1] for n in _line_range(statement.basis))
        assert _normalise(statement.text) in _normalise(cited), statement.id


def test_every_basis_points_at_a_line_with_text_in_the_ministry_material(
    catalogue: Catalogue,
) -> None:
    lines = _seed_lines("001")
    for statement in catalogue.all_statements():
        assert statement.basis is not None, statement.id
        assert statement.basis.startswith("001:"), statement.id
        cited = _line_range(statement.basis)
        assert cited.start >= 1 and cited.stop - 1 <= len(lines), statement.id
        assert lines[cited.start - 1].strip(), f"{statement.id}: line {cited.start} is blank"


def test_theme_line_ranges_lie_within_the_ministry_material(catalogue: Catalogue) -> None:
    lines = _seed_lines("001")
    for theme in catalogue.themes:
        cited = _line_range(theme.lines)
        # A range starts at the theme's page (the number, then "Tema: <title>" a line or two on).
        opening = " ".join(lines[cited.start - 1 : cited.start + 3])
        assert "Tema" in opening and theme.title.split()[0] in opening, theme.id
        assert cited.stop - 1 <= len(lines), theme.id


def test_all_reflection_questions_of_seed_000_are_used_once_and_verbatim(
    catalogue: Catalogue,
) -> None:
    lines = _seed_lines("000")
    in_seed = [_normalise(line.replace("•", "")) for line in lines if line.strip().startswith("•")]
    used = [_normalise(q.text) for theme in catalogue.themes for q in theme.reflection_questions]
    assert sorted(used) == sorted(in_seed)
    assert len(used) == 21


def test_professions_include_the_main_groups_and_end_with_other(catalogue: Catalogue) -> None:
    ids = [profession.id for profession in catalogue.professions]
    assert ids[:6] == ["laerer", "paedagog", "ppr", "socialraadgiver", "sundhedsplejerske", "leder"]
    assert ids[-1] == "andet"
    assert catalogue.profession_label("ppr") == "PPR (psykolog m.fl.)"


def test_lookups_find_a_statement_its_area_and_its_theme(catalogue: Catalogue) -> None:
    statement = catalogue.statement("moeder.analyse.2")
    assert statement.source == "material"
    assert statement.provenance_label == "Formulering fra materialet"
    assert catalogue.area_of("moeder.analyse.2").title == "Analyse af problemstilling"
    assert catalogue.theme_of("moeder.analyse.2").number == 3
    assert catalogue.statement("ledelse.retning.1").provenance_label == "Afledt af materialet"
    assert [s.id for s in catalogue.all_statements()][:2] == [
        "ledelse.retning.1",
        "ledelse.retning.2",
    ]


def test_unknown_ids_raise_key_error(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        catalogue.theme("ukendt")
    with pytest.raises(KeyError):
        catalogue.statement("ledelse.retning.99")
    with pytest.raises(KeyError):
        catalogue.theme_of("ledelse.retning.99")
    with pytest.raises(KeyError):
        catalogue.profession_label("astronaut")


def test_the_default_path_is_the_repository_data_file() -> None:
    path = default_catalogue_path()
    assert path.parts[-2:] == ("data", "statements.yaml")
    assert path.is_file()


# --- a broken catalogue is reported with its location ------------------------------------------


def _real_data() -> dict[str, Any]:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "statements.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _error_for(path: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value)
    return caught.value


def test_a_copy_of_the_real_file_loads(tmp_path: Path) -> None:
    assert len(load_catalogue(_write(tmp_path, _real_data())).themes) == 6


def test_empty_statement_text_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][2]["areas"][0]["statements"][1]["text"] = "   "
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[2].areas[0].statements[1].text"
    assert error.problem == "må ikke være tom"
    assert str(error) == f"{error.path}: themes[2].areas[0].statements[1].text: må ikke være tom"


def test_missing_statement_text_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    del data["themes"][1]["areas"][1]["statements"][0]["text"]
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[1].areas[1].statements[0].text"
    assert error.problem == "mangler"


def test_duplicate_statement_id_is_rejected_at_its_second_use(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][0]["areas"][1]["statements"][0]["id"] = "ledelse.retning.1"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0].areas[1].statements[0].id"
    assert "themes[0].areas[0].statements[0].id" in error.problem


def test_duplicate_theme_id_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][4]["id"] = "ledelse"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[4].id"


def test_duplicate_profession_id_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["professions"][3]["id"] = "laerer"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "professions[3].id"


def test_statement_id_outside_its_theme_and_area_is_rejected(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][3]["areas"][1]["statements"][2]["id"] = "deltagelse.reel.9"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[3].areas[1].statements[2].id"
    assert "deltagelse.struktur." in error.problem


def test_too_long_short_label_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][5]["areas"][1]["statements"][3]["short"] = "x" * 29
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[5].areas[1].statements[3].short"
    assert "29" in error.problem and "28" in error.problem


def test_too_long_statement_text_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][0]["areas"][3]["statements"][0]["text"] = "Vi " + "a" * 198
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0].areas[3].statements[0].text"


def test_unknown_source_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][0]["areas"][0]["statements"][2]["source"] = "invented"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0].areas[0].statements[2].source"
    assert error.problem == "skal være 'material' eller 'derived'"


def test_derived_statement_without_basis_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    del data["themes"][4]["areas"][0]["statements"][1]["basis"]
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[4].areas[0].statements[1].basis"
    assert error.problem.startswith("mangler")


def test_malformed_basis_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][4]["areas"][1]["statements"][0]["basis"] = "side 12"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[4].areas[1].statements[0].basis"


def test_theme_with_2_statements_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    theme = data["themes"][1]
    theme["areas"] = theme["areas"][:1]
    theme["areas"][0]["statements"] = theme["areas"][0]["statements"][:2]
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[1]"
    assert "2 udsagn" in error.problem


def test_theme_with_15_statements_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    area = data["themes"][0]["areas"][3]
    for n in range(4, 6):
        area["statements"].append(
            {**area["statements"][0], "id": f"ledelse.tidlige.{n}", "short": f"Ekstra {n}"}
        )
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0]"
    assert "15 udsagn" in error.problem


def test_area_with_1_statement_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    area = data["themes"][0]["areas"][2]
    area["statements"] = area["statements"][:1]
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0].areas[2]"
    assert "1 udsagn" in error.problem


def test_invalid_yaml_is_rejected_with_its_line(tmp_path: Path) -> None:
    lines = default_catalogue_path().read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("version:"))
    lines[number - 1] = 'version: "2026.1": broken'
    path = tmp_path / "statements.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    error = _error_for(path)
    assert error.location == f"linje {number}"
    assert error.problem.startswith("ugyldig YAML")


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "statements.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    error = _error_for(path)
    assert error.location == ""


def test_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    error = _error_for(path)
    assert error.location == ""
    assert error.problem == "filen findes ikke"
    assert str(error) == f"{path}: filen findes ikke"

"""The statement catalogue: the real file's content, and how a broken file is reported."""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.themes import (
    Catalogue,
    CatalogueError,
    check_catalogue,
    default_catalogue_path,
    load_catalogue,
)

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
    assert first_line == "6 temaer, 16 emner, 52 udsagn (version 2026.2)"
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


def test_every_theme_has_8_to_10_statements_and_every_area_2_to_4(catalogue: Catalogue) -> None:
    for theme in catalogue.themes:
        assert 8 <= len(theme.statements) <= 10, theme.id
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


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# Words that say nothing about what a statement is about; the rest are cut to a stem of six letters.
_FILLER = frozenset(
    re.findall(
        r"\w+",
        "vi der er og at i på om til en et de den det som for med af fra så når ikke hvad hvor "
        "hvordan har vores os hinanden barnet barn kan",
    )
)


def _stems(text: str) -> set[str]:
    return {word[:6] for word in re.findall(r"\w+", text.lower()) if word not in _FILLER}


def test_no_two_statements_are_near_duplicates(catalogue: Catalogue) -> None:
    # Calibrated on 001 itself: its two doubled statements (898/902 and 900/904) score 0.88 and
    # 0.81 on the ratio; the closest distinct statements of the catalogue stay below 0.65.
    statements = catalogue.all_statements()
    for a, b in itertools.combinations(statements, 2):
        ratio = difflib.SequenceMatcher(None, _words(a.text), _words(b.text)).ratio()
        assert ratio < 0.75, f"{a.id} and {b.id} read nearly the same ({ratio:.2f})"
        shared = len(_stems(a.text) & _stems(b.text)) / min(
            len(_stems(a.text)), len(_stems(b.text))
        )
        assert shared < 0.75, f"{a.id} and {b.id} share most of their words ({shared:.2f})"


def test_the_near_duplicate_measure_catches_the_doubled_statements_of_the_material() -> None:
    lines = _seed_lines("001")
    for first, second in ((898, 902), (900, 904)):
        ratio = difflib.SequenceMatcher(
            None, _words(lines[first - 1]), _words(lines[second - 1])
        ).ratio()
        assert ratio >= 0.75, (first, second)


# Ideas with one home. The first stood twice in different words (ledelse.helhedssyn.1 and
# organisering.kommunalt.1), which no text comparison sees; the others are one statement's each.
ONE_HOME = {
    "who pays (budget, pengekasse)": r"budget|pengekass|økonomi",
    "the network map": r"netværkskort",
    "the case coordinator": r"tovholder",
    "templates": r"skabelon",
    "the shared plan": r"handleplan",
}


def test_an_idea_that_was_once_duplicated_has_one_statement(catalogue: Catalogue) -> None:
    for idea, pattern in ONE_HOME.items():
        having = [s.id for s in catalogue.all_statements() if re.search(pattern, s.text.lower())]
        assert len(having) <= 1, f"{idea}: {having}"
    assert not any("pengekasse" in s.text for s in catalogue.all_statements())


def test_every_basis_lies_within_its_theme_or_a_range_the_theme_explains(
    catalogue: Catalogue,
) -> None:
    for theme in catalogue.themes:
        allowed = [_line_range(theme.lines)] + [_line_range(e.lines) for e in theme.extra_lines]
        assert all(extra.reason.strip() for extra in theme.extra_lines), theme.id
        for statement in theme.statements:
            assert statement.basis is not None, statement.id
            cited = _line_range(statement.basis)
            assert any(cited.start in r and cited.stop - 1 in r for r in allowed), statement.id


def test_the_law_statements_name_no_paragraphs_and_the_theme_says_why(
    catalogue: Catalogue,
) -> None:
    theme = catalogue.theme("fagligheder")
    assert theme.note is not None
    assert "2019/20" in theme.note and "Barnets Lov" in theme.note
    for statement in catalogue.all_statements():
        assert "§" not in statement.text and "serviceloven" not in statement.text.lower()
        assert "§" not in statement.short, statement.id


def test_consent_is_the_starting_point_not_an_absolute_rule(catalogue: Catalogue) -> None:
    # 001:1553 allows oral consent; 001:1561-1563 sharing without consent after an anonymous talk.
    consent = catalogue.statement("fagligheder.lovgivning.1").text
    assert "som udgangspunkt" in consent
    assert "anonym" in catalogue.statement("fagligheder.lovgivning.5").text


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
    questions = [q for theme in catalogue.themes for q in theme.reflection_questions]
    used = [_normalise(q.original or q.text) for q in questions]
    assert sorted(used) == sorted(in_seed)
    assert len(used) == 21


def test_only_the_two_typos_of_seed_000_are_corrected_and_the_change_is_recorded(
    catalogue: Catalogue,
) -> None:
    questions = [q for theme in catalogue.themes for q in theme.reflection_questions]
    corrected = {q.original: q.text for q in questions if q.original is not None}
    assert len(corrected) == 2
    for original, text in corrected.items():
        assert original != text
        assert difflib.SequenceMatcher(None, original, text).ratio() > 0.95  # a typo, no rewrite
    texts = " ".join(q.text for q in questions)
    assert "vi sætter i værk" in texts and "vi sættes i værk" not in texts
    assert "den gode relation?" in texts and "den gode relationen" not in texts


def test_each_question_group_has_its_context_line_from_seed_000(catalogue: Catalogue) -> None:
    lines = _seed_lines("000")
    groups = catalogue.reflection.groups
    assert [group.name for group in groups] == [
        "Mistrivsel",
        "Samarbejdet",
        "Relationer",
        "Udvikle praksis",
    ]
    for group in groups:
        (line,) = _line_range(group.basis)
        # "Pointer fra rapporten" stands two lines above each group's context.
        assert lines[line - 3].startswith("Pointer fra rapporten"), group.name
        assert _normalise(group.original or group.context) in _normalise(lines[line - 1])
        assert group.context.count(". ") == 0, f"{group.name}: one sentence, not a paragraph"


def test_the_reflection_questions_credit_fremfaerd_and_nubu(catalogue: Catalogue) -> None:
    assert "Fremfærd" in catalogue.reflection.credit
    assert "NUBU" in catalogue.reflection.credit


def test_the_leadership_theme_asks_about_hierarchies(catalogue: Catalogue) -> None:
    texts = [q.text for q in catalogue.theme("ledelse").reflection_questions]
    assert "Oplever vi hierarkier i samarbejdet?" in texts  # 000:66


def test_question_groups_follow_seed_000_and_keep_every_question(catalogue: Catalogue) -> None:
    for theme in catalogue.themes:
        grouped = catalogue.question_groups(theme)
        order = [group.name for group in catalogue.reflection.groups]
        assert [group.name for group, _ in grouped] == [
            name for name in order if any(q.group == name for q in theme.reflection_questions)
        ]
        assert sorted(t for _, texts in grouped for t in texts) == sorted(
            q.text for q in theme.reflection_questions
        )


def test_professions_include_the_main_groups_and_end_with_other(catalogue: Catalogue) -> None:
    ids = [profession.id for profession in catalogue.professions]
    assert ids[:7] == [
        "laerer",
        "paedagog",
        "ppr",
        "socialraadgiver_myndighed",
        "socialraadgiver_fremskudt",
        "sundhedsplejerske",
        "leder",
    ]
    assert ids[-1] == "andet"
    assert catalogue.profession_label("ppr") == "PPR (psykolog m.fl.)"
    # 001:1691 and 000:58-60: social workers with and without authority play different parts.
    assert catalogue.profession_label("socialraadgiver_myndighed") == "Socialrådgiver med myndighed"
    assert (
        catalogue.profession_label("socialraadgiver_fremskudt")
        == "Socialrådgiver uden myndighed / fremskudt"
    )
    # A person's job, like the other entries, not an institution ("Tandplejen").
    assert catalogue.profession_label("tandpleje") == "Tandplejer/tandlæge"


def test_a_retired_profession_keeps_its_label_but_is_not_offered(catalogue: Catalogue) -> None:
    assert "socialraadgiver" not in catalogue.profession_ids()
    assert catalogue.profession_label("socialraadgiver") == "Socialrådgiver"
    assert catalogue.profession_labels()["socialraadgiver"] == "Socialrådgiver"
    assert set(catalogue.profession_ids()) == {p.id for p in catalogue.professions}


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
    data["themes"][0]["areas"][0]["statements"][1]["source"] = "invented"
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[0].areas[0].statements[1].source"
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


def test_theme_with_11_statements_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    area = data["themes"][0]["areas"][3]
    assert len(data["themes"][0]["areas"][3]["statements"]) < 4
    area["statements"].append(
        {**area["statements"][0], "id": "ledelse.tidlige.9", "short": "Ekstra"}
    )
    error = _error_for(_write(tmp_path, data))
    assert error.problems == [
        ("themes[0]", "temaet 'ledelse' har 11 udsagn; der skal være mellem 3 og 10")
    ]


def test_area_with_5_statements_is_rejected_with_its_location(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][1]["areas"][1]["statements"].append(
        {
            **data["themes"][1]["areas"][1]["statements"][0],
            "id": "organisering.teams.9",
            "short": "Ny",
        }
    )
    error = _error_for(_write(tmp_path, data))
    assert ("themes[1].areas[1]", "emnet 'teams' har 5 udsagn; der skal være mellem 2 og 4") in (
        error.problems
    )


def test_basis_outside_its_theme_is_rejected_unless_the_theme_explains_the_range(
    tmp_path: Path,
) -> None:
    data = _real_data()
    data["themes"][2]["areas"][2]["statements"][0]["basis"] = "001:1143"  # theme 4's research
    error = _error_for(_write(tmp_path, data))
    assert error.location == "themes[2].areas[2].statements[0].basis"
    assert "uden for temaets linjer (001:799-1076)" in error.problem
    data["themes"][2]["extra_lines"] = [
        {"lines": "001:1131-1151", "reason": "Tema 4's forskningspointer om forældres deltagelse."}
    ]
    assert load_catalogue(_write(tmp_path, data)).theme("moeder").extra_lines[0].lines == (
        "001:1131-1151"
    )


def test_every_problem_of_a_file_is_reported_not_just_the_first(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][1]["areas"][0]["statements"][0]["text"] = ""
    data["themes"][3]["areas"][1]["statements"][2]["short"] = "x" * 40
    data["professions"][2]["label"] = " "
    error = _error_for(_write(tmp_path, data))
    assert [where for where, _ in error.problems] == [
        "professions[2].label",
        "themes[1].areas[0].statements[0].text",
        "themes[3].areas[1].statements[2].short",
    ]
    assert len(str(error).splitlines()) == 3


def test_every_schema_problem_is_reported_too(tmp_path: Path) -> None:
    data = _real_data()
    del data["themes"][0]["areas"][0]["statements"][0]["short"]
    data["themes"][4]["number"] = "fem"
    error = _error_for(_write(tmp_path, data))
    assert {where for where, _ in error.problems} == {
        "themes[0].areas[0].statements[0].short",
        "themes[4].number",
    }


# --- checking against the source texts ------------------------------------------------------


def test_the_real_catalogue_passes_the_check_against_its_sources() -> None:
    assert check_catalogue(default_catalogue_path(), SOURCES).version == "2026.2"


def test_the_check_reports_a_basis_past_the_end_of_the_source(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][5]["areas"][1]["statements"][0]["basis"] = "001:1800-99999"
    with pytest.raises(CatalogueError) as caught:
        check_catalogue(_write(tmp_path, data), SOURCES)
    where = "themes[5].areas[1].statements[0].basis"
    assert (where, "'001:1800-99999': kilden har kun 1872 linjer") in caught.value.problems


def test_the_check_reports_a_basis_on_a_blank_line(tmp_path: Path) -> None:
    lines = _seed_lines("001")
    blank = next(n for n in range(1313, 1490) if not lines[n - 1].strip())
    data = _real_data()
    data["themes"][4]["areas"][0]["statements"][1]["basis"] = f"001:{blank}"
    with pytest.raises(CatalogueError) as caught:
        check_catalogue(_write(tmp_path, data), SOURCES)
    assert caught.value.problems == [
        ("themes[4].areas[0].statements[1].basis", f"'001:{blank}': linje {blank} i kilden er tom")
    ]


def test_the_check_reports_a_question_that_is_not_in_seed_000(tmp_path: Path) -> None:
    data = _real_data()
    data["themes"][0]["reflection_questions"][0]["text"] = "Oplever vi hierarkier?"
    data["reflection"]["groups"][1]["context"] = "Samarbejde er svært."
    with pytest.raises(CatalogueError) as caught:
        check_catalogue(_write(tmp_path, data), SOURCES)
    assert caught.value.problems == [
        ("themes[0].reflection_questions[0].text", "står ikke ordret i 000"),
        ("reflection.groups[1].context", "står ikke ordret i 000:38"),
    ]


def test_the_check_accepts_material_wording_from_the_pdf_that_the_text_lacks(
    tmp_path: Path,
) -> None:
    # README: a municipality holding the PDF may put its wording in and mark it `material`.
    data = _real_data()
    data["themes"][0]["areas"][0]["statements"][0]["text"] = "Vi har en fælles ledelsesfortælling"
    data["themes"][0]["areas"][0]["statements"][0]["source"] = "material"
    assert check_catalogue(_write(tmp_path, data), SOURCES).statement(
        "ledelse.retning.1"
    ).source == ("material")


def test_the_check_says_when_the_sources_are_missing(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:
        check_catalogue(default_catalogue_path(), tmp_path / "nowhere")
    assert [problem for _, problem in caught.value.problems] == [
        f"kildeteksten 001_*.txt findes ikke i {tmp_path / 'nowhere'}",
        f"kildeteksten 000_*.txt findes ikke i {tmp_path / 'nowhere'}",
    ]


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

"""The statement catalogue: themes, areas and statements read from `data/statements.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterator, KeysView, Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

MIN_STATEMENTS_PER_THEME = 3  # a radar needs at least three axes
MAX_STATEMENTS_PER_THEME = 10  # more axes than this crowd the radar and wrap its labels
MIN_STATEMENTS_PER_AREA = 2
MAX_STATEMENTS_PER_AREA = 4
MAX_SHORT_LENGTH = 28
MAX_TEXT_LENGTH = 200

# libyaml's parser where PyYAML was built with it (about ten times faster), else the Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BASIS = re.compile(r"^(?P<doc>\d{3}):(?P<first>\d+)(-(?P<last>\d+))?$")
MINISTRY_DOCUMENT = "001"  # the material whose lines every statement's basis cites
QUESTIONS_DOCUMENT = "000"  # Fremfærd / NUBU's reflection questions
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_STATEMENT_SUFFIX = r"[A-Za-z0-9_-]+"

Source = Literal["material", "derived"]
QuestionGroup = Literal["Mistrivsel", "Samarbejdet", "Relationer", "Udvikle praksis"]


Problem = tuple[str, str]  # (where in the file, what is wrong), in Danish


class CatalogueError(Exception):
    """The catalogue file cannot be used; says where and what, in Danish, for every problem."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        self.location, self.problem = self.problems[0]
        super().__init__("\n".join(_place(path, where, what) for where, what in self.problems))


def _place(path: Path, location: str, problem: str) -> str:
    return f"{path}: {location}: {problem}" if location else f"{path}: {problem}"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scale(_Model):
    """The answer scale and its Danish labels."""

    min: int
    max: int
    min_label: str
    max_label: str
    dont_know_label: str


class Profession(_Model):
    """A profession a respondent can say they belong to."""

    id: str
    label: str


class ProfessionGroup(_Model):
    """A coarser group of professions, shown when the professions alone are too few."""

    label: str
    professions: list[str]


class ProfessionGrouping(_Model):
    """One way of grouping every profession (roles, sectors), each profession in one group."""

    name: str
    groups: list[ProfessionGroup]


class ProfessionLabels(Mapping[Any, str]):
    """The professions' labels by id, with the catalogue's coarser groupings (finest first):
    what the small-group rule's one grouping function needs, carried together. Keys are
    profession ids, and None (no profession stated) once `with_label` has named it."""

    def __init__(
        self, labels: Mapping[Any, str], coarse: tuple[Mapping[Any, str], ...] = ()
    ) -> None:
        self._labels = dict(labels)
        self.coarse = coarse  # per grouping: profession id -> the label of its group

    def __getitem__(self, key: str | None) -> str:
        return self._labels[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def with_label(self, key: str | None, label: str) -> ProfessionLabels:
        """A copy that also names `key` (e.g. None: "Ikke oplyst")."""
        return ProfessionLabels({key: label, **self._labels}, self.coarse)


class ReflectionQuestion(_Model):
    """A discussion prompt for the meeting (from seed 000)."""

    group: QuestionGroup
    text: str
    original: str | None = None  # 000's wording where `text` corrects a typo in it


class ReflectionGroup(_Model):
    """One of 000's four groups of questions, with its one line of context from the report."""

    name: QuestionGroup
    context: str
    basis: str
    original: str | None = None  # 000's wording where `context` corrects a typo in it


class Reflection(_Model):
    """Where the reflection questions come from (shown wherever they are) and their groups."""

    credit: str
    groups: list[ReflectionGroup]


class ExtraLines(_Model):
    """Lines outside a theme's own range that its statements may cite, and why."""

    lines: str
    reason: str


class KeyPoint(_Model):
    """A consideration or piece of advice of the theme, quoted from 001 with its line."""

    text: str
    basis: str


class Statement(_Model):
    """One statement (udsagn) the team scores from 1 to 10."""

    id: str
    text: str
    short: str
    source: Source
    basis: str | None = None
    quote: str | None = None  # the passage of `basis` in 001's words, shown on /udsagn

    @property
    def provenance_label(self) -> str:
        """Danish label telling whether the wording is the material's own."""
        if self.source == "material":
            return "Formulering fra materialet"
        return "Afledt af materialet"


class Area(_Model):
    """An area (emne) within a theme, grouping statements on the radar."""

    id: str
    title: str
    statements: list[Statement]


class Theme(_Model):
    """One of the six themes, each drawn as one radar chart."""

    id: str
    number: int
    title: str
    intro: str
    lines: str
    areas: list[Area]
    note: str | None = None  # e.g. that the material's legal references have since moved
    extra_lines: list[ExtraLines] = []
    key_points: list[KeyPoint] = []
    reflection_questions: list[ReflectionQuestion] = []

    @property
    def statements(self) -> list[Statement]:
        """All statements of the theme in catalogue order."""
        return [statement for area in self.areas for statement in area.statements]


class Catalogue(_Model):
    """The whole catalogue: scale, professions, reflection questions' source and themes."""

    version: str
    scale: Scale
    professions: list[Profession]
    # No longer offered, but answers of earlier rounds may carry them: they keep their label.
    retired_professions: list[Profession] = []
    # Coarser groupings, finest first: shown where the professions alone fall below k.
    profession_groupings: list[ProfessionGrouping] = []
    reflection: Reflection
    themes: list[Theme]

    _themes: dict[str, Theme] = PrivateAttr(default_factory=dict)
    _statements: dict[str, tuple[Statement, Area, Theme]] = PrivateAttr(default_factory=dict)
    _professions: dict[str, str] = PrivateAttr(default_factory=dict)
    _offered: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index themes, statements and professions by id for constant-time lookups."""
        self._themes = {theme.id: theme for theme in self.themes}
        self._statements = {
            statement.id: (statement, area, theme)
            for theme in self.themes
            for area in theme.areas
            for statement in area.statements
        }
        self._professions = {
            profession.id: profession.label
            for profession in [*self.professions, *self.retired_professions]
        }
        self._offered = {profession.id: profession.label for profession in self.professions}

    def statement_ids(self) -> KeysView[str]:
        """Every statement id of the catalogue (a view: membership tests cost nothing)."""
        return self._statements.keys()

    def profession_labels(self) -> ProfessionLabels:
        """Every profession's label by id, retired ones included, with the coarser groupings."""
        coarse = tuple(
            MappingProxyType(
                {p: group.label for group in grouping.groups for p in group.professions}
            )
            for grouping in self.profession_groupings
        )
        return ProfessionLabels(self._professions, coarse)

    def find_statement(self, statement_id: str) -> Statement | None:
        """The statement with this id, or None once the catalogue no longer has it."""
        found = self._statements.get(statement_id)
        return found[0] if found else None

    def find_theme(self, theme_id: str) -> Theme | None:
        """The theme with this id, or None once the catalogue no longer has it."""
        return self._themes.get(theme_id)

    def profession_ids(self) -> KeysView[str]:
        """The ids a respondent may choose now (retired professions are not offered)."""
        return self._offered.keys()

    def theme(self, theme_id: str) -> Theme:
        """Return the theme with this id; KeyError if there is none."""
        return self._themes[theme_id]

    def statement(self, statement_id: str) -> Statement:
        """Return the statement with this id; KeyError if there is none."""
        return self._statements[statement_id][0]

    def area_of(self, statement_id: str) -> Area:
        """Return the area a statement belongs to; KeyError if there is none."""
        return self._statements[statement_id][1]

    def theme_of(self, statement_id: str) -> Theme:
        """Return the theme a statement belongs to; KeyError if there is none."""
        return self._statements[statement_id][2]

    def all_statements(self) -> list[Statement]:
        """All statements of all themes in catalogue order."""
        return [statement for theme in self.themes for statement in theme.statements]

    def profession_label(self, profession_id: str) -> str:
        """Return the Danish label of a profession, retired or not; KeyError if there is none."""
        return self._professions[profession_id]

    def question_groups(self, theme: Theme) -> list[tuple[ReflectionGroup, list[str]]]:
        """The theme's reflection questions by group, in the order of 000, each with its context."""
        grouped = [
            (group, [q.text for q in theme.reflection_questions if q.group == group.name])
            for group in self.reflection.groups
        ]
        return [(group, texts) for group, texts in grouped if texts]

    def summary(self) -> str:
        """A short Danish summary: totals, then one line per theme."""
        areas = sum(len(theme.areas) for theme in self.themes)
        lines = [
            f"{_count(len(self.themes), 'tema', 'temaer')}, {_count(areas, 'emne', 'emner')}, "
            f"{len(self.all_statements())} udsagn (version {self.version})"
        ]
        for theme in self.themes:
            statements = theme.statements
            material = sum(1 for statement in statements if statement.source == "material")
            lines.append(
                f"  {theme.number}. {theme.title}: {_count(len(theme.areas), 'emne', 'emner')}, "
                f"{len(statements)} udsagn ({material} fra materialet, "
                f"{len(statements) - material} afledte)"
            )
        return "\n".join(lines)


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def default_catalogue_path() -> Path:
    """The catalogue shipped in the package; in a checkout that is `data/statements.yaml`."""
    # app/data/statements.yaml is a symlink to data/statements.yaml in the checkout (a copy in a
    # wheel); resolving it names the file people edit.
    return Path(str(files("app") / "data" / "statements.yaml")).resolve()


def load_catalogue(path: Path) -> Catalogue:
    """Read, validate and return the catalogue; raise CatalogueError naming every problem found."""
    path = Path(path)
    return _load(path, _read_text(path))


# Keyed on the file's text, so an edited file is read afresh, while the many apps a test session
# builds from one catalogue parse it once. A Catalogue is frozen, so they can share it.
@lru_cache(maxsize=8)
def _load(path: Path, text: str) -> Catalogue:
    catalogue = _parse(path, text)
    problems = list(_semantic_problems(catalogue))
    if problems:
        raise CatalogueError(path, problems)
    return catalogue


def check_catalogue(path: Path, sources: Path) -> Catalogue:
    """Like load_catalogue, and also check every basis against the source texts in `sources`."""
    path = Path(path)
    catalogue = _parse(path, _read_text(path))
    problems = [*_semantic_problems(catalogue), *_source_problems(catalogue, Path(sources))]
    if problems:
        raise CatalogueError(path, problems)
    return catalogue


def _parse(path: Path, text: str) -> Catalogue:
    """The file as a model; CatalogueError naming every problem of its YAML or its schema."""
    data = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise CatalogueError(
            path, [("", "skal være en YAML-afbildning med version, scale, professions og themes")]
        )
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = [(_location(error["loc"]), problem_text(error)) for error in exc.errors()]
        raise CatalogueError(path, problems) from exc


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogueError(path, [("", "filen findes ikke")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path, [("", f"filen kan ikke læses ({exc})")]) from exc


def _parse_yaml(path: Path, text: str) -> object:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"linje {mark.line + 1}" if mark is not None else ""
        detail = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(path, [(location, f"ugyldig YAML ({detail})")]) from exc


def _location(loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ('themes', 2, 'areas', 0, 'id') into 'themes[2].areas[0].id'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# Pydantic's error types in Danish, for the catalogue's check and every form (`app.core.forms`).
PROBLEMS = {
    "missing": "mangler",
    "extra_forbidden": "ukendt felt",
    "string_type": "skal være tekst",
    "int_type": "skal være et heltal",
    "int_parsing": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "list_type": "skal være en liste",
    "model_type": "skal være en afbildning (felt: værdi)",
    "model_attributes_type": "skal være en afbildning (felt: værdi)",
    "dict_type": "skal være en afbildning (felt: værdi)",
    "string_too_short": "må ikke være tom",
    "string_too_long": "må højst være {max_length} tegn",
    "date_parsing": "skal være en dato skrevet som åååå-mm-dd",
    "date_from_datetime_parsing": "skal være en dato skrevet som åååå-mm-dd",
    "date_type": "skal være en dato skrevet som åååå-mm-dd",
    "float_parsing": "skal være et tal, fx 6 eller 6,5",
    "float_type": "skal være et tal, fx 6 eller 6,5",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than_equal": "må højst være {le}",
}


def problem_text(error: Any) -> str:
    """A pydantic error (one item of `ValidationError.errors()`) in Danish, without its place."""
    kind = error["type"]
    context = error.get("ctx", {})
    if kind == "literal_error":
        expected = str(context.get("expected", ""))
        return f"skal være {expected.replace(' or ', ' eller ')}"
    if kind in PROBLEMS:
        return PROBLEMS[kind].format(**context)
    return str(error["msg"])


def _semantic_problems(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    """Yield (location, problem) for every rule the schema alone cannot express."""
    professions = [
        (f"{field}[{i}]", profession)
        for field in ("professions", "retired_professions")
        for i, profession in enumerate(getattr(catalogue, field))
    ]
    yield from _duplicates(((f"{where}.id", p.id) for where, p in professions), "id")
    for where, profession in professions:
        yield from _slug(f"{where}.id", profession.id)
        yield from _not_blank(f"{where}.label", profession.label)
    yield from _reflection_problems(catalogue)
    yield from _grouping_problems(catalogue)
    yield from _duplicates(
        ((f"themes[{i}].id", t.id) for i, t in enumerate(catalogue.themes)), "id"
    )
    yield from _duplicates(
        ((f"themes[{i}].number", t.number) for i, t in enumerate(catalogue.themes)), "nummer"
    )
    yield from _duplicates(
        (
            (f"themes[{i}].areas[{j}].statements[{k}].id", s.id)
            for i, t in enumerate(catalogue.themes)
            for j, a in enumerate(t.areas)
            for k, s in enumerate(a.statements)
        ),
        "id",
    )
    for i, theme in enumerate(catalogue.themes):
        yield from _theme_problems(f"themes[{i}]", theme)


def _grouping_problems(catalogue: Catalogue) -> Iterator[Problem]:
    """Each profession (retired ones too) in exactly one group of every coarser grouping."""
    known = [p.id for p in [*catalogue.professions, *catalogue.retired_professions]]
    for g, grouping in enumerate(catalogue.profession_groupings):
        where = f"profession_groupings[{g}]"
        placed = [p for group in grouping.groups for p in group.professions]
        for profession in sorted(set(placed) - set(known)):
            yield where, f"ukendt faggruppe »{profession}«"
        for profession in known:
            if placed.count(profession) != 1:
                yield where, f"faggruppen »{profession}« skal stå i netop én gruppe"


def _reflection_problems(catalogue: Catalogue) -> Iterator[Problem]:
    reflection = catalogue.reflection
    yield from _not_blank("reflection.credit", reflection.credit)
    groups = [(f"reflection.groups[{g}]", group) for g, group in enumerate(reflection.groups)]
    yield from _duplicates(((f"{where}.name", group.name) for where, group in groups), "gruppe")
    for where, group in groups:
        yield from _not_blank(f"{where}.context", group.context)
        yield from _basis_form(f"{where}.basis", group.basis, QUESTIONS_DOCUMENT)
    named = {group.name for group in reflection.groups}
    for i, theme in enumerate(catalogue.themes):
        for q, question in enumerate(theme.reflection_questions):
            if question.group not in named:
                yield (
                    f"themes[{i}].reflection_questions[{q}].group",
                    f"gruppen '{question.group}' mangler under reflection.groups",
                )


def _theme_problems(where: str, theme: Theme) -> Iterator[tuple[str, str]]:
    yield from _slug(f"{where}.id", theme.id)
    yield from _basis_form(f"{where}.lines", theme.lines, MINISTRY_DOCUMENT)
    for e, extra in enumerate(theme.extra_lines):
        yield from _basis_form(f"{where}.extra_lines[{e}].lines", extra.lines, MINISTRY_DOCUMENT)
        yield from _not_blank(f"{where}.extra_lines[{e}].reason", extra.reason)
    if theme.note is not None:
        yield from _not_blank(f"{where}.note", theme.note)
    for field in ("title", "intro", "lines"):
        yield from _not_blank(f"{where}.{field}", getattr(theme, field))
    yield from _duplicates(
        ((f"{where}.areas[{j}].id", a.id) for j, a in enumerate(theme.areas)), "id"
    )
    yield from _duplicates(
        (
            (f"{where}.areas[{j}].statements[{k}].short", s.short)
            for j, a in enumerate(theme.areas)
            for k, s in enumerate(a.statements)
        ),
        "aksetekst",
    )
    for j, area in enumerate(theme.areas):
        area_where = f"{where}.areas[{j}]"
        yield from _slug(f"{area_where}.id", area.id)
        yield from _not_blank(f"{area_where}.title", area.title)
        if not MIN_STATEMENTS_PER_AREA <= len(area.statements) <= MAX_STATEMENTS_PER_AREA:
            yield (
                area_where,
                f"emnet '{area.id}' har {len(area.statements)} udsagn; der skal være mellem "
                f"{MIN_STATEMENTS_PER_AREA} og {MAX_STATEMENTS_PER_AREA}",
            )
        for k, statement in enumerate(area.statements):
            statement_where = f"{area_where}.statements[{k}]"
            yield from _statement_problems(statement_where, statement, f"{theme.id}.{area.id}.")
            yield from _basis_in_theme(f"{statement_where}.basis", statement.basis, theme)
    count = len(theme.statements)
    if not MIN_STATEMENTS_PER_THEME <= count <= MAX_STATEMENTS_PER_THEME:
        yield (
            where,
            f"temaet '{theme.id}' har {count} udsagn; der skal være mellem "
            f"{MIN_STATEMENTS_PER_THEME} og {MAX_STATEMENTS_PER_THEME}",
        )
    for q, question in enumerate(theme.reflection_questions):
        yield from _not_blank(f"{where}.reflection_questions[{q}].text", question.text)


def _statement_problems(where: str, statement: Statement, prefix: str) -> Iterator[tuple[str, str]]:
    if not re.fullmatch(re.escape(prefix) + _STATEMENT_SUFFIX, statement.id):
        yield (
            f"{where}.id",
            f"'{statement.id}' skal have formen '{prefix}<nummer>' (tema.emne.nummer)",
        )
    yield from _not_blank(f"{where}.text", statement.text)
    if len(statement.text) > MAX_TEXT_LENGTH:
        yield (
            f"{where}.text",
            f"er {len(statement.text)} tegn; højst {MAX_TEXT_LENGTH} er tilladt",
        )
    yield from _not_blank(f"{where}.short", statement.short)
    if len(statement.short) > MAX_SHORT_LENGTH:
        yield (
            f"{where}.short",
            f"er {len(statement.short)} tegn; højst {MAX_SHORT_LENGTH} er tilladt",
        )
    if statement.basis is None:
        if statement.source == "derived":
            yield (
                f"{where}.basis",
                "mangler: et afledt udsagn skal angive, hvor i materialet det kommer fra",
            )
    else:
        yield from _basis_form(f"{where}.basis", statement.basis, MINISTRY_DOCUMENT)


def _basis_form(where: str, basis: str, document: str) -> Iterator[Problem]:
    match = _BASIS.fullmatch(basis)
    if (
        match is None
        or match["doc"] != document
        or int(match["first"]) < 1
        or int(match["last"] or match["first"]) < int(match["first"])
    ):
        yield (
            where,
            f"'{basis}' skal have formen '{document}:<linje>' eller '{document}:<linje>-<linje>'",
        )


def _lines(basis: str | None) -> range | None:
    """The lines a well-formed basis cites; None for no or a malformed basis."""
    match = _BASIS.fullmatch(basis or "")
    if match is None:
        return None
    return range(int(match["first"]), int(match["last"] or match["first"]) + 1)


def _basis_in_theme(where: str, basis: str | None, theme: Theme) -> Iterator[Problem]:
    cited = _lines(basis)
    allowed = [_lines(theme.lines), *(_lines(extra.lines) for extra in theme.extra_lines)]
    if cited is None or any(r is None for r in allowed):
        return  # reported as malformed already
    if not any(r is not None and cited[0] in r and cited[-1] in r for r in allowed):
        yield (
            where,
            f"'{basis}' ligger uden for temaets linjer ({theme.lines}); et område uden for dem "
            "skal stå under extra_lines med en begrundelse",
        )


def _source_problems(catalogue: Catalogue, sources: Path) -> Iterator[Problem]:
    """Every basis points at existing, non-blank lines; reflection questions are 000's own."""
    ministry = _source_lines(sources, MINISTRY_DOCUMENT)
    questions = _source_lines(sources, QUESTIONS_DOCUMENT)
    for doc, lines in ((MINISTRY_DOCUMENT, ministry), (QUESTIONS_DOCUMENT, questions)):
        if lines is None:
            yield "", f"kildeteksten {doc}_*.txt findes ikke i {sources}"
    if ministry is not None:
        yield from _statement_sources(catalogue, ministry)
        yield from _key_point_sources(catalogue, ministry)
    if questions is not None:
        yield from _question_sources(catalogue, questions)


def _statement_sources(catalogue: Catalogue, ministry: list[str]) -> Iterator[Problem]:
    for i, theme in enumerate(catalogue.themes):
        for j, area in enumerate(theme.areas):
            for k, statement in enumerate(area.statements):
                if statement.basis is None:
                    continue
                # Not the wording: a municipality may put in the PDF's, which the text lacks.
                where = f"themes[{i}].areas[{j}].statements[{k}].basis"
                problems, cited = _cited(where, statement.basis, ministry)
                yield from problems
                if (
                    statement.quote
                    and cited
                    and not problems
                    and not _quoted(statement.quote, cited)
                ):
                    yield (
                        where[: -len("basis")] + "quote",
                        (f"står ikke ordret i materialet på {statement.basis}"),
                    )


def _key_point_sources(catalogue: Catalogue, ministry: list[str]) -> Iterator[Problem]:
    """A theme's key points are 001's own words, on the lines they name."""
    for i, theme in enumerate(catalogue.themes):
        for j, point in enumerate(theme.key_points):
            where = f"themes[{i}].key_points[{j}]"
            problems, cited = _cited(f"{where}.basis", point.basis, ministry)
            yield from problems
            if cited is not None and not problems and not _quoted(point.text, cited):
                yield f"{where}.text", f"står ikke ordret i materialet på {point.basis}"


def _question_sources(catalogue: Catalogue, questions: list[str]) -> Iterator[Problem]:
    whole = _normalise("\n".join(questions))
    for i, theme in enumerate(catalogue.themes):
        for q, question in enumerate(theme.reflection_questions):
            if _normalise(question.original or question.text) not in whole:
                where = f"themes[{i}].reflection_questions[{q}]"
                yield f"{where}.text", f"står ikke ordret i {QUESTIONS_DOCUMENT}"
    for g, group in enumerate(catalogue.reflection.groups):
        where = f"reflection.groups[{g}]"
        problems, cited = _cited(f"{where}.basis", group.basis, questions)
        yield from problems
        wording = _normalise(group.original or group.context)
        if cited is not None and wording not in _normalise(cited):
            yield f"{where}.context", f"står ikke ordret i {group.basis}"


def _cited(where: str, basis: str, lines: list[str]) -> tuple[list[Problem], str | None]:
    """The problems of a basis outside the source or on a blank line, and the cited text."""
    cited = _lines(basis)
    if cited is None:
        return [], None
    if cited[-1] > len(lines):
        return [(where, f"'{basis}': kilden har kun {len(lines)} linjer")], None
    text = " ".join(lines[n - 1] for n in cited)
    if not lines[cited[0] - 1].strip():
        return [(where, f"'{basis}': linje {cited[0]} i kilden er tom")], text
    return [], text


def _source_lines(directory: Path, document: str) -> list[str] | None:
    found = sorted(directory.glob(f"{document}_*.txt")) if directory.is_dir() else []
    return found[0].read_text(encoding="utf-8").splitlines() if found else None


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _quoted(quote: str, cited: str) -> bool:
    """Whether a quote is the cited lines' own words (markup, a final stop and "…" aside)."""
    plain = _normalise(re.sub(r"<[^>]+>", " ", cited))
    return all(_normalise(part).rstrip(".") in plain for part in quote.split("…") if part.strip())


def _not_blank(where: str, value: str) -> Iterator[tuple[str, str]]:
    if not value.strip():
        yield where, "må ikke være tom"


def _slug(where: str, value: str) -> Iterator[tuple[str, str]]:
    if not _SLUG.fullmatch(value):
        yield (
            where,
            f"'{value}' skal være små bogstaver a-z, cifre eller _ og begynde med et bogstav",
        )


def _duplicates(items: Iterator[tuple[str, object]], what: str) -> Iterator[tuple[str, str]]:
    seen: dict[object, str] = {}
    for where, value in items:
        if value in seen:
            yield where, f"{what} '{value}' er brugt to gange (første gang i {seen[value]})"
        else:
            seen[value] = where

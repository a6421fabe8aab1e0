"""The statement catalogue: themes, areas and statements read from `data/statements.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterator, KeysView, Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

MIN_STATEMENTS_PER_THEME = 3  # a radar needs at least three axes
MAX_STATEMENTS_PER_THEME = 14  # more axes than this make the radar unreadable
MIN_STATEMENTS_PER_AREA = 2
MAX_SHORT_LENGTH = 28
MAX_TEXT_LENGTH = 200

# libyaml's parser where PyYAML was built with it (about ten times faster), else the Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BASIS = re.compile(r"^\d{3}:\d+(-\d+)?$")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_STATEMENT_SUFFIX = r"[A-Za-z0-9_-]+"

Source = Literal["material", "derived"]
QuestionGroup = Literal["Mistrivsel", "Samarbejdet", "Relationer", "Udvikle praksis"]


class CatalogueError(Exception):
    """The catalogue file cannot be used; says where and what, in Danish."""

    def __init__(self, path: Path, location: str, problem: str) -> None:
        self.path = path
        self.location = location
        self.problem = problem
        place = f"{path}: {location}" if location else str(path)
        super().__init__(f"{place}: {problem}")


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


class ReflectionQuestion(_Model):
    """A discussion prompt for the meeting (from seed 000)."""

    group: QuestionGroup
    text: str


class Statement(_Model):
    """One statement (udsagn) the team scores from 1 to 10."""

    id: str
    text: str
    short: str
    source: Source
    basis: str | None = None

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
    reflection_questions: list[ReflectionQuestion] = []

    @property
    def statements(self) -> list[Statement]:
        """All statements of the theme in catalogue order."""
        return [statement for area in self.areas for statement in area.statements]


class Catalogue(_Model):
    """The whole catalogue: scale, professions and themes."""

    version: str
    scale: Scale
    professions: list[Profession]
    themes: list[Theme]

    _themes: dict[str, Theme] = PrivateAttr(default_factory=dict)
    _statements: dict[str, tuple[Statement, Area, Theme]] = PrivateAttr(default_factory=dict)
    _professions: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index themes, statements and professions by id for constant-time lookups."""
        self._themes = {theme.id: theme for theme in self.themes}
        self._statements = {
            statement.id: (statement, area, theme)
            for theme in self.themes
            for area in theme.areas
            for statement in area.statements
        }
        self._professions = {profession.id: profession.label for profession in self.professions}

    def statement_ids(self) -> KeysView[str]:
        """Every statement id of the catalogue (a view: membership tests cost nothing)."""
        return self._statements.keys()

    def profession_labels(self) -> Mapping[str, str]:
        """Every profession's label by id (read-only)."""
        return MappingProxyType(self._professions)

    def profession_ids(self) -> KeysView[str]:
        """Every profession id of the catalogue."""
        return self._professions.keys()

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
        """Return the Danish label of a profession; KeyError if there is none."""
        return self._professions[profession_id]

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
    """Read, validate and return the catalogue; raise CatalogueError saying where it is wrong."""
    path = Path(path)
    return _parse_catalogue(path, _read_text(path))


# Keyed on the file's text, so an edited file is read afresh, while the many apps a test session
# builds from one catalogue parse it once. A Catalogue is frozen, so they can share it.
@lru_cache(maxsize=8)
def _parse_catalogue(path: Path, text: str) -> Catalogue:
    data = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise CatalogueError(
            path, "", "skal være en YAML-afbildning med version, scale, professions og themes"
        )
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise CatalogueError(path, _location(error["loc"]), _problem(error)) from exc
    for location, problem in _semantic_problems(catalogue):
        raise CatalogueError(path, location, problem)
    return catalogue


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogueError(path, "", "filen findes ikke") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path, "", f"filen kan ikke læses ({exc})") from exc


def _parse_yaml(path: Path, text: str) -> object:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"linje {mark.line + 1}" if mark is not None else ""
        detail = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(path, location, f"ugyldig YAML ({detail})") from exc


def _location(loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ('themes', 2, 'areas', 0, 'id') into 'themes[2].areas[0].id'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_PROBLEMS = {
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
}


def _problem(error: Any) -> str:
    kind = error["type"]
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return f"skal være {expected.replace(' or ', ' eller ')}"
    return _PROBLEMS.get(kind, str(error["msg"]))


def _semantic_problems(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    """Yield (location, problem) for every rule the schema alone cannot express."""
    yield from _duplicates(
        ((f"professions[{i}].id", p.id) for i, p in enumerate(catalogue.professions)), "id"
    )
    for i, profession in enumerate(catalogue.professions):
        yield from _slug(f"professions[{i}].id", profession.id)
        yield from _not_blank(f"professions[{i}].label", profession.label)
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


def _theme_problems(where: str, theme: Theme) -> Iterator[tuple[str, str]]:
    yield from _slug(f"{where}.id", theme.id)
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
        if len(area.statements) < MIN_STATEMENTS_PER_AREA:
            yield (
                area_where,
                f"emnet '{area.id}' har {len(area.statements)} udsagn; "
                f"der skal være mindst {MIN_STATEMENTS_PER_AREA}",
            )
        for k, statement in enumerate(area.statements):
            yield from _statement_problems(
                f"{area_where}.statements[{k}]", statement, f"{theme.id}.{area.id}."
            )
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
    elif not _BASIS.fullmatch(statement.basis):
        yield (
            f"{where}.basis",
            f"'{statement.basis}' skal have formen '001:<linje>' eller '001:<linje>-<linje>'",
        )


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

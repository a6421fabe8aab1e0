"""Reading a phone's scoring form: field names, validation with Danish messages, round status.

Pure: imports neither FastAPI nor the database session, so every rule is unit-tested on its own.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Generic, Protocol, TypeVar

SCORE_PREFIX = "s-"
COMMENT_PREFIX = "c-"
PROFESSION_FIELD = "profession"
DONT_KNOW = "vedikke"
SCALE = range(1, 11)
MAX_COMMENT_LENGTH = 500
# Both limits are enforced before the body is parsed; a full form of six themes is ~10 KB and
# ~120 fields, so they leave room for a much larger catalogue.
MAX_FORM_BYTES = 200_000
MAX_FORM_FIELDS = 500
GENERAL = ""  # the errors key of problems that belong to no one statement

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class StatementLike(Protocol):
    """What grouping needs of a round's statement."""

    @property
    def theme_id(self) -> str: ...

    @property
    def theme_title(self) -> str: ...

    @property
    def area_id(self) -> str: ...

    @property
    def area_title(self) -> str: ...


S = TypeVar("S", bound=StatementLike)


@dataclass(frozen=True)
class Answer:
    """One statement's answer: a value 1-10, or None for "Ved ikke", and an optional comment."""

    value: int | None
    comment: str | None = None


@dataclass
class Submission:
    """A parsed form: the answers to store, or the problems; and what was entered, to show again."""

    profession: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    entered_profession: str = ""

    def fail(self, key: str, message: str) -> None:
        """Note a problem; the first one per statement is the one shown."""
        self.errors.setdefault(key, message)


def clean_comment(text: str) -> str:
    """A comment as stored: newlines as the browser counted them, no control characters."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_value(raw: str) -> int | None:
    """The score a radio value stands for: 1-10, or None for "Ved ikke"; ValueError otherwise."""
    if raw == DONT_KNOW:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) not in SCALE:
        raise ValueError(raw)
    return int(raw)


def parse_submission(
    *,
    fields: Iterable[tuple[str, object]],
    round_statement_ids: Collection[str],
    catalogue_statement_ids: Collection[str],
    profession_ids: Collection[str],
    ignore: Collection[str] = (),
) -> Submission:
    """Check every field of a submitted form; its answers may be stored only if it has no errors."""
    submission = Submission()
    raw_values: dict[str, list[str]] = {}
    raw_comments: dict[str, list[str]] = {}
    professions: list[str] = []
    for name, value in fields:
        if name in ignore:
            continue
        if not isinstance(value, str):
            submission.fail(GENERAL, "Formularen må ikke indeholde filer.")
        elif name.startswith(SCORE_PREFIX):
            raw_values.setdefault(name.removeprefix(SCORE_PREFIX), []).append(value)
        elif name.startswith(COMMENT_PREFIX):
            raw_comments.setdefault(name.removeprefix(COMMENT_PREFIX), []).append(value)
        elif name == PROFESSION_FIELD:
            professions.append(value)
        else:
            submission.fail(GENERAL, "Formularen indeholder felter, som Spindelvæv ikke kender.")
    known = (round_statement_ids, catalogue_statement_ids)
    _check_statements(submission, raw_values, raw_comments, *known)
    _check_profession(submission, professions, profession_ids)
    if not submission.errors and not submission.answers:
        submission.fail(GENERAL, "Vælg et svar ved mindst ét udsagn, før du sender.")
    if submission.errors:
        # All or nothing: a form with a problem has no answers to store, only values to show again.
        submission.answers.clear()
    return submission


def _check_statements(
    submission: Submission,
    raw_values: dict[str, list[str]],
    raw_comments: dict[str, list[str]],
    in_round: Collection[str],
    in_catalogue: Collection[str],
) -> None:
    for statement_id in dict.fromkeys([*raw_values, *raw_comments]):
        values = [value for value in raw_values.get(statement_id, []) if value != ""]
        comments = raw_comments.get(statement_id, [])
        comment = clean_comment(comments[0]) if comments else ""
        if values:
            submission.values[statement_id] = values[0]
        if comment:
            submission.comments[statement_id] = comment
        problem = _statement_problem(
            statement_id, values, comments, comment, in_round, in_catalogue
        )
        if problem:
            submission.fail(statement_id, problem)
        elif values:
            submission.answers[statement_id] = Answer(
                value=parse_value(values[0]), comment=comment or None
            )


def _statement_problem(
    statement_id: str,
    values: Sequence[str],
    comments: Sequence[str],
    comment: str,
    in_round: Collection[str],
    in_catalogue: Collection[str],
) -> str | None:
    if statement_id not in in_round:
        if statement_id in in_catalogue:
            return "Udsagnet er ikke med i denne runde."
        return "Udsagnet findes ikke i kataloget."
    if len(values) > 1 or len(comments) > 1:
        return "Udsagnet har fået mere end ét svar. Vælg ét."
    if values:
        try:
            parse_value(values[0])
        except ValueError:
            return "Svaret skal være et tal fra 1 til 10 eller »Ved ikke«."
    if len(comment) > MAX_COMMENT_LENGTH:
        return f"Kommentaren er på {len(comment)} tegn; der er plads til {MAX_COMMENT_LENGTH}."
    if comment and not values:
        return "Vælg et svar (eller »Ved ikke«) til din kommentar, så den kan gemmes."
    return None


def _check_profession(
    submission: Submission, professions: list[str], profession_ids: Collection[str]
) -> None:
    if len(professions) > 1:
        submission.fail(PROFESSION_FIELD, "Vælg højst én faggruppe.")
        return
    chosen = professions[0] if professions else ""
    submission.entered_profession = chosen
    if chosen and chosen not in profession_ids:
        submission.fail(PROFESSION_FIELD, "Faggruppen findes ikke. Vælg en fra listen.")
        return
    submission.profession = chosen or None


@dataclass
class AreaGroup(Generic[S]):
    """An area's statements, in round order."""

    title: str
    statements: list[S]


@dataclass
class ThemeGroup(Generic[S]):
    """A theme's areas, in round order."""

    theme_id: str
    title: str
    areas: list[AreaGroup[S]]

    @property
    def count(self) -> int:
        """How many statements the theme has in the round."""
        return sum(len(area.statements) for area in self.areas)


def group_statements(statements: Sequence[S]) -> list[ThemeGroup[S]]:
    """The round's statements by theme and area, in their order (the scoring page's headings)."""
    themes: list[ThemeGroup[S]] = []
    for theme_id, theme_iter in groupby(statements, key=lambda s: s.theme_id):
        in_theme = list(theme_iter)
        areas = [
            AreaGroup(title=area[0].area_title, statements=area)
            for area in (list(group) for _, group in groupby(in_theme, key=lambda s: s.area_id))
        ]
        themes.append(ThemeGroup(theme_id=theme_id, title=in_theme[0].theme_title, areas=areas))
    return themes

"""Reading a scoring form: every rule, without FastAPI or a database."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.core.rounds import effective_status, is_open
from app.core.scoring import (
    GENERAL,
    MAX_COMMENT_LENGTH,
    PROFESSION_FIELD,
    Answer,
    Submission,
    clean_comment,
    group_statements,
    parse_submission,
    parse_value,
)
from app.db.models import Round

IN_ROUND = {"a.x.1", "a.x.2", "a.y.1"}
CATALOGUE = IN_ROUND | {"b.z.1"}
PROFESSIONS = {"laerer", "ppr"}


def parse(*fields: tuple[str, object]) -> Submission:
    return parse_submission(
        fields=fields,
        round_statement_ids=IN_ROUND,
        catalogue_statement_ids=CATALOGUE,
        profession_ids=PROFESSIONS,
        ignore={"csrf_token"},
    )


def test_a_full_form_becomes_answers_and_a_profession() -> None:
    submission = parse(
        ("csrf_token", "t"),
        ("profession", "ppr"),
        ("s-a.x.1", "1"),
        ("c-a.x.1", "  Vi mødes for sjældent.  "),
        ("s-a.x.2", "vedikke"),
        ("c-a.x.2", ""),
        ("s-a.y.1", "10"),
    )
    assert submission.errors == {}
    assert submission.profession == "ppr"
    assert submission.answers == {
        "a.x.1": Answer(value=1, comment="Vi mødes for sjældent."),
        "a.x.2": Answer(value=None),
        "a.y.1": Answer(value=10),
    }


def test_unanswered_statements_are_left_out_not_stored_as_ved_ikke() -> None:
    submission = parse(("s-a.x.1", "4"), ("c-a.x.2", ""), ("s-a.y.1", ""))
    assert submission.errors == {}
    assert set(submission.answers) == {"a.x.1"}


def test_vil_ikke_oplyse_means_no_profession() -> None:
    submission = parse(("profession", ""), ("s-a.x.1", "4"))
    assert submission.errors == {}
    assert submission.profession is None


@pytest.mark.parametrize("raw", ["0", "11", "-1", "5.5", "fem", " 5", "٥", "1e1", "10 "])
def test_a_value_outside_one_to_ten_is_refused_on_its_statement(raw: str) -> None:
    submission = parse(("s-a.x.1", raw), ("s-a.x.2", "3"))
    assert submission.errors == {"a.x.1": "Svaret skal være et tal fra 1 til 10 eller »Ved ikke«."}
    assert submission.values["a.x.1"] == raw  # shown again as entered


def test_an_unknown_statement_is_refused() -> None:
    submission = parse(("s-findes.ikke.1", "3"))
    assert submission.errors == {"findes.ikke.1": "Udsagnet findes ikke i kataloget."}


def test_a_statement_of_another_round_is_refused() -> None:
    submission = parse(("s-b.z.1", "3"))
    assert submission.errors == {"b.z.1": "Udsagnet er ikke med i denne runde."}


def test_an_overlong_comment_is_refused_and_kept_for_the_form() -> None:
    comment = "x" * (MAX_COMMENT_LENGTH + 1)
    submission = parse(("s-a.x.1", "3"), ("c-a.x.1", comment))
    assert "501 tegn" in submission.errors["a.x.1"]
    assert submission.comments["a.x.1"] == comment


def test_a_comment_of_exactly_the_limit_counts_browser_newlines_once() -> None:
    # Browsers count a line break as one character for maxlength but send it as CRLF.
    comment = ("x" * 99 + "\r\n") * 5
    submission = parse(("s-a.x.1", "3"), ("c-a.x.1", comment))
    assert submission.errors == {}
    assert submission.answers["a.x.1"].comment == ("x" * 99 + "\n") * 4 + "x" * 99


def test_a_comment_without_an_answer_asks_for_one() -> None:
    submission = parse(("s-a.x.2", "5"), ("c-a.x.1", "Svært at sige"))
    assert "Vælg et svar" in submission.errors["a.x.1"]


def test_two_answers_to_one_statement_are_refused() -> None:
    submission = parse(("s-a.x.1", "3"), ("s-a.x.1", "4"))
    assert submission.errors == {"a.x.1": "Udsagnet har fået mere end ét svar. Vælg ét."}


def test_an_unknown_profession_is_refused() -> None:
    submission = parse(("profession", "astronaut"), ("s-a.x.1", "4"))
    assert submission.errors == {PROFESSION_FIELD: "Faggruppen findes ikke. Vælg en fra listen."}
    assert submission.entered_profession == "astronaut"


def test_two_professions_are_refused() -> None:
    submission = parse(("profession", "ppr"), ("profession", "laerer"), ("s-a.x.1", "4"))
    assert PROFESSION_FIELD in submission.errors


def test_unknown_fields_and_files_make_the_form_malformed() -> None:
    assert GENERAL in parse(("s-a.x.1", "4"), ("hvad", "nu")).errors
    assert GENERAL in parse(("s-a.x.1", "4"), ("s-a.x.2", object())).errors


def test_an_empty_form_is_refused_with_a_general_message() -> None:
    submission = parse(("profession", "ppr"), ("c-a.x.1", ""))
    assert submission.errors == {GENERAL: "Vælg et svar ved mindst ét udsagn, før du sender."}


def test_every_problem_gets_its_own_message() -> None:
    submission = parse(("s-a.x.1", "0"), ("s-a.x.2", "x"), ("s-b.z.1", "2"), ("profession", "?"))
    assert set(submission.errors) == {"a.x.1", "a.x.2", "b.z.1", PROFESSION_FIELD}
    assert submission.answers == {}


def test_control_characters_never_reach_the_database() -> None:
    assert clean_comment("a\x00b\x1bc\td\r\ne") == "abc\td\ne"


def test_parse_value_accepts_the_scale_and_ved_ikke_only() -> None:
    assert [parse_value(str(n)) for n in range(1, 11)] == list(range(1, 11))
    assert parse_value("vedikke") is None
    with pytest.raises(ValueError):
        parse_value("Ved ikke")


def _round(status: str, closes_in: timedelta | None = None) -> Round:
    now = datetime.now(UTC)
    return Round(
        team_id=1,
        label="R",
        colour="#000000",
        status=status,
        join_code="ABCDEF",
        link_token="t",
        catalogue_version="1",
        closes_at=None if closes_in is None else now + closes_in,
    )


def test_an_open_round_whose_closing_time_has_passed_counts_as_closed() -> None:
    assert effective_status(_round("open")) == "open"
    assert effective_status(_round("open", timedelta(hours=1))) == "open"
    assert effective_status(_round("open", timedelta(seconds=-1))) == "closed"
    assert effective_status(_round("draft")) == "draft"
    assert not is_open(_round("closed"))


@dataclass
class _Statement:
    statement_id: str
    theme_id: str
    theme_title: str
    area_id: str
    area_title: str


def test_statements_are_grouped_by_theme_and_area_in_their_order() -> None:
    statements = [
        _Statement("b.q.1", "b", "Bee", "q", "Q"),
        _Statement("b.q.2", "b", "Bee", "q", "Q"),
        _Statement("b.p.1", "b", "Bee", "p", "P"),
        _Statement("a.x.1", "a", "Aye", "x", "X"),
    ]
    themes = group_statements(statements)
    assert [(t.title, [a.title for a in t.areas], t.count) for t in themes] == [
        ("Bee", ["Q", "P"], 3),
        ("Aye", ["X"], 1),
    ]

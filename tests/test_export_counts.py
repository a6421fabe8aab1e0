"""The export's stored counts and decisions agree with the rows it streams, under every rule.

The export page adds up stored row counts per round and theme (`export_count`) instead of reading
every stored cell; the download reads the stored decisions (`export_hidden`). Over random rounds
the count the page shows must equal the rows the download lets out, with and without a theme
filter, after the rule changes (another k) and after a round is reopened and closed again.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

from app.core.scoring import Answer
from app.db.export import ExportFilter, export_rows, plan_export
from app.db.models import ExportCount, Round, RoundStatement, Team, Unit
from app.db.responses import save_response
from app.db.rounds import close_round, create_round, reopen_round
from app.themes import Catalogue

PROFESSIONS = ("laerer", "paedagog", "ppr", "leder", None)
SKIP = "skip"
STATEMENTS_PER_THEME = 3

# One response: a profession and a value (or skip, or "Ved ikke") for 3 statements of 2 themes.
_response = st.tuples(
    st.sampled_from(PROFESSIONS),
    st.lists(st.sampled_from([SKIP, None, *range(1, 11)]), min_size=6, max_size=6),
)
_round = st.lists(_response, min_size=0, max_size=14)


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def _answer(session: Session, round_: Round, people: list, start: int = 0) -> None:
    statements = list(
        session.exec(
            select(RoundStatement.statement_id)
            .where(RoundStatement.round_id == round_.id)
            .order_by(col(RoundStatement.position))
        )
    )
    for index, (profession, values) in enumerate(people, start=start):
        answers = {
            sid: Answer(value=value)
            for sid, value in zip(statements, values, strict=False)
            if value != SKIP
        }
        if answers:
            save_response(
                session=session,
                round_id=round_.id or 0,
                respondent_key=f"key-{round_.id}-{index}",
                profession=profession,
                answers=answers,
            )


def _build(session: Session, catalogue: Catalogue, rounds: list) -> list[Round]:
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    built = []
    for number, people in enumerate(rounds):
        team = Team(name=f"Team {number}", unit_id=unit.id or 0, expected_size=20)
        session.add(team)
        session.flush()
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team.id or 0,
            label=f"Runde {number}",
            theme_ids=[theme.id for theme in catalogue.themes[:2]],
            status="open",
        )
        # Keep 3 statements of each theme, so that random answers cover every one of them.
        keep = {s.id for theme in catalogue.themes[:2] for s in theme.statements[:3]}
        for statement in session.exec(
            select(RoundStatement).where(RoundStatement.round_id == round_.id)
        ):
            if statement.statement_id not in keep:
                session.delete(statement)
        session.flush()
        _answer(session, round_, people)
        close_round(session=session, round_=round_)
        built.append(round_)
    session.commit()
    return built


def _counted_and_streamed(
    session: Session, engine: Engine, catalogue: Catalogue, k: int, theme_id: str | None
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(rounds, responses, rows) as the page counts them, and as the download streams them."""
    labels = catalogue.profession_labels()
    filters = ExportFilter(theme_id=theme_id)
    page = plan_export(
        session=session,
        filters=filters,
        k=k,
        min_share=0.0,
        profession_labels=labels,
        with_rows=False,
    )
    download = plan_export(
        session=session, filters=filters, k=k, min_share=0.0, profession_labels=labels
    )
    session.commit()
    rows = list(export_rows(engine=engine, plan=download))
    streamed = (
        len({row[2] for row in rows}),
        sum(info.responses for info in download.rounds.values() if info.rows),
        len(rows),
    )
    counted = (
        sum(1 for info in download.rounds.values() if info.rows),
        sum(info.responses for info in download.rounds.values() if info.rows),
        page.rows,
    )
    assert page.round_count == len(download.rounds)
    assert page.responses == sum(info.responses for info in download.rounds.values())
    assert page.rows == download.rows
    return counted, streamed


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=st.lists(_round, min_size=1, max_size=4), k=st.sampled_from([2, 3, 5]))
def test_the_counted_rows_equal_the_rows_streamed_for_every_filter_and_rule(
    engine: Engine, catalogue: Catalogue, rounds: list, k: int
) -> None:
    _empty(engine)
    with Session(engine) as session:
        _build(session, catalogue, rounds)
        for rule_k in (k, 3, k + 1):  # a changed rule decides again; the old one still holds
            for theme_id in (None, catalogue.themes[0].id, catalogue.themes[1].id):
                counted, streamed = _counted_and_streamed(
                    session, engine, catalogue, rule_k, theme_id
                )
                assert counted == streamed, (rule_k, theme_id)


def test_a_reopened_round_is_counted_again_with_its_new_answers(
    engine: Engine, catalogue: Catalogue
) -> None:
    with Session(engine) as session:
        people = [("laerer", [5, 6, 7, 8, 9, 10])] * 4
        (round_,) = _build(session, catalogue, [people])
        before, _ = _counted_and_streamed(session, engine, catalogue, 3, None)
        assert before == (1, 4, 24)
        session.refresh(round_)
        round_.results_shown_at = None  # a round whose results were shown cannot be reopened
        reopen_round(session=session, round_=round_)
        assert session.exec(select(func.count()).select_from(ExportCount)).one() == 0
        _answer(session, round_, [("paedagog", [1, 2, 3, None, SKIP, SKIP])] * 3, start=4)
        close_round(session=session, round_=round_)
        session.commit()
        after, streamed = _counted_and_streamed(session, engine, catalogue, 3, None)
    # 7 responses; 4 × 6 rows from the teachers and 3 × 4 from the pedagogues (the two
    # statements they skipped have only 4 values, still at least k).
    assert after == streamed == (1, 7, 36)

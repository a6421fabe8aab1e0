"""A property of every figure shown, over random teams: none can be narrowed down to fewer than k.

For each random team (sizes, professions, skipped statements, "Ved ikke", comments) the test
collects every figure the results page, its API, the meeting and the export show, with the set of
answers (response, statement) each rests on. Then:

- no figure rests on fewer than k answers;
- two sets of which one holds the other differ by no answers or by at least k, so no subtraction
  of one figure from another isolates fewer than k answers.
"""

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.core.scoring import Answer
from app.db.export import ExportFilter, export_rows, plan_export
from app.db.models import Response, Round, Team, Unit
from app.db.responses import hash_respondent_key, save_response
from app.db.results import public_results, round_report
from app.db.rounds import create_round
from app.themes import Catalogue

K = 3
PROFESSIONS = ("laerer", "paedagog", "ppr", None)
SKIP = "skip"
AnswerSet = frozenset[tuple[int, str]]

_value = st.one_of(st.just(SKIP), st.none(), st.integers(min_value=1, max_value=10))
_response = st.tuples(
    st.sampled_from(PROFESSIONS),
    st.lists(st.sampled_from([SKIP, SKIP, None, *range(1, 11)]), min_size=6, max_size=6),
    st.booleans(),  # whether this person comments
)
_team = st.lists(_response, min_size=K, max_size=12)


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def _build(session: Session, catalogue: Catalogue, team_answers: list) -> tuple[Round, list[str]]:
    unit = Unit(name="Enhed")
    session.add(unit)
    session.flush()
    team = Team(name="Team", unit_id=unit.id or 0, expected_size=len(team_answers))
    session.add(team)
    session.flush()
    theme = catalogue.themes[0]
    statement_ids = [s.id for s in theme.statements[:6]]
    round_ = create_round(
        session=session,
        catalogue=catalogue,
        team_id=team.id or 0,
        label="Runde",
        theme_ids=[theme.id],
        status="open",
    )
    session.commit()
    for index, (profession, values, comments) in enumerate(team_answers):
        answers = {
            sid: Answer(value, f"kommentar {index}" if comments else None)
            for sid, value in zip(statement_ids, values, strict=True)
            if value != SKIP
        }
        if answers:
            save_response(
                session=session,
                round_id=round_.id or 0,
                respondent_key=f"key-{index}",
                profession=profession,
                answers=answers,
            )
    round_.status = "closed"
    session.add(round_)
    session.commit()
    session.refresh(round_)
    return round_, statement_ids


def _figures(
    session: Session, engine: Engine, catalogue: Catalogue, round_: Round, team_answers: list
) -> list[tuple[str, AnswerSet]]:
    """Every figure shown anywhere, as (what, the answers it rests on)."""
    assert round_.id is not None
    team = session.get_one(Team, round_.team_id)
    labels = {p.id: p.label for p in catalogue.professions}
    report = round_report(
        session=session, round_=round_, team=team, k=K, min_share=0.0, profession_labels=labels
    )
    valued: dict[str, set[int]] = {}
    profession_of: dict[int, str | None] = {}
    for index, (profession, values, _) in enumerate(team_answers):
        profession_of[index] = profession
        for position, value in enumerate(values):
            if isinstance(value, int):
                valued.setdefault(str(position), set()).add(index)
    theme0 = catalogue.themes[0]
    sid_position = {s.id: str(n) for n, s in enumerate(theme0.statements[:6])}

    def answers(sid: str, professions: tuple[str | None, ...] | None = None) -> AnswerSet:
        people = valued.get(sid_position.get(sid, ""), set())
        if professions is not None:
            people = {p for p in people if profession_of[p] in professions}
        return frozenset((p, sid) for p in people)

    figures: list[tuple[str, AnswerSet]] = []
    if not report.enough:
        return figures
    for theme in report.themes:
        theme_set: set[tuple[int, str]] = set()
        for area in theme.areas:
            area_set: set[tuple[int, str]] = set()
            for item in area.statements:
                if item.shown:
                    figures.append((f"statement {item.info.id}", answers(item.info.id)))
                    area_set |= answers(item.info.id)
                    if item.info.id in report.comments:
                        figures.append((f"comments {item.info.id}", answers(item.info.id)))
                else:
                    assert item.info.id not in report.comments
            if area.mean is not None:
                figures.append((f"area {area.id}", frozenset(area_set)))
            theme_set |= area_set
        if theme.mean is not None:
            figures.append((f"theme {theme.id}", frozenset(theme_set)))
    breakdown = report.professions
    if breakdown is not None:
        for group in breakdown.groups:
            for sid, row in breakdown.means.items():
                if row[group.label] is not None:
                    figures.append((f"{group.label} {sid}", answers(sid, group.professions)))
            for theme_id, row in breakdown.theme_means.items():
                if row.get(group.label) is not None:
                    union = {
                        pair
                        for sid, means in breakdown.means.items()
                        if means[group.label] is not None
                        for pair in answers(sid, group.professions)
                    }
                    figures.append((f"{group.label} theme {theme_id}", frozenset(union)))
    # The API says the same as the page (its numbers come from the same report).
    api = public_results(report)
    assert [s.statement_id for s in api.statements if s.shown] == [
        item.info.id for theme in report.themes for item in theme.statements if item.shown
    ]
    # The export: per statement and per (group, statement), the rows it lets out.
    plan = plan_export(
        session=session, filters=ExportFilter(), k=K, min_share=0.0, profession_labels=labels
    )
    person_of = {
        response.public_id: int(key.removeprefix("key-"))
        for response in session.exec(select(Response)).all()
        for key in (f"key-{i}" for i in range(len(team_answers)))
        if response.respondent_key_hash == hash_respondent_key(key)
    }
    exported: dict[tuple[str | None, str], set[tuple[int, str]]] = {}
    for row in export_rows(engine=engine, plan=plan):
        *_, sid, _text, label, value, public_id = row
        if value is None:
            continue
        pair = (person_of[str(public_id)], str(sid))
        exported.setdefault((None, str(sid)), set()).add(pair)
        if label is not None:
            exported.setdefault((str(label), str(sid)), set()).add(pair)
    for (label, sid), pairs in exported.items():
        figures.append((f"export {label} {sid}", frozenset(pairs)))
    by_group: dict[str | None, set[tuple[int, str]]] = {}
    for (label, _sid), pairs in exported.items():
        by_group.setdefault(label, set()).update(pairs)
    for label, pairs in by_group.items():
        figures.append((f"export {label} theme", frozenset(pairs)))
    return figures


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(team_answers=_team)
def test_no_figure_rests_on_fewer_than_k_answers_nor_differs_from_another_by_fewer(
    engine: Engine, catalogue: Catalogue, team_answers: list
) -> None:
    _empty(engine)
    with Session(engine) as session:
        round_, _ = _build(session, catalogue, team_answers)
        figures = _figures(session, engine, catalogue, round_, team_answers)
    for what, answers in figures:
        assert len(answers) >= K, (what, len(answers))
    for (name_a, a), (name_b, b) in combinations(figures, 2):
        small, large = (a, b) if len(a) <= len(b) else (b, a)
        if small <= large:
            difference = len(large - small)
            assert difference == 0 or difference >= K, (name_a, name_b, difference)

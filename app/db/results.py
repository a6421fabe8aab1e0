"""A round's results: SQL aggregates per statement, profession and round, put together for pages.

Every number comes from GROUP BY queries; Python only combines the aggregated rows (never
score rows) with the pure functions of `app.core.stats`.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.core.anonymity import (
    TOO_FEW,
    Grouping,
    ProfessionGroup,
    enough_answers,
    hidden_cells,
    release_threshold,
    round_grouping,
)
from app.core.charts import legend_name
from app.core.formatting import danish_date
from app.core.rounds import RoundStatus, effective_status, held_at, is_earlier
from app.core.stats import (
    SCALE,
    Aggregate,
    Movement,
    RoundSeries,
    StatementInfo,
    StatementStats,
    changes,
    empty_stats,
    merge_aggregates,
    movements,
    pooled_mean,
    rank_by_disagreement,
    rises_and_falls,
    statement_stats,
)
from app.db.aggregates import store_aggregates, stored_aggregates, stored_comments, stored_means
from app.db.audit import record
from app.db.models import Response, Round, RoundStatement, Score, Team, utcnow
from app.db.rounds import response_counts, round_statements, rounds_with_counts
from app.themes import ProfessionLabels

NO_PROFESSION_LABEL = "Ikke oplyst"
# More earlier rounds than this turn a radar into a tangle; the comparison page picks any.
MAX_EARLIER_ROUNDS = 5


@dataclass(frozen=True)
class StatementResult:
    """One statement's statistics in a round, and its change since the previous round."""

    info: StatementInfo
    stats: StatementStats  # all empty where the statement has fewer than k values (not shown)
    change: float | None = None
    shown: bool = True


@dataclass(frozen=True)
class AreaResult:
    """An area of a theme: its statements and the mean of all their answers."""

    id: str
    title: str
    mean: float | None
    statements: list[StatementResult]


@dataclass(frozen=True)
class ThemeResult:
    """A theme of the round: one radar and one table."""

    id: str
    title: str
    mean: float | None
    areas: list[AreaResult]

    @property
    def statements(self) -> list[StatementResult]:
        """The theme's statements in the round's order."""
        return [statement for area in self.areas for statement in area.statements]

    def number(self, statement_id: str) -> int:
        """The statement's number on the theme's radar (1 is at the top, then clockwise)."""
        ids = [item.info.id for item in self.statements]
        return ids.index(statement_id) + 1

    @property
    def infos(self) -> list[StatementInfo]:
        """The theme's statements as chart axes."""
        return [statement.info for statement in self.statements]


@dataclass(frozen=True)
class ProfessionBreakdown:
    """Means per profession group; groups below the small-group limit never stand alone."""

    groups: list[ProfessionGroup]
    means: dict[str, dict[str, float | None]]  # statement id -> group label -> mean or None
    theme_means: dict[str, dict[str, float | None]]  # theme id -> group label -> mean


@dataclass(frozen=True)
class RoundReport:
    """Everything the results page shows for one round."""

    round: Round
    team: Team
    n_responses: int
    k: int
    current: RoundSeries
    withheld: str | None  # why no results are shown (in Danish), or None when they are
    themes: list[ThemeResult] = field(default_factory=list)
    earlier: list[RoundSeries] = field(default_factory=list)
    disagreements: list[StatementResult] = field(default_factory=list)
    rises: list[tuple[StatementResult, Movement]] = field(default_factory=list)
    falls: list[tuple[StatementResult, Movement]] = field(default_factory=list)
    professions: ProfessionBreakdown | None = None
    comments: dict[str, list[str]] = field(default_factory=dict)

    @property
    def enough(self) -> bool:
        """Whether the round's results may be shown: closed, and with enough answers."""
        return self.withheld is None

    @property
    def previous(self) -> RoundSeries | None:
        """The latest earlier round with results, which changes are measured against."""
        return self.earlier[-1] if self.earlier else None

    def statement(self, statement_id: str) -> StatementResult:
        """The result of one statement of the round."""
        for theme in self.themes:
            for item in theme.statements:
                if item.info.id == statement_id:
                    return item
        raise KeyError(statement_id)


@dataclass(frozen=True)
class Comparison:
    """Two or more rounds of a team side by side."""

    team: Team
    choices: list[Round]  # every opened round of the team, oldest first
    rounds: list[Round]  # chosen, oldest first
    shown: list[RoundSeries]  # the chosen rounds with enough answers, oldest first
    too_few: list[Round]
    themes: list[tuple[str, str, list[StatementInfo]]]  # (theme id, title, axes)

    def change(self, statement_id: str) -> float | None:
        """Change from the oldest to the newest shown round."""
        if len(self.shown) < 2:
            return None
        first, last = self.shown[0].means, self.shown[-1].means
        return changes({statement_id: last.get(statement_id)}, first)[statement_id]


def _info(statement: RoundStatement) -> StatementInfo:
    return StatementInfo(
        id=statement.statement_id,
        text=statement.text,
        short=statement.short,
        theme_id=statement.theme_id,
        theme_title=statement.theme_title,
        area_id=statement.area_id,
        area_title=statement.area_title,
        position=statement.position,
    )


def _is_closed(session: Session, round_id: int) -> bool:
    round_ = session.get(Round, round_id)
    return round_ is not None and effective_status(round_) == RoundStatus.CLOSED


def profession_statement_aggregates(
    *, session: Session, round_id: int
) -> dict[tuple[str | None, str], Aggregate]:
    """Per profession and statement: counts of each value 1-10 and "Ved ikke", sums, min, max.

    They serve both the team's statistics (the professions summed, see `statement_aggregates`)
    and the per-profession means. A closed round's come from its aggregates, stored at close (or
    now, when its closing time passed unattended); only a round still open scans its scores.
    """
    if _is_closed(session, round_id):
        store_aggregates(session=session, round_id=round_id)
        return stored_aggregates(session=session, round_ids=[round_id])[round_id]
    value = col(Score.value)
    columns: list[Any] = [
        col(Response.profession),
        col(Score.statement_id),
        func.sum(case((value.is_(None), 1), else_=0)),
        func.coalesce(func.sum(value), 0),
        func.coalesce(func.sum(value * value), 0),
        func.min(value),
        func.max(value),
        *(func.sum(case((value == v, 1), else_=0)) for v in SCALE),
    ]
    # SQLAlchemy's own select: SQLModel's typed overloads stop at four columns.
    query = (
        sa_select(*columns)
        .select_from(Score)
        .join(Response, col(Response.id) == col(Score.response_id))
        .where(col(Response.round_id) == round_id)
        .group_by(col(Response.profession), col(Score.statement_id))
    )
    result: dict[tuple[str | None, str], Aggregate] = {}
    for row in session.execute(query).all():
        profession, statement_id, dont_know, total, squares, low, high, *counts = row
        result[(profession, statement_id)] = Aggregate(
            statement_id=statement_id,
            counts=tuple(int(count) for count in counts),
            n_dont_know=int(dont_know),
            total=int(total),
            total_squares=int(squares),
            minimum=low,
            maximum=high,
        )
    return result


def statement_aggregates(
    by_profession: Mapping[tuple[str | None, str], Aggregate],
) -> dict[str, Aggregate]:
    """The team's aggregate per statement: the professions' aggregated rows added up."""
    parts: dict[str, list[Aggregate]] = defaultdict(list)
    for (_profession, statement_id), aggregate in by_profession.items():
        parts[statement_id].append(aggregate)
    return {statement_id: merge_aggregates(items) for statement_id, items in parts.items()}


def round_statistics(*, session: Session, round_id: int) -> dict[str, StatementStats]:
    """Statistics of every statement of the round, in the round's order (unanswered ones too)."""
    by_profession = profession_statement_aggregates(session=session, round_id=round_id)
    aggregates = statement_aggregates(by_profession)
    return {
        statement.statement_id: _stats(aggregates, statement.statement_id)
        for statement in round_statements(session=session, round_id=round_id)
    }


def _stats(aggregates: Mapping[str, Aggregate], statement_id: str) -> StatementStats:
    aggregate = aggregates.get(statement_id)
    return statement_stats(aggregate) if aggregate else empty_stats(statement_id)


def round_means(
    *, session: Session, round_ids: Sequence[int], k: int
) -> dict[int, dict[str, float]]:
    """Per round, the mean of each statement that has at least k values (the others are hidden).

    Closed rounds are read from their stored aggregates; only a round still open scans its scores.
    """
    closed = [round_id for round_id in round_ids if _is_closed(session, round_id)]
    for round_id in closed:
        store_aggregates(session=session, round_id=round_id)
    result = stored_means(session=session, round_ids=closed, k=k)
    # One query per open round: SQLite groups several rounds at once about twice as slowly.
    for round_id in (round_id for round_id in round_ids if round_id not in result):
        query = (
            select(Score.statement_id, func.avg(col(Score.value)))
            .join(Response, col(Response.id) == col(Score.response_id))
            .where(col(Response.round_id) == round_id, col(Score.value).is_not(None))
            .group_by(col(Score.statement_id))
            .having(func.count(col(Score.value)) >= k)
        )
        rows = session.execute(query).all()
        result[round_id] = {statement_id: float(mean) for statement_id, mean in rows}
    return result


def profession_sizes(
    *, session: Session, round_ids: Sequence[int]
) -> dict[int, dict[str | None, int]]:
    """Per round, how many responses each profession (None: not stated) gave."""
    result: dict[int, dict[str | None, int]] = {round_id: {} for round_id in round_ids}
    if not round_ids:
        return result
    query = (
        select(Response.round_id, Response.profession, func.count(col(Response.id)))
        .where(col(Response.round_id).in_(round_ids))
        .group_by(col(Response.round_id), col(Response.profession))
    )
    for round_id, profession, count in session.exec(query).all():
        result[round_id][profession] = count
    return result


def _counted_team_rounds(session: Session, team_id: int) -> list[tuple[Round, int]]:
    """The team's rounds that have been opened (not drafts), in the order they were held, each
    with its number of responses."""
    return rounds_with_counts(session=session, team_id=team_id, opened_only=True)


def series(round_: Round, means: Mapping[str, float | None]) -> RoundSeries:
    """A round's means with its colour and legend name "Label (22. nov. 2026)"."""
    assert round_.id is not None
    when = held_at(round_)
    return RoundSeries(
        round_id=round_.id,
        label=round_.label,
        colour=round_.colour,
        when=when,
        legend=legend_name(round_.label, danish_date(when)),
        means=means,
    )


def released_rounds(
    session: Session,
    rounds: Sequence[Round],
    k: int,
    min_share: float,
    counts: Mapping[int, int] | None = None,
) -> list[Round]:
    """The rounds whose results may be shown: closed, with enough answers.

    `counts` (responses per round id) saves a count the caller already made.
    """
    if counts is None:
        counts = response_counts(session=session, round_ids=[r.id for r in rounds if r.id])
    return [
        r
        for r in rounds
        if r.id is not None
        and withheld_reason(
            round_=r,
            n_responses=counts[r.id],
            needed=release_threshold(k=k, team_size=r.team_size, min_share=min_share),
        )
        is None
    ]


def _earlier_series(session: Session, round_: Round, k: int, min_share: float) -> list[RoundSeries]:
    """The team's earlier rounds whose results may be shown, oldest first."""
    counted = _counted_team_rounds(session, round_.team_id)
    earlier = [r for r, _ in counted if r.id != round_.id and is_earlier(r, round_)]
    counts = {r.id: n for r, n in counted if r.id is not None}
    shown = released_rounds(session, earlier, k, min_share, counts)[-MAX_EARLIER_ROUNDS:]
    for r in shown:
        mark_results_shown(session=session, round_=r)
    means = round_means(session=session, round_ids=[r.id for r in shown if r.id is not None], k=k)
    return [series(r, means[r.id]) for r in shown if r.id is not None]


def _themes(
    statements: Sequence[RoundStatement],
    stats: Mapping[str, StatementStats],
    change: Mapping[str, float | None],
) -> list[ThemeResult]:
    """The round's themes; area and theme means pool only the statements that are shown."""
    by_theme: dict[str, dict[str, list[StatementResult]]] = {}
    titles: dict[str, str] = {}
    for statement in statements:
        statement_id = statement.statement_id
        shown = statement_id in stats
        item = StatementResult(
            _info(statement),
            stats[statement_id] if shown else empty_stats(statement_id),
            change.get(statement_id),
            shown,
        )
        by_theme.setdefault(statement.theme_id, {}).setdefault(statement.area_id, []).append(item)
        titles[statement.theme_id] = statement.theme_title
        titles[f"{statement.theme_id}/{statement.area_id}"] = statement.area_title
    themes = []
    for theme_id, areas in by_theme.items():
        area_results = [
            AreaResult(
                area_id,
                titles[f"{theme_id}/{area_id}"],
                pooled_mean(item.stats for item in items if item.shown),
                items,
            )
            for area_id, items in areas.items()
        ]
        all_stats = [item.stats for area in area_results for item in area.statements if item.shown]
        themes.append(ThemeResult(theme_id, titles[theme_id], pooled_mean(all_stats), area_results))
    return themes


def _professions(
    grouping: Grouping,
    k: int,
    statements: Sequence[RoundStatement],
    shown: Mapping[str, StatementStats],
    by_profession: Mapping[tuple[str | None, str], Aggregate],
) -> ProfessionBreakdown:
    """Means per group of the round's one grouping, with every cell the small-group rule hides."""
    cells = group_cells(grouping, by_profession)
    labels = [group.label for group in grouping.groups]
    means: dict[str, dict[str, float | None]] = {}
    theme_cells: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for statement in statements:
        row = {label: cells.get((label, statement.statement_id), (0, 0)) for label in labels}
        if statement.statement_id not in shown:
            means[statement.statement_id] = dict.fromkeys(labels)
            continue
        hidden = hidden_cells({label: n for label, (n, _) in row.items()}, k)
        means[statement.statement_id] = {}
        for label, (n, total) in row.items():
            visible = label not in hidden and enough_answers(n, k)
            means[statement.statement_id][label] = total / n if visible else None
            if visible:
                # A group's theme mean pools only its shown cells: a hidden one never counts in.
                before = theme_cells[statement.theme_id].get(label, (0, 0))
                theme_cells[statement.theme_id][label] = (before[0] + n, before[1] + total)
    theme_means = {
        theme_id: {label: (total / n if n else None) for label, (n, total) in row.items()}
        for theme_id, row in theme_cells.items()
    }
    return ProfessionBreakdown(list(grouping.groups), means, theme_means)


def group_cells(
    grouping: Grouping, by_profession: Mapping[tuple[str | None, str], Aggregate]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(n values, sum) per group and statement, merged over the professions of a group."""
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    for (profession, statement_id), aggregate in by_profession.items():
        label = grouping.label_of(profession)
        if label is None:
            continue
        n, total = cells.get((label, statement_id), (0, 0))
        cells[(label, statement_id)] = (n + sum(aggregate.counts), total + aggregate.total)
    return cells


def grouping_of(
    *, session: Session, round_id: int, k: int, profession_labels: Mapping[str, str]
) -> Grouping:
    """The round's one grouping of professions, used by every view and export."""
    sizes = profession_sizes(session=session, round_ids=[round_id])[round_id]
    labels = group_labels(profession_labels)
    return round_grouping(sizes, k, labels, labels.coarse)


def group_labels(profession_labels: Mapping[str, str]) -> ProfessionLabels:
    """The professions' labels for grouping, "Ikke oplyst" for responses that stated none, with
    the catalogue's coarser groupings where the labels carry them."""
    if isinstance(profession_labels, ProfessionLabels):
        return profession_labels.with_label(None, NO_PROFESSION_LABEL)
    return ProfessionLabels({None: NO_PROFESSION_LABEL, **profession_labels})


def shown_statistics(
    aggregates: Mapping[str, Aggregate], statement_ids: Sequence[str], k: int
) -> dict[str, StatementStats]:
    """The statistics of the statements with at least k values; the others are not shown."""
    result = {}
    for statement_id in statement_ids:
        stats = _stats(aggregates, statement_id)
        if enough_answers(stats.n, k):
            result[statement_id] = stats
    return result


def withheld_reason(*, round_: Round, n_responses: int, needed: int) -> str | None:
    """Why a round's results are not shown (in Danish), or None when they may be."""
    expected = round_.team_size
    if effective_status(round_) is not RoundStatus.CLOSED:
        return (
            f"Resultaterne vises, når runden er lukket. Indtil da ses kun, hvor mange der har "
            f"svaret: {n_responses} af {expected}."
        )
    if n_responses < needed:
        return (
            f"For få svar. Runden fik {n_responses} af {expected} svar. Resultaterne vises kun, "
            f"når mindst {needed} har svaret, så ingen enkeltpersons vurdering kan genkendes."
        )
    return None


def round_report(
    *,
    session: Session,
    round_: Round,
    team: Team,
    k: int,
    min_share: float,
    profession_labels: Mapping[str, str],
    detailed: bool = True,
) -> RoundReport:
    """The round's results with earlier rounds, rankings, professions and comments.

    An open round, or one with fewer answers than `release_threshold`, holds only the count.
    The first report with results makes the round final: it can no longer be reopened.
    `detailed=False` leaves out professions, comments and earlier rounds (the respondents' view).
    """
    assert round_.id is not None
    n_responses = response_counts(session=session, round_ids=[round_.id])[round_.id]
    needed = release_threshold(k=k, team_size=round_.team_size, min_share=min_share)
    withheld = withheld_reason(round_=round_, n_responses=n_responses, needed=needed)
    if withheld is not None:
        return RoundReport(round_, team, n_responses, k, series(round_, {}), withheld)
    mark_results_shown(session=session, round_=round_)
    statements = round_statements(session=session, round_id=round_.id)
    by_profession = profession_statement_aggregates(session=session, round_id=round_.id)
    stats = shown_statistics(
        statement_aggregates(by_profession), [s.statement_id for s in statements], k
    )
    current = series(round_, {sid: item.mean for sid, item in stats.items()})
    earlier = _earlier_series(session, round_, k, min_share) if detailed else []
    previous = earlier[-1].means if earlier else {}
    themes = _themes(statements, stats, changes(current.means, previous))
    report = RoundReport(round_, team, n_responses, k, current, None, themes, earlier)
    if not detailed:
        return report
    results = {item.info.id: item for theme in themes for item in theme.statements}
    rises, falls = rises_and_falls(movements(current.means, previous))
    grouping = grouping_of(
        session=session, round_id=round_.id, k=k, profession_labels=profession_labels
    )
    comments = stored_comments(session=session, round_id=round_.id)
    return RoundReport(
        round_,
        team,
        n_responses,
        k,
        current,
        None,
        themes,
        earlier,
        disagreements=[results[s.statement_id] for s in rank_by_disagreement(stats.values())],
        rises=[(results[m.statement_id], m) for m in rises],
        falls=[(results[m.statement_id], m) for m in falls],
        professions=_professions(grouping, k, statements, stats, by_profession),
        comments={sid: texts for sid, texts in comments.items() if sid in stats},
    )


def mark_results_shown(*, session: Session, round_: Round) -> None:
    """Record the first time the round's results were shown: from then on it is final."""
    if round_.results_shown_at is None:
        round_.results_shown_at = utcnow()
        session.add(round_)
        session.flush()
        # Who looked is not known here (page, API or export); when it happened is what counts.
        record(
            session=session,
            actor=None,
            kind="results.first_shown",
            team_id=round_.team_id,
            round_id=round_.id,
            detail=f"{round_.label} (runde {round_.id})",
        )


def comparison(
    *, session: Session, team: Team, round_ids: Sequence[int], k: int, min_share: float
) -> Comparison:
    """The chosen rounds of the team (others are ignored) with their means per statement."""
    assert team.id is not None
    counted = _counted_team_rounds(session, team.id)
    chosen = [r for r, _ in counted if r.id in set(round_ids)]
    counts = {r.id: n for r, n in counted if r.id is not None}
    shown_rounds = released_rounds(session, chosen, k, min_share, counts)
    for r in shown_rounds:
        mark_results_shown(session=session, round_=r)
    means = round_means(session=session, round_ids=[r.id for r in shown_rounds if r.id], k=k)
    shown = [series(r, means[r.id]) for r in shown_rounds if r.id is not None]
    too_few = [r for r in chosen if r not in shown_rounds]
    choices = [r for r, _ in counted]
    return Comparison(team, choices, chosen, shown, too_few, _compared_axes(session, shown_rounds))


def _compared_axes(
    session: Session, rounds: Sequence[Round]
) -> list[tuple[str, str, list[StatementInfo]]]:
    """Per theme, the statements of any of the rounds: the newest round's order first."""
    ids = [r.id for r in rounds if r.id is not None]
    if not ids:
        return []
    query = select(RoundStatement).where(col(RoundStatement.round_id).in_(ids))
    newest_first = {round_id: index for index, round_id in enumerate(reversed(ids))}
    rows = sorted(session.exec(query).all(), key=lambda s: (newest_first[s.round_id], s.position))
    themes: dict[str, tuple[str, dict[str, StatementInfo]]] = {}
    for row in rows:
        _title, axes = themes.setdefault(row.theme_id, (row.theme_title, {}))
        axes.setdefault(row.statement_id, _info(row))
    return [(theme_id, title, list(axes.values())) for theme_id, (title, axes) in themes.items()]


class StatementResultPublic(BaseModel):
    """One statement's statistics in a round."""

    statement_id: str
    theme_id: str
    area_id: str
    text: str
    short: str
    shown: bool = Field(
        description="false: udsagnet har færre end k svar med en værdi; så gives ingen tal."
    )
    message: str | None = Field(default=None, description='"for få svar", når shown er false.')
    n: int | None = Field(default=None, description="Svar med en værdi 1-10.")
    n_dont_know: int | None = Field(default=None, description="Svar »Ved ikke«.")
    mean: float | None = None
    median: float | None = None
    min: int | None = None
    max: int | None = None
    std_dev: float | None = Field(default=None, description="Standardafvigelse (populationens).")
    distribution: dict[str, int] | None = Field(
        default=None, description="Antal svar med hver værdi 1-10."
    )
    change: float | None = Field(
        default=None, description="Ændring i gennemsnit siden forrige runde."
    )


class MeanPublic(BaseModel):
    """The mean of all answers to a theme's or an area's statements."""

    id: str
    title: str
    mean: float | None


class ProfessionResultPublic(BaseModel):
    """A profession group's means; a statement's mean is null when the group has too few answers."""

    label: str
    professions: list[str | None]
    n_responses: int
    means: dict[str, float | None]


class RoundResultsPublic(BaseModel):
    """A round's results; an open round, or one with too few answers, gives only the count."""

    round_id: int
    team_id: int
    label: str
    colour: str
    status: str
    n_responses: int
    min_group_size: int
    enough_responses: bool
    message: str | None = Field(description="Hvorfor der ikke vises resultater (på dansk).")
    previous_round_id: int | None
    themes: list[MeanPublic]
    areas: list[MeanPublic]
    statements: list[StatementResultPublic]
    professions: list[ProfessionResultPublic]


def public_results(report: RoundReport) -> RoundResultsPublic:
    """The report as the JSON API gives it: the same numbers, the same small-group rule."""
    assert report.round.id is not None
    professions = report.professions
    groups = professions.groups if professions else []
    return RoundResultsPublic(
        round_id=report.round.id,
        team_id=report.team.id or 0,
        label=report.round.label,
        colour=report.round.colour,
        status=report.round.status,
        n_responses=report.n_responses,
        min_group_size=report.k,
        enough_responses=report.enough,
        message=report.withheld,
        previous_round_id=report.previous.round_id if report.previous else None,
        themes=[MeanPublic(id=t.id, title=t.title, mean=t.mean) for t in report.themes],
        areas=[
            MeanPublic(id=f"{t.id}.{a.id}", title=a.title, mean=a.mean)
            for t in report.themes
            for a in t.areas
        ],
        statements=[_public_statement(item) for t in report.themes for item in t.statements],
        professions=[
            ProfessionResultPublic(
                label=group.label,
                professions=list(group.professions),
                n_responses=group.size,
                means={sid: row[group.label] for sid, row in professions.means.items()},
            )
            for group in groups
            if professions is not None
        ],
    )


def _public_statement(item: StatementResult) -> StatementResultPublic:
    info = {
        "statement_id": item.info.id,
        "theme_id": item.info.theme_id,
        "area_id": item.info.area_id,
        "text": item.info.text,
        "short": item.info.short,
        "shown": item.shown,
    }
    if not item.shown:
        return StatementResultPublic(**info, message=TOO_FEW)
    stats = item.stats
    return StatementResultPublic(
        **info,
        n=stats.n,
        n_dont_know=stats.n_dont_know,
        mean=stats.mean,
        median=stats.median,
        min=stats.minimum,
        max=stats.maximum,
        std_dev=stats.std_dev,
        distribution={str(value): count for value, count in zip(SCALE, stats.counts, strict=True)},
        change=item.change,
    )

"""The municipality across teams: every team at a glance, and roll-ups per unit and theme.

Every number is aggregated in SQL: responses per round, a round's means, a team's means over its
rounds in a period, and the mean, spread and range of those team means per unit and for the whole
municipality. Python only puts aggregated rows together. The small-group rule holds at every level:
only closed rounds with at least k responses count, and a round below k contributes nothing.
"""

import calendar
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session, col

from app.core.anonymity import release_threshold
from app.core.formatting import LOCAL_TIME, danish_date
from app.core.rounds import RoundStatus, next_measurement
from app.db.aggregates import store_missing_aggregates, stored_total
from app.db.models import (
    Response,
    Round,
    RoundAggregate,
    RoundStatement,
    StatementAggregate,
    Team,
    TeamFacilitator,
    Unit,
    User,
)
from app.db.sql import held_at, is_closed, released

Level = int | None  # a unit's id, or None for the whole municipality
MUNICIPALITY: Level = None
SORT_COLUMNS = ("team", "enhed", "runder", "seneste", "deltagelse")
THEME_SORT_PREFIX = "tema-"


@dataclass(frozen=True)
class Period:
    """Rounds held from `start` to `end`, both days included (Danish calendar days)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period spans."""
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def label(self) -> str:
        """The period as "1. jun. 2026–30. nov. 2026"."""
        return f"{danish_date(self.start)}–{danish_date(self.end)}"


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def default_period(today: date, months: int = 6) -> Period:
    """The last `months` calendar months, this one included, up to today."""
    return Period(months_before(today.replace(day=1), months - 1), today)


def months_ago(now: datetime, months: int) -> datetime:
    """The moment `months` calendar months before `now`, by the Danish calendar."""
    moment = now.astimezone(LOCAL_TIME)
    day = months_before(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


# Joins a stored aggregate to its statement as the round froze it.
_AS_STORED = and_(
    col(RoundStatement.round_id) == col(StatementAggregate.round_id),
    col(RoundStatement.statement_id) == col(StatementAggregate.statement_id),
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME).astimezone(UTC)


def _round_conditions(
    *,
    unit_id: int | None = None,
    theme_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[ColumnElement[bool]]:
    """Rounds held (not drafts) in the period, of the unit's teams, that scored the theme.

    Queries using it join Team to Round.
    """
    conditions = [col(Round.status) != RoundStatus.DRAFT]
    if unit_id is not None:
        conditions.append(col(Team.unit_id) == unit_id)
    if start is not None:
        conditions.append(held_at() >= _day_start(start))
    if end is not None:
        conditions.append(held_at() < _day_start(end + timedelta(days=1)))
    if theme_id is not None:
        conditions.append(
            exists().where(
                col(RoundStatement.round_id) == col(Round.id),
                col(RoundStatement.theme_id) == theme_id,
            )
        )
    return conditions


# -- the overview: one row per team -------------------------------------------------------------


@dataclass(frozen=True)
class RoundFacts:
    """A round as the overview shows it: name, when it was held, how many answered."""

    id: int
    label: str
    held_at: datetime
    responses: int
    team_size: int


@dataclass(frozen=True)
class TeamOverview:
    """One team's row: who leads it, its rounds in the period and its latest theme means."""

    id: int
    name: str
    unit_id: int
    unit: str
    expected_size: int
    facilitators: tuple[str, ...]
    rounds: int  # rounds held in the period
    last_round: RoundFacts | None  # the latest of them, open or closed
    measured_round: RoundFacts | None  # the latest closed one, whose theme means are shown
    too_few: bool  # the measured round has fewer than k responses: its means are hidden
    theme_means: dict[str, float]  # theme id -> mean of every answer to its statements
    last_held_at: datetime | None  # the team's latest round of all, whatever the filters
    stale: bool  # no round held since the chosen number of months ago
    # The next measurement that the newest round's meeting planned, and whether it is overdue.
    next_measurement: tuple[date, bool] | None = None

    @property
    def participation(self) -> float | None:
        """Responses to the last round as a share of the expected team size."""
        if self.last_round is None:
            return None
        return self.last_round.responses / self.expected_size


def team_overview(
    *,
    session: Session,
    k: int,
    min_share: float,
    stale_since: datetime,
    unit_id: int | None = None,
    theme_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> list[TeamOverview]:
    """Every team (of the unit), by unit and name, with its rounds and means in the period."""
    now = now or datetime.now(UTC)
    store_missing_aggregates(session=session, now=now)
    conditions = _round_conditions(unit_id=unit_id, theme_id=theme_id, start=start, end=end)
    latest = _latest_rounds(session, conditions)
    measured = _latest_rounds(session, [*conditions, is_closed(now)])

    def released(facts: RoundFacts) -> bool:
        needed = release_threshold(k=k, team_size=facts.team_size, min_share=min_share)
        return facts.responses >= needed

    shown = [facts.id for _, facts in measured.values() if released(facts)]
    means = _theme_means(session, shown, k)
    names = _facilitators(session)
    planned = _planned_measurements(session, unit_id=unit_id)
    today = now.astimezone(LOCAL_TIME).date()
    last_held = dict(
        session.execute(
            select(col(Round.team_id), func.max(held_at()))
            .where(col(Round.status) != RoundStatus.DRAFT)
            .group_by(col(Round.team_id))
        ).all()
    )
    query = (
        select(
            col(Team.id), col(Team.name), col(Team.unit_id), col(Unit.name), col(Team.expected_size)
        )
        .join(Unit, col(Unit.id) == col(Team.unit_id))
        .order_by(col(Unit.name), col(Team.name), col(Team.id))
    )
    if unit_id is not None:
        query = query.where(col(Team.unit_id) == unit_id)
    rows = []
    for team_id, name, team_unit_id, unit, expected in session.execute(query).all():
        rounds, last = latest.get(team_id, (0, None))
        measured_round = measured.get(team_id, (0, None))[1]
        ever = last_held.get(team_id)
        rows.append(
            TeamOverview(
                id=team_id,
                name=name,
                unit_id=team_unit_id,
                unit=unit,
                expected_size=expected,
                facilitators=names.get(team_id, ()),
                rounds=rounds,
                last_round=last,
                measured_round=measured_round,
                too_few=measured_round is not None and not released(measured_round),
                theme_means=means.get(measured_round.id, {}) if measured_round else {},
                last_held_at=ever,
                stale=ever is None or ever < stale_since,
                next_measurement=next_measurement(planned.get(team_id), today=today),
            )
        )
    return rows


@dataclass(frozen=True)
class _Planned:
    next_measurement_on: date | None


def _planned_measurements(session: Session, *, unit_id: int | None) -> dict[int, _Planned]:
    """Per team: the next measurement date its newest round's meeting set (if it set one)."""
    when = held_at()
    ranked = (
        select(
            col(Round.team_id).label("team_id"),
            col(Round.next_measurement_on).label("next_on"),
            func.row_number()
            .over(partition_by=col(Round.team_id), order_by=(when.desc(), col(Round.id).desc()))
            .label("rank"),
        )
        .join(Team, col(Team.id) == col(Round.team_id))
        .where(*([col(Team.unit_id) == unit_id] if unit_id is not None else []))
        .subquery()
    )
    query = select(ranked.c.team_id, ranked.c.next_on).where(
        ranked.c.rank == 1, ranked.c.next_on.is_not(None)
    )
    return {team_id: _Planned(next_on) for team_id, next_on in session.execute(query)}


def _latest_rounds(
    session: Session, conditions: Sequence[ColumnElement[bool]]
) -> dict[int, tuple[int, RoundFacts]]:
    """Per team: how many rounds meet the conditions, and the latest of them with its responses."""
    # Responses of the rounds in question only, never every response in the database.
    wanted = select(col(Round.id)).join(Team, col(Team.id) == col(Round.team_id)).where(*conditions)
    responses = (
        select(col(Response.round_id).label("round_id"), func.count().label("n"))
        .where(col(Response.round_id).in_(wanted))
        .group_by(col(Response.round_id))
        .subquery()
    )
    when = held_at()
    ranked = (
        select(
            col(Round.team_id).label("team_id"),
            col(Round.id).label("round_id"),
            col(Round.label).label("label"),
            when.label("held_at"),
            func.coalesce(responses.c.n, 0).label("responses"),
            col(Round.team_size).label("team_size"),
            func.row_number()
            .over(partition_by=col(Round.team_id), order_by=(when.desc(), col(Round.id).desc()))
            .label("rank"),
            func.count().over(partition_by=col(Round.team_id)).label("rounds"),
        )
        .select_from(Round)
        .join(Team, col(Team.id) == col(Round.team_id))
        .outerjoin(responses, responses.c.round_id == col(Round.id))
        .where(*conditions)
        .subquery()
    )
    query = select(
        ranked.c.team_id,
        ranked.c.rounds,
        ranked.c.round_id,
        ranked.c.label,
        ranked.c.held_at,
        ranked.c.responses,
        ranked.c.team_size,
    ).where(ranked.c.rank == 1)
    return {
        team_id: (rounds, RoundFacts(round_id, label, when_held, responses_, size))
        for team_id, rounds, round_id, label, when_held, responses_, size in session.execute(query)
    }


def _statement_cells(*columns: Any, k: int) -> Any:
    """SQL: per round and statement with at least k values (the cells a page shows), n and sum.

    Read from the rounds' stored aggregates, the professions' rows summed; never the scores.
    """
    n = func.sum(col(StatementAggregate.n))
    return (
        select(
            *columns,
            col(StatementAggregate.round_id).label("round_id"),
            col(StatementAggregate.statement_id).label("statement_id"),
            col(RoundStatement.theme_id).label("theme_id"),
            n.label("n"),
            func.sum(stored_total()).label("total"),
        )
        .select_from(StatementAggregate)
        .join(RoundStatement, _AS_STORED)
        .group_by(
            *columns,
            col(StatementAggregate.round_id),
            col(StatementAggregate.statement_id),
            col(RoundStatement.theme_id),
        )
        .having(n >= k)
    )


def _theme_means(session: Session, round_ids: Sequence[int], k: int) -> dict[int, dict[str, float]]:
    """Per round, each theme's mean over its shown statements (as the results page)."""
    if not round_ids:
        return {}
    cells = _statement_cells(k=k).where(col(StatementAggregate.round_id).in_(round_ids)).subquery()
    query = select(
        cells.c.round_id, cells.c.theme_id, func.sum(cells.c.total) * 1.0 / func.sum(cells.c.n)
    ).group_by(cells.c.round_id, cells.c.theme_id)
    result: dict[int, dict[str, float]] = {}
    for round_id, theme_id, mean in session.execute(query):
        result.setdefault(round_id, {})[theme_id] = float(mean)
    return result


def _facilitators(session: Session) -> dict[int, tuple[str, ...]]:
    """Per team, the names of its active facilitators in alphabetical order."""
    query = (
        select(col(TeamFacilitator.team_id), col(User.name))
        .join(User, col(User.id) == col(TeamFacilitator.user_id))
        .where(col(User.is_active))
        .order_by(col(User.name))
    )
    result: dict[int, tuple[str, ...]] = {}
    for team_id, name in session.execute(query):
        result[team_id] = (*result.get(team_id, ()), name)
    return result


def _sort_value(column: str) -> Callable[[TeamOverview], Any]:
    if column.startswith(THEME_SORT_PREFIX):
        theme_id = column.removeprefix(THEME_SORT_PREFIX)
        return lambda row: None if row.too_few else row.theme_means.get(theme_id)
    values: dict[str, Callable[[TeamOverview], Any]] = {
        "team": lambda row: row.name.casefold(),
        "enhed": lambda row: row.unit.casefold(),
        "runder": lambda row: row.rounds,
        "seneste": lambda row: row.last_round.held_at if row.last_round else None,
        "deltagelse": lambda row: row.participation,
    }
    return values[column]


def sort_overview(
    rows: Iterable[TeamOverview], column: str, *, descending: bool = False
) -> list[TeamOverview]:
    """The rows ordered by a column; rows without a value in it come last either way.

    Equal values keep the given order (by unit and team name).
    """
    value = _sort_value(column)
    items = list(rows)
    known = [row for row in items if value(row) is not None]
    known.sort(key=value, reverse=descending)
    return known + [row for row in items if value(row) is None]


def is_sort_column(column: str, theme_ids: Iterable[str]) -> bool:
    """Whether the overview can be sorted by this column name."""
    return column in SORT_COLUMNS or column in {THEME_SORT_PREFIX + t for t in theme_ids}


# -- the roll-up: team means per unit and for the municipality ---------------------------------


@dataclass(frozen=True)
class Spread:
    """The team means of one theme or statement at one level: their mean, spread and range."""

    teams: int
    mean: float
    std_dev: float  # of the team means (population: the teams are all the level's teams)
    minimum: float
    maximum: float

    @property
    def single_team(self) -> bool:
        """Only one team contributes: the mean is that team's own, and there is no spread."""
        return self.teams == 1


@dataclass(frozen=True)
class Coverage:
    """How many teams and rounds of a level count in a period, and how many the rule left out."""

    teams: int = 0
    rounds: int = 0
    left_out_teams: int = 0  # teams whose every closed round in the period had fewer than k
    left_out_rounds: int = 0


@dataclass(frozen=True)
class RollUp:
    """Per level (unit or municipality) and theme or statement: the spread of the team means."""

    period: Period
    k: int
    themes: dict[tuple[Level, str], Spread] = field(default_factory=dict)
    statements: dict[tuple[Level, str], Spread] = field(default_factory=dict)
    coverage: dict[Level, Coverage] = field(default_factory=dict)

    def theme(self, level: Level, theme_id: str) -> Spread | None:
        """The spread of the level's team means of a theme (None: no team counts)."""
        return self.themes.get((level, theme_id))

    def statement(self, level: Level, statement_id: str) -> Spread | None:
        """The spread of the level's team means of a statement (None: no team counts)."""
        return self.statements.get((level, statement_id))

    def covered(self, level: Level) -> Coverage:
        """Which teams and rounds count at the level."""
        return self.coverage.get(level, Coverage())

    def theme_means(self, level: Level) -> dict[str, float]:
        """The level's mean of team means per theme."""
        return {key: spread.mean for (at, key), spread in self.themes.items() if at == level}

    def statement_means(self, level: Level) -> dict[str, float]:
        """The level's mean of team means per statement."""
        return {key: spread.mean for (at, key), spread in self.statements.items() if at == level}


def rollup(
    *,
    session: Session,
    period: Period,
    k: int,
    min_share: float,
    statements_at: Level | None = None,
    every_level: bool = True,
    now: datetime | None = None,
) -> RollUp:
    """Team means of the period's closed rounds that show results, per unit and in total.

    A team's mean of a statement (or theme) is the mean of its rounds' means in the period, each
    round counting once; a level's figures are the mean, spread and range of its teams' means.
    Themes come for every level (the page compares the units); statements too, unless
    `every_level` is False: then only for the level `statements_at`, filtered in SQL.
    """
    now = now or datetime.now(UTC)
    store_missing_aggregates(session=session, now=now)
    conditions = [*_round_conditions(start=period.start, end=period.end), is_closed(now)]
    counted: Any = (
        select(
            col(Round.id).label("round_id"),
            col(Round.team_id).label("team_id"),
            col(Team.unit_id).label("unit_id"),
        )
        .select_from(Round)
        .join(Team, col(Team.id) == col(Round.team_id))
        .join(RoundAggregate, col(RoundAggregate.round_id) == col(Round.id))
        .where(*conditions, released(col(RoundAggregate.responses), k=k, min_share=min_share))
    )
    themes = _team_means(counted.subquery(), k, by_theme=True)
    if not every_level and statements_at is not MUNICIPALITY:
        counted = counted.where(col(Team.unit_id) == statements_at)
    statements = _team_means(counted.subquery(), k, by_theme=False)
    if every_level:
        by_statement = _spreads(session, statements, by_unit=True) | _spreads(
            session, statements, by_unit=False
        )
    else:
        by_statement = _spreads(session, statements, by_unit=statements_at is not MUNICIPALITY)
    return RollUp(
        period=period,
        k=k,
        themes=_spreads(session, themes, by_unit=True) | _spreads(session, themes, by_unit=False),
        statements=by_statement,
        coverage=_coverage(session, conditions, k, min_share),
    )


def _team_means(counted: Subquery, k: int, *, by_theme: bool) -> Subquery:
    """SQL: per team and statement (or theme), the mean of its counted rounds' means.

    Only statements with at least k values in a round count, as on the round's results page.
    """
    cells = (
        _statement_cells(counted.c.unit_id, counted.c.team_id, k=k)
        .join(counted, counted.c.round_id == col(StatementAggregate.round_id))
        .subquery()
    )
    key = cells.c.theme_id if by_theme else cells.c.statement_id
    round_means = (
        select(
            cells.c.unit_id,
            cells.c.team_id,
            key.label("key"),
            (func.sum(cells.c.total) * 1.0 / func.sum(cells.c.n)).label("mean"),
        )
        .group_by(cells.c.unit_id, cells.c.team_id, cells.c.round_id, key)
        .subquery()
    )
    return (
        select(
            round_means.c.unit_id,
            round_means.c.team_id,
            round_means.c.key,
            func.avg(round_means.c.mean).label("mean"),
        )
        .group_by(round_means.c.unit_id, round_means.c.team_id, round_means.c.key)
        .subquery()
    )


def _spreads(
    session: Session, team_means: Subquery, *, by_unit: bool
) -> dict[tuple[Level, str], Spread]:
    """Per unit (or for the municipality) and key: count, mean, spread and range of team means."""
    mean = team_means.c.mean
    levels = [team_means.c.unit_id] if by_unit else []
    query = select(
        *levels,
        team_means.c.key,
        func.count(),
        func.avg(mean),
        func.avg(mean * mean),
        func.min(mean),
        func.max(mean),
    ).group_by(*levels, team_means.c.key)
    result: dict[tuple[Level, str], Spread] = {}
    for row in session.execute(query):
        level: Level = row[0] if by_unit else MUNICIPALITY
        key, teams, average, squares, low, high = row[1:] if by_unit else row
        average = float(average)
        # Population variance from the mean of squares; rounding may leave a hair below zero.
        variance = max(float(squares) - average * average, 0.0)
        result[(level, key)] = Spread(teams, average, math.sqrt(variance), float(low), float(high))
    return result


def _coverage(
    session: Session, conditions: Sequence[ColumnElement[bool]], k: int, min_share: float
) -> dict[Level, Coverage]:
    """Per unit and for the municipality: teams and rounds that count, and those left out."""
    query = (
        select(
            col(Round.team_id),
            col(Team.unit_id),
            func.coalesce(col(RoundAggregate.responses), 0),
            col(Round.team_size),
        )
        .select_from(Round)
        .join(Team, col(Team.id) == col(Round.team_id))
        .outerjoin(RoundAggregate, col(RoundAggregate.round_id) == col(Round.id))
        .where(*conditions)
    )
    # One aggregated row per round (not per score): a handful per team and period.
    rounds: dict[Level, list[tuple[int, bool]]] = {}
    for team_id, unit_id, responses, size in session.execute(query):
        counts = responses >= release_threshold(k=k, team_size=size, min_share=min_share)
        for level in (unit_id, MUNICIPALITY):
            rounds.setdefault(level, []).append((team_id, counts))
    result: dict[Level, Coverage] = {}
    for level, items in rounds.items():
        counting = {team_id for team_id, counts in items if counts}
        all_teams = {team_id for team_id, _ in items}
        result[level] = Coverage(
            teams=len(counting),
            rounds=sum(1 for _, counts in items if counts),
            left_out_teams=len(all_teams - counting),
            left_out_rounds=sum(1 for _, counts in items if not counts),
        )
    return result

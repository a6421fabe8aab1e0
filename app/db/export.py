"""The municipality's export: one row per score, streamed from one SQL query, as CSV, XLSX or JSON.

Only closed rounds whose results may be shown are exported, under the small-group rule of
`app.core.anonymity` like every page: the profession column holds the group of the round's one
grouping (never a raw profession), a statement with fewer than k values is left out, and so are the
rows of a group's cell that the results page hides. Memory does not grow with the number of rows:
they come from a server-side cursor in batches, and every writer passes them on as it gets them.
"""

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

import xlsxwriter
from sqlalchemy import and_, case, exists, false, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from app.core.anonymity import Grouping, enough_answers, hidden_cells, round_grouping
from app.core.formatting import LOCAL_TIME, local
from app.db.access import team_for_user, teams_for_user
from app.db.aggregates import store_missing_aggregates
from app.db.audit import record
from app.db.models import (
    ExportCount,
    ExportHidden,
    Response,
    Round,
    RoundAggregate,
    RoundStatement,
    Score,
    StatementAggregate,
    Team,
    Unit,
    User,
)
from app.db.results import (
    group_labels,
    mark_results_shown,
    profession_sizes,
)
from app.db.sql import is_closed, released
from app.errors import InvalidInput, NotFound
from app.themes import ProfessionLabels

Cell = str | int | float | None
Row = tuple[Cell, ...]


class Column(NamedTuple):
    """One column of the export: its key (JSON Lines, the API), its header (CSV, XLSX) and what
    it holds (the codebook); `width` is its width in the XLSX sheet, in characters."""

    key: str
    header: str
    description: str
    width: int


# The one table of the columns, in the order of the export; everything else is derived from it.
COLUMNS: tuple[Column, ...] = (
    Column("unit", "Enhed", "Enhedens navn (fx et skoleområde).", 20),
    Column("team", "Team", "Teamets navn.", 20),
    Column("round_id", "Runde-nr.", "Rundens nummer i Spindelvæv (entydigt i hele kommunen).", 10),
    Column("round_label", "Runde", "Rundens navn, fx »November 2026«.", 18),
    Column(
        "round_opened",
        "Åbnet den",
        "Datoen runden blev åbnet for svar (ÅÅÅÅ-MM-DD, dansk tid; en dato i XLSX).",
        11,
    ),
    Column(
        "round_closed",
        "Lukket den",
        "Datoen runden blev lukket (ÅÅÅÅ-MM-DD, dansk tid; en dato i XLSX).",
        11,
    ),
    Column("theme", "Tema", "Temaets titel, som den lød i runden.", 30),
    Column("area", "Emne", "Emnets titel, som den lød i runden.", 30),
    Column(
        "statement_id",
        "Udsagn-id",
        "Udsagnets faste id (fx ledelse.retning.1); sammenlign runder på det.",
        22,
    ),
    Column("statement_text", "Udsagn", "Udsagnets ordlyd, som den blev vurderet i runden.", 60),
    Column(
        "profession",
        "Faggruppe",
        "Faggruppen, som resultatsiden viser: en faggruppe, eller »Øvrige« for de små samlet. "
        "Tom, hvor runden ikke har faggrupper nok til at vise nogen (se reglen om små grupper).",
        18,
    ),
    Column(
        "value", "Vurdering", "Vurderingen, et helt tal fra 1 til 10. Tom betyder »Ved ikke«.", 10
    ),
    Column(
        "response_id",
        "Besvarelse-id",
        "Tilfældigt id for én besvarelse i én runde: rækker med samme id er samme persons svar i "
        "den runde. Id'et kan ikke kobles til en person eller til svar i andre runder.",
        14,
    ),
)
COLUMN_NAMES = tuple(column.key for column in COLUMNS)  # the keys of JSON Lines
COLUMN_HEADERS = tuple(column.header for column in COLUMNS)  # the header row of CSV and XLSX
# The columns written as date cells in XLSX (ISO dates in CSV and JSON).
DATE_COLUMNS = frozenset(COLUMN_NAMES.index(key) for key in ("round_opened", "round_closed"))
# Cells that Excel and LibreOffice would read as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
CSV_CHUNK_ROWS = 2_000
DEFAULT_BATCH_SIZE = 5_000
PROGRESS_STEP = 1_000
PREFIX_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class CsvFormat:
    """Field separator and decimal mark of a CSV file."""

    delimiter: str
    decimal: str


DANISH = CsvFormat(delimiter=";", decimal=",")
INTERNATIONAL = CsvFormat(delimiter=",", decimal=".")
CSV_FORMATS = {"dansk": DANISH, "international": INTERNATIONAL}


@dataclass(frozen=True)
class ExportFilter:
    """Which scores to export; None means no restriction."""

    unit_id: int | None = None
    team_id: int | None = None
    theme_id: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    # A facilitator's own teams; None for admins and the command line, who may export everything.
    allowed_team_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class RoundInfo:
    """What the rows of one exported round share."""

    unit: str
    team: str
    label: str
    opened: str
    closed: str
    grouping: Grouping
    excluded: frozenset[str]  # the statements with fewer than k values
    hidden: Mapping[str, frozenset[str]]  # per statement, the groups whose cells are hidden
    responses: int
    rows: int  # how many rows the round gives

    def row_label(self, statement_id: str, profession: str | None) -> str | Literal[False] | None:
        """The row's group label (None: no split), or False when the row is left out."""
        label = self.grouping.label_of(profession)
        return False if left_out(self.excluded, self.hidden, statement_id, label) else label


def left_out(
    excluded: frozenset[str],
    hidden: Mapping[str, frozenset[str]],
    statement_id: str,
    label: str | None,
) -> bool:
    """Whether the small-group rule leaves a row out: its statement has fewer than k values, or
    its group's cell of the statement is hidden."""
    return statement_id in excluded or (label is not None and label in hidden.get(statement_id, ()))


@dataclass(frozen=True)
class ExportPlan:
    """The rounds an export contains, decided before the first row is read."""

    filters: ExportFilter
    k: int
    now: datetime
    round_count: int = 0  # the rounds exported
    responses: int = 0
    rows: int = 0
    left_out: int = 0
    # Per exported round, what its rows share; only a plan made to read the rows has them.
    rounds: dict[int, RoundInfo] = field(default_factory=dict)


def check_filter(*, session: Session, filters: ExportFilter, theme_ids: Iterable[str]) -> None:
    """Refuse a filter naming a team, unit or theme that does not exist, or a reversed period."""
    if filters.team_id is not None and session.get(Team, filters.team_id) is None:
        raise NotFound("Teamet findes ikke.")
    if filters.unit_id is not None and session.get(Unit, filters.unit_id) is None:
        raise NotFound("Enheden findes ikke.")
    if filters.theme_id is not None and filters.theme_id not in set(theme_ids):
        raise InvalidInput("Temaet findes ikke i kataloget.")
    if filters.opened_from and filters.opened_to and filters.opened_from > filters.opened_to:
        raise InvalidInput("Fra-datoen skal ligge før til-datoen.")


def filter_for_user(
    *, session: Session, user: User, filters: ExportFilter, theme_ids: Iterable[str]
) -> ExportFilter:
    """The filter limited to the teams the user may see (404 / 403 / 422 for a bad one)."""
    if filters.team_id is not None:
        team_for_user(session=session, user=user, team_id=filters.team_id)
    check_filter(session=session, filters=filters, theme_ids=theme_ids)
    if user.role == "admin":
        return filters
    own = frozenset(team.id for team in teams_for_user(session=session, user=user) if team.id)
    return replace(filters, allowed_team_ids=own)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME).astimezone(UTC)


def _round_conditions(filters: ExportFilter, now: datetime) -> list[ColumnElement[bool]]:
    """Which rounds match the filters; queries using it join Team to Round."""
    conditions = [is_closed(now)]
    if filters.allowed_team_ids is not None:
        allowed = sorted(filters.allowed_team_ids)
        conditions.append(col(Round.team_id).in_(allowed) if allowed else false())
    if filters.team_id is not None:
        conditions.append(col(Round.team_id) == filters.team_id)
    if filters.unit_id is not None:
        conditions.append(col(Team.unit_id) == filters.unit_id)
    if filters.opened_from is not None:
        conditions.append(col(Round.opened_at) >= _local_midnight(filters.opened_from))
    if filters.opened_to is not None:
        end = _local_midnight(filters.opened_to + timedelta(days=1))
        conditions.append(col(Round.opened_at) < end)
    if filters.theme_id is not None:
        conditions.append(
            exists().where(
                col(RoundStatement.round_id) == col(Round.id),
                col(RoundStatement.theme_id) == filters.theme_id,
            )
        )
    return conditions


def _iso_day(moment: datetime | None) -> str:
    return local(moment).date().isoformat() if moment else ""


def record_export(*, session: Session, actor: User | None, plan: "ExportPlan", fmt: str) -> None:
    """Log a download: its format, filters and row count (never a row)."""
    f = plan.filters
    asked = {
        "enhed": f.unit_id,
        "team": f.team_id,
        "tema": f.theme_id,
        "fra": f.opened_from,
        "til": f.opened_to,
    }
    filters = ", ".join(f"{name}={value}" for name, value in asked.items() if value is not None)
    detail = f"{fmt}; {filters or 'alle'}; {plan.rows} rækker; {plan.round_count} runder"
    record(session=session, actor=actor, kind="export.downloaded", team_id=f.team_id, detail=detail)


def rule_key(k: int, labels: ProfessionLabels) -> str:
    """The fingerprint of a small-group rule: k, the profession labels and the coarser groupings.

    A round's stored export decisions hold for the rule they were made under; when k or the
    catalogue's professions change, the fingerprint does, and the decisions are made again.
    """

    def described(mapping: Mapping[Any, str]) -> list[tuple[bool, str, str]]:
        return sorted((key is None, key or "", value) for key, value in mapping.items())

    text = json.dumps([k, described(labels), [described(group) for group in labels.coarse]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def plan_export(
    *,
    session: Session,
    filters: ExportFilter,
    k: int,
    min_share: float,
    profession_labels: Mapping[str, str],
    now: datetime | None = None,
    with_rows: bool = True,
) -> ExportPlan:
    """Which closed rounds match the filters and may be shown, with their row counts, and (with
    `with_rows`, for reading the rows) each round's small-group decisions.

    Rounds with too few answers are counted, not exported. The rounds exported count as shown:
    from now on they cannot be reopened. Every figure comes from stored counts and decisions, in
    a few queries whatever the number of rounds; a round decided under another rule (or never)
    is decided first, from its stored counts.
    """
    now = now or datetime.now(UTC)
    store_missing_aggregates(session=session, now=now)
    labels = group_labels(profession_labels)
    rule = rule_key(k, labels)
    conditions = _round_conditions(filters, now)
    shown = released(col(RoundAggregate.responses), k=k, min_share=min_share)

    def matching(*columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(Round)
            .join(Team, col(Team.id) == col(Round.team_id))
            .join(RoundAggregate, col(RoundAggregate.round_id) == col(Round.id))
            .where(*conditions)
        )

    for round_ in session.scalars(
        matching(Round).where(shown, col(Round.results_shown_at).is_(None))
    ).all():
        mark_results_shown(session=session, round_=round_)
    undecided = ~exists().where(_stored_count(rule, WHOLE_ROUND))
    _decide(
        session,
        list(session.scalars(matching(col(Round.id)).where(shown, undecided))),
        k,
        labels,
        rule,
    )
    counted = matching(
        func.count(),
        func.coalesce(func.sum(case((shown, 1), else_=0)), 0),
        func.coalesce(func.sum(case((shown, col(RoundAggregate.responses)), else_=0)), 0),
        func.coalesce(func.sum(case((shown, col(ExportCount.rows)), else_=0)), 0),
    ).outerjoin(ExportCount, _stored_count(rule, filters.theme_id or WHOLE_ROUND))
    matched, exported, responses, rows = session.execute(counted).one()
    plan = ExportPlan(
        filters=filters,
        k=k,
        now=now,
        round_count=int(exported),
        responses=int(responses),
        rows=int(rows),
        left_out=int(matched) - int(exported),
    )
    if not with_rows:
        return plan
    return replace(plan, rounds=_round_infos(session, matching, shown, rule, k, labels, filters))


WHOLE_ROUND = ""  # the theme id of a round's total in `export_count`


def _stored_count(rule: str, theme_id: str) -> ColumnElement[bool]:
    """SQL: the `export_count` row of the round, the rule and the theme (or WHOLE_ROUND)."""
    return and_(
        col(ExportCount.round_id) == col(Round.id),
        col(ExportCount.rule) == rule,
        col(ExportCount.theme_id) == theme_id,
    )


DECIDE_BATCH = 500  # rounds decided per query of their stored counts


def _decide(
    session: Session, round_ids: list[int], k: int, labels: ProfessionLabels, rule: str
) -> None:
    """Store, under the rule, which rows of each round (one not yet decided under it) the export
    leaves out and how many rows it gives per theme and in all; other rules' decisions stay."""
    for first in range(0, len(round_ids), DECIDE_BATCH):
        batch = sorted(round_ids[first : first + DECIDE_BATCH])
        cells = _cells(session, batch)
        sizes = profession_sizes(session=session, round_ids=batch)
        themes: dict[int, dict[str, str]] = defaultdict(dict)
        for round_id, statement_id, theme_id in session.execute(
            select(
                col(RoundStatement.round_id),
                col(RoundStatement.statement_id),
                col(RoundStatement.theme_id),
            ).where(col(RoundStatement.round_id).in_(batch))
        ):
            themes[round_id][statement_id] = theme_id
        counts: list[dict[str, Any]] = []
        hidden: list[dict[str, Any]] = []
        for round_id in batch:
            grouping = round_grouping(sizes[round_id], k, labels, labels.coarse)
            excluded, hidden_groups = _small_group_decision(grouping, cells.get(round_id, {}), k)
            rows = dict.fromkeys([WHOLE_ROUND, *themes[round_id].values()], 0)
            for (profession, statement_id), (_values, n) in cells.get(round_id, {}).items():
                if left_out(excluded, hidden_groups, statement_id, grouping.label_of(profession)):
                    continue
                rows[WHOLE_ROUND] += n
                if statement_id in themes[round_id]:
                    rows[themes[round_id][statement_id]] += n
            counts += [
                {"round_id": round_id, "rule": rule, "theme_id": theme, "rows": n}
                for theme, n in rows.items()
            ]
            hidden += [
                {"round_id": round_id, "rule": rule, "statement_id": sid, "group_label": None}
                for sid in sorted(excluded)
            ]
            hidden += [
                {"round_id": round_id, "rule": rule, "statement_id": sid, "group_label": group}
                for sid, groups in sorted(hidden_groups.items())
                for group in sorted(groups)
            ]
        for table, values in ((ExportCount, counts), (ExportHidden, hidden)):
            if values:
                session.execute(insert(table), values)
    session.flush()


# Per round: per (profession, statement), the number of values and of rows (values + "Ved ikke").
Cells = dict[int, dict[tuple[str | None, str], tuple[int, int]]]


def _cells(session: Session, round_ids: list[int]) -> Cells:
    """From the rounds' stored aggregates: values and rows per profession and statement."""
    table = StatementAggregate.__table__  # type: ignore[attr-defined]
    query = select(
        table.c.round_id,
        table.c.profession,
        table.c.statement_id,
        table.c.n,
        table.c.n + table.c.dont_know,
    ).where(table.c.round_id.in_(round_ids))
    cells: Cells = defaultdict(dict)
    for round_id, profession, statement_id, values, rows in session.execute(query):
        cells[round_id][(profession, statement_id)] = (int(values), int(rows))
    return cells


def _small_group_decision(
    grouping: Grouping, cells: Mapping[tuple[str | None, str], tuple[int, int]], k: int
) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The statements the rule leaves out (fewer than k values), and per statement shown the
    groups whose cells it hides, exactly as the results page hides them."""
    values: dict[str, int] = defaultdict(int)
    per_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (profession, statement_id), (n_values, _rows) in cells.items():
        values[statement_id] += n_values
        label = grouping.label_of(profession)
        if label is not None:
            per_group[statement_id][label] += n_values
    excluded = frozenset(sid for sid, n in values.items() if not enough_answers(n, k))
    hidden = {sid: hidden_cells(per_group[sid], k) for sid in values if sid not in excluded}
    return excluded, {sid: groups for sid, groups in hidden.items() if groups}


def _round_infos(
    session: Session,
    matching: Callable[..., Any],
    shown: ColumnElement[bool],
    rule: str,
    k: int,
    labels: ProfessionLabels,
    filters: ExportFilter,
) -> dict[int, RoundInfo]:
    """Per exported round, its names, dates, grouping and the stored decisions of the rule."""
    found = session.execute(
        matching(
            col(Round.id),
            col(Unit.name),
            col(Team.name),
            col(Round.label),
            col(Round.opened_at),
            col(Round.closed_at),
            col(RoundAggregate.responses),
            col(ExportCount.rows),
        )
        .join(Unit, col(Unit.id) == col(Team.unit_id))
        .join(ExportCount, _stored_count(rule, filters.theme_id or WHOLE_ROUND))
        .where(shown)
    ).all()
    ids = [row[0] for row in found]
    sizes: dict[int, dict[str | None, int]] = {}
    excluded: dict[int, set[str]] = defaultdict(set)
    hidden: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for first in range(0, len(ids), DECIDE_BATCH):
        batch = ids[first : first + DECIDE_BATCH]
        sizes |= profession_sizes(session=session, round_ids=batch)
        for round_id, statement_id, group in session.execute(
            select(
                col(ExportHidden.round_id),
                col(ExportHidden.statement_id),
                col(ExportHidden.group_label),
            ).where(col(ExportHidden.round_id).in_(batch), col(ExportHidden.rule) == rule)
        ):
            if group is None:
                excluded[round_id].add(statement_id)
            else:
                hidden[round_id][statement_id].add(group)
    return {
        round_id: RoundInfo(
            unit,
            team,
            label,
            _iso_day(opened),
            _iso_day(closed),
            round_grouping(sizes[round_id], k, labels, labels.coarse),
            frozenset(excluded[round_id]),
            {sid: frozenset(groups) for sid, groups in hidden[round_id].items()},
            responses=int(responses),
            rows=int(rows),
        )
        for round_id, unit, team, label, opened, closed, responses, rows in found
    }


def _scores(plan: ExportPlan) -> Any:
    """SQL: the scores of the plan's rounds with their response, ordered by round only.

    Ordered by round only, SQLite reads them in the order of its index of responses by round:
    no sorter and no join to the statements, which cost more than all the rest of the export.
    """
    round_id = col(Response.round_id)
    query = (
        select(
            round_id,
            col(Score.response_id),
            col(Response.public_id),
            col(Response.profession),
            col(Score.statement_id),
            col(Score.value),
        )
        .select_from(Score)
        .join(Response, col(Response.id) == col(Score.response_id))
        .where(round_id.in_(sorted(plan.rounds)))
        .order_by(round_id)
    )
    if plan.filters.theme_id is not None:
        in_theme = select(col(RoundStatement.statement_id)).where(
            col(RoundStatement.theme_id) == plan.filters.theme_id
        )
        query = query.where(col(Score.statement_id).in_(in_theme))
    return query


class _RoundRows:
    """One round's rows, gathered as they stream and let out in the export's order.

    The rows repeat the round's names and each statement's texts: each (profession, statement)
    gets its first twelve cells built once, with the small-group rule's verdict on them.
    """

    def __init__(self, connection: Connection, round_id: int, info: RoundInfo, theme: str | None):
        query = select(
            col(RoundStatement.statement_id),
            col(RoundStatement.position),
            col(RoundStatement.theme_title),
            col(RoundStatement.area_title),
            col(RoundStatement.text),
        ).where(col(RoundStatement.round_id) == round_id)
        if theme is not None:
            query = query.where(col(RoundStatement.theme_id) == theme)
        head = (info.unit, info.team, round_id, info.label, info.opened, info.closed)
        self.info = info
        self.positions: dict[str, int] = {}
        self.texts: dict[str, tuple[Cell, ...]] = {}
        for statement_id, position, theme_title, area, text in connection.execute(query):
            self.positions[statement_id] = position
            self.texts[statement_id] = (*head, theme_title, area, statement_id, text)
        self.responses: list[tuple[str, int, str | None]] = []
        self.scores: dict[int, list[tuple[int, str, int | None]]] = {}

    def add(self, response_id: int, public_id: str, profession: str | None) -> list[Any]:
        """The list the response's scores go into (position, statement id, value)."""
        scores = self.scores.get(response_id)
        if scores is None:
            scores = self.scores[response_id] = []
            self.responses.append((public_id, response_id, profession))
        return scores

    def rows(self) -> Iterator[Row]:
        """The rows: by the random public id, not the response id (the order of submission
        stays unknown), then by the statement's place in the round."""
        row_label = self.info.row_label
        prefixes: dict[str | None, dict[str, tuple[Cell, ...] | None]] = {}
        for public_id, response_id, profession in sorted(self.responses):
            cells = prefixes.get(profession)
            if cells is None:
                cells = prefixes[profession] = {}
                for statement_id, texts in self.texts.items():
                    label = row_label(statement_id, profession)
                    # None: a cell the small-group rule hides
                    cells[statement_id] = None if label is False else (*texts, label)
            scores = self.scores[response_id]
            scores.sort()
            for _position, statement_id, value in scores:
                prefix = cells[statement_id]
                if prefix is not None:
                    yield (*prefix, value, public_id)


def export_rows(
    *, engine: Engine, plan: ExportPlan, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[Row]:
    """The export's rows in COLUMNS order, read in batches from one streaming query.

    The query carries only what changes from row to row; a round's names and dates come from the
    plan, and its statement texts (as scored) from a query of some 60 rows when the stream reaches
    the round. A round's rows are put in order in memory, so memory grows with the largest
    round, never with the export.
    """
    if not plan.rounds:
        return
    theme = plan.filters.theme_id
    current: _RoundRows | None = None
    current_id: int | None = None
    last_response: int | None = None
    scores: list[Any] = []
    positions: dict[str, int] = {}
    # Its own connection: the rows outlive the request's session while a response streams.
    with engine.connect() as connection:
        result = connection.execute(_scores(plan), execution_options={"yield_per": batch_size})
        for batch in result.partitions():
            for round_id, response_id, public_id, profession, statement_id, value in batch:
                if round_id != current_id:
                    if current is not None:
                        yield from current.rows()
                    current_id, last_response = round_id, None
                    info = plan.rounds.get(round_id)
                    # None: closed after the plan was made, so not vetted and not exported
                    current = (
                        None if info is None else _RoundRows(connection, round_id, info, theme)
                    )
                    positions = current.positions if current is not None else {}
                if current is None:
                    continue
                if response_id != last_response:
                    last_response = response_id
                    scores = current.add(response_id, public_id, profession)
                position = positions.get(statement_id)
                if position is not None:
                    scores.append((position, statement_id, value))
        if current is not None:
            yield from current.rows()


def neutralise(cell: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_field(cell: Cell, csv_format: CsvFormat = DANISH) -> str:
    """One CSV field: formulas neutralised, the decimal mark applied, quoted where needed."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        text = neutralise(cell)
    elif isinstance(cell, float):
        text = repr(cell).replace(".", csv_format.decimal)
    else:
        text = str(cell)
    if csv_format.delimiter in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_chunks(rows: Iterable[Row], csv_format: CsvFormat = DANISH) -> Iterator[bytes]:
    """The CSV file in UTF-8 with a byte order mark, a few thousand rows per chunk.

    A round's rows repeat its names and each statement's texts, so the first ten fields are
    rendered once per round and statement and remembered (the cache is emptied when it grows).
    """
    sep = csv_format.delimiter
    prefixes: dict[tuple[Cell, ...], str] = {}
    tails: dict[tuple[Cell, ...], str] = {}
    lines = ["\ufeff" + sep.join(csv_field(name, csv_format) for name in COLUMN_HEADERS)]
    for row in rows:
        repeated = row[:10]
        prefix = prefixes.get(repeated)
        if prefix is None:
            if len(prefixes) >= PREFIX_CACHE_SIZE:
                prefixes.clear()
            prefix = sep.join([csv_field(cell, csv_format) for cell in repeated]) + sep
            prefixes[repeated] = prefix
        profession_value = row[10:12]
        tail = tails.get(profession_value)
        if tail is None:
            tail = sep.join([csv_field(cell, csv_format) for cell in profession_value]) + sep
            tails[profession_value] = tail
        lines.append(prefix + tail + csv_field(row[12], csv_format))
        if len(lines) >= CSV_CHUNK_ROWS:
            lines.append("")
            yield "\r\n".join(lines).encode("utf-8")
            lines = []
    if lines:
        lines.append("")
        yield "\r\n".join(lines).encode("utf-8")


def json_lines(rows: Iterable[Row]) -> Iterator[bytes]:
    """One JSON object per row and line (JSON Lines), keys as in COLUMNS."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    batch: list[str] = []
    for row in rows:
        batch.append(encode(dict(zip(COLUMN_NAMES, row, strict=True))))
        if len(batch) == CSV_CHUNK_ROWS:
            yield ("\n".join(batch) + "\n").encode("utf-8")
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode("utf-8")


def codebook_rows(plan: ExportPlan) -> list[tuple[str, str]]:
    """The codebook as (heading, text) rows: every column, then the rules behind the rows."""
    k = plan.k
    notes = [
        ("Én række", "Én vurdering af ét udsagn i én besvarelse (langt format)."),
        (
            "Små grupper",
            f"k = {k}. Kun lukkede runder med mindst {k} besvarelser er med; "
            f"{plan.left_out} runde(r) med færre er udeladt. Faggruppen står kun ved en "
            f"besvarelse, hvis mindst {k} besvarelser i runden har samme faggruppe; og hvis færre "
            f"end {k} besvarelser i en runde så ville stå uden faggruppe, fjernes faggruppen også "
            f"fra de mindste af de andre grupper, så en tom faggruppe ikke udpeger nogen.",
        ),
        ("Kommentarer", "Svarernes kommentarer er ikke med i eksporten; de kan identificere."),
        (
            "Formler",
            "Tekst, der begynder med =, +, -, @, tabulator eller linjeskift, har fået en apostrof "
            "foran, så regnearket ikke kører den som en formel.",
        ),
        (
            "Rækkefølge",
            "Efter rundens nummer, så besvarelsens tilfældige id (ikke den rækkefølge, svarene kom "
            "i) og til sidst udsagnets plads i runden.",
        ),
    ]
    return [*((c.header, f"`{c.key}` (JSON). {c.description}") for c in COLUMNS), *notes]


def codebook_markdown(plan: ExportPlan) -> str:
    """The codebook as a Markdown document."""
    lines = [
        "# Kodebog for Spindelvævs eksport",
        "",
        f"Dannet {local(plan.now):%Y-%m-%d %H.%M} (dansk tid). "
        f"Mindste gruppestørrelse k = {plan.k}.",
        "",
        "## Kolonner",
        "",
        "| kolonne (CSV, XLSX) | nøgle (JSON) | indhold |",
        "|---|---|---|",
        *(f"| {c.header} | `{c.key}` | {c.description} |" for c in COLUMNS),
        "",
        "## Regler",
        "",
        *(f"- **{name}.** {text}" for name, text in codebook_rows(plan)[len(COLUMNS) :]),
        "",
        "## Filformater",
        "",
        "- CSV: UTF-8 med BOM. Dansk (standard): semikolon mellem felterne og decimalkomma. "
        "International: komma og decimalpunktum.",
        "- XLSX: arket »Svar« med rækkerne (datoerne som datoceller, filter på overskriftsrækken, "
        "der står fast ved rulning) og arket »Kodebog« med denne kodebog.",
        "- JSON Lines (API'et): ét objekt pr. linje med kolonnerne som nøgler; "
        "tomme felter er null.",
        "",
    ]
    return "\n".join(lines)


def write_xlsx(rows: Iterable[Row], target: str | os.PathLike[str], plan: ExportPlan) -> int:
    """Write the rows (sheet "Svar") and the codebook (sheet "Kodebog"); return the row count."""
    workbook = xlsxwriter.Workbook(
        os.fspath(target), {"constant_memory": True, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheets = 1
    sheet = _answer_sheet(workbook, "Svar", bold)
    line = written = 0
    for row in rows:
        line += 1
        if line == XLSX_MAX_ROWS:  # a sheet holds about a million rows; carry on in the next
            _filter_header(sheet, line - 1)
            sheets += 1
            sheet = _answer_sheet(workbook, f"Svar {sheets}", bold)
            line = 1
        for column, cell in enumerate(row):
            if column in DATE_COLUMNS and isinstance(cell, str) and cell:
                sheet.write_datetime(line, column, datetime.fromisoformat(cell), day)
            elif isinstance(cell, str):
                sheet.write_string(line, column, neutralise(cell))
            elif cell is not None:
                sheet.write_number(line, column, cell)
        written += 1
    _filter_header(sheet, line)
    book = workbook.add_worksheet("Kodebog")
    book.set_column(0, 0, 18)
    book.set_column(1, 1, 100)
    book.write_row(0, 0, ("kolonne / regel", "indhold"), bold)
    for number, (name, text) in enumerate(codebook_rows(plan), start=1):
        book.write_string(number, 0, name)
        book.write_string(number, 1, text)
    workbook.close()
    return written


def _answer_sheet(workbook: Any, name: str, bold: Any) -> Any:
    """A sheet of answers: the Danish header row, frozen, and the columns' widths."""
    sheet = workbook.add_worksheet(name)
    for number, column in enumerate(COLUMNS):
        sheet.set_column(number, number, column.width)
    sheet.write_row(0, 0, COLUMN_HEADERS, bold)
    sheet.freeze_panes(1, 0)
    return sheet


def _filter_header(sheet: Any, last_line: int) -> None:
    """An autofilter on the header row over the sheet's rows (set when they are all written)."""
    sheet.autofilter(0, 0, max(last_line, 1), len(COLUMNS) - 1)


def xlsx_chunks(
    rows: Iterable[Row], plan: ExportPlan, chunk_size: int = 1 << 16
) -> Iterator[bytes]:
    """The XLSX file in chunks; it is assembled in a temporary file that is removed afterwards."""
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="spindelvaev-")
    os.close(handle)
    try:
        write_xlsx(rows, name, plan)
        with open(name, "rb") as file:
            while chunk := file.read(chunk_size):
                yield chunk
    finally:
        Path(name).unlink(missing_ok=True)


def write_export(
    *,
    rows: Iterable[Row],
    plan: ExportPlan,
    path: Path,
    kind: Literal["csv", "xlsx"],
    csv_format: CsvFormat = DANISH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to a file and return the number of rows; `progress` hears of every row."""
    written = 0

    def counted() -> Iterator[Row]:
        nonlocal written
        for written, row in enumerate(rows, start=1):
            if progress is not None and written % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)
            yield row

    if kind == "xlsx":
        write_xlsx(counted(), path, plan)
    else:
        with open(path, "wb") as file:
            for chunk in csv_chunks(counted(), csv_format):
                file.write(chunk)
    if progress is not None:
        progress(written % PROGRESS_STEP)
    return written

"""Statistics on SQL aggregates: per statement, change between rounds, rankings.

Pure: no FastAPI, no database. The inputs are aggregates (counts, sums), never score rows.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

SCALE = tuple(range(1, 11))


@dataclass(frozen=True)
class StatementInfo:
    """A statement as the round froze it: the facts a chart or table needs."""

    id: str
    text: str
    short: str
    theme_id: str
    theme_title: str
    area_id: str
    area_title: str
    position: int


@dataclass(frozen=True)
class Aggregate:
    """One statement's answers in one round as SQL sums them up."""

    statement_id: str
    counts: tuple[int, ...]  # how many answered 1, 2, … 10
    n_dont_know: int
    total: int  # sum of the values
    total_squares: int  # sum of the squared values
    mean: float | None = None  # the database's AVG; derived from the sums when absent
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class StatementStats:
    """What the team said about one statement in one round."""

    statement_id: str
    n: int  # answers with a value 1-10
    n_dont_know: int
    mean: float | None
    median: float | None
    minimum: int | None
    maximum: int | None
    std_dev: float | None
    counts: tuple[int, ...]
    total: int

    @property
    def spread(self) -> int | None:
        """Maximum minus minimum (the range)."""
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum


@dataclass(frozen=True)
class RoundSeries:
    """One round's means per statement, with its colour and legend name, for overlays."""

    round_id: int
    label: str
    colour: str
    when: datetime
    legend: str  # "Label (22. nov. 2026)"
    means: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Movement:
    """How far a statement's mean moved since the previous round."""

    statement_id: str
    before: float
    after: float

    @property
    def change(self) -> float:
        """After minus before."""
        return self.after - self.before


def median_from_counts(counts: Sequence[int]) -> float | None:
    """The median of the values 1-10 given how many gave each value."""
    n = sum(counts)
    if n == 0:
        return None
    lower_rank, upper_rank = (n - 1) // 2, n // 2
    lower = upper = None
    seen = 0
    for value, count in zip(SCALE, counts, strict=True):
        if lower is None and seen + count > lower_rank:
            lower = value
        if seen + count > upper_rank:
            upper = value
            break
        seen += count
    assert lower is not None and upper is not None
    return (lower + upper) / 2


def std_dev_from_sums(n: int, total: int, total_squares: int) -> float | None:
    """Population standard deviation from n, sum and sum of squares (0 for one answer).

    The answers describe the whole team that answered, not a sample of it, hence n and not n - 1.
    """
    if n == 0:
        return None
    variance = (total_squares - total * total / n) / n
    return math.sqrt(max(variance, 0.0))


def statement_stats(aggregate: Aggregate) -> StatementStats:
    """The statistics of one statement from its SQL aggregate."""
    counts = tuple(aggregate.counts)
    if len(counts) != len(SCALE):
        raise ValueError("counts must hold one number per value 1-10")
    n = sum(counts)
    mean = aggregate.mean if aggregate.mean is not None else (aggregate.total / n if n else None)
    present = [value for value, count in zip(SCALE, counts, strict=True) if count]
    return StatementStats(
        statement_id=aggregate.statement_id,
        n=n,
        n_dont_know=aggregate.n_dont_know,
        mean=float(mean) if n and mean is not None else None,
        median=median_from_counts(counts),
        minimum=aggregate.minimum if aggregate.minimum is not None else min(present, default=None),
        maximum=aggregate.maximum if aggregate.maximum is not None else max(present, default=None),
        std_dev=std_dev_from_sums(n, aggregate.total, aggregate.total_squares),
        counts=counts,
        total=aggregate.total,
    )


def aggregate_from_counts(statement_id: str, counts: Sequence[int], n_dont_know: int) -> Aggregate:
    """A statement's aggregate from how many gave each value 1-10 (the stored counts)."""
    given = [value for value, count in zip(SCALE, counts, strict=True) if count]
    return Aggregate(
        statement_id=statement_id,
        counts=tuple(counts),
        n_dont_know=n_dont_know,
        total=sum(value * count for value, count in zip(SCALE, counts, strict=True)),
        total_squares=sum(
            value * value * count for value, count in zip(SCALE, counts, strict=True)
        ),
        minimum=min(given, default=None),
        maximum=max(given, default=None),
    )


def merge_aggregates(parts: Iterable[Aggregate]) -> Aggregate:
    """Several groups' aggregates of one statement added up into one (counts and sums add)."""
    items = list(parts)
    if not items:
        raise ValueError("nothing to merge")
    lows = [item.minimum for item in items if item.minimum is not None]
    highs = [item.maximum for item in items if item.maximum is not None]
    return Aggregate(
        statement_id=items[0].statement_id,
        counts=tuple(sum(column) for column in zip(*(item.counts for item in items), strict=True)),
        n_dont_know=sum(item.n_dont_know for item in items),
        total=sum(item.total for item in items),
        total_squares=sum(item.total_squares for item in items),
        minimum=min(lows, default=None),
        maximum=max(highs, default=None),
    )


def empty_stats(statement_id: str) -> StatementStats:
    """The statistics of a statement nobody answered."""
    return statement_stats(
        Aggregate(statement_id, counts=(0,) * len(SCALE), n_dont_know=0, total=0, total_squares=0)
    )


def pooled_mean(stats: Iterable[StatementStats]) -> float | None:
    """The mean of every answer to these statements together (an area's or a theme's mean)."""
    items = list(stats)
    n = sum(item.n for item in items)
    return sum(item.total for item in items) / n if n else None


def changes(
    current: Mapping[str, float | None], previous: Mapping[str, float | None]
) -> dict[str, float | None]:
    """Change of each statement's mean since the previous round, by statement id.

    A statement missing from the previous round, or without a mean in either, has no change
    (None), which is not the same as no movement (0).
    """
    result: dict[str, float | None] = {}
    for statement_id, after in current.items():
        before = previous.get(statement_id)
        result[statement_id] = None if after is None or before is None else after - before
    return result


def rounded_change(change: float | None) -> float | None:
    """The change as the page shows it: one decimal, so 0.04 reads as no movement."""
    if change is None:
        return None
    return round(change, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def rank_by_disagreement(stats: Iterable[StatementStats], limit: int = 5) -> list[StatementStats]:
    """Statements with the largest standard deviation first; ties broken by the larger range.

    Statements with fewer than two answers have nothing to disagree about and are left out;
    equal ones keep their given order.
    """
    candidates = [item for item in stats if item.n >= 2 and item.std_dev is not None]
    candidates.sort(key=lambda item: (-(item.std_dev or 0.0), -(item.spread or 0)))
    return candidates[:limit]


def movements(
    current: Mapping[str, float | None], previous: Mapping[str, float | None]
) -> list[Movement]:
    """Every statement with a mean in both rounds, with before and after."""
    return [
        Movement(statement_id, before=before, after=after)
        for statement_id, after in current.items()
        if after is not None and (before := previous.get(statement_id)) is not None
    ]


def rises_and_falls(
    moved: Iterable[Movement], limit: int = 5
) -> tuple[list[Movement], list[Movement]]:
    """The largest rises and the largest falls; changes that round to 0,0 are neither."""
    items = [item for item in moved if rounded_change(item.change) != 0.0]
    rises = sorted((item for item in items if item.change > 0), key=lambda item: -item.change)
    falls = sorted((item for item in items if item.change < 0), key=lambda item: item.change)
    return rises[:limit], falls[:limit]

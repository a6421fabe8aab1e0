"""The pure statistics against numbers worked out by hand."""

import math

import pytest

from app.core.stats import (
    Aggregate,
    Movement,
    StatementStats,
    changes,
    empty_stats,
    median_from_counts,
    merge_aggregates,
    movements,
    pooled_mean,
    rank_by_disagreement,
    rises_and_falls,
    rounded_change,
    statement_stats,
    std_dev_from_sums,
)


def aggregate(statement_id: str, values: list[int | None]) -> Aggregate:
    """What the SQL GROUP BY returns for these answers (None is "Ved ikke")."""
    numbers = [value for value in values if value is not None]
    return Aggregate(
        statement_id=statement_id,
        counts=tuple(numbers.count(value) for value in range(1, 11)),
        n_dont_know=values.count(None),
        total=sum(numbers),
        total_squares=sum(value * value for value in numbers),
        minimum=min(numbers, default=None),
        maximum=max(numbers, default=None),
    )


def stats_of(statement_id: str, values: list[int | None]) -> StatementStats:
    return statement_stats(aggregate(statement_id, values))


def test_statistics_of_eight_answers_and_one_ved_ikke() -> None:
    # 2 4 4 4 5 5 7 9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32, 32/8 = 4, sd 2.
    stats = stats_of("a", [2, 4, 4, 4, 5, 5, 7, 9, None])
    assert stats.n == 8
    assert stats.n_dont_know == 1
    assert stats.mean == 5.0
    assert stats.median == 4.5  # (4 + 5) / 2
    assert (stats.minimum, stats.maximum, stats.spread) == (2, 9, 7)
    assert stats.std_dev == pytest.approx(2.0)
    assert stats.counts == (0, 1, 0, 3, 2, 0, 1, 0, 1, 0)


def test_ved_ikke_is_counted_but_left_out_of_the_mean() -> None:
    # 3 and 9 with two "Ved ikke": the mean is 6, not (3 + 9) / 4.
    stats = stats_of("a", [3, None, 9, None])
    assert (stats.n, stats.n_dont_know, stats.mean, stats.median) == (2, 2, 6.0, 6.0)
    assert stats.std_dev == pytest.approx(3.0)


def test_only_ved_ikke_gives_counts_but_no_numbers() -> None:
    stats = stats_of("a", [None, None])
    assert (stats.n, stats.n_dont_know) == (0, 2)
    assert stats.mean is None and stats.median is None and stats.std_dev is None
    assert stats.minimum is None and stats.spread is None


def test_an_unanswered_statement_has_no_answers_at_all() -> None:
    stats = empty_stats("a")
    assert (stats.n, stats.n_dont_know, stats.mean, stats.median, stats.std_dev) == (
        0,
        0,
        None,
        None,
        None,
    )
    assert stats.counts == (0,) * 10


def test_one_answer_is_its_own_mean_and_median_with_no_spread() -> None:
    stats = stats_of("a", [7])
    assert (stats.n, stats.mean, stats.median, stats.minimum, stats.maximum) == (1, 7.0, 7.0, 7, 7)
    assert stats.std_dev == 0.0


def test_the_databases_mean_min_and_max_are_used_when_given() -> None:
    given = Aggregate("a", (1, 0, 1, 0, 0, 0, 0, 0, 0, 0), 0, 4, 10, mean=2.0, minimum=1, maximum=3)
    stats = statement_stats(given)
    assert (stats.mean, stats.minimum, stats.maximum, stats.median) == (2.0, 1, 3, 2.0)


def test_counts_must_cover_the_whole_scale() -> None:
    with pytest.raises(ValueError):
        statement_stats(Aggregate("a", (1, 2, 3), 0, 0, 0))


@pytest.mark.parametrize(
    ("counts", "median"),
    [
        ((1, 0, 1, 0, 0, 0, 0, 0, 0, 1), 3.0),  # 1 3 10
        ((0, 0, 0, 0, 0, 0, 0, 0, 0, 4), 10.0),  # 10 10 10 10
        ((1, 0, 0, 0, 0, 0, 0, 0, 0, 1), 5.5),  # 1 10
        ((0,) * 10, None),
    ],
)
def test_median_from_the_counts_of_each_value(
    counts: tuple[int, ...], median: float | None
) -> None:
    assert median_from_counts(counts) == median


def test_standard_deviation_from_sum_and_sum_of_squares() -> None:
    # 1 and 5: mean 3, deviations ±2, variance 4.
    assert std_dev_from_sums(2, 6, 26) == pytest.approx(2.0)
    assert std_dev_from_sums(0, 0, 0) is None
    # Rounding may make the variance a hair below zero; the result is 0, not an error.
    assert std_dev_from_sums(3, 30, 300) == 0.0
    assert not math.isnan(std_dev_from_sums(3, 1, 0) or 0.0)


def test_pooled_mean_weighs_every_answer_equally() -> None:
    # 2 answers averaging 4 and 6 answers averaging 8: (8 + 48) / 8 = 7, not (4 + 8) / 2.
    few = stats_of("a", [3, 5])
    many = stats_of("b", [8, 8, 8, 8, 8, 8])
    assert pooled_mean([few, many]) == 7.0
    assert pooled_mean([empty_stats("c")]) is None


def test_change_since_the_previous_round_is_by_statement_id() -> None:
    current = {"a": 6.0, "b": 5.0, "added": 4.0, "no_values": None}
    previous = {"a": 5.5, "b": 5.0, "no_values": 3.0, "dropped": 7.0}
    assert changes(current, previous) == {
        "a": 0.5,
        "b": 0.0,  # no movement
        "added": None,  # not in the previous round: no change, not zero
        "no_values": None,
    }


def test_a_change_that_rounds_to_zero_is_zero_without_a_sign() -> None:
    assert rounded_change(-0.04) == 0.0
    assert str(rounded_change(-0.04)) == "0.0"
    assert rounded_change(0.26) == 0.3
    assert rounded_change(None) is None


def test_disagreement_ranks_by_spread_then_range() -> None:
    wide = stats_of("wide", [2, 4, 4, 4, 5, 5, 7, 9])  # sd 2, range 7
    narrow = stats_of("narrow", [1, 5])  # sd 2, range 4
    most = stats_of("most", [1, 1, 7, 7])  # sd 3
    calm = stats_of("calm", [4, 6])  # sd 1
    lonely = stats_of("lonely", [10])  # one answer: nothing to disagree about
    unanswered = empty_stats("unanswered")
    ranked = rank_by_disagreement([calm, narrow, lonely, wide, unanswered, most])
    assert [item.statement_id for item in ranked] == ["most", "wide", "narrow", "calm"]
    assert [item.statement_id for item in rank_by_disagreement([calm, most], limit=1)] == ["most"]


def test_movements_need_a_mean_in_both_rounds() -> None:
    moved = movements({"a": 6.0, "b": None, "new": 5.0}, {"a": 4.5, "b": 3.0})
    assert moved == [Movement("a", before=4.5, after=6.0)]
    assert moved[0].change == 1.5


def test_largest_rises_and_falls() -> None:
    moved = [
        Movement("small_rise", 5.0, 5.3),
        Movement("big_rise", 4.0, 5.2),
        Movement("big_fall", 6.0, 5.2),
        Movement("noise", 5.0, 5.04),  # shows as 0,0: neither
        Movement("small_fall", 6.0, 5.8),
    ]
    rises, falls = rises_and_falls(moved)
    assert [item.statement_id for item in rises] == ["big_rise", "small_rise"]
    assert [item.statement_id for item in falls] == ["big_fall", "small_fall"]
    rises, falls = rises_and_falls(moved, limit=1)
    assert [item.statement_id for item in rises + falls] == ["big_rise", "big_fall"]


LABELS: dict[str | None, str] = {
    "laerer": "Lærer",
    "paedagog": "Pædagog",
    "ppr": "PPR",
    None: "Ikke oplyst",
}


def test_professions_aggregates_add_up_to_the_teams() -> None:
    # Teachers 2, 4, "Ved ikke"; pedagogues 9: together 2, 4, 9 and one "Ved ikke".
    merged = merge_aggregates([aggregate("a", [2, 4, None]), aggregate("a", [9])])
    assert merged == aggregate("a", [2, 4, 9, None])
    stats = statement_stats(merged)
    assert (stats.n, stats.n_dont_know, stats.mean, stats.median) == (3, 1, 5.0, 4.0)
    with pytest.raises(ValueError):
        merge_aggregates([])

"""Movement of prioritised statements, computed by hand."""

import pytest

from app.core.followup import EarlierPriority, priority_movements

MAY = EarlierPriority(round_id=1, round_label="Maj 2026", statement_id="a.b.1", text="Vi …")
SEPT = EarlierPriority(round_id=2, round_label="September 2026", statement_id="a.b.2", text="Vi …")


def test_a_prioritised_statement_shows_its_mean_then_and_now() -> None:
    means = {1: {"a.b.1": 4.2, "a.b.2": 5.0}, 2: {"a.b.1": 5.0, "a.b.2": 5.5}, 3: {"a.b.1": 6.1}}
    [may, sept] = priority_movements([MAY, SEPT], means, current_round_id=3)
    assert (may.before, may.after) == (4.2, 6.1)
    assert may.change == pytest.approx(1.9)
    assert (sept.before, sept.after, sept.change) == (5.5, None, None)


def test_a_round_below_the_small_group_limit_gives_no_number() -> None:
    # Round 1 had too few answers, so the caller left it out of `means`.
    [movement] = priority_movements([MAY], {3: {"a.b.1": 6.0}}, current_round_id=3)
    assert movement.before is None
    assert movement.after == 6.0
    assert movement.change is None

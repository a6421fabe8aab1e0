"""The small-group rule of app.core.anonymity: the one grouping, hidden cells, the threshold."""

from app.core.anonymity import OTHERS_LABEL, hidden_cells, release_threshold, round_grouping

LABELS: dict[str | None, str] = {
    "laerer": "Lærer",
    "paedagog": "Pædagog",
    "ppr": "PPR",
    None: "Ikke oplyst",
}


def test_professions_with_k_answers_stand_alone_and_small_ones_merge() -> None:
    groups = round_grouping({"laerer": 3, "paedagog": 4, "ppr": 2, None: 1}, 3, LABELS).groups
    assert [(g.label, g.size) for g in groups] == [("Pædagog", 4), ("Lærer", 3), (OTHERS_LABEL, 3)]
    assert set(groups[-1].professions) == {"ppr", None}


def test_a_profession_with_k_minus_1_answers_is_never_shown_alone() -> None:
    groups = round_grouping({"laerer": 3, "paedagog": 3, "ppr": 2}, 3, LABELS).groups
    # "Øvrige" would hold only PPR's 2; the smallest shown group joins it so it reaches 3.
    labels = [g.label for g in groups]
    assert "PPR" not in labels
    assert labels == ["Lærer", OTHERS_LABEL]
    assert groups[-1].size == 5


def test_no_professions_when_the_rest_would_reveal_the_few() -> None:
    # Team mean minus the teachers' mean would give the one pedagogue's score.
    assert round_grouping({"laerer": 5, "paedagog": 1}, 3, LABELS).groups == ()
    assert round_grouping({"laerer": 2}, 3, LABELS).groups == ()
    assert round_grouping({}, 3, LABELS).groups == ()


def test_profession_cells_below_k_are_hidden() -> None:
    assert hidden_cells({"A": 3, "B": 4}, 3) == frozenset()
    # Two hidden cells hold 4 answers together: hiding each is enough.
    assert hidden_cells({"A": 2, "B": 2, "C": 5}, 3) == {"A", "B"}
    assert hidden_cells({"A": 0, "B": 3}, 3) == frozenset()


def test_a_lone_hidden_cell_hides_the_smallest_shown_cells_until_k_are_hidden() -> None:
    # The team's mean and B's mean would otherwise give A's two answers.
    assert hidden_cells({"A": 2, "B": 4}, 3) == {"A", "B"}
    assert hidden_cells({"A": 1, "B": 3, "C": 6}, 3) == {"A", "B"}


def test_the_release_threshold_is_k_or_the_share_of_the_team() -> None:
    assert release_threshold(k=3, team_size=15, min_share=0.5) == 8
    assert release_threshold(k=3, team_size=4, min_share=0.5) == 3
    assert release_threshold(k=5, team_size=12, min_share=0.0) == 5
    assert release_threshold(k=3, team_size=10, min_share=0.5) == 5

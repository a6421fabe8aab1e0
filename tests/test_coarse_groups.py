"""Coarser profession groups: the finest grouping whose groups all reach k, the same everywhere."""

import itertools
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from app.core.anonymity import OTHERS_LABEL, Grouping, round_grouping
from app.db.demo import TEAMS, seed_demo
from app.db.models import Round, Team
from app.db.results import group_labels, round_report
from app.themes import Catalogue, CatalogueError, default_catalogue_path, load_catalogue

K = 3


def _grouping(catalogue: Catalogue, sizes: dict[str | None, int], k: int = K) -> Grouping:
    labels = group_labels(catalogue.profession_labels())
    return round_grouping(sizes, k, labels, labels.coarse)


def test_the_issues_mixed_team_is_shown_by_sector(catalogue: Catalogue) -> None:
    # 2 lærere, 2 pædagoger, PPR, socialrådgiver, leder: no profession reaches 3.
    sizes: dict[str | None, int] = {
        "laerer": 2,
        "paedagog": 2,
        "ppr": 1,
        "socialraadgiver": 1,
        "leder": 1,
    }
    grouping = _grouping(catalogue, sizes)
    assert [(g.label, g.size) for g in grouping.groups] == [
        ("Skole og dagtilbud", 4),
        (OTHERS_LABEL, 3),
    ]


def test_the_first_coarser_grouping_that_shows_two_groups_is_used() -> None:
    labels: dict[str | None, str] = {"a": "A", "b": "B", "c": "C", "d": "D"}
    fine = {"a": "AB", "b": "AB", "c": "C", "d": "D"}  # C and D, 1 each, stay below k
    coarse = {"a": "AB", "b": "AB", "c": "CD", "d": "CD"}
    grouping = round_grouping({"a": 2, "b": 2, "c": 1, "d": 2}, K, labels, [fine, coarse])
    assert [(g.label, g.size) for g in grouping.groups] == [("AB", 4), (OTHERS_LABEL, 3)]
    grouping = round_grouping({"a": 2, "b": 2, "c": 1, "d": 2}, K, labels, [coarse])
    assert [(g.label, g.size) for g in grouping.groups] == [("AB", 4), ("CD", 3)]
    assert round_grouping({"a": 2, "b": 2}, K, labels, [fine, coarse]).groups == ()


def test_professions_that_reach_k_are_shown_as_themselves(catalogue: Catalogue) -> None:
    grouping = _grouping(catalogue, {"laerer": 3, "paedagog": 3, "leder": 1})
    assert [(g.label, g.size) for g in grouping.groups] == [("Lærer", 3), (OTHERS_LABEL, 4)]


def test_no_grouping_ever_holds_a_group_below_k_nor_leaves_anyone_out(
    catalogue: Catalogue,
) -> None:
    professions = ["laerer", "paedagog", "ppr", "socialraadgiver_myndighed", "leder", None]
    for counts in itertools.product(range(4), repeat=len(professions)):
        sizes = {p: n for p, n in zip(professions, counts, strict=True) if n}
        grouping = _grouping(catalogue, sizes)
        if not grouping.groups:
            continue
        assert len(grouping.groups) >= 2
        assert all(group.size >= K for group in grouping.groups), (sizes, grouping)
        # Every response is in exactly one shown group: the total minus the groups is nobody.
        placed = [p for group in grouping.groups for p in group.professions]
        assert sorted(placed, key=str) == sorted(sizes, key=str)
        assert sum(group.size for group in grouping.groups) == sum(sizes.values())


def test_the_demo_team_gets_a_coarse_grouping_and_never_a_group_below_k(
    session: Session, catalogue: Catalogue
) -> None:
    info = seed_demo(session=session, catalogue=catalogue)
    team = info.teams[0]
    assert TEAMS[0][3].count("laerer") == 2  # the issue's mixed team
    coarse = {g.label for grouping in catalogue.profession_groupings for g in grouping.groups}
    seen: set[str] = set()
    for demo_round in team.rounds:
        round_ = session.exec(select(Round).where(Round.id == demo_round.id)).one()
        report = round_report(
            session=session,
            round_=round_,
            team=session.get(Team, round_.team_id),  # type: ignore[arg-type]
            k=K,
            min_share=0.5,
            profession_labels=catalogue.profession_labels(),
        )
        if report.professions is None:
            continue
        assert all(group.size >= K for group in report.professions.groups)
        seen |= {group.label for group in report.professions.groups}
        for row in report.professions.means.values():
            for label, mean in row.items():
                assert mean is None or label in seen
    assert seen & coarse, seen


def test_a_profession_missing_from_a_coarser_grouping_is_a_catalogue_problem(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    data["profession_groupings"][0]["groups"][0]["professions"].remove("laerer")
    data["profession_groupings"][1]["groups"][0]["professions"].append("ukendt")
    path = tmp_path / "statements.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    problems = [what for _, what in raised.value.problems]
    assert "faggruppen »laerer« skal stå i netop én gruppe" in problems
    assert "ukendt faggruppe »ukendt«" in problems

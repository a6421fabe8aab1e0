"""The small-group rule, whole: which figures may be shown without singling anyone out.

Every view, the API and every export ask this module, so that no two of them can be combined to
isolate fewer than k people:

- a round's results exist only once it is closed and has `release_threshold` answers;
- one grouping of professions per round (`round_grouping`), used by every view and export;
- every cell (a statement, an area, a theme, a profession group of any of them) rests on at least
  k answers of its own, and cells are hidden in addition where the shown ones would give a hidden
  one away by subtraction (`hidden_cells`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

OTHERS_LABEL = "Øvrige"
TOO_FEW = "for få svar"
MIN_GROUP_SIZE = 3  # k is never set lower: with 2, each of the two knows the other's answers


@dataclass(frozen=True)
class ProfessionGroup:
    """Professions shown together: one profession, or "Øvrige" for the merged small ones."""

    label: str
    professions: tuple[str | None, ...]
    size: int


@dataclass(frozen=True)
class Grouping:
    """The round's one grouping of professions; no groups means no split is shown at all."""

    groups: tuple[ProfessionGroup, ...] = ()

    def label_of(self, profession: str | None) -> str | None:
        """The label of the group a response of this profession counts in (None: no split)."""
        for group in self.groups:
            if profession in group.professions:
                return group.label
        return None


def enough_answers(n: int, k: int) -> bool:
    """A cell with fewer than k answers shows nothing."""
    return n >= k


def release_threshold(*, k: int, team_size: int, min_share: float) -> int:
    """How many answers a round needs before its results are shown: max(k, share of the team).

    In whole per cents, so that the SQL twin (`app.db.sql.released`) agrees to the last answer.
    """
    per_cent = round(min_share * 100)
    return max(k, -(-team_size * per_cent // 100))


def round_grouping(
    sizes: Mapping[str | None, int], k: int, label: Mapping[str | None, str]
) -> Grouping:
    """Which profession groups a round shows: each with at least k responses.

    A profession with at least k responses stands alone; the smaller ones are merged into
    "Øvrige". If "Øvrige" would hold fewer than k, the smallest standing profession joins it,
    until it reaches k. With fewer than two groups left, no split is shown: one group would be the
    whole team again, and the team's own figures already say it all.
    """
    alone = sorted(
        ((profession, size) for profession, size in sizes.items() if size >= k),
        key=lambda item: (-item[1], label.get(item[0], str(item[0]))),
    )
    merged = [(profession, size) for profession, size in sizes.items() if 0 < size < k]
    while merged and sum(size for _, size in merged) < k and alone:
        merged.append(alone.pop())
    groups = [
        ProfessionGroup(label.get(profession, str(profession)), (profession,), size)
        for profession, size in alone
    ]
    if merged and sum(size for _, size in merged) >= k:
        groups.append(
            ProfessionGroup(
                OTHERS_LABEL,
                tuple(profession for profession, _ in merged),
                sum(size for _, size in merged),
            )
        )
    if len(groups) < 2:
        return Grouping()
    return Grouping(tuple(groups))


def hidden_cells(cells: Mapping[str, int], k: int) -> frozenset[str]:
    """Which cells of one row (the groups' answers to one statement or theme) must be hidden.

    A cell below k is hidden. The row's total is shown, so the hidden cells together must hold at
    least k answers too, or the total minus the shown cells would give them away: the smallest
    shown cells are hidden as well until they do, or until the whole row is hidden.
    """
    hidden = {group for group, n in cells.items() if 0 < n < k}
    shown = sorted((n, group) for group, n in cells.items() if n >= k)
    while hidden and sum(cells[group] for group in hidden) < k and shown:
        hidden.add(shown.pop(0)[1])
    return frozenset(hidden)

"""The small-group rule, whole: which figures may be shown without singling anyone out.

Every view, the API and every export ask this module, so that no two of them can be combined to
isolate fewer than k people:

- a round's results exist only once it is closed and has `release_threshold` answers;
- one grouping of professions per round (`round_grouping`), used by every view and export;
- every cell (a statement, an area, a theme, a profession group of any of them) rests on at least
  k answers of its own, and cells are hidden in addition where the shown ones would give a hidden
  one away by subtraction (`hidden_cells`).
"""

from collections.abc import Mapping, Sequence
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
    sizes: Mapping[str | None, int],
    k: int,
    label: Mapping[str | None, str],
    coarse: Sequence[Mapping[str | None, str]] = (),
) -> Grouping:
    """Which profession groups a round shows: the finest grouping whose groups each hold at
    least k responses.

    The professions are tried first, then each coarser grouping of the catalogue in turn (finest
    first: sectors, then leaders/staff); the first that shows at least two groups is the round's.
    Within a grouping, a group with at least k responses stands alone and the smaller ones are
    merged into "Øvrige"; if "Øvrige" would hold fewer than k, the smallest standing group joins
    it, until it reaches k. Every response is in one shown group, so the team's total minus the
    shown groups leaves nobody over to single out. With fewer than two groups, no split is shown:
    one group would be the whole team again.
    """
    for names in (None, *coarse):
        grouping = _grouping_by(sizes, k, label, names)
        if grouping.groups:
            return grouping
    return Grouping()


def _grouping_by(
    sizes: Mapping[str | None, int],
    k: int,
    label: Mapping[str | None, str],
    names: Mapping[str | None, str] | None,
) -> Grouping:
    """The grouping of the professions (`names` None) or of one coarser grouping's groups.

    A profession outside the coarser grouping (no profession stated, or an unknown one) stays a
    unit of its own there, under its own label.
    """
    units: dict[str, list[str | None]] = {}
    unit_sizes: dict[str, int] = {}
    for profession, size in sizes.items():
        if size <= 0:
            continue
        own = label.get(profession, str(profession))
        key = names.get(profession, own) if names is not None else own
        units.setdefault(key, []).append(profession)
        unit_sizes[key] = unit_sizes.get(key, 0) + size
    alone = sorted(
        ((key, size) for key, size in unit_sizes.items() if size >= k),
        key=lambda item: (-item[1], item[0]),
    )
    merged = [(key, size) for key, size in unit_sizes.items() if size < k]
    while merged and sum(size for _, size in merged) < k and alone:
        merged.append(alone.pop())
    groups = [ProfessionGroup(key, tuple(units[key]), size) for key, size in alone]
    if merged and sum(size for _, size in merged) >= k:
        groups.append(
            ProfessionGroup(
                OTHERS_LABEL,
                tuple(profession for key, _ in merged for profession in units[key]),
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

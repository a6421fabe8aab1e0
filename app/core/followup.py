"""How the statements a team prioritised have moved since (pure: no FastAPI, no database)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class EarlierPriority:
    """A statement a team chose to develop after an earlier round."""

    round_id: int
    round_label: str
    statement_id: str
    text: str
    priority_id: int = 0
    theme_id: str = ""
    target: float | None = None  # the level step 4 set out to reach


@dataclass(frozen=True)
class PriorityMovement:
    """The team mean of a prioritised statement then and now (None where it cannot be shown)."""

    priority: EarlierPriority
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """After minus before, when both are known."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def reached(self) -> bool | None:
        """Whether the later round's mean reached the target (None: no target or no mean)."""
        if self.priority.target is None or self.after is None:
            return None
        # As shown (one decimal): a mean shown as "6,0" has reached a target of 6.
        return round(self.after, 1) >= self.priority.target


def priority_movements(
    priorities: Sequence[EarlierPriority],
    means: Mapping[int, Mapping[str, float | None]],
    current_round_id: int,
) -> list[PriorityMovement]:
    """For each earlier priority: its mean in its own round and in the current round.

    `means` holds only rounds that may be shown (enough answers); a round or statement missing
    from it gives None, never zero.
    """
    now = means.get(current_round_id, {})
    return [
        PriorityMovement(
            priority=priority,
            before=means.get(priority.round_id, {}).get(priority.statement_id),
            after=now.get(priority.statement_id),
        )
        for priority in priorities
    ]

"""A round's life: its status, when it was held, which rounds came before, colours and codes.

The one home of these rules; their SQL twins sit in `app.db.sql` under the same names.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Protocol


class RoundStatus(StrEnum):
    """A round's stored status. An open round past its closing time counts as closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


# The one table of the statuses' Danish labels, used by every page, list and the live count.
STATUS_LABELS = {
    RoundStatus.DRAFT: "Ikke åbnet endnu",
    RoundStatus.OPEN: "Åben for svar",
    RoundStatus.CLOSED: "Lukket",
}

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Yellow comes last: it is
# the hardest to see on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# No look-alikes: no 0/O, no 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


class Schedulable(Protocol):
    """What a round's status depends on (a Round, or the few columns the submit path reads)."""

    @property
    def status(self) -> str: ...

    @property
    def closes_at(self) -> datetime | None: ...


class Held(Protocol):
    """What "when a round was held" depends on."""

    @property
    def id(self) -> int | None: ...

    @property
    def opened_at(self) -> datetime | None: ...

    @property
    def created_at(self) -> datetime: ...


def effective_status(round_: Schedulable, *, now: datetime | None = None) -> RoundStatus:
    """The status respondents meet: an open round whose closing time has passed is closed."""
    status = RoundStatus(round_.status)
    if status is not RoundStatus.OPEN:
        return status
    if round_.closes_at is not None and round_.closes_at <= (now or datetime.now(UTC)):
        return RoundStatus.CLOSED
    return RoundStatus.OPEN


def is_open(round_: Schedulable, *, now: datetime | None = None) -> bool:
    """Whether respondents may answer the round now."""
    return effective_status(round_, now=now) is RoundStatus.OPEN


def held_at(round_: Held) -> datetime:
    """When a round was held: when it was opened, or created if it was never opened."""
    return round_.opened_at or round_.created_at


def held_order(round_: Held) -> tuple[datetime, int]:
    """The order of a team's rounds: by when they were held, then by id."""
    return (held_at(round_), round_.id or 0)


def is_earlier(round_: Held, than: Held) -> bool:
    """Whether `round_` was held before `than` (the "earlier rounds" of every view)."""
    return held_order(round_) < held_order(than)


def next_colour(used: Iterable[str]) -> str:
    """The first palette colour the team has not used; after eight rounds the palette repeats."""
    used_list = [colour.upper() for colour in used]
    for colour in PALETTE:
        if colour not in used_list:
            return colour
    return PALETTE[len(used_list) % len(PALETTE)]


def new_join_code() -> str:
    """A random six-character code that is easy to read aloud and type on a phone."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """The code as stored: upper case, without spaces or dashes people type."""
    return "".join(code.split()).replace("-", "").upper()


class NextStepKind(StrEnum):
    """Where the facilitator's next step is done: the page a "Dine teams" row links to."""

    NEW_ROUND = "new_round"
    ROUND = "round"
    MEETING = "meeting"
    FOLLOW_UP = "follow_up"


def next_step(
    *, latest: RoundStatus | None, discussed: bool, open_actions: int
) -> tuple[NextStepKind, str]:
    """What a team's facilitator does next, in Danish, from its newest round and open actions."""
    if latest is None:
        return NextStepKind.NEW_ROUND, "Opret den første runde"
    if latest is RoundStatus.DRAFT:
        return NextStepKind.ROUND, "Åbn runden"
    if latest is RoundStatus.OPEN:
        return NextStepKind.ROUND, "Luk runden"
    if not discussed:
        return NextStepKind.MEETING, "Hold mødet"
    if open_actions:
        noun = "handling" if open_actions == 1 else "handlinger"
        return NextStepKind.FOLLOW_UP, f"Følg op på {open_actions} {noun}"
    return NextStepKind.NEW_ROUND, "Opret næste runde"


def theme_gone_longest_without(
    theme_ids: Sequence[str], held: Iterable[tuple[datetime, Sequence[str]]]
) -> str | None:
    """The theme to suggest for a team's next round: one it has never scored, else the one
    whose last round lies furthest back (`held`: each earlier round's held time and themes).

    Ties go to the catalogue's order, so the suggestion walks the six themes in turn.
    """
    last: dict[str, datetime] = {}
    for when, themes in held:
        for theme_id in themes:
            last[theme_id] = max(when, last.get(theme_id, when))
    never = [theme_id for theme_id in theme_ids if theme_id not in last]
    if never:
        return never[0]
    if not theme_ids:
        return None
    return min(theme_ids, key=lambda theme_id: (last[theme_id], theme_ids.index(theme_id)))


class Planned(Protocol):
    """What "when the team measures next" depends on: the date step 6 set."""

    @property
    def next_measurement_on(self) -> date | None: ...


def next_measurement(newest: Planned | None, *, today: date) -> tuple[date, bool] | None:
    """When the team is to measure next, and whether that date has passed (overdue).

    The date is the one set at the meeting of the team's newest round: once a later round
    exists, the measurement has been made and the next date is that round's to set.
    """
    if newest is None or newest.next_measurement_on is None:
        return None
    return newest.next_measurement_on, newest.next_measurement_on < today

"""Units and teams: creating, editing and assigning facilitators."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.core.formatting import LOCAL_TIME
from app.core.forms import read_form
from app.core.rounds import (
    NextStepKind,
    RoundStatus,
    effective_status,
    next_measurement,
    next_step,
)
from app.db.audit import record
from app.db.meeting import OPEN_STATUSES
from app.db.models import NamedBase, PlanAction, Round, Team, TeamFacilitator, Unit, User
from app.db.rounds import rounds_with_counts
from app.errors import InvalidInput

MAX_TEAM_SIZE = 500


def _clean_name(name: str) -> str:
    return read_form(NamedBase, {"name": name}).name


def _size(expected_size: str | int) -> int:
    try:
        size = int(expected_size)
    except (TypeError, ValueError):
        raise InvalidInput("Antal medlemmer skal være et helt tal.") from None
    if not 1 <= size <= MAX_TEAM_SIZE:
        raise InvalidInput(f"Antal medlemmer skal være mellem 1 og {MAX_TEAM_SIZE}.")
    return size


def create_unit(*, session: Session, name: str) -> Unit:
    """Add an organisational unit with a unique name."""
    name = _clean_name(name)
    if session.exec(select(Unit.id).where(Unit.name == name)).first() is not None:
        raise InvalidInput("Der findes allerede en enhed med det navn.")
    unit = Unit(name=name)
    session.add(unit)
    session.flush()
    session.refresh(unit)
    return unit


def create_team(
    *,
    session: Session,
    name: str,
    unit_id: int,
    expected_size: str | int,
    facilitator_ids: list[int],
) -> Team:
    """Add a team to a unit and assign its facilitators."""
    if session.get(Unit, unit_id) is None:
        raise InvalidInput("Vælg en enhed.")
    # Everything is checked before anything is added, so a refused form leaves nothing behind.
    team = Team(name=_clean_name(name), unit_id=unit_id, expected_size=_size(expected_size))
    _facilitator_ids(session, facilitator_ids)
    session.add(team)
    session.flush()
    assert team.id is not None
    set_facilitators(session=session, team_id=team.id, user_ids=facilitator_ids)
    session.refresh(team)
    return team


def update_team(
    *,
    session: Session,
    team: Team,
    name: str,
    expected_size: str | int,
    actor: User | None = None,
) -> Team:
    """Change a team's name and expected number of members (logged when anything changed)."""
    new_name, new_size = _clean_name(name), _size(expected_size)
    changes = []
    if new_name != team.name:
        changes.append(f"navn: {team.name} → {new_name}")
    if new_size != team.expected_size:
        changes.append(f"medlemmer: {team.expected_size} → {new_size}")
    team.name, team.expected_size = new_name, new_size
    session.add(team)
    session.flush()
    if changes:
        detail = "; ".join(changes)
        record(session=session, actor=actor, kind="team.changed", team_id=team.id, detail=detail)
    session.refresh(team)
    return team


def _facilitator_ids(session: Session, user_ids: list[int]) -> set[int]:
    wanted = set(user_ids)
    found = set(
        session.exec(
            select(User.id).where(col(User.id).in_(wanted), User.role == "facilitator")
        ).all()
    )
    if found != wanted:
        raise InvalidInput("Vælg mødeledere fra listen.")
    return wanted


def set_facilitators(*, session: Session, team_id: int, user_ids: list[int]) -> None:
    """Make exactly these facilitators the team's (unknown or non-facilitator ids are refused)."""
    wanted = _facilitator_ids(session, user_ids)
    session.execute(delete(TeamFacilitator).where(col(TeamFacilitator.team_id) == team_id))
    for user_id in sorted(wanted):
        session.add(TeamFacilitator(team_id=team_id, user_id=user_id))
    session.flush()


def facilitators_of(*, session: Session, team_id: int) -> list[User]:
    """The team's facilitators by name."""
    query = (
        select(User)
        .join(TeamFacilitator, col(TeamFacilitator.user_id) == col(User.id))
        .where(TeamFacilitator.team_id == team_id)
        .order_by(col(User.name))
    )
    return list(session.exec(query).all())


@dataclass(frozen=True)
class TeamSummary:
    """A row of "Dine teams": the team's newest round, its answers, and the next step."""

    latest: Round | None
    answers: int
    open_actions: int
    step: NextStepKind
    step_text: str
    next_measurement: tuple[date, bool] | None = None  # the date step 6 set, and whether it passed

    @property
    def open_round(self) -> Round | None:
        """The newest round, when respondents may still answer it."""
        if self.latest is not None and effective_status(self.latest) is RoundStatus.OPEN:
            return self.latest
        return None


def team_summaries(*, session: Session, team_ids: list[int]) -> dict[int, TeamSummary]:
    """Per team: its newest round with its number of responses, and its unfinished actions."""
    newest: dict[int, tuple[Round, int]] = {}
    # In held order, so each team's last row is its newest round.
    for round_, count in rounds_with_counts(session=session, team_ids=team_ids):
        newest[round_.team_id] = (round_, count)
    actions = dict(
        session.exec(
            select(Round.team_id, func.count())
            .join(PlanAction, col(PlanAction.round_id) == col(Round.id))
            .where(col(Round.team_id).in_(team_ids), col(PlanAction.status).in_(OPEN_STATUSES))
            .group_by(col(Round.team_id))
        ).all()
    )
    summaries = {}
    today = datetime.now(LOCAL_TIME).date()
    for team_id in team_ids:
        latest, count = newest.get(team_id, (None, 0))
        status = effective_status(latest) if latest is not None else None
        discussed = latest is not None and latest.discussed_at is not None
        open_actions = int(actions.get(team_id, 0))
        step, text = next_step(latest=status, discussed=discussed, open_actions=open_actions)
        planned = next_measurement(latest, today=today)
        summaries[team_id] = TeamSummary(latest, count, open_actions, step, text, planned)
    return summaries

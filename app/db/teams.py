"""Units and teams: creating, editing and assigning facilitators."""

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.db.audit import record
from app.db.models import Response, Round, Team, TeamFacilitator, Unit, User
from app.errors import InvalidInput

MAX_TEAM_SIZE = 500


def _clean_name(name: str, what: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput(f"{what} skal have et navn på 1-200 tegn.")
    return name


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
    name = _clean_name(name, "Enheden")
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
    team = Team(
        name=_clean_name(name, "Teamet"), unit_id=unit_id, expected_size=_size(expected_size)
    )
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
    new_name, new_size = _clean_name(name, "Teamet"), _size(expected_size)
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
        raise InvalidInput("Vælg tovholdere fra listen.")
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


def rounds_of(*, session: Session, team_id: int) -> list[tuple[Round, int]]:
    """The team's rounds, oldest first, each with its number of responses."""
    answers = (
        select(Response.round_id, func.count().label("answers"))
        .group_by(col(Response.round_id))
        .subquery()
    )
    query = (
        select(Round, func.coalesce(answers.c.answers, 0))
        .outerjoin(answers, answers.c.round_id == col(Round.id))
        .where(Round.team_id == team_id)
        .order_by(col(Round.created_at), col(Round.id))
    )
    return [(round_, int(count)) for round_, count in session.exec(query).all()]

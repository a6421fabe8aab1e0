"""The follow-up meeting: three priorities, what the child will notice, what it takes, the plan."""

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.core.followup import EarlierPriority, PriorityMovement, priority_movements
from app.core.forms import read_form
from app.core.rounds import held_order, is_earlier
from app.db.models import (
    ActionReview,
    DiscussionNote,
    MeetingNoteBase,
    NextDates,
    PlanAction,
    PlanActionCreate,
    Priority,
    PriorityNotes,
    PriorityReview,
    Round,
    RoundStatement,
    utcnow,
)
from app.db.results import released_rounds, round_means
from app.errors import InvalidInput, NotFound

MAX_PRIORITIES = 3
PRIORITY_TEXT_FIELDS = ("experience", "requirements")
ACTION_STATUS_LABELS = {
    "ikke_startet": "Ikke startet",
    "i_gang": "I gang",
    "gennemfoert": "Gennemført",
    "droppet": "Opgivet",
}
OPEN_STATUSES = ("ikke_startet", "i_gang")


def priorities_of(*, session: Session, round_id: int) -> list[tuple[Priority, RoundStatement]]:
    """The round's priorities with their statements as worded in the round, in round order."""
    query = (
        select(Priority, RoundStatement)
        .join(
            RoundStatement,
            (col(RoundStatement.round_id) == col(Priority.round_id))
            & (col(RoundStatement.statement_id) == col(Priority.statement_id)),
        )
        .where(Priority.round_id == round_id)
        .order_by(col(RoundStatement.position))
    )
    return [(priority, statement) for priority, statement in session.exec(query).all()]


def set_priorities(
    *, session: Session, round_: Round, statement_ids: list[str], theme_id: str | None = None
) -> None:
    """Make these statements the round's priorities, at most three per theme, keeping the notes
    of kept ones. With `theme_id`, only that theme's priorities are replaced (the meeting of a
    round of several themes chooses per theme); nothing changes when the choice is refused."""
    wanted = list(dict.fromkeys(statement_ids))
    themes = dict(
        session.exec(
            select(RoundStatement.statement_id, RoundStatement.theme_id).where(
                RoundStatement.round_id == round_.id
            )
        ).all()
    )
    if not set(wanted) <= set(themes) or (
        theme_id is not None and any(themes[s] != theme_id for s in wanted)
    ):
        raise InvalidInput("Vælg udsagn fra rundens egne udsagn.")
    per_theme: dict[str, int] = {}
    for statement_id in wanted:
        per_theme[themes[statement_id]] = per_theme.get(themes[statement_id], 0) + 1
    if any(count > MAX_PRIORITIES for count in per_theme.values()):
        raise InvalidInput(
            f"I kan højst vælge {MAX_PRIORITIES} udsagn pr. tema at arbejde videre med. "
            f"I valgte {max(per_theme.values())}, så det nye valg er ikke gemt. "
            f"Siden viser {MAX_PRIORITIES} af dem: ret valget, og gem igen."
        )
    replaced = [s for s, t in themes.items() if theme_id is None or t == theme_id]
    session.execute(
        delete(Priority).where(
            col(Priority.round_id) == round_.id,
            col(Priority.statement_id).in_(replaced),
            col(Priority.statement_id).not_in(wanted),
        )
    )
    existing = set(
        session.exec(select(Priority.statement_id).where(Priority.round_id == round_.id)).all()
    )
    assert round_.id is not None
    for statement_id in wanted:
        if statement_id not in existing:
            session.add(Priority(round_id=round_.id, statement_id=statement_id))
    if wanted and round_.discussed_at is None:
        round_.discussed_at = utcnow()  # from now on the round cannot be reopened
        session.add(round_)
    session.flush()


def priority_in_round(*, session: Session, round_id: int, priority_id: int) -> Priority:
    """A priority of this round (404 for any other)."""
    priority = session.get(Priority, priority_id)
    if priority is None or priority.round_id != round_id:
        raise NotFound("Prioriteringen findes ikke.")
    return priority


def save_priority_text(*, session: Session, priority: Priority, field: str, text: str) -> None:
    """Store step 4's or step 5's answer for a priority."""
    if field not in PRIORITY_TEXT_FIELDS:
        raise InvalidInput("Ukendt felt.")
    notes = read_form(PriorityNotes, {field: text})
    setattr(priority, field, getattr(notes, field))
    session.add(priority)
    session.flush()


def save_priority_texts(
    *, session: Session, round_id: int, field: str, texts: dict[str, str]
) -> None:
    """Store step 4's or step 5's answers for the round's priorities (keyed by priority id)."""
    for key, text in texts.items():
        if not (key.isascii() and key.isdigit()):
            raise NotFound("Prioriteringen findes ikke.")
        priority = priority_in_round(session=session, round_id=round_id, priority_id=int(key))
        save_priority_text(session=session, priority=priority, field=field, text=text)


def save_targets(*, session: Session, round_id: int, targets: dict[str, str]) -> None:
    """Store step 4's target level per priority (keyed by priority id); all or nothing."""
    checked = []
    for key, typed in targets.items():
        if not (key.isascii() and key.isdigit()):
            raise NotFound("Prioriteringen findes ikke.")
        priority = priority_in_round(session=session, round_id=round_id, priority_id=int(key))
        checked.append((priority, read_form(PriorityNotes, {"target": typed}).target))
    for priority, target in checked:
        priority.target = target
        session.add(priority)
    session.flush()


def discussion_notes(*, session: Session, round_ids: list[int]) -> dict[tuple[int, str, str], str]:
    """Step 2's notes of these rounds: (round id, theme id, statement id or "") -> text."""
    if not round_ids:
        return {}
    query = select(DiscussionNote).where(col(DiscussionNote.round_id).in_(round_ids))
    return {(n.round_id, n.theme_id, n.statement_id): n.text for n in session.exec(query).all()}


def noted_statement_texts(*, session: Session, round_ids: list[int]) -> dict[tuple[int, str], str]:
    """The wording of the statements step 2 took notes on: (round id, statement id) -> text."""
    if not round_ids:
        return {}
    query = (
        select(RoundStatement.round_id, RoundStatement.statement_id, RoundStatement.text)
        .join(
            DiscussionNote,
            (col(DiscussionNote.round_id) == col(RoundStatement.round_id))
            & (col(DiscussionNote.statement_id) == col(RoundStatement.statement_id)),
        )
        .where(col(RoundStatement.round_id).in_(round_ids))
    )
    return {(r, s): text for r, s, text in session.exec(query).all()}


def save_discussion_notes(
    *, session: Session, round_id: int, theme_id: str, texts: dict[str, str]
) -> None:
    """Store step 2's note of a theme (key "") and of its statements (key: statement id)."""
    statements = set(
        session.exec(
            select(RoundStatement.statement_id).where(
                RoundStatement.round_id == round_id, RoundStatement.theme_id == theme_id
            )
        ).all()
    )
    if not statements or not set(texts) <= statements | {""}:
        raise NotFound("Udsagnet findes ikke i rundens tema.")
    typed = {key: read_form(MeetingNoteBase, {"text": text}).text for key, text in texts.items()}
    stored = {
        note.statement_id: note
        for note in session.exec(
            select(DiscussionNote).where(
                DiscussionNote.round_id == round_id, DiscussionNote.theme_id == theme_id
            )
        ).all()
    }
    for key, text in typed.items():
        note = stored.get(key) or DiscussionNote(
            round_id=round_id, theme_id=theme_id, statement_id=key
        )
        if note.id is None or note.text != text:
            note.text, note.updated_at = text, utcnow()
            session.add(note)
    session.flush()


def priority_reviews(*, session: Session, round_ids: list[int]) -> dict[tuple[int, int], str]:
    """Why earlier priorities have (not) moved, as noted at these rounds' step 1:
    (round id, priority id) -> text."""
    if not round_ids:
        return {}
    query = select(PriorityReview).where(col(PriorityReview.round_id).in_(round_ids))
    return {(r.round_id, r.priority_id): r.text for r in session.exec(query).all()}


def save_priority_reviews(
    *, session: Session, round_: Round, allowed: set[int], texts: dict[str, str]
) -> None:
    """Store step 1's notes on why each earlier priority (of `allowed`) has (not) moved."""
    assert round_.id is not None
    typed: dict[int, str] = {}
    for key, text in texts.items():
        if not (key.isascii() and key.isdigit()) or int(key) not in allowed:
            raise NotFound("Prioriteringen findes ikke.")
        typed[int(key)] = read_form(MeetingNoteBase, {"text": text}).text
    stored = {
        review.priority_id: review
        for review in session.exec(
            select(PriorityReview).where(PriorityReview.round_id == round_.id)
        ).all()
    }
    for priority_id, text in typed.items():
        review = stored.get(priority_id) or PriorityReview(
            round_id=round_.id, priority_id=priority_id
        )
        if review.id is None or review.text != text:
            review.text, review.updated_at = text, utcnow()
            session.add(review)
    session.flush()


def set_next_dates(*, session: Session, round_: Round, typed: Mapping[str, str]) -> None:
    """Store step 6's dates of the next meeting and the next measurement."""
    dates = read_form(NextDates, typed)
    round_.next_meeting_on = dates.next_meeting_on
    round_.next_measurement_on = dates.next_measurement_on
    session.add(round_)
    session.flush()


def read_action(typed: Mapping[str, str], *, allowed_priorities: set[int]) -> PlanActionCreate:
    """The plan form as typed, checked; InvalidInput naming every problem in Danish."""
    action = read_form(PlanActionCreate, typed)
    if action.priority_id is not None and action.priority_id not in allowed_priorities:
        raise InvalidInput("Vælg en af rundens prioriteringer.")
    return action


def _priority_ids(session: Session, round_id: int) -> set[int]:
    ids = session.exec(select(Priority.id).where(Priority.round_id == round_id)).all()
    return {priority_id for priority_id in ids if priority_id is not None}


def add_action(*, session: Session, round_id: int, typed: Mapping[str, str]) -> PlanAction:
    """Add a step to the round's plan."""
    action = read_action(typed, allowed_priorities=_priority_ids(session, round_id))
    plan_action = PlanAction(round_id=round_id, **action.model_dump())
    session.add(plan_action)
    session.flush()
    return plan_action


def update_action(*, session: Session, plan_action: PlanAction, typed: Mapping[str, str]) -> None:
    """Change a step of the plan."""
    action = read_action(typed, allowed_priorities=_priority_ids(session, plan_action.round_id))
    plan_action.sqlmodel_update(action.model_dump())
    plan_action.updated_at = utcnow()
    session.add(plan_action)
    session.flush()


def review_actions(*, session: Session, team_id: int, reviews: list[tuple[str, str, str]]) -> None:
    """At a later round: record how far each action has come, all or nothing.

    `reviews` holds (action id, status, follow-up note) as typed; every action must be the team's.
    """
    checked: list[tuple[PlanAction, str, str]] = []
    for action_id, status, note in reviews:
        action = session.get(PlanAction, int(action_id)) if action_id.isdigit() else None
        round_ = session.get(Round, action.round_id) if action else None
        if action is None or round_ is None or round_.team_id != team_id:
            raise NotFound("Handlingen findes ikke.")
        review = read_form(ActionReview, {"status": status, "follow_up_note": note})
        checked.append((action, review.status, review.follow_up_note))
    for action, status, note in checked:
        if (action.status, action.follow_up_note) != (status, note):
            action.status, action.follow_up_note = status, note
            action.updated_at = utcnow()
            session.add(action)
    session.flush()


def actions_of(*, session: Session, round_ids: list[int]) -> list[PlanAction]:
    """The plans of these rounds, oldest first."""
    if not round_ids:
        return []
    query = (
        select(PlanAction)
        .where(col(PlanAction.round_id).in_(round_ids))
        .order_by(col(PlanAction.round_id), col(PlanAction.id))
    )
    return list(session.exec(query).all())


def open_actions_of_team(*, session: Session, team_id: int) -> list[tuple[PlanAction, Round]]:
    """Actions of the team's rounds that are not finished or dropped, the newest round's first."""
    query = (
        select(PlanAction, Round)
        .join(Round, col(Round.id) == col(PlanAction.round_id))
        .where(Round.team_id == team_id, col(PlanAction.status).in_(OPEN_STATUSES))
        .order_by(col(Round.created_at).desc(), col(PlanAction.id))
    )
    return [(action, round_) for action, round_ in session.exec(query).all()]


def by_round(pairs: list[tuple[PlanAction, Round]]) -> list[tuple[Round, list[PlanAction]]]:
    """Actions grouped under the round they came from, in the order given."""
    groups: dict[int | None, tuple[Round, list[PlanAction]]] = {}
    for action, round_ in pairs:
        groups.setdefault(round_.id, (round_, []))[1].append(action)
    return list(groups.values())


def earlier_movements(
    *, session: Session, team_id: int, round_: Round, k: int, min_share: float
) -> list[PriorityMovement]:
    """How the statements prioritised after the team's earlier rounds have moved by this round."""
    assert round_.id is not None
    query = (
        select(Priority, RoundStatement, Round)
        .join(
            RoundStatement,
            (col(RoundStatement.round_id) == col(Priority.round_id))
            & (col(RoundStatement.statement_id) == col(Priority.statement_id)),
        )
        .join(Round, col(Round.id) == col(Priority.round_id))
        .where(Round.team_id == team_id, col(Round.id) != round_.id)
    )
    found = [(p, s, r) for p, s, r in session.exec(query).all() if is_earlier(r, round_)]
    found.sort(key=lambda row: row[1].position)
    found.sort(key=lambda row: held_order(row[2]), reverse=True)  # the last round's first
    priorities = [
        EarlierPriority(
            round_id=r.id or 0,
            round_label=r.label,
            statement_id=p.statement_id,
            text=s.text,
            priority_id=p.id or 0,
            theme_id=s.theme_id,
            target=p.target,
        )
        for p, s, r in found
    ]
    rounds = [round_, *{r.id: r for _, _, r in found}.values()]
    shown = [r.id for r in released_rounds(session, rounds, k, min_share) if r.id is not None]
    means = round_means(session=session, round_ids=shown, k=k)
    return priority_movements(priorities, means, round_.id)

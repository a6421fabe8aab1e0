"""The follow-up meeting (steps 1-6), the team's history and the printable minutes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.core.formatting import local
from app.core.rounds import RoundStatus, effective_status
from app.db.meeting import (
    ACTION_STATUS_LABELS,
    MAX_PRIORITIES,
    actions_of,
    add_action,
    earlier_movements,
    priorities_of,
    review_actions,
    save_priority_texts,
    set_priorities,
    update_action,
)
from app.db.models import PlanAction, utcnow
from app.db.results import (
    RoundReport,
    StatementResult,
    round_report,
)
from app.db.retention import deleted_rounds
from app.db.rounds import count_responses, rounds_with_counts
from app.errors import InvalidInput, NotFound, Rejected
from app.themes import Catalogue, ReflectionGroup, Theme
from app.web.access import ClosedRoundDep, RoundDep, TeamDep, TeamRound
from app.web.charts import PLOTLY_URL, radar_figures
from app.web.csrf import require_csrf
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfChecked = [Depends(require_csrf)]
FormStr = Annotated[str, Form()]
STEPS = (
    "Resultaterne",
    "Præsenter jeres overvejelser",
    "Vælg 3 udsagn",
    "Hvad vil barnet/den unge og forældrene opleve?",
    "Hvad skal der til?",
    "Handleplan",
)


def _meeting_report(
    session: Session,
    closed: TeamRound,
    settings: Settings,
    catalogue: Catalogue,
) -> RoundReport:
    """The report of a closed round: what the meeting and its minutes show."""
    round_, team = closed
    labels = catalogue.profession_labels()
    return round_report(
        session=session,
        round_=round_,
        team=team,
        k=settings.min_group_size,
        min_share=settings.min_share,
        profession_labels=labels,
    )


SORTS = {
    "tema": "Temaernes rækkefølge",
    "gennemsnit": "Laveste gennemsnit",
    "spredning": "Mest uenige",
}
TOP_DISAGREEMENTS = 5


def _step_number(value: str, default: int) -> int:
    """A step asked for by a form's navigation button ("go"), or the default."""
    if value.isascii() and value.isdigit() and 1 <= int(value) <= len(STEPS):
        return int(value)
    return default


def _saved_json() -> JSONResponse:
    """What the page's script is told after an autosave: the local time it was stored."""
    return JSONResponse({"saved": True, "saved_at": f"{local(utcnow()):%H.%M}"})


def _choices(report: RoundReport, sort: str) -> list[tuple[str, list[StatementResult]]]:
    """Step 3's statements: per theme, or all together by lowest mean or largest spread."""
    if sort == "gennemsnit":
        items = [item for theme in report.themes for item in theme.statements]
        items.sort(key=lambda item: (item.stats.mean is None, item.stats.mean or 0))
        return [("Alle udsagn, laveste gennemsnit først", items)]
    if sort == "spredning":
        items = [item for theme in report.themes for item in theme.statements]
        items.sort(key=lambda item: -(item.stats.std_dev or -1))
        return [("Alle udsagn, mest uenige først", items)]
    return [(theme.title, theme.statements) for theme in report.themes]


@router.get("/runder/{round_id}/moede", response_class=HTMLResponse)
@router.get("/runder/{round_id}/moede/{step}", response_class=HTMLResponse)
def meeting_step(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    managed: RoundDep,
    step: int = 1,
    sortering: str = "tema",
) -> Response:
    """One step of the meeting, made for a projector."""
    return _step_page(request, session, settings, catalogue, managed, step, sort=sortering)


def _step_page(
    request: Request,
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    managed: TeamRound,
    step: int,
    *,
    sort: str = "tema",
    error: str | None = None,
    ticked: list[str] | None = None,
    draft: tuple[str, dict[str, str]] | None = None,
) -> Response:
    if not 1 <= step <= len(STEPS):
        raise NotFound("Mødet har seks trin.")
    round_, team = managed
    round_id = round_.id or 0
    if effective_status(round_) is not RoundStatus.CLOSED:
        answers = count_responses(session=session, round_id=round_id)
        context = {"round": round_, "team": team, "answers": answers}
        return render(request, "meeting_open.html", 409, **context)
    report = _meeting_report(session, managed, settings, catalogue)
    priorities = priorities_of(session=session, round_id=round_id)
    sort = sort if sort in SORTS else "tema"
    movements = (
        earlier_movements(
            session=session,
            team_id=team.id or 0,
            round_=round_,
            k=settings.min_group_size,
            min_share=settings.min_share,
        )
        if step in (1, 3)
        else []
    )
    # Marked ★ on the radar and in the lists: this round's priorities, until they are chosen the
    # last round's (newest first in `movements`), which step 1 follows up.
    last = [m.priority for m in movements if m.priority.round_id == movements[0].priority.round_id]
    earlier = {priority.statement_id: priority.round_label for priority in last}
    marked = {p.statement_id for p, _ in priorities} or set(earlier)
    context = {
        "report": report,
        "round": round_,
        "team": team,
        "step": step,
        "steps": STEPS,
        "priorities": priorities,
        "chosen": set(ticked) if ticked is not None else {p.statement_id for p, _ in priorities},
        "choices": _choices(report, sort) if step == 3 else [],
        "sort": sort,
        "sorts": SORTS,
        "disputed": {item.info.id for item in report.disagreements[:TOP_DISAGREEMENTS]},
        "actions": actions_of(session=session, round_ids=[round_id]),
        "statuses": ACTION_STATUS_LABELS,
        "questions": _questions(catalogue, round_.themes),
        "credit": catalogue.reflection.credit,
        "movements": movements,
        "marked": marked,
        "earlier": earlier,
        "figures": radar_figures(report, marked) if step == 1 and report.enough else {},
        "plotly_url": PLOTLY_URL,
        "error": error,
        # A refused action form comes back as typed: (its key, "ny" or the action's id; the fields).
        "draft": draft,
    }
    return render(request, "meeting.html", 422 if error else 200, **context)


def _questions(
    catalogue: Catalogue, theme_ids: list[str]
) -> list[tuple[Theme, list[tuple[ReflectionGroup, list[str]]]]]:
    return [
        (theme, catalogue.question_groups(theme))
        for theme in catalogue.themes
        if theme.id in theme_ids and theme.reflection_questions
    ]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/runder/{round_id}/prioriteter", dependencies=CsrfChecked)
def choose_priorities(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    round_id: int,
    statement_ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    go: Annotated[str, Form()] = "",
    sortering: Annotated[str, Form()] = "",
) -> Response:
    """Step 3: mark (at most) three statements; saved as they are ticked and on every step link."""
    round_ = closed.round
    stored = [p.statement_id for p, _ in priorities_of(session=session, round_id=round_id)]
    try:
        set_priorities(session=session, round_=round_, statement_ids=statement_ids)
    except InvalidInput as problem:
        if _wants_json(request):
            raise
        # Keep what was chosen before ticked, then the others in their order, never more than 3.
        wanted = list(dict.fromkeys(statement_ids))
        kept = [s for s in wanted if s in stored] + [s for s in wanted if s not in stored]
        page = _step_page(
            request,
            session,
            settings,
            catalogue,
            closed,
            3,
            sort=sortering,
            error=problem.message,
            ticked=kept[:MAX_PRIORITIES],
        )
        raise Rejected(page) from problem
    if _wants_json(request):
        return _saved_json()
    if sortering:
        return RedirectResponse(f"/runder/{round_id}/moede/3?sortering={sortering}", 303)
    next_step = _step_number(go, 4 if len(statement_ids) == MAX_PRIORITIES else 3)
    return RedirectResponse(f"/runder/{round_id}/moede/{next_step}?gemt=1", status_code=303)


@router.post("/runder/{round_id}/noter", dependencies=CsrfChecked)
def save_notes(
    request: Request,
    session: SessionDep,
    closed: ClosedRoundDep,
    round_id: int,
    field: FormStr,
    priority_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    text: Annotated[list[str], Form()] = [],  # noqa: B006
    go: Annotated[str, Form()] = "",
) -> Response:
    """Steps 4 and 5: store every priority's note (autosave, step links and the Gem button)."""
    if len(priority_id) != len(text):
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden, og prøv igen.")
    save_priority_texts(
        session=session,
        round_id=round_id,
        field=field,
        texts=dict(zip(priority_id, text, strict=True)),
    )
    if _wants_json(request):
        return _saved_json()
    step = _step_number(go, 4 if field == "experience" else 5)
    return RedirectResponse(f"/runder/{round_id}/moede/{step}?gemt=1", status_code=303)


def action_form(
    what: FormStr,
    who: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "ikke_startet",
    priority_id: Annotated[str, Form()] = "",
) -> dict[str, str]:
    """The plan's action form as typed (read into PlanActionCreate where it is stored)."""
    return {
        "what": what,
        "who": who,
        "due_on": due_on,
        "status": status,
        "priority_id": priority_id,
    }


ActionFormDep = Annotated[dict[str, str], Depends(action_form)]


def _store_action(
    request: Request,
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    closed: TeamRound,
    form: dict[str, str],
    action: PlanAction | None,
) -> Response:
    """Step 6: store a new (`action` None) or changed action; refused, step 6 shows it as typed."""
    try:
        if action is None:
            add_action(session=session, round_id=closed.round.id or 0, typed=form)
        else:
            update_action(session=session, plan_action=action, typed=form)
    except InvalidInput as problem:
        key = "ny" if action is None else str(action.id)
        page = _step_page(
            request,
            session,
            settings,
            catalogue,
            closed,
            6,
            error=problem.message,
            draft=(key, form),
        )
        raise Rejected(page) from problem
    return RedirectResponse(f"/runder/{closed.round.id}/moede/6?gemt=1#plan", status_code=303)


@router.post("/runder/{round_id}/handlinger", dependencies=CsrfChecked)
def create_action(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    form: ActionFormDep,
) -> Response:
    """Step 6: add an action to the plan."""
    return _store_action(request, session, settings, catalogue, closed, form, None)


def _action(session: Session, round_id: int, action_id: int) -> PlanAction:
    action = session.get(PlanAction, action_id)
    if action is None or action.round_id != round_id:
        raise NotFound("Handlingen findes ikke.")
    return action


@router.post("/runder/{round_id}/handlinger/{action_id}", dependencies=CsrfChecked)
def change_action(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    round_id: int,
    action_id: int,
    form: ActionFormDep,
) -> Response:
    """Step 6: change an action of the plan."""
    action = _action(session, round_id, action_id)
    return _store_action(request, session, settings, catalogue, closed, form, action)


@router.post("/runder/{round_id}/handlinger/{action_id}/slet", dependencies=CsrfChecked)
def delete_action(
    request: Request,
    session: SessionDep,
    closed: ClosedRoundDep,
    round_id: int,
    action_id: int,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Step 6: remove an action from the plan, once the facilitator has confirmed it."""
    round_ = closed.round
    action = _action(session, round_id, action_id)
    if confirm != "ja":
        return render(request, "meeting_delete_action.html", round=round_, action=action)
    session.delete(action)
    return RedirectResponse(f"/runder/{round_id}/moede/6#plan", status_code=303)


@router.post("/teams/{team_id}/opfoelgning", dependencies=CsrfChecked)
def follow_up(
    session: SessionDep,
    team: TeamDep,
    team_id: int,
    action_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    status: Annotated[list[str], Form()] = [],  # noqa: B006
    note: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """At a later round: how far each action of the earlier plans has come, in one form."""
    if not len(action_id) == len(status) == len(note):
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden, og prøv igen.")
    reviews = list(zip(action_id, status, note, strict=True))
    review_actions(session=session, team_id=team_id, reviews=reviews)
    return RedirectResponse(f"/teams/{team_id}?gemt=1#opfoelgning", status_code=303)


@router.get("/teams/{team_id}/historik", response_class=HTMLResponse)
def timeline(request: Request, session: SessionDep, team: TeamDep, team_id: int) -> Response:
    """Every round of the team with its priorities and plan, for new members of staff."""
    rounds = rounds_with_counts(session=session, team_id=team_id, opened_only=True)
    round_ids = [r.id for r, _ in rounds if r.id is not None]
    entries = [
        (r, answers, priorities_of(session=session, round_id=r.id or 0)) for r, answers in rounds
    ]
    actions = actions_of(session=session, round_ids=round_ids)
    return render(
        request,
        "timeline.html",
        team=team,
        entries=entries,
        actions=actions,
        statuses=ACTION_STATUS_LABELS,
        deleted=deleted_rounds(session=session, team_id=team_id),
    )


@router.get("/runder/{round_id}/referat", response_class=HTMLResponse)
def minutes(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    round_id: int,
) -> Response:
    """The meeting's summary for the minutes, laid out to print on A4."""
    report = _meeting_report(session, closed, settings, catalogue)
    priorities = priorities_of(session=session, round_id=round_id)
    marked = {priority.statement_id for priority, _ in priorities}
    return render(
        request,
        "minutes.html",
        report=report,
        round=report.round,
        team=report.team,
        priorities=priorities,
        marked=marked,
        actions=actions_of(session=session, round_ids=[round_id]),
        statuses=ACTION_STATUS_LABELS,
        figures=radar_figures(report, marked, printed=True) if report.enough else {},
        plotly_url=PLOTLY_URL,
    )

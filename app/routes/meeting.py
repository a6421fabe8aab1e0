"""The follow-up meeting (steps 1-6), the team's history and the printable minutes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.core.followup import PriorityMovement
from app.core.formatting import local
from app.core.rounds import RoundStatus, effective_status, is_earlier
from app.db.meeting import (
    ACTION_STATUS_LABELS,
    MAX_PRIORITIES,
    actions_of,
    add_action,
    discussion_notes,
    earlier_movements,
    noted_statement_texts,
    priorities_of,
    priority_reviews,
    review_actions,
    save_discussion_notes,
    save_priority_reviews,
    save_priority_texts,
    save_targets,
    set_next_dates,
    set_priorities,
    update_action,
)
from app.db.models import PlanAction, Round, utcnow
from app.db.results import (
    RoundReport,
    StatementResult,
    ThemeResult,
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


def _choices(themes: list[ThemeResult], sort: str) -> list[tuple[str, list[StatementResult]]]:
    """Step 3's statements: in theme order, or by lowest mean or largest spread."""
    if sort == "gennemsnit":
        items = [item for theme in themes for item in theme.statements]
        items.sort(key=lambda item: (item.stats.mean is None, item.stats.mean or 0))
        return [("Alle udsagn, laveste gennemsnit først", items)]
    if sort == "spredning":
        items = [item for theme in themes for item in theme.statements]
        items.sort(key=lambda item: -(item.stats.std_dev or -1))
        return [("Alle udsagn, mest uenige først", items)]
    return [(theme.title, theme.statements) for theme in themes]


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
    tema: str = "",
) -> Response:
    """One step of the meeting, made for a projector (per theme where the round has several)."""
    return _step_page(
        request, session, settings, catalogue, managed, step, theme=tema, sort=sortering
    )


def _theme_of(round_: Round, wanted: str) -> str:
    """The theme the meeting works on: the one asked for, or the round's first."""
    return wanted if wanted in round_.themes else (round_.themes[0] if round_.themes else "")


def _step_url(round_: Round, step: int, theme: str, *, saved: bool = False) -> str:
    """A step's address, naming the theme where the round has several."""
    query = [f"tema={theme}"] if len(round_.themes) > 1 and theme in round_.themes else []
    query += ["gemt=1"] if saved else []
    return f"/runder/{round_.id}/moede/{step}" + ("?" + "&".join(query) if query else "")


def _movements(session: Session, settings: Settings, managed: TeamRound) -> list[PriorityMovement]:
    return earlier_movements(
        session=session,
        team_id=managed.team.id or 0,
        round_=managed.round,
        k=settings.min_group_size,
        min_share=settings.min_share,
    )


def _earlier_discussion(session: Session, managed: TeamRound, theme: str) -> tuple[str, str]:
    """The last earlier round's step 2 note on this theme: (its label, the note), or blanks."""
    round_, team = managed
    earlier = [
        r
        for r, _ in rounds_with_counts(session=session, team_id=team.id or 0, opened_only=True)
        if is_earlier(r, round_)
    ]
    notes = discussion_notes(session=session, round_ids=[r.id or 0 for r in earlier])
    for r in reversed(earlier):
        if notes.get((r.id or 0, theme, "")):
            return r.label, notes[(r.id or 0, theme, "")]
    return "", ""


def _step_page(
    request: Request,
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    managed: TeamRound,
    step: int,
    *,
    theme: str = "",
    sort: str = "tema",
    error: str | None = None,
    ticked: list[str] | None = None,
    draft: tuple[str, dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
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
    theme = _theme_of(round_, theme)
    # A round of several themes holds the six steps once per theme (one spider web at a time).
    themes = [t for t in report.themes if t.id == theme]
    priorities = [
        (p, s) for p, s in priorities_of(session=session, round_id=round_id) if s.theme_id == theme
    ]
    sort = sort if sort in SORTS else "tema"
    movements = [
        m
        for m in (_movements(session, settings, managed) if step in (1, 3) else [])
        if m.priority.theme_id == theme or m.priority.theme_id not in round_.themes
    ]
    # Marked ★ on the radar and in the lists: this round's priorities, until they are chosen the
    # last round's (newest first in `movements`), which step 1 follows up.
    last = [m.priority for m in movements if m.priority.round_id == movements[0].priority.round_id]
    earlier = {priority.statement_id: priority.round_label for priority in last}
    marked = {p.statement_id for p, _ in priorities} or set(earlier)
    priority_ids = {p.id for p, _ in priorities}
    context = {
        "report": report,
        "catalogue": catalogue,
        "themes": themes,
        "theme": theme,
        "theme_titles": {t.id: t.title for t in catalogue.themes},
        "theme_query": f"?tema={theme}" if len(round_.themes) > 1 else "",
        "disagreements": [d for d in report.disagreements if d.info.theme_id == theme],
        "round": round_,
        "team": team,
        "step": step,
        "steps": STEPS,
        "priorities": priorities,
        "chosen": set(ticked) if ticked is not None else {p.statement_id for p, _ in priorities},
        "choices": _choices(themes, sort) if step == 3 else [],
        "sort": sort,
        "sorts": SORTS,
        "disputed": {item.info.id for item in report.disagreements[:TOP_DISAGREEMENTS]},
        "actions": [
            a
            for a in actions_of(session=session, round_ids=[round_id])
            if a.priority_id is None or a.priority_id in priority_ids
        ],
        "statuses": ACTION_STATUS_LABELS,
        "questions": _questions(catalogue, [theme]),
        "credit": catalogue.reflection.credit,
        "movements": movements,
        "reviews": priority_reviews(session=session, round_ids=[round_id]),
        "notes": discussion_notes(session=session, round_ids=[round_id]),
        "earlier_discussion": _earlier_discussion(session, managed, theme) if step == 2 else None,
        "marked": marked,
        "earlier": earlier,
        "figures": radar_figures(report, marked) if step == 1 and report.enough else {},
        "plotly_url": PLOTLY_URL,
        "error": error,
        # A refused action form comes back as typed: (its key, "ny" or the action's id; the fields).
        "draft": draft,
        # A refused note form comes back as typed: field id -> text.
        "typed": typed or {},
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
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 3: mark (at most) three statements of the theme; saved as they are ticked and on
    every step link."""
    round_ = closed.round
    theme = _theme_of(round_, tema)
    stored = [p.statement_id for p, _ in priorities_of(session=session, round_id=round_id)]
    try:
        set_priorities(session=session, round_=round_, statement_ids=statement_ids, theme_id=theme)
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
            theme=theme,
            sort=sortering,
            error=problem.message,
            ticked=kept[:MAX_PRIORITIES],
        )
        raise Rejected(page) from problem
    if _wants_json(request):
        return _saved_json()
    if sortering:
        url = _step_url(round_, 3, theme)
        sep = "&" if "?" in url else "?"
        return RedirectResponse(f"{url}{sep}sortering={sortering}", 303)
    next_step = _step_number(go, 4 if len(statement_ids) == MAX_PRIORITIES else 3)
    return RedirectResponse(_step_url(round_, next_step, theme, saved=True), status_code=303)


class _Refusal:
    """Shows a refused note form's step again with what was typed (JSON callers get the error)."""

    def __init__(
        self,
        request: Request,
        session: Session,
        settings: Settings,
        catalogue: Catalogue,
        closed: TeamRound,
    ) -> None:
        self.args = (request, session, settings, catalogue, closed)

    def __call__(
        self, problem: InvalidInput, step: int, theme: str, typed: dict[str, str]
    ) -> Exception:
        if _wants_json(self.args[0]):
            return problem
        page = _step_page(*self.args, step, theme=theme, error=problem.message, typed=typed)
        return Rejected(page)


def _saved(request: Request, round_: Round, step: int, theme: str) -> Response:
    """After a save: the time for the page's script, or the step asked for."""
    if _wants_json(request):
        return _saved_json()
    return RedirectResponse(_step_url(round_, step, theme, saved=True), status_code=303)


@router.post("/runder/{round_id}/tilbageblik", dependencies=CsrfChecked)
def save_reviews(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    priority_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    text: Annotated[list[str], Form()] = [],  # noqa: B006
    go: Annotated[str, Form()] = "",
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 1: why each earlier priority has (not) moved (autosave, step links, Gem)."""
    if len(priority_id) != len(text):
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden, og prøv igen.")
    allowed = {m.priority.priority_id for m in _movements(session, settings, closed)}
    theme = _theme_of(closed.round, tema)
    try:
        save_priority_reviews(
            session=session,
            round_=closed.round,
            allowed=allowed,
            texts=dict(zip(priority_id, text, strict=True)),
        )
    except InvalidInput as problem:
        typed = {f"why-{key}": value for key, value in zip(priority_id, text, strict=True)}
        refuse = _Refusal(request, session, settings, catalogue, closed)
        raise refuse(problem, 1, theme, typed) from problem
    return _saved(request, closed.round, _step_number(go, 1), theme)


@router.post("/runder/{round_id}/droeftelse", dependencies=CsrfChecked)
def save_discussion(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    round_id: int,
    key: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    text: Annotated[list[str], Form()] = [],  # noqa: B006
    go: Annotated[str, Form()] = "",
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 2: the note of the theme's discussion and of the statements discussed."""
    if len(key) != len(text):
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden, og prøv igen.")
    theme = _theme_of(closed.round, tema)
    try:
        save_discussion_notes(
            session=session,
            round_id=round_id,
            theme_id=theme,
            texts=dict(zip(key, text, strict=True)),
        )
    except InvalidInput as problem:
        typed = {f"note-{k or 'theme'}": value for k, value in zip(key, text, strict=True)}
        refuse = _Refusal(request, session, settings, catalogue, closed)
        raise refuse(problem, 2, theme, typed) from problem
    return _saved(request, closed.round, _step_number(go, 2), theme)


@router.post("/runder/{round_id}/noter", dependencies=CsrfChecked)
def save_notes(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    round_id: int,
    field: FormStr,
    priority_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    text: Annotated[list[str], Form()] = [],  # noqa: B006
    target: Annotated[list[str], Form()] = [],  # noqa: B006
    go: Annotated[str, Form()] = "",
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Steps 4 and 5: store every priority's note, and at step 4 its target (autosave, step
    links and the Gem button); a refused target changes nothing."""
    if len(priority_id) != len(text) or (target and len(target) != len(priority_id)):
        raise InvalidInput("Formularen kunne ikke læses. Genindlæs siden, og prøv igen.")
    theme = _theme_of(closed.round, tema)
    try:
        if target:
            targets = dict(zip(priority_id, target, strict=True))
            save_targets(session=session, round_id=round_id, targets=targets)
        save_priority_texts(
            session=session,
            round_id=round_id,
            field=field,
            texts=dict(zip(priority_id, text, strict=True)),
        )
    except InvalidInput as problem:
        typed = {f"txt-{key}": value for key, value in zip(priority_id, text, strict=True)}
        typed |= {f"target-{key}": value for key, value in zip(priority_id, target, strict=False)}
        refuse = _Refusal(request, session, settings, catalogue, closed)
        raise refuse(problem, 4 if field == "experience" else 5, theme, typed) from problem
    step = _step_number(go, 4 if field == "experience" else 5)
    return _saved(request, closed.round, step, theme)


@router.post("/runder/{round_id}/datoer", dependencies=CsrfChecked)
def save_dates(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    next_meeting_on: Annotated[str, Form()] = "",
    next_measurement_on: Annotated[str, Form()] = "",
    go: Annotated[str, Form()] = "",
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 6: the dates of the next meeting and the next measurement."""
    typed = {"next_meeting_on": next_meeting_on, "next_measurement_on": next_measurement_on}
    theme = _theme_of(closed.round, tema)
    try:
        set_next_dates(session=session, round_=closed.round, typed=typed)
    except InvalidInput as problem:
        shown = {"next-meeting": next_meeting_on, "next-measurement": next_measurement_on}
        refuse = _Refusal(request, session, settings, catalogue, closed)
        raise refuse(problem, 6, theme, shown) from problem
    return _saved(request, closed.round, _step_number(go, 6), theme)


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
    theme: str,
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
            theme=theme,
            error=problem.message,
            draft=(key, form),
        )
        raise Rejected(page) from problem
    return RedirectResponse(_step_url(closed.round, 6, theme, saved=True) + "#plan", 303)


@router.post("/runder/{round_id}/handlinger", dependencies=CsrfChecked)
def create_action(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    closed: ClosedRoundDep,
    form: ActionFormDep,
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 6: add an action to the plan."""
    theme = _theme_of(closed.round, tema)
    return _store_action(request, session, settings, catalogue, closed, form, None, theme)


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
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 6: change an action of the plan."""
    action = _action(session, round_id, action_id)
    theme = _theme_of(closed.round, tema)
    return _store_action(request, session, settings, catalogue, closed, form, action, theme)


@router.post("/runder/{round_id}/handlinger/{action_id}/slet", dependencies=CsrfChecked)
def delete_action(
    request: Request,
    session: SessionDep,
    closed: ClosedRoundDep,
    round_id: int,
    action_id: int,
    confirm: Annotated[str, Form()] = "",
    tema: Annotated[str, Form()] = "",
) -> Response:
    """Step 6: remove an action from the plan, once the facilitator has confirmed it."""
    round_ = closed.round
    action = _action(session, round_id, action_id)
    theme = _theme_of(round_, tema)
    plan = _step_url(round_, 6, theme) + "#plan"
    if confirm != "ja":
        return render(
            request,
            "meeting_delete_action.html",
            round=round_,
            action=action,
            theme=theme,
            plan=plan,
        )
    session.delete(action)
    return RedirectResponse(plan, status_code=303)


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


def _looked_back(movements: list[PriorityMovement]) -> list[PriorityMovement]:
    """What a round's step 1 followed up: the priorities of the last round that had any."""
    if not movements:
        return []
    return [m for m in movements if m.priority.round_id == movements[0].priority.round_id]


@router.get("/teams/{team_id}/historik", response_class=HTMLResponse)
def timeline(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    team: TeamDep,
    team_id: int,
) -> Response:
    """Every round of the team with its discussion, priorities, targets and plan, and how the
    earlier priorities had moved by it, for new members of staff."""
    rounds = rounds_with_counts(session=session, team_id=team_id, opened_only=True)
    round_ids = [r.id for r, _ in rounds if r.id is not None]
    reviews = priority_reviews(session=session, round_ids=round_ids)
    entries = [
        (
            r,
            answers,
            priorities_of(session=session, round_id=r.id or 0),
            _looked_back(_movements(session, settings, TeamRound(r, team))),
        )
        for r, answers in rounds
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
        notes=discussion_notes(session=session, round_ids=round_ids),
        noted=noted_statement_texts(session=session, round_ids=round_ids),
        reviews=reviews,
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
        notes=discussion_notes(session=session, round_ids=[round_id]),
        movements=_looked_back(_movements(session, settings, closed)),
        reviews=priority_reviews(session=session, round_ids=[round_id]),
    )

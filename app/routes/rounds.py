"""The facilitator's rounds: create, open, close, reopen, delete, live count, projector QR."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel
from sqlmodel import Session, select

from app.core.formatting import LOCAL_TIME, month_label
from app.core.rounds import STATUS_LABELS, effective_status, held_at, theme_gone_longest_without
from app.core.rounds import RoundStatus as Status  # the class RoundStatus below is the API model
from app.core.scoring import group_statements
from app.db.meeting import by_round, open_actions_of_team
from app.db.models import Round, Team, User, utcnow
from app.db.rounds import (
    close_round,
    count_responses,
    create_round,
    delete_round,
    open_round,
    parse_closing_time,
    reopen_round,
    round_statements,
    rounds_with_counts,
)
from app.errors import InvalidInput
from app.themes import Catalogue
from app.web.access import RoundDep, TeamDep
from app.web.addresses import unreachable_from_phones
from app.web.auth import ROUND_ACCESS_RESPONSES, CurrentUserDep
from app.web.csrf import require_csrf
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.templating import render

router = APIRouter()
CSRF = [Depends(require_csrf)]


def _live_count(session: Session, round_: Round) -> dict[str, Any]:
    """The live count: status, its label and the answers so far (for the pages and the poll)."""
    assert round_.id is not None
    status = effective_status(round_)
    return {
        "status": status,
        "status_label": STATUS_LABELS[status],
        "answers": count_responses(session=session, round_id=round_.id),
    }


class RoundForm(BaseModel):
    """The new-round form as submitted."""

    label: str = ""
    themes: list[str] = []
    closes_at: str = ""
    open_now: bool = False
    also_open: bool = False  # confirmed: open it although another round of the team is open


def _round_form_page(
    request: Request,
    *,
    team: Team,
    catalogue: Catalogue,
    form: RoundForm,
    error: str = "",
    status: int = 200,
    open_rounds: list[Round] | None = None,
    suggested: tuple[str | None, str] = (None, ""),
) -> Response:
    context = {
        "team": team,
        "catalogue": catalogue,
        "form": form,
        "open_rounds": open_rounds,
        "suggested": suggested,
    }
    return render(request, "round_new.html", status, error=error, **context)


def _open_rounds(session: Session, team_id: int) -> list[Round]:
    """The team's rounds that take answers now."""
    query = select(Round).where(Round.team_id == team_id, Round.status == Status.OPEN)
    return [r for r in session.exec(query).all() if effective_status(r) == Status.OPEN]


@router.get("/teams/{team_id}/runder/ny", response_class=HTMLResponse, include_in_schema=False)
def new_round_page(
    request: Request, team: TeamDep, session: SessionDep, catalogue: CatalogueDep
) -> Response:
    """The form for a new round: label, one theme (the one the team has gone longest without),
    optional closing time."""
    rounds = rounds_with_counts(session=session, team_id=team.id or 0)
    suggested = theme_gone_longest_without(
        [theme.id for theme in catalogue.themes], [(held_at(r), r.themes) for r, _ in rounds]
    )
    scored = any(suggested in r.themes for r, _ in rounds)
    form = RoundForm(
        label=month_label(datetime.now(LOCAL_TIME).date()),
        themes=[suggested] if suggested else [],
        open_now=True,
    )
    note = "det tema, I længst har været uden" if scored else "et tema, I ikke har målt endnu"
    return _round_form_page(
        request, team=team, catalogue=catalogue, form=form, suggested=(suggested, note)
    )


@router.post(
    "/teams/{team_id}/runder/ny",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=CSRF,
)
def create_round_from_form(
    request: Request,
    team_id: int,
    form: Annotated[RoundForm, Form()],
    team: TeamDep,
    user: CurrentUserDep,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """Create the round with the team's next colour, then show its page."""
    open_rounds = _open_rounds(session, team_id) if form.open_now else []
    if open_rounds and not form.also_open:
        return _round_form_page(
            request, team=team, catalogue=catalogue, form=form, status=409, open_rounds=open_rounds
        )
    try:
        closes_at = parse_closing_time(form.closes_at)
        round_ = create_round(
            session=session,
            catalogue=catalogue,
            team_id=team_id,
            label=form.label,
            theme_ids=form.themes,
            status=Status.OPEN if form.open_now else Status.DRAFT,
            actor=user,
        )
    except InvalidInput as error:  # raised before anything is added to the session
        return _round_form_page(
            request, team=team, catalogue=catalogue, form=form, error=error.message, status=422
        )
    round_.closes_at = closes_at
    round_.opened_at = utcnow() if form.open_now else None
    return RedirectResponse(f"/runder/{round_.id}", status_code=303)


@router.get("/runder/{round_id}", response_class=HTMLResponse, include_in_schema=False)
def round_page(
    request: Request,
    round_id: int,
    managed: RoundDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Status, themes, join code and link, the live count and the buttons that change the round."""
    round_, team = managed
    return render(
        request,
        "round_show.html",
        round=round_,
        team=team,
        **_live_count(session, round_),
        themes=group_statements(round_statements(session=session, round_id=round_id)),
        unreachable=unreachable_from_phones(settings.base_url),
        short_link=f"{settings.base_url}/r/{round_.join_code}",
        secret_link=f"{settings.base_url}/s/{round_.link_token}",
        open_actions=by_round(
            [
                (action, earlier)
                for action, earlier in open_actions_of_team(session=session, team_id=team.id or 0)
                if earlier.created_at < round_.created_at
            ]
        ),
    )


def _change_status(
    change: Callable[..., None], *, session: Session, round_: Round, actor: User
) -> Response:
    """Apply a status change (`open_round`...) to the user's round, then show the round's page."""
    change(session=session, round_=round_, actor=actor)
    return RedirectResponse(f"/runder/{round_.id}", status_code=303)


@router.post("/runder/{round_id}/aabn", include_in_schema=False, dependencies=CSRF)
def open_round_action(managed: RoundDep, user: CurrentUserDep, session: SessionDep) -> Response:
    """Open a draft round for answers."""
    return _change_status(open_round, session=session, round_=managed.round, actor=user)


@router.post("/runder/{round_id}/luk", include_in_schema=False, dependencies=CSRF)
def close_round_action(
    request: Request,
    round_id: int,
    managed: RoundDep,
    user: CurrentUserDep,
    session: SessionDep,
    confirm: Annotated[str, Form()] = "",
    then: Annotated[str, Form()] = "",
) -> Response:
    """Close the round once confirmed (no more answers), then show the round or its meeting."""
    round_, team = managed
    then = "moede" if then == "moede" else ""
    if confirm != "ja":
        count = count_responses(session=session, round_id=round_id)
        return render(
            request, "round_close.html", round=round_, team=team, answers=count, then=then
        )
    close_round(session=session, round_=round_, actor=user)
    return RedirectResponse(f"/runder/{round_id}/{then}".rstrip("/"), status_code=303)


@router.post("/runder/{round_id}/genaabn", include_in_schema=False, dependencies=CSRF)
def reopen_round_action(managed: RoundDep, user: CurrentUserDep, session: SessionDep) -> Response:
    """Reopen a closed round whose results have not been discussed yet."""
    return _change_status(reopen_round, session=session, round_=managed.round, actor=user)


@router.post("/runder/{round_id}/slet", include_in_schema=False, dependencies=CSRF)
def delete_round_action(managed: RoundDep, user: CurrentUserDep, session: SessionDep) -> Response:
    """Delete a round nobody has answered, then go to the team."""
    delete_round(session=session, round_=managed.round, actor=user)
    return RedirectResponse(f"/teams/{managed.team.id}", status_code=303)


class RoundStatus(BaseModel):
    """The live count of a round."""

    status: str
    status_label: str
    answers: int
    expected: int


@router.get(
    "/api/runder/{round_id}/status",
    tags=["runder"],
    response_model=RoundStatus,
    summary="Rundens status, antal svar indtil nu og teamets forventede størrelse",
    responses=ROUND_ACCESS_RESPONSES,
)
def round_status(round_id: int, managed: RoundDep, session: SessionDep) -> RoundStatus:
    """The live count the round page polls: status, answers so far, the team's expected size."""
    round_, team = managed
    return RoundStatus(**_live_count(session, round_), expected=team.expected_size)


@router.get("/runder/{round_id}/deltag", response_class=HTMLResponse, include_in_schema=False)
def join_page(
    request: Request,
    managed: RoundDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """For the projector: a large QR code, the short link and the code."""
    round_, team = managed
    link = f"{settings.base_url}/r/{round_.join_code}"
    qr = segno.make(link, error="m", micro=False)
    return render(
        request,
        "round_join.html",
        round=round_,
        team=team,
        **_live_count(session, round_),
        link_host=settings.base_url.split("://", 1)[-1],
        unreachable=unreachable_from_phones(settings.base_url),
        qr_svg=Markup(qr.svg_inline(scale=10, omitsize=True, title="QR-kode")),
    )

"""Results: radar and table per theme, the respondents' view, the JSON API and round comparison."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, or_, select

from app.config import Settings
from app.core.anonymity import TOO_FEW
from app.core.charts import radar_figure
from app.core.rounds import RoundStatus, normalise_join_code
from app.db.meeting import earlier_movements
from app.db.models import Round, Team
from app.db.responses import find_response
from app.db.results import (
    RoundReport,
    RoundResultsPublic,
    comparison,
    public_results,
    round_report,
)
from app.errors import NotFound
from app.themes import Catalogue
from app.web.access import RoundDep, TeamDep, TeamRound
from app.web.auth import ROUND_ACCESS_RESPONSES
from app.web.charts import PLOTLY_ETAG, PLOTLY_FILE, PLOTLY_URL, radar_figures
from app.web.csrf import require_csrf
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.respondent import join_guesser, join_missed, key_cookie_name
from app.web.templating import render

router = APIRouter()

YEAR = 365 * 24 * 3600


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    """plotly.js from the installed plotly package, cached for a year (never from a CDN)."""
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "ETag": PLOTLY_ETAG}
    if request.headers.get("if-none-match") == PLOTLY_ETAG:
        return Response(status_code=304, headers=headers)
    return FileResponse(PLOTLY_FILE, media_type="text/javascript", headers=headers)


def _render(request: Request, name: str, context: dict[str, Any]) -> Response:
    return render(request, name, plotly_url=PLOTLY_URL, too_few=TOO_FEW, **context)


def _facilitator_report(
    session: Session, managed: TeamRound, settings: Settings, catalogue: Catalogue
) -> RoundReport:
    round_, team = managed
    return round_report(
        session=session,
        round_=round_,
        team=team,
        k=settings.min_group_size,
        min_share=settings.min_share,
        profession_labels=catalogue.profession_labels(),
    )


@router.get("/runder/{round_id}/resultater", response_class=HTMLResponse, include_in_schema=False)
def results_page(
    request: Request,
    managed: RoundDep,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
) -> Response:
    """The facilitator's results: radar and table per theme, disagreement, movement, professions."""
    report = _facilitator_report(session, managed, settings, catalogue)
    movements = (
        earlier_movements(
            session=session,
            team_id=managed.team.id or 0,
            round_=managed.round,
            k=settings.min_group_size,
            min_share=settings.min_share,
        )
        if report.enough
        else []
    )
    # Beside each statement: the target an earlier meeting set for it (the newest), reached or not.
    targets = {}
    for movement in reversed(movements):  # oldest first, so the newest target wins
        if movement.priority.target is not None:
            targets[movement.priority.statement_id] = movement
    context = {
        "report": report,
        "figures": radar_figures(report),
        "targets": targets,
        "catalogue": catalogue,
    }
    return _render(request, "results.html", context)


@router.get(
    "/api/runder/{round_id}/resultater",
    response_model=RoundResultsPublic,
    tags=["Resultater"],
    summary="En rundes resultater",
    description=(
        "Antal svar, antal »Ved ikke«, gennemsnit, median, min, maks, standardafvigelse, "
        "fordeling 1-10 og ændring siden forrige runde for hvert udsagn, gennemsnit pr. tema, "
        "emne og faggruppe. Har runden færre svar end mindste gruppestørrelse, gives kun antallet "
        '(message: "for få svar"). Kræver login som mødeleder for teamet eller administrator.'
    ),
    responses=ROUND_ACCESS_RESPONSES,
)
def results_api(
    round_id: int,
    managed: RoundDep,
    session: SessionDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
) -> RoundResultsPublic:
    """A round's results as JSON, with the same small-group rule as the page."""
    report = _facilitator_report(session, managed, settings, catalogue)
    return public_results(report)


@router.post(
    "/runder/{round_id}/frigiv", dependencies=[Depends(require_csrf)], include_in_schema=False
)
def release_results(
    round_id: int,
    managed: RoundDep,
    session: SessionDep,
    released: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Release the team radar to the respondents who answered, or take it back."""
    round_ = managed.round
    round_.results_released = released
    session.add(round_)
    return RedirectResponse(f"/runder/{round_id}/resultater#frigivelse", status_code=303)


def _round_by_code(request: Request, session: Session, code: str) -> Round:
    """The opened round with this join code or secret link token (misses count per address)."""
    guesser = join_guesser(request, session)
    query = select(Round).where(
        or_(Round.join_code == normalise_join_code(code), Round.link_token == code)
    )
    round_ = session.exec(query).first()
    if round_ is None or round_.status == RoundStatus.DRAFT:
        join_missed(session, guesser)
        raise NotFound("Vi kender ikke den kode. Tjek, at den er skrevet rigtigt.")
    return round_


def _has_answered(request: Request, session: Session, round_id: int) -> bool:
    key = request.cookies.get(key_cookie_name(round_id))
    if not key:
        return False
    return find_response(session=session, round_id=round_id, respondent_key=key) is not None


@router.get("/r/{code}/resultater", response_class=HTMLResponse, include_in_schema=False)
def respondent_results(
    request: Request, code: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The team radar for members who answered, once the facilitator has released it."""
    round_ = _round_by_code(request, session, code)
    assert round_.id is not None
    answered = _has_answered(request, session, round_.id)
    if not (round_.results_released and answered):
        context = {"round": round_, "answered": answered}
        return _render(request, "results_unavailable.html", context)
    team = session.get(Team, round_.team_id)
    assert team is not None
    report = round_report(
        session=session,
        round_=round_,
        team=team,
        k=settings.min_group_size,
        min_share=settings.min_share,
        profession_labels={},
        detailed=False,
    )
    context = {"report": report, "figures": radar_figures(report)}
    return _render(request, "results_respondent.html", context)


@router.get("/teams/{team_id}/sammenlign", response_class=HTMLResponse, include_in_schema=False)
def compare_rounds(
    request: Request,
    team_id: int,
    team: TeamDep,
    session: SessionDep,
    settings: SettingsDep,
    runde: Annotated[list[int], Query()] = [],  # noqa: B006 (FastAPI copies query defaults)
) -> Response:
    """Two or more rounds of a team on one radar per theme, with a change table."""
    compared = comparison(
        session=session,
        team=team,
        round_ids=runde,
        k=settings.min_group_size,
        min_share=settings.min_share,
    )
    newest = compared.shown[-1].round_id if compared.shown else None
    figures = {
        theme_id: radar_figure(axes=axes, series=compared.shown, filled_round_id=newest)
        for theme_id, _title, axes in compared.themes
    }
    context = {
        "team": team,
        "choices": compared.choices,
        "compared": compared,
        "figures": figures if len(compared.shown) >= 2 else {},
    }
    return _render(request, "compare.html", context)

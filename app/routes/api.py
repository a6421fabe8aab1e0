"""The read-only JSON API for data warehouses, and the admin page for its keys.

Every endpoint accepts the logged-in session or `Authorization: Bearer <API-nøgle>`; keys belong to
admins, so a key sees every team. The small-group rule holds as on the pages.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlmodel import select

from app.core.rounds import effective_status
from app.db.access import teams_for_user
from app.db.api_tokens import create_token, list_tokens, revoke_token
from app.db.export import COLUMNS, json_lines
from app.db.models import Unit
from app.db.rounds import rounds_with_counts
from app.errors import InvalidInput
from app.web.access import ApiTeamDep
from app.web.auth import AdminDep, ApiUserDep
from app.web.csrf import require_csrf
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.export import ExportQueryDep, planned_rows, small_group_headers
from app.web.templating import render

router = APIRouter()
CsrfChecked = [Depends(require_csrf)]
Responses = dict[int | str, dict[str, Any]]
NOT_LOGGED_IN: Responses = {401: {"description": "Hverken login eller en gyldig API-nøgle."}}
_DESCRIPTIONS = {column.key: column.description for column in COLUMNS}


def _responses(more: Responses) -> Responses:
    return NOT_LOGGED_IN | more


class JsonLinesResponse(StreamingResponse):
    """A streamed body of JSON Lines, one JSON object per line."""

    media_type = "application/x-ndjson"


class TeamPublic(BaseModel):
    """A team the caller may see."""

    id: int
    name: str = Field(description="Teamets navn.")
    unit_id: int = Field(description="Enhedens id.")
    unit: str = Field(description="Enhedens navn.")
    expected_size: int = Field(description="Forventet antal medlemmer (svar pr. runde).")


class RoundPublic(BaseModel):
    """One of a team's rounds."""

    id: int
    label: str = Field(description="Rundens navn.")
    status: Literal["draft", "open", "closed"] = Field(
        description="draft: ikke åbnet; open: åben for svar; closed: lukket (også når lukketiden "
        "er passeret)."
    )
    colour: str = Field(description="Rundens farve i diagrammerne (#RRGGBB).")
    opened_at: datetime | None = Field(description="Hvornår runden blev åbnet (UTC).")
    closed_at: datetime | None = Field(description="Hvornår runden blev lukket (UTC).")
    themes: list[str] = Field(description="Id'er på rundens temaer.")
    responses: int = Field(description="Antal besvarelser.")


class ExportRowPublic(BaseModel):
    """One line of the JSON Lines export: one score. Empty values are null."""

    unit: str = Field(description=_DESCRIPTIONS["unit"])
    team: str = Field(description=_DESCRIPTIONS["team"])
    round_id: int = Field(description=_DESCRIPTIONS["round_id"])
    round_label: str = Field(description=_DESCRIPTIONS["round_label"])
    round_opened: str = Field(description=_DESCRIPTIONS["round_opened"])
    round_closed: str = Field(description=_DESCRIPTIONS["round_closed"])
    theme: str = Field(description=_DESCRIPTIONS["theme"])
    area: str = Field(description=_DESCRIPTIONS["area"])
    statement_id: str = Field(description=_DESCRIPTIONS["statement_id"])
    statement_text: str = Field(description=_DESCRIPTIONS["statement_text"])
    profession: str | None = Field(description=_DESCRIPTIONS["profession"])
    value: int | None = Field(ge=1, le=10, description=_DESCRIPTIONS["value"])
    response_id: str = Field(description=_DESCRIPTIONS["response_id"])


@router.get(
    "/api/teams",
    response_model=list[TeamPublic],
    tags=["Teams"],
    summary="De teams, du har adgang til",
    description="Administratorer og API-nøgler ser alle teams; en mødeleder sine egne.",
    responses=NOT_LOGGED_IN,
)
def api_teams(session: SessionDep, user: ApiUserDep) -> list[TeamPublic]:
    """The teams the caller may see, by name."""
    teams = teams_for_user(session=session, user=user)
    units = dict(session.exec(select(Unit.id, Unit.name)).all())
    return [
        TeamPublic(
            id=team.id or 0,
            name=team.name,
            unit_id=team.unit_id,
            unit=units[team.unit_id],
            expected_size=team.expected_size,
        )
        for team in teams
    ]


@router.get(
    "/api/teams/{team_id}/runder",
    response_model=list[RoundPublic],
    tags=["Teams"],
    summary="Et teams runder",
    description="Ældste først, med status, farve, datoer, temaer og antal besvarelser.",
    responses=_responses(
        {403: {"description": "Ikke dit team."}, 404: {"description": "Teamet findes ikke."}}
    ),
)
def api_rounds(team_id: int, team: ApiTeamDep, session: SessionDep) -> list[RoundPublic]:
    """A team's rounds, oldest first, each with its number of responses."""
    return [
        RoundPublic(
            id=round_.id or 0,
            label=round_.label,
            status=effective_status(round_).value,
            colour=round_.colour,
            opened_at=round_.opened_at,
            closed_at=round_.closed_at,
            themes=round_.themes,
            responses=responses,
        )
        for round_, responses in rounds_with_counts(session=session, team_id=team_id)
    ]


@router.get(
    "/api/eksport/svar",
    response_class=JsonLinesResponse,
    tags=["Eksport"],
    summary="Alle vurderinger som JSON Lines",
    description=(
        "Samme rækker som CSV-eksporten, streamet som JSON Lines (`application/x-ndjson`): ét "
        "objekt pr. linje og vurdering med felterne i skemaet ExportRowPublic. Kun lukkede runder "
        "med mindst k besvarelser er med; faggruppen er null, hvor gruppen er for lille. "
        "Svar-headeren `X-Spindelvaev-Udeladte-Runder` siger, hvor mange runder der er udeladt, "
        "fordi de har for få svar. Kommentarer er ikke med."
    ),
    responses=_responses(
        {
            200: {
                "description": "Én vurdering pr. linje.",
                # Inline (no "model"): FastAPI would also list it as application/json.
                "content": {
                    "application/x-ndjson": {"schema": ExportRowPublic.model_json_schema()}
                },
            },
            403: {"description": "Et team, du ikke er mødeleder for."},
            404: {"description": "Teamet eller enheden findes ikke."},
            422: {"description": "Ukendt tema, eller fra-datoen ligger efter til-datoen."},
        }
    ),
)
def api_export(
    request: Request,
    session: SessionDep,
    user: ApiUserDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: ExportQueryDep,
) -> JsonLinesResponse:
    """The export's rows as JSON Lines, streamed."""
    plan, rows = planned_rows(
        request, session=session, user=user, catalogue=catalogue, settings=settings, query=query
    )
    return JsonLinesResponse(json_lines(rows), headers=small_group_headers(plan))


def _tokens_page(
    request: Request, session: SessionDep, status_code: int = 200, **context: object
) -> Response:
    tokens = list_tokens(session=session)
    return render(request, "api_tokens.html", status_code, tokens=tokens, **context)


@router.get("/admin/api-noegler", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(request: Request, session: SessionDep, admin: AdminDep) -> Response:
    """Every API key, who it belongs to and when it was last used."""
    return _tokens_page(request, session)


@router.post("/admin/api-noegler", dependencies=CsrfChecked, include_in_schema=False)
def add_token(
    request: Request, session: SessionDep, admin: AdminDep, name: Annotated[str, Form()]
) -> Response:
    """Create a key for the admin and show it, this once."""
    try:
        api_token, token = create_token(session=session, user=admin, name=name)
    except InvalidInput as error:
        return _tokens_page(request, session, 422, error=error.message, name=name)
    return _tokens_page(request, session, created=api_token, token=token)


@router.post("/admin/api-noegler/tilbagekald", dependencies=CsrfChecked, include_in_schema=False)
def revoke(session: SessionDep, admin: AdminDep, token_id: Annotated[int, Form()]) -> Response:
    """Revoke a key (any admin's: a leaked key must be stoppable while its owner is away)."""
    revoke_token(session=session, token_id=token_id, actor=admin)
    return RedirectResponse("/admin/api-noegler?tilbagekaldt=1", status_code=303)

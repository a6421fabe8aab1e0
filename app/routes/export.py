"""The export page and its downloads: CSV, XLSX and the codebook."""

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, WithJsonSchema, field_validator
from sqlmodel import Session, col, select

from app.config import Settings
from app.db.api_tokens import ApiUserDep
from app.db.engine import SessionDep
from app.db.export import (
    CSV_FORMATS,
    ExportFilter,
    ExportPlan,
    Row,
    codebook_markdown,
    count_rows,
    csv_chunks,
    export_rows,
    filter_for_user,
    plan_export,
    xlsx_chunks,
)
from app.db.models import Unit, User
from app.errors import InvalidInput
from app.themes import Catalogue
from app.web.auth import CurrentUserDep, teams_for_user
from app.web.deps import CatalogueDep, SettingsDep
from app.web.templating import local, render

router = APIRouter(include_in_schema=False)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _or_blank(schema: dict[str, Any]) -> WithJsonSchema:
    """The documented schema of a filter, which also takes the empty value a blank field sends."""
    return WithJsonSchema({"anyOf": [schema, {"type": "string", "maxLength": 0}, {"type": "null"}]})


BlankOrId = Annotated[int | None, _or_blank({"type": "integer"})]
BlankOrDate = Annotated[date | None, _or_blank({"type": "string", "format": "date"})]


class ExportQuery(BaseModel):
    """The export's filters as query parameters; an empty form field means "all"."""

    enhed: BlankOrId = Field(default=None, description="Kun teams i denne enhed (id).")
    team: BlankOrId = Field(default=None, description="Kun dette team (id).")
    tema: str | None = Field(default=None, description="Kun udsagn fra dette tema (id).")
    fra: BlankOrDate = Field(default=None, description="Runder åbnet denne dag eller senere.")
    til: BlankOrDate = Field(default=None, description="Runder åbnet denne dag eller før.")

    @field_validator("enhed", "team", "tema", "fra", "til", mode="before")
    @classmethod
    def _blank_is_all(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("fra", "til", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # Pydantic alone would read "0" as a Unix time (1970-01-01); the schema says ISO date.
        if isinstance(value, str) and value and not ISO_DATE.fullmatch(value):
            raise ValueError("Skriv datoen som åååå-mm-dd.")
        return value

    def query_string(self, **extra: str) -> str:
        """The filters (and extra parameters) as a URL query, without empty ones."""
        given = {key: str(value) for key, value in self.model_dump().items() if value is not None}
        return urlencode(given | extra)


class CsvExportQuery(ExportQuery):
    """The filters and the CSV dialect."""

    separator: Literal["dansk", "international"] = Field(
        default="dansk",
        description='"dansk": semikolon og decimalkomma (dansk Excel); '
        '"international": komma og punktum.',
    )


ExportQueryDep = Annotated[ExportQuery, Query()]
CsvExportQueryDep = Annotated[CsvExportQuery, Query()]


def plan_for(
    *, session: Session, user: User, catalogue: Catalogue, k: int, query: ExportQuery
) -> ExportPlan:
    """The export the user asked for, limited to what they may see (404 / 403 / 422 otherwise)."""
    asked = ExportFilter(
        unit_id=query.enhed,
        team_id=query.team,
        theme_id=query.tema,
        opened_from=query.fra,
        opened_to=query.til,
    )
    theme_ids = [theme.id for theme in catalogue.themes]
    filters = filter_for_user(session=session, user=user, filters=asked, theme_ids=theme_ids)
    return plan_export(session=session, filters=filters, k=k)


def planned_rows(
    request: Request,
    *,
    session: Session,
    user: User,
    catalogue: Catalogue,
    settings: Settings,
    query: ExportQuery,
) -> tuple[ExportPlan, Iterator[Row]]:
    """The user's export (as `plan_for`) and its rows, read from the database as they stream."""
    k = settings.min_group_size
    plan = plan_for(session=session, user=user, catalogue=catalogue, k=k, query=query)
    rows = export_rows(
        engine=request.app.state.engine, plan=plan, profession_labels=catalogue.profession_labels()
    )
    return plan, rows


def small_group_headers(plan: ExportPlan) -> dict[str, str]:
    """Response headers saying k and how many rounds the small-group rule left out."""
    return {
        "X-Spindelvaev-Udeladte-Runder": str(plan.left_out),
        "X-Spindelvaev-Mindste-Gruppe": str(plan.k),
    }


def download_headers(plan: ExportPlan, extension: str) -> dict[str, str]:
    """An attachment named by today's date, with the small-group headers."""
    filename = f"spindelvaev-svar-{local(plan.now):%Y-%m-%d}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{filename}"'} | small_group_headers(plan)


@router.get("/eksport", response_class=HTMLResponse)
def export_page(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: CsvExportQueryDep,
) -> Response:
    """The filters, what they select, and the download buttons."""
    teams = teams_for_user(session=session, user=user)
    units = session.exec(
        select(Unit)
        .where(col(Unit.id).in_(sorted({team.unit_id for team in teams})))
        .order_by(col(Unit.name))
    ).all()
    context: dict[str, Any] = {
        "query": query,
        "teams": teams,
        "units": units,
        "themes": catalogue.themes,
        "k": settings.min_group_size,
    }
    try:
        plan = plan_for(
            session=session,
            user=user,
            catalogue=catalogue,
            k=settings.min_group_size,
            query=query,
        )
    except InvalidInput as error:
        return render(request, "export.html", 422, error=error.message, **context)
    rows = count_rows(session=session, plan=plan)
    return render(request, "export.html", plan=plan, rows=rows, **context)


@router.get("/eksport/svar.csv")
def export_csv(
    request: Request,
    session: SessionDep,
    user: ApiUserDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: CsvExportQueryDep,
) -> StreamingResponse:
    """Every score as CSV for Excel, streamed."""
    plan, rows = planned_rows(
        request, session=session, user=user, catalogue=catalogue, settings=settings, query=query
    )
    return StreamingResponse(
        csv_chunks(rows, CSV_FORMATS[query.separator]),
        media_type="text/csv; charset=utf-8",
        headers=download_headers(plan, "csv"),
    )


@router.get("/eksport/svar.xlsx")
def export_xlsx(
    request: Request,
    session: SessionDep,
    user: ApiUserDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: ExportQueryDep,
) -> StreamingResponse:
    """Every score as an Excel workbook with the codebook beside it."""
    plan, rows = planned_rows(
        request, session=session, user=user, catalogue=catalogue, settings=settings, query=query
    )
    return StreamingResponse(
        xlsx_chunks(rows, plan),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=download_headers(plan, "xlsx"),
    )


@router.get("/eksport/kodebog.md")
def export_codebook(
    session: SessionDep,
    user: ApiUserDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: ExportQueryDep,
) -> Response:
    """The codebook of an export with these filters (how many rounds were left out, and why)."""
    plan = plan_for(
        session=session, user=user, catalogue=catalogue, k=settings.min_group_size, query=query
    )
    return Response(
        codebook_markdown(plan),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="spindelvaev-kodebog.md"'},
    )

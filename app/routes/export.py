"""The export page and its downloads: CSV, XLSX and the codebook."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlmodel import col, select

from app.db.access import teams_for_user
from app.db.export import (
    CSV_FORMATS,
    codebook_markdown,
    csv_chunks,
    xlsx_chunks,
)
from app.db.models import Unit
from app.errors import InvalidInput
from app.web.auth import ApiUserDep, CurrentUserDep
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.export import (
    CsvExportQueryDep,
    ExportQueryDep,
    download_headers,
    plan_for,
    planned_rows,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)


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
            settings=settings,
            query=query,
            with_rows=False,
        )
    except InvalidInput as error:
        return render(request, "export.html", 422, error=error.message, **context)
    return render(request, "export.html", plan=plan, rows=plan.rows, **context)


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
        session=session,
        user=user,
        catalogue=catalogue,
        settings=settings,
        query=query,
        with_rows=False,
    )
    return Response(
        codebook_markdown(plan),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="spindelvaev-kodebog.md"'},
    )

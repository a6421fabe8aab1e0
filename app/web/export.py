"""The export's query parameters, and the plan and rows of the export a user asked for."""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from pydantic import BaseModel, Field, WithJsonSchema, field_validator
from sqlmodel import Session

from app.config import Settings
from app.core.formatting import local
from app.db.export import (
    ExportFilter,
    ExportPlan,
    Row,
    export_rows,
    filter_for_user,
    plan_export,
    record_export,
)
from app.db.models import User
from app.themes import Catalogue

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
    *,
    session: Session,
    user: User,
    catalogue: Catalogue,
    settings: Settings,
    query: ExportQuery,
    with_rows: bool = True,
) -> ExportPlan:
    """The export the user asked for, limited to what they may see (404 / 403 / 422 otherwise);
    without `with_rows` only its counts (for the page and the codebook)."""
    asked = ExportFilter(
        unit_id=query.enhed,
        team_id=query.team,
        theme_id=query.tema,
        opened_from=query.fra,
        opened_to=query.til,
    )
    theme_ids = [theme.id for theme in catalogue.themes]
    filters = filter_for_user(session=session, user=user, filters=asked, theme_ids=theme_ids)
    return plan_export(
        session=session,
        filters=filters,
        k=settings.min_group_size,
        min_share=settings.min_share,
        profession_labels=catalogue.profession_labels(),
        with_rows=with_rows,
    )


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
    plan = plan_for(session=session, user=user, catalogue=catalogue, settings=settings, query=query)
    # The route's file suffix names the format (svar.csv, svar.xlsx); the API streams JSON Lines.
    fmt = PurePosixPath(request.url.path).suffix.lstrip(".") or "jsonl"
    record_export(session=session, actor=user, plan=plan, fmt=fmt)
    # The plan marks its rounds final; the session dependency commits that before the rows stream.
    return plan, export_rows(engine=request.app.state.engine, plan=plan)


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

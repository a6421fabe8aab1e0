"""The municipality's pages across teams: the overview of every team, and the roll-up."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from app.core.anonymity import TOO_FEW
from app.core.charts import legend_name, radar_figure
from app.core.formatting import LOCAL_TIME
from app.core.rounds import PALETTE
from app.core.stats import RoundSeries, StatementInfo
from app.db.export import ExportFilter, check_filter
from app.db.models import Unit
from app.db.overview import (
    MUNICIPALITY,
    SORT_COLUMNS,
    THEME_SORT_PREFIX,
    Level,
    Period,
    RollUp,
    default_period,
    is_sort_column,
    months_ago,
    rollup,
    sort_overview,
    team_overview,
)
from app.errors import InvalidInput
from app.themes import Catalogue, Theme
from app.web.auth import AdminDep
from app.web.charts import PLOTLY_URL
from app.web.deps import CatalogueDep, SessionDep, SettingsDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)
ROLLUP_MONTHS = 6
CURRENT_SERIES, PREVIOUS_SERIES = 1, 0


class FilterQuery(BaseModel):
    """Filters shared by the overview and the roll-up; a blank field means "all"."""

    enhed: int | None = None
    tema: str | None = None
    fra: date | None = None
    til: date | None = None

    @field_validator("enhed", "tema", "fra", "til", mode="before")
    @classmethod
    def _blank_is_all(cls, value: object) -> object:
        return None if value == "" else value


class OverviewQuery(FilterQuery):
    """The overview's filters, its sort column and the months after which a team stands out."""

    sorter: str = "enhed"
    retning: Literal["op", "ned"] = "op"
    maaneder: int = Field(default=6, ge=1, le=120)

    def link(self, **changes: str) -> str:
        """The overview's address with these filters, some of them changed."""
        given = {key: str(value) for key, value in self.model_dump().items() if value is not None}
        return "/admin/oversigt?" + urlencode(given | changes)


def _check(
    session: Session, catalogue: Catalogue, query: FilterQuery, start: date | None, end: date | None
) -> None:
    """404 for an unknown unit, 422 (InvalidInput) for an unknown theme or a reversed period."""
    filters = ExportFilter(
        unit_id=query.enhed, theme_id=query.tema, opened_from=start, opened_to=end
    )
    check_filter(session=session, filters=filters, theme_ids=[t.id for t in catalogue.themes])


def _filter_context(session: Session, catalogue: Catalogue, query: FilterQuery) -> dict[str, Any]:
    units = session.exec(select(Unit).order_by(col(Unit.name))).all()
    themes = [t for t in catalogue.themes if t.id == query.tema] if query.tema else catalogue.themes
    return {"query": query, "units": units, "all_themes": catalogue.themes, "themes": themes}


def _sort_links(query: OverviewQuery, themes: list[Theme]) -> dict[str, str]:
    """Per column, the link that sorts by it (a second click reverses the order)."""
    columns = [*SORT_COLUMNS, *(THEME_SORT_PREFIX + theme.id for theme in themes)]
    return {
        column: query.link(
            sorter=column,
            retning="ned" if (query.sorter, query.retning) == (column, "op") else "op",
        )
        for column in columns
    }


@router.get("/admin/oversigt", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: Annotated[OverviewQuery, Query()],
) -> Response:
    """Every team with its rounds, participation and latest theme means; stale teams marked."""
    context = _filter_context(session, catalogue, query)
    context |= {"k": settings.min_group_size, "too_few": TOO_FEW}
    try:
        _check(session, catalogue, query, query.fra, query.til)
    except InvalidInput as error:
        return render(request, "overview.html", 422, error=error.message, **context)
    now = datetime.now(UTC)
    rows = team_overview(
        session=session,
        k=settings.min_group_size,
        min_share=settings.min_share,
        stale_since=months_ago(now, query.maaneder),
        unit_id=query.enhed,
        theme_id=query.tema,
        start=query.fra,
        end=query.til,
        now=now,
    )
    theme_ids = [theme.id for theme in context["themes"]]
    if not is_sort_column(query.sorter, theme_ids):
        query.sorter, query.retning = "enhed", "op"
    rows = sort_overview(rows, query.sorter, descending=query.retning == "ned")
    links = _sort_links(query, context["themes"])
    return render(request, "overview.html", rows=rows, sort_links=links, **context)


def _period(query: FilterQuery, today: date) -> Period:
    """The chosen period; without dates, the last six calendar months up to today."""
    end = query.til or today
    start = query.fra or default_period(end, ROLLUP_MONTHS).start
    return Period(start, end)


def _theme_axis(theme: Theme) -> StatementInfo:
    return StatementInfo(
        id=theme.id,
        text=theme.title,
        short=f"{theme.number}. {theme.title}",
        theme_id=theme.id,
        theme_title=theme.title,
        area_id="",
        area_title="",
        position=theme.number,
    )


def statement_axes(theme: Theme) -> list[StatementInfo]:
    """A theme's statements in catalogue order, as radar axes and table rows."""
    axes: list[StatementInfo] = []
    for area in theme.areas:
        for statement in area.statements:
            axes.append(
                StatementInfo(
                    id=statement.id,
                    text=statement.text,
                    short=statement.short,
                    theme_id=theme.id,
                    theme_title=theme.title,
                    area_id=area.id,
                    area_title=area.title,
                    position=len(axes),
                )
            )
    return axes


def rollup_figure(
    *, themes: list[Theme], current: RollUp, previous: RollUp, level: Level
) -> dict[str, Any] | None:
    """The level's radar: the themes (or one theme's statements), the previous period beneath."""
    one_theme = len(themes) == 1
    axes = statement_axes(themes[0]) if one_theme else [_theme_axis(theme) for theme in themes]
    series = []
    for number, label, colour, rolled in (
        (PREVIOUS_SERIES, "Forrige periode", PALETTE[1], previous),
        (CURRENT_SERIES, "Valgt periode", PALETTE[0], current),
    ):
        means = rolled.statement_means(level) if one_theme else rolled.theme_means(level)
        if means:
            start = datetime.combine(rolled.period.start, datetime.min.time(), tzinfo=LOCAL_TIME)
            legend = legend_name(label, rolled.period.label)
            series.append(RoundSeries(number, label, colour, start, legend, means))
    if not series or series[-1].round_id != CURRENT_SERIES:
        return None
    figure = radar_figure(axes=axes, series=series, filled_round_id=CURRENT_SERIES)
    figure["layout"]["legend"]["title"]["text"] = "Perioder (klik for at skjule)"
    return figure


@router.get("/admin/rollup", response_class=HTMLResponse)
def rollup_page(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    query: Annotated[FilterQuery, Query()],
) -> Response:
    """Per unit and for the municipality: mean and spread of the team means, with a radar."""
    context = _filter_context(session, catalogue, query)
    period = _period(query, datetime.now(LOCAL_TIME).date())
    context |= {"k": settings.min_group_size, "period": period, "plotly_url": PLOTLY_URL}
    try:
        _check(session, catalogue, query, period.start, period.end)
    except InvalidInput as error:
        return render(request, "rollup.html", 422, error=error.message, **context)
    k, share = settings.min_group_size, settings.min_share
    level = query.enhed if query.enhed is not None else MUNICIPALITY
    # The page shows statements for the chosen level only: the others are never computed.
    at: dict[str, Any] = {"k": k, "min_share": share, "statements_at": level, "every_level": False}
    current = rollup(session=session, period=period, **at)
    previous = rollup(session=session, period=period.previous(), **at)
    figure = rollup_figure(
        themes=context["themes"], current=current, previous=previous, level=level
    )
    levels = [(MUNICIPALITY, "Hele kommunen")] + [(u.id, u.name) for u in context["units"]]
    return render(
        request,
        "rollup.html",
        current=current,
        previous=previous,
        level=level,
        level_name=dict(levels)[level],
        levels=levels,
        figure=figure,
        statement_axes=statement_axes,
        palette=PALETTE,
        **context,
    )

"""Jinja2 templates and the Danish formatting filters they use."""

from datetime import date, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from app.core.scoring import effective_status
from app.db.models import LOCAL_TIME, Round
from app.web.csrf import csrf_input

MONTHS_SHORT = (
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "maj",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)
MONTHS_LONG = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def local(moment: datetime) -> datetime:
    """The moment in Danish local time (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(LOCAL_TIME)


def danish_date(value: date | datetime | None) -> str:
    """A date as Danes write it: "22. nov. 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.day}. {MONTHS_SHORT[value.month - 1]} {value.year}"


def danish_datetime(value: datetime | None) -> str:
    """A moment as "22. nov. 2026 kl. 14.05" in Danish local time."""
    if value is None:
        return ""
    moment = local(value)
    return f"{danish_date(moment.date())} kl. {moment:%H.%M}"


def month_label(value: date) -> str:
    """The month and year, e.g. "November 2026" (a round's default label)."""
    return f"{MONTHS_LONG[value.month - 1].capitalize()} {value.year}"


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with a decimal comma ("4,2"); an empty string for no value."""
    if value is None:
        return ""
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


templates = Jinja2Templates(directory=str(files("app") / "templates"))
ROUND_STATUS_LABELS = {"draft": "Kladde", "open": "Åben", "closed": "Lukket"}


def round_status_label(round_: Round) -> str:
    """The round's status in Danish, counting a passed closing time as closed."""
    return ROUND_STATUS_LABELS[effective_status(round_)]


templates.env.globals["csrf_input"] = csrf_input
templates.env.globals["round_status_label"] = round_status_label
templates.env.filters.update(
    danish_date=danish_date, danish_datetime=danish_datetime, decimal=decimal
)


def render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    """Render a template with the given context."""
    return templates.TemplateResponse(
        request=request, name=template, context=context, status_code=status_code
    )

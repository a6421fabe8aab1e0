"""Danish formatting of dates and numbers, for pages, charts and exports alike."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Stored in UTC everywhere; shown and typed in Danish local time.
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")

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
        moment = moment.replace(tzinfo=UTC)
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

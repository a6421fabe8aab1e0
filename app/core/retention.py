"""The retention rule (GDPR art. 5): how long after a round closed its comments and answers stay."""

from datetime import datetime


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - datetime(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def comments_cutoff(now: datetime, months: int) -> datetime:
    """A round closed before this moment has its comments deleted."""
    return months_before(now, months)


def rounds_cutoff(now: datetime, years: int) -> datetime | None:
    """A round closed before this moment is deleted with its answers; None while the rule is off."""
    return months_before(now, 12 * years) if years > 0 else None

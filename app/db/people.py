"""Staff accounts found a page at a time: the admin's user list and the facilitator search.

Filtered, counted and paged in SQL, so a municipality with thousands of staff sends one page.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.db.models import User

USERS_PER_PAGE = 50
FACILITATOR_MATCHES = 20


@dataclass(frozen=True)
class UserPage:
    """One page of the user list, with the total that matched."""

    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _matching(search: str) -> ColumnElement[bool]:
    """SQL: name or e-mail contains the text, case-insensitively (LIKE's wildcards escaped)."""
    text = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{text}%"
    return or_(
        func.lower(col(User.name)).like(pattern, escape="\\"),
        func.lower(col(User.email)).like(pattern, escape="\\"),
    )


def user_page(
    *, session: Session, search: str = "", page: int = 1, per_page: int = USERS_PER_PAGE
) -> UserPage:
    """The users by role and name whose name or e-mail contains `search`, one page of them."""
    condition = _matching(search) if search.strip() else col(User.id).is_not(None)
    total = session.exec(select(func.count()).select_from(User).where(condition)).one()
    page = min(max(page, 1), max(1, -(-total // per_page)))
    users = session.exec(
        select(User)
        .where(condition)
        .order_by(col(User.role), col(User.name), col(User.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return UserPage(list(users), int(total), page, per_page)


def find_facilitators(
    *, session: Session, search: str, limit: int = FACILITATOR_MATCHES
) -> list[User]:
    """Active facilitators whose name or e-mail contains the text, by name; none for no text."""
    if not search.strip():
        return []
    query = (
        select(User)
        .where(col(User.role) == "facilitator", col(User.is_active), _matching(search))
        .order_by(col(User.name), col(User.id))
        .limit(limit)
    )
    return list(session.exec(query).all())

"""The audit log: who did what, written in the same transaction as the act it records.

An entry never holds a respondent's key, an answer, a password, a token or any other secret.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from app.db.models import AuditEntry, TeamFacilitator, User, utcnow

# The kinds of act, with their Danish names for the log page and its CSV.
KINDS: dict[str, str] = {
    "login.succeeded": "Logget ind",
    "login.failed": "Mislykket login",
    "login.oidc": "Logget ind med kommunens konto",
    "login.oidc_refused": "Login med kommunens konto afvist",
    "logout": "Logget ud",
    "sessions.ended": "Logget ud overalt",
    "setup.completed": "Første administrator oprettet",
    "password.set": "Adgangskode valgt via invitation",
    "password.changed": "Adgangskode skiftet",
    "invitation.issued": "Invitation udstedt",
    "password.reset_issued": "Link til ny adgangskode udstedt",
    "user.activated": "Bruger genaktiveret",
    "user.created_by_sso": "Bruger oprettet ved login med kommunens konto",
    "user.deactivated": "Bruger deaktiveret",
    "user.role_changed": "Rolle ændret",
    "team.created": "Team oprettet",
    "team.changed": "Team ændret",
    "team.facilitators_changed": "Teamets mødeledere ændret",
    "round.created": "Runde oprettet",
    "round.opened": "Runde åbnet",
    "round.closed": "Runde lukket",
    "round.reopened": "Runde genåbnet",
    "round.deleted": "Runde slettet",
    "retention.comments_deleted": "Kommentarer slettet (opbevaringsperiode)",
    "retention.round_deleted": "Runde slettet (opbevaringsperiode)",
    "results.first_shown": "Resultater vist første gang",
    "export.downloaded": "Eksport hentet",
    "api_key.created": "API-nøgle oprettet",
    "api_key.used": "API-nøgle brugt",
    "api_key.revoked": "API-nøgle tilbagekaldt",
}
MAX_DETAIL = 1000


def record(
    *,
    session: Session,
    actor: User | None,
    kind: str,
    subject: User | None = None,
    team_id: int | None = None,
    round_id: int | None = None,
    address: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one entry for an act; it is stored (or rolled back) with the act's own transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    entry = AuditEntry(
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        subject_user_id=subject.id if subject is not None else None,
        team_id=team_id,
        round_id=round_id,
        address=address[:64] if address else None,
        detail=detail[:MAX_DETAIL],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the log page asks for: one user (as actor or subject), one kind, a period."""

    user_id: int | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    """An entry with the names of the people it mentions."""

    entry: AuditEntry
    actor: str
    subject: str


def _visible(viewer: User, query):  # type: ignore[no-untyped-def]
    if viewer.role == "admin":
        return query
    own_teams = select(TeamFacilitator.team_id).where(TeamFacilitator.user_id == viewer.id)
    return query.where(col(AuditEntry.team_id).in_(own_teams))


def entries(
    *, session: Session, viewer: User, filters: AuditFilter, limit: int | None = 500
) -> Iterator[AuditRow]:
    """The entries the viewer may see (admins all, facilitators their teams'), newest first."""
    query = _visible(viewer, select(AuditEntry))
    if filters.user_id is not None:
        query = query.where(
            or_(
                col(AuditEntry.actor_id) == filters.user_id,
                col(AuditEntry.subject_user_id) == filters.user_id,
            )
        )
    if filters.kind:
        query = query.where(AuditEntry.kind == filters.kind)
    if filters.since is not None:
        query = query.where(col(AuditEntry.at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(AuditEntry.at) < filters.until)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    if limit is not None:
        query = query.limit(limit)
    found: Sequence[AuditEntry] = session.exec(query).all()
    ids = {i for e in found for i in (e.actor_id, e.subject_user_id) if i is not None}
    names = dict(session.exec(select(User.id, User.email).where(col(User.id).in_(ids))).all())
    for entry in found:
        yield AuditRow(
            entry,
            names.get(entry.actor_id, "") if entry.actor_id else "",
            names.get(entry.subject_user_id, "") if entry.subject_user_id else "",
        )


def prune(*, session: Session, keep: timedelta) -> int:
    """Delete entries older than the retention period; returns how many went."""
    result = session.execute(delete(AuditEntry).where(col(AuditEntry.at) < utcnow() - keep))
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""The database tables. Alembic owns the schema; these classes describe it."""

import secrets
from datetime import UTC, date, datetime
from typing import Literal, get_args

from pydantic import field_validator
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.core.forms import one_line, typed_text
from app.core.rounds import RoundStatus
from app.core.scoring import MAX_COMMENT_LENGTH

# Explicit names, so migrations can refer to constraints on SQLite and PostgreSQL alike.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ROLES = ("admin", "facilitator")
ROUND_STATUSES = tuple(status.value for status in RoundStatus)
ActionStatus = Literal["ikke_startet", "i_gang", "gennemfoert", "droppet"]
ACTION_STATUSES: tuple[str, ...] = get_args(ActionStatus)
MAX_NOTE = 4000  # the meeting's free texts: steps 4-5 and the follow-up of an action


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the columns refuse naive datetimes)."""
    return datetime.now(UTC)


def new_response_id() -> int:
    """A random response id (63 bits, so it fits PostgreSQL's BIGINT and SQLite's INTEGER)."""
    return secrets.randbelow(2**63 - 1) + 1


def utctoday() -> date:
    """Today's date in UTC (the only time a response keeps)."""
    return utcnow().date()


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NamedBase(SQLModel):
    """A name typed on one line: the column of units, teams and API keys and the forms' limit."""

    name: str = Field(min_length=1, max_length=200, title="Navn")

    @field_validator("name", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return one_line(value)


class Unit(NamedBase, table=True):
    """An organisational unit of the municipality (a school district, a daycare area, …)."""

    __table_args__ = (UniqueConstraint("name"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserBase(SQLModel):
    """What the invitation and first-run forms type: the columns and the forms' limits."""

    email: str = Field(max_length=254, unique=True, title="E-mail")
    name: str = Field(min_length=1, max_length=200, title="Navn")

    @field_validator("name", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class User(UserBase, table=True):
    """A person who logs in: a municipality admin or a team facilitator."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    invite_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    invite_expires_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class Team(NamedBase, table=True):
    """A cross-professional team that scores itself round after round."""

    __table_args__ = (CheckConstraint("expected_size >= 1", name="expected_size"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    expected_size: int = Field(default=8)
    created_at: datetime = Field(default_factory=utcnow)


class TeamFacilitator(SQLModel, table=True):
    """Which facilitators lead which teams."""

    __tablename__ = "team_facilitator"

    team_id: int = Field(
        sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("user_account.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


class RoundBase(SQLModel):
    """What the new-round form types: the table's column and the form's limit, declared once."""

    label: str = Field(min_length=1, max_length=100, title="Navn på runden")

    @field_validator("label", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class Round(RoundBase, table=True):
    """One scoring of a team on some themes, with its own colour and frozen statement texts."""

    __tablename__ = "round"
    __table_args__ = (CheckConstraint(_in("status", ROUND_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    colour: str = Field(max_length=7)
    status: str = Field(default=RoundStatus.DRAFT.value, max_length=10)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    join_code: str = Field(max_length=6, unique=True)
    link_token: str = Field(max_length=64, unique=True)
    catalogue_version: str = Field(max_length=50)
    closes_at: datetime | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    results_released: bool = Field(default=False)
    # The team's size when the round opened: the most answers it takes (set by the municipality).
    team_size: int = Field(default=8)
    # The first time any view showed its results; from then on the round cannot be reopened.
    results_shown_at: datetime | None = None
    discussed_at: datetime | None = None
    # Step 6: when the team meets and measures again (dates only, in Danish time).
    next_meeting_on: date | None = None
    next_measurement_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class NextDates(SQLModel):
    """Step 6's dates as typed: the round's columns and the form's labels."""

    next_meeting_on: date | None = Field(default=None, title="Næste møde")
    next_measurement_on: date | None = Field(default=None, title="Næste måling")

    @field_validator("next_meeting_on", "next_measurement_on", mode="before")
    @classmethod
    def _blank_date(cls, value: object) -> object:
        return None if value == "" else value


class RoundStatement(SQLModel, table=True):
    """A statement as it was worded when the round was created; history never changes."""

    __tablename__ = "round_statement"

    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    )
    statement_id: str = Field(primary_key=True, max_length=100)
    position: int
    theme_id: str = Field(max_length=50)
    area_id: str = Field(max_length=50)
    theme_title: str = Field(max_length=200)
    area_title: str = Field(max_length=200)
    text: str = Field(max_length=300)
    short: str = Field(max_length=50)


class Response(SQLModel, table=True):
    """One phone's answers to one round; the respondent key is stored only as a hash."""

    __table_args__ = (UniqueConstraint("round_id", "respondent_key_hash"),)

    # Random, not sequential: the order of submission must not be readable from the ids.
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, primary_key=True, autoincrement=False, default=new_response_id
        ),
    )
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    respondent_key_hash: str = Field(max_length=64)
    public_id: str = Field(max_length=16)
    profession: str | None = Field(default=None, max_length=50)
    # Days only: a time of day could be matched with who was seen answering when.
    created_on: date = Field(default_factory=utctoday)
    updated_on: date = Field(default_factory=utctoday)


class Score(SQLModel, table=True):
    """A value 1-10 for one statement, or NULL for "Ved ikke", with an optional comment."""

    __table_args__ = (
        UniqueConstraint("response_id", "statement_id"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 10)", name="value_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("response.id", ondelete="CASCADE"), nullable=False)
    )
    statement_id: str = Field(max_length=100)
    value: int | None = None
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_LENGTH)


class Draft(SQLModel, table=True):
    """A phone's unsent answers to an open round: never counted, deleted when sent or closed."""

    __table_args__ = (UniqueConstraint("round_id", "respondent_key_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    respondent_key_hash: str = Field(max_length=64)
    # The form as entered: {"values": {...}, "comments": {...}, "profession": "..."}.
    entered: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Days only, as for responses.
    updated_on: date = Field(default_factory=utctoday)


class PriorityNotes(SQLModel):
    """Steps 4 and 5 of the meeting, per priority: the table's columns and the form's limits."""

    experience: str = Field(
        default="", max_length=MAX_NOTE, title="Hvad vil barnet/den unge og forældrene opleve?"
    )
    requirements: str = Field(default="", max_length=MAX_NOTE, title="Hvad skal der til?")
    # Step 4's level to reach by the next round ("fra 4,2 til 6"), on the scale 1-10.
    target: float | None = Field(default=None, ge=1, le=10, title="Mål")

    @field_validator("experience", "requirements", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return typed_text(value)

    @field_validator("target", mode="before")
    @classmethod
    def _typed_number(cls, value: object) -> object:
        # Danish decimal comma; a blank field means no target.
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
            return None if value == "" else value
        return value


class Priority(PriorityNotes, table=True):
    """One of the (at most three) statements a team chose to develop after a round."""

    __table_args__ = (UniqueConstraint("round_id", "statement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    statement_id: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class MeetingNoteBase(SQLModel):
    """A note of the meeting's discussion: the column and the form's limit."""

    text: str = Field(default="", max_length=MAX_NOTE, title="Note")

    @field_validator("text", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return typed_text(value)


class DiscussionNote(MeetingNoteBase, table=True):
    """Step 2: what the team said about a theme (statement_id "") or about one statement."""

    __tablename__ = "discussion_note"
    __table_args__ = (UniqueConstraint("round_id", "theme_id", "statement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    theme_id: str = Field(max_length=50)
    statement_id: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)


class PriorityReview(MeetingNoteBase, table=True):
    """Step 1 of a later round: why an earlier priority has (not) moved."""

    __tablename__ = "priority_review"
    __table_args__ = (UniqueConstraint("round_id", "priority_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # The later round, whose meeting looked back.
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    priority_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("priority.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    updated_at: datetime = Field(default_factory=utcnow)


class PlanActionBase(SQLModel):
    """What the plan form types: the table's columns and the form's limits, declared once."""

    what: str = Field(min_length=1, max_length=1000, title="Hvad")
    who: str = Field(default="", max_length=200, title="Hvem")
    due_on: date | None = Field(default=None, title="Hvornår")
    status: str = Field(default="ikke_startet", max_length=20, title="Status")


class PlanAction(PlanActionBase, table=True):
    """A step of the action plan: what, who, by when, and how far it has come."""

    __tablename__ = "plan_action"
    __table_args__ = (CheckConstraint(_in("status", ACTION_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    priority_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("priority.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    follow_up_note: str = Field(default="", max_length=MAX_NOTE, title="Opfølgning")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PlanActionCreate(PlanActionBase):
    """The plan form as typed (new or changed action); whether its priority is the round's is
    checked where it is stored."""

    status: ActionStatus = Field(default="ikke_startet", title="Status")
    priority_id: int | None = None

    @field_validator("what", "who", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return typed_text(value)

    @field_validator("due_on", mode="before")
    @classmethod
    def _blank_date(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("priority_id", mode="before")
    @classmethod
    def _chosen_priority(cls, value: object) -> object:
        # A form sends "" for none; isdigit() alone lets "²" through, which int() refuses.
        if isinstance(value, str):
            return int(value) if value.isascii() and value.isdigit() else None
        return value


class ActionReview(SQLModel):
    """At a later round: how far one action has come, as typed in the follow-up form."""

    status: ActionStatus = Field(title="Status")
    follow_up_note: str = Field(default="", max_length=MAX_NOTE, title="Opfølgning")

    @field_validator("follow_up_note", mode="before")
    @classmethod
    def _as_stored(cls, value: object) -> object:
        return typed_text(value)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept for a day so that limits hold across app processes."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    succeeded: bool
    attempted_at: datetime = Field(default_factory=utcnow, index=True)


class ApiTokenBase(NamedBase):
    """An API key's name: the column and the form's limit."""

    name: str = Field(min_length=1, max_length=100, title="Navn")


class ApiToken(ApiTokenBase, table=True):
    """A revocable key with which an admin's programs read the JSON API; only its hash is kept."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginSession(SQLModel, table=True):
    """A login: the signed cookie carries its random token, of which only the hash is kept."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    user_agent: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class FirstRun(SQLModel, table=True):
    """The one row that guards the first-run setup: its token, and when it was used."""

    __tablename__ = "first_run"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    token_hash: str = Field(max_length=64)
    issued_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None


class JoinAttempt(SQLModel, table=True):
    """A join code that matched no round, by a keyed hash of the address (never the address)."""

    __tablename__ = "join_attempt"

    id: int | None = Field(default=None, primary_key=True)
    address_hash: str = Field(max_length=64, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """Who did what to staff accounts, teams, rounds and exports; never an answer or a secret."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=50, index=True)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    subject_user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    team_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("team.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    round_id: int | None = None
    address: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="", max_length=1000)


class DeletedRound(SQLModel, table=True):
    """What is left of a round deleted by the retention rule: its place in the team's history."""

    __tablename__ = "deleted_round"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    label: str = Field(max_length=100)
    held_at: datetime
    closed_at: datetime
    deleted_at: datetime = Field(default_factory=utcnow)
    after_years: int


class RoundAggregate(SQLModel, table=True):
    """A closed round whose figures are stored: when, and from how many responses.

    Its rows of `statement_aggregate` are complete once this row exists; reopening deletes both.
    """

    __tablename__ = "round_aggregate"

    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    )
    responses: int
    computed_at: datetime = Field(default_factory=utcnow)


class StatementComment(SQLModel, table=True):
    """A closed round's comment on one statement, copied from its score row when the round's
    figures are stored: the results read these, never the score rows. No link to the response or
    its profession is kept, so a comment cannot be tied to a group smaller than the round."""

    __tablename__ = "statement_comment"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    statement_id: str = Field(max_length=100)
    text: str = Field(max_length=MAX_COMMENT_LENGTH)


class StatementAggregate(SQLModel, table=True):
    """A closed round's counts for one statement and one profession code (None: not stated).

    The finest level: a team's figures and any grouping of professions are sums of these rows.
    """

    __tablename__ = "statement_aggregate"
    __table_args__ = (UniqueConstraint("round_id", "statement_id", "profession"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False)
    )
    statement_id: str = Field(max_length=100)
    profession: str | None = Field(default=None, max_length=50)
    n: int  # values 1-10
    dont_know: int  # "Ved ikke"
    count_1: int
    count_2: int
    count_3: int
    count_4: int
    count_5: int
    count_6: int
    count_7: int
    count_8: int
    count_9: int
    count_10: int


class ExportCount(SQLModel, table=True):
    """How many rows a stored round gives the export under one small-group rule: per theme, and
    for the whole round (theme ""). Computed once from the stored counts (`app.db.export`), so
    that the export page adds up a few numbers per round instead of every stored cell."""

    __tablename__ = "export_count"

    round_id: int = Field(
        sa_column=Column(Integer, ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    )
    # The rule's fingerprint: k and the profession labels and groupings the grouping used.
    rule: str = Field(max_length=64, primary_key=True)
    theme_id: str = Field(max_length=100, primary_key=True)
    rows: int


class ExportHidden(SQLModel, table=True):
    """A statement (group None) or one group's cell of a statement that the export leaves out of
    a stored round under one rule: the small-group rule's decision, stored with the counts."""

    __tablename__ = "export_hidden"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("round.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    rule: str = Field(max_length=64)
    statement_id: str = Field(max_length=100)
    group_label: str | None = Field(default=None, max_length=100)

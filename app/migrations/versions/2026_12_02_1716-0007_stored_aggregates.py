"""stored aggregates of closed rounds; indexes on the foreign keys used in lookups

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00

The rounds closed before this migration get their aggregates here, in the same SQL as
`app.db.aggregates` (written out: a migration must not change when the app's code does). An open
round past its closing time is stored by the first view that reads it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = [f"count_{value}" for value in range(1, 11)]
# (table, column): foreign keys that lookups and ON DELETE actions search by.
INDEXES = (
    ("plan_action", "round_id"),
    ("plan_action", "priority_id"),
    ("team_facilitator", "user_id"),
    ("audit_entry", "subject_user_id"),
)


def upgrade() -> None:
    op.create_table(
        "round_aggregate",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_round_aggregate_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_aggregate")),
    )
    op.create_table(
        "statement_aggregate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("profession", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("dont_know", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_statement_aggregate_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_aggregate")),
        sa.UniqueConstraint(
            "round_id",
            "statement_id",
            "profession",
            name=op.f("uq_statement_aggregate_round_id"),
        ),
    )
    for table, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)

    now = sa.bindparam("now", value=datetime.now(UTC), type_=sqlmodel.sql.sqltypes.UTCDateTime())
    op.execute(
        sa.text(
            "INSERT INTO round_aggregate (round_id, responses, computed_at) "
            "SELECT r.id, (SELECT count(*) FROM response AS p WHERE p.round_id = r.id), :now "
            "FROM round AS r WHERE r.status = 'closed' OR (r.status = 'open' "
            "AND r.closes_at IS NOT NULL AND r.closes_at <= :now)"
        ).bindparams(now)
    )
    counts = ", ".join(f"sum(CASE WHEN s.value = {v} THEN 1 ELSE 0 END)" for v in range(1, 11))
    op.execute(
        "INSERT INTO statement_aggregate "
        f"(round_id, statement_id, profession, n, dont_know, {', '.join(COUNTS)}) "
        "SELECT p.round_id, s.statement_id, p.profession, count(s.value), "
        f"sum(CASE WHEN s.value IS NULL THEN 1 ELSE 0 END), {counts} "
        "FROM score AS s JOIN response AS p ON p.id = s.response_id "
        "WHERE p.round_id IN (SELECT round_id FROM round_aggregate) "
        "GROUP BY p.round_id, p.profession, s.statement_id"
    )


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    op.drop_table("statement_aggregate")
    op.drop_table("round_aggregate")
